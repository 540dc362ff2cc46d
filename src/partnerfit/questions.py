"""Open questions asked once per missing field, however many rules wait on it.

The engine raises one open question per rule that cannot judge (a rule's ``requires``
field is unknown), so three rules about the written agreement ask about the agreement
three times. A founder needs each unknown once, in words, with whom to ask and what an
answer could raise. :func:`questions_of` groups the rules' open questions by the field
they miss (the same field of every party is one question) and orders them: the fields
whose answer could raise the most severe red flag first, then those most rules wait on.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .case import Severity
from .facts import ASKABLE
from .report import Evidence, Finding, FindingKind, Question
from .wording import and_list, fields_words, generic_field, possessive


def questions_of(
    findings: Sequence[Finding],
    severities: Mapping[str, Severity],
    names: Mapping[str, str],
    value_at: Callable[[str], Any],
    *,
    words: Callable[[Sequence[tuple[str, str | None]]], str] | None = None,
) -> tuple[Question, ...]:
    """The report's questions, from its open-question findings.

    ``severities`` gives each red-flag rule's severity (what an answer could raise; other
    rules count as ``info``), ``names`` each party's name by id, in case order, and
    ``value_at`` the case's value at a path (for names of principals and offerings).
    ``words`` names fields as :func:`~partnerfit.wording.fields_words` does with
    ``value_at``; the evaluation passes the one it worded the open questions with, so
    that fields named there are not named again.
    """
    if words is None:
        words = functools.partial(fields_words, value_at=value_at)
    # A rule already raised on other answers (PF-AL-001 on the vision, waiting on the
    # mission) adds nothing to the verdict if it fires again: the verdict weighs each rule
    # once. It still waits on the answer, but does not make the question more decisive.
    raised = {f.rule_id for f in findings if f.kind == FindingKind.red_flag}
    groups: dict[str, dict[str, Evidence]] = {}
    waiting: dict[str, dict[str, None]] = {}  # field → the rules waiting on it, in order
    # The open questions of one case cite the same few paths again and again.
    fields: dict[str, str] = {}
    for f in findings:
        if f.kind != FindingKind.open_question:
            continue
        rule = f.rule_id
        for e in f.evidence:
            path = e.path
            field = fields.get(path)
            if field is None:
                field = fields[path] = generic_field(path)
                groups[field] = groups.get(field) or {}
                waiting[field] = waiting.get(field) or {}
            groups[field].setdefault(path, e)
            waiting[field][rule] = None
    order = {pid: i for i, pid in enumerate(names)}
    out = []
    for field, by_path in groups.items():
        evidence = tuple(sorted(by_path.values(), key=lambda e: _path_order(e.path)))
        rules = sorted(
            waiting[field], key=lambda rid: (-severities.get(rid, Severity.info).rank, rid)
        )
        stake = max(
            (severities.get(rid, Severity.info) for rid in rules if rid not in raised),
            key=lambda s: s.rank,
            default=Severity.info,
        )
        parties = tuple(
            sorted(
                {e.party for e in evidence if e.party is not None},
                key=lambda p: order.get(p, len(order)),
            )
        )
        out.append(
            Question(
                field=field,
                question=_asked_of(
                    ASKABLE.get(field) or f"What is {field}?", [names.get(p, p) for p in parties]
                ),
                fill_in=words([(e.path, field) for e in evidence]),
                parties=parties,
                ask=_whom(parties, names),
                evidence=evidence,
                rules=tuple(rules),
                raised=tuple(rid for rid in rules if rid in raised),
                at_stake=stake,
            )
        )
    first = {q.field: min(_path_order(e.path) for e in q.evidence) for q in out}
    out.sort(key=lambda q: (-q.at_stake.rank, -len(q.rules), first[q.field]))
    return tuple(out)


_INDEX = re.compile(r"\[(\d+)\]")


@functools.lru_cache(maxsize=4096)
def _path_order(path: str) -> tuple[Any, ...]:
    """Case-file order of a path: ``parties[2]`` before ``parties[10]``."""
    return tuple(int(p) if p.isdigit() else p for p in _INDEX.split(path))


def _asked_of(question: str, names: Sequence[str]) -> str:
    """The generic question addressed to whom it concerns: ``What is this party's vision``
    becomes ``What is Alpha's vision`` for one party, ``each party's`` for several."""
    if not names:
        return question
    whose = possessive(names[0]) if len(names) == 1 else "each party's"
    who = names[0] if len(names) == 1 else "each party"
    question = question.replace("this party's", whose).replace("this party", who)
    principal = "each principal" if len(names) > 1 else "this principal"
    return question.replace("this principal", principal)


def _whom(parties: Sequence[str], names: Mapping[str, str]) -> str:
    """Whom to ask, in words: ``Alpha``, ``Alpha and Beta``, ``both parties together``."""
    if parties:
        return and_list([names.get(p, p) for p in parties])
    return "all parties together" if len(names) > 2 else "both parties together"


def stake_words(question: Question) -> str:
    """What waits on the answer: ``3 rules wait on it; it could raise a high red flag``."""
    n = len(question.rules)
    rules = f"{n} rule{'s' if n != 1 else ''} wait{'s' if n == 1 else ''} on it"
    if question.raised and len(question.raised) == n:
        already = "it is" if n == 1 else "each is"
        return f"{rules}; {already} already raised on other answers"
    if question.at_stake == Severity.info:
        return f"{rules}; it could show a strength or settle a question"
    article = "an" if question.at_stake.value[0] in "aeiou" else "a"
    return f"{rules}; it could raise {article} {question.at_stake.value} red flag"
