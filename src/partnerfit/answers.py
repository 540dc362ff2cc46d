"""The parties' own answers side by side, with what the check found on each topic.

Each party answers on vision, mission, values, positioning, three-year goal, horizon and
target customer without seeing the other's answers (``partnerfit questionnaire``). Read
side by side, the answers show where the parties agree before anyone signs. The judgement
on each topic comes from the rules, never from a threshold of this module:

- ``missing``: a party has not answered; unknown, never taken as a disagreement;
- ``different``: a red flag cites the answers (the rules found them far apart);
- ``same``: a strength cites them (the rules found the same key words), or they read the
  same once case, spacing and closing punctuation are set aside;
- ``close``: every party answered, the pack compares the topic, and no rule found them
  far apart or the same;
- ``not_compared``: every party answered but no rule of the pack compares the topic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .case import Case
from .pack import Pattern, RuleKind, RulePack
from .report import AnswerFound, AnswerSide, Finding, FindingKind, TopicAnswers
from .wording import and_list

TOPICS: tuple[tuple[str, str], ...] = (
    ("vision", "Vision"),
    ("mission", "Mission"),
    ("values", "Values"),
    ("positioning", "Positioning"),
    ("three_year_goal", "Three-year goal"),
    ("horizon_years", "Horizon"),
    ("target_customer", "Target customer"),
)
"""The topics each party answers on its own, in the order reports show them."""

_ANSWER_PATH = re.compile(r"^parties\[(\d+)\]\.answers\.([a-z_]+)")


def answer_text(topic: str, value: Any) -> str | None:
    """An answer as reports show it: a list joined, a horizon in years; None if unanswered."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, float | int) and not isinstance(value, bool):
        shown = f"{value:g}"
        return f"{shown} year" + ("" if value == 1 else "s") if topic == "horizon_years" else shown
    return str(value)


def compared_topics(pack: RulePack) -> frozenset[str]:
    """The topics some red-flag or strength rule of ``pack`` compares: those its patterns
    on ``comparison`` facts can match (every topic for a pattern that does not fix one)."""
    return pack.derived("compared topics", _compared_topics)


def _compared_topics(pack: RulePack) -> frozenset[str]:
    every = frozenset(t for t, _ in TOPICS)
    topics: set[str] = set()
    for lr in pack.active():
        if lr.rule.kind not in (RuleKind.red_flag, RuleKind.strength):
            continue
        for p in lr.rule.when:
            if not isinstance(p, Pattern) or p.fact != "comparison":
                continue
            topic = p.where.get("topic")
            if isinstance(topic, str):
                topics.add(topic)
            elif isinstance(topic, dict) and isinstance(topic.get("in"), list):
                topics.update(str(t) for t in topic["in"])
            else:
                topics.update(every)
    return frozenset(topics & every)


def side_by_side(
    case: Case, findings: Sequence[Finding], compared: frozenset[str]
) -> tuple[TopicAnswers, ...]:
    """Every topic's answers, one per party in case order, and what the check found;
    ``compared`` is the topics the pack's rules compare (:func:`compared_topics`)."""
    cited: dict[str, dict[FindingKind, list[str]]] = {}
    for f in findings:
        for e in f.evidence:
            m = _ANSWER_PATH.match(e.path)
            if m:
                ids = cited.setdefault(m.group(2), {}).setdefault(f.kind, [])
                if f.rule_id not in ids:
                    ids.append(f.rule_id)
    out = []
    for topic, label in TOPICS:
        values = [getattr(p.answers, topic, None) if p.answers else None for p in case.parties]
        sides = tuple(
            AnswerSide(party=p.id, name=p.name, answer=answer_text(topic, v))
            for p, v in zip(case.parties, values, strict=True)
        )
        by_kind = cited.get(topic, {})
        flags = tuple(by_kind.get(FindingKind.red_flag, ()))
        strengths = tuple(by_kind.get(FindingKind.strength, ()))
        if any(v is None for v in values):
            found = AnswerFound.missing
        elif flags:
            found = AnswerFound.different
        elif strengths or len({_plain(v) for v in values}) == 1:
            found = AnswerFound.same
        elif topic in compared:
            found = AnswerFound.close
        else:
            found = AnswerFound.not_compared
        out.append(
            TopicAnswers(
                topic=topic, label=label, answers=sides, found=found, rules=flags + strengths
            )
        )
    return tuple(out)


_SPACE = re.compile(r"\s+")


def _plain(value: Any) -> object:
    """A value with what does not change its meaning set aside: case, spacing, closing
    punctuation, and the order of a list."""
    if isinstance(value, list | tuple):
        return frozenset(str(_plain(v)) for v in value)
    if isinstance(value, str):
        return _SPACE.sub(" ", value).strip().rstrip(".!;").casefold()
    return value


def found_words(topic: TopicAnswers) -> str:
    """What the check found on a topic, in words: ``different (PF-AL-001)``, ``missing: ask
    Beta``, ``close: no rule found them far apart``."""
    missing = [a.name for a in topic.answers if a.answer is None]
    rules = f" ({', '.join(topic.rules)})" if topic.rules else ""
    if topic.found == AnswerFound.missing:
        if len(missing) == len(topic.answers):
            return "missing: nobody has answered yet"
        return "missing: ask " + and_list(missing)
    return FOUND_WORDS[topic.found] + rules


FOUND_WORDS = {
    AnswerFound.same: "same",
    AnswerFound.close: "close: no rule found them far apart",
    AnswerFound.different: "different",
    AnswerFound.not_compared: "answered by every party; no rule compared them",
}
"""What the check found on a topic every party answered, in words."""
