"""From a case and a pack to a report: facts in, firings out, findings explained."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import advice
from .answers import compared_topics, side_by_side
from .case import Case, Severity
from .coverage import answered
from .engine import Firing, engine_for
from .facts import ASKABLE, Fact, extract
from .pack import LoadedRule, Negation, RuleKind, RulePack, VerdictPolicy, render
from .prompts import prompts_for
from .questions import questions_of
from .report import (
    Counts,
    Coverage,
    Evidence,
    Finding,
    FindingKind,
    PackInfo,
    Report,
    Verdict,
    percent,
)
from .waivers import apply_waivers, waiver_summary
from .wording import block_words, choice_words, fields_words, generic_field, scalar_words

_KIND_ORDER = {FindingKind.red_flag: 0, FindingKind.open_question: 1, FindingKind.strength: 2}


def evaluate_case(
    case: Case, pack: RulePack, *, today: dt.date | None = None, advise: bool = False
) -> Report:
    """Evaluate one case; waiver expiry is judged on ``today`` (default: the local date).

    With ``advise``, each red flag carries the single changes to the case that clear it
    (:mod:`partnerfit.advice`): the rules run again on each candidate edit, so this costs
    up to :data:`~partnerfit.advice.MAX_EVALUATIONS` more evaluations."""
    on = today if today is not None else dt.date.today()
    report = _evaluate_case(case, pack, on)
    if advise:
        report = advice.advise(report, case, pack, lambda edited: red_flags_of(edited, pack, on))
    return report


def red_flags_of(case: Case, pack: RulePack, on: dt.date) -> tuple[Finding, ...]:
    """The red flags :func:`evaluate_case` reports for ``case`` (waivers applied), and
    nothing else: no open question, strength, coverage or verdict is worked out. Advice
    calls this once per candidate edit."""
    facts = extract(case)
    firings = engine_for(pack.compiled).evaluate(facts)
    strengths = _strength_rules(pack)
    flagged = [f for f in firings if f.rule not in pack.compiled.asks and f.rule not in strengths]
    waived = apply_waivers(case, pack, findings_from(flagged, case, pack, facts), on)
    return tuple(f for f in waived.findings if f.kind == FindingKind.red_flag)


def _strength_rules(pack: RulePack) -> frozenset[str]:
    """The ids of the pack's strength rules."""
    return pack.derived(
        "strengths",
        lambda p: frozenset(lr.rule.id for lr in p.active() if lr.rule.kind == RuleKind.strength),
    )


def _active_rules(pack: RulePack) -> dict[str, LoadedRule]:
    """Rule id → the active rule."""
    return pack.derived("active", lambda p: {lr.rule.id: lr for lr in p.active()})


def _evaluate_case(case: Case, pack: RulePack, on: dt.date) -> Report:
    facts = extract(case)
    firings = engine_for(pack.compiled).evaluate(facts)
    words = _FieldWords(case)
    waived = apply_waivers(case, pack, findings_from(firings, case, pack, facts, words), on)
    findings = waived.findings
    questions = answered(pack, facts, [p.id for p in case.parties])
    coverage = Coverage(
        asked=len(questions.asked), answered=questions.answered, ratio=questions.ratio
    )
    verdict, reason = decide(findings, pack.verdict, coverage)
    reason = "; ".join([reason, *waiver_summary(waived.waivers)])
    dated = any(w.expires is not None for w in case.waivers or [])
    asked = questions_of(
        findings,
        _flag_severities(pack),
        {p.id: p.name for p in case.parties},
        case.value_at,
        words=words,
    )
    return Report(
        case_id=case.id,
        title=case.title,
        file=case.source_file,
        pack=PackInfo(name=pack.name, version=pack.version),
        verdict=verdict,
        reason=reason,
        counts=count(findings).model_copy(
            update={"waived": len(waived.waived), "questions": len(asked)}
        ),
        findings=findings,
        waived=waived.waived,
        waivers=waived.waivers,
        layers=tuple(PackInfo(name=layer.name, version=layer.version) for layer in pack.layers),
        evaluated_on=on if dated else None,
        coverage=coverage,
        prompts=prompts_for(case, pack),
        questions=asked,
        answers=side_by_side(case, findings, compared_topics(pack)),
    )


def _flag_severities(pack: RulePack) -> dict[str, Severity]:
    """Per red-flag rule of the pack: its severity (after layer overrides)."""
    return pack.derived(
        "severities",
        lambda p: {
            lr.rule.id: lr.severity for lr in p.active() if lr.rule.kind == RuleKind.red_flag
        },
    )


@dataclass(frozen=True)
class TraceEntry:
    """One firing of the engine, for an audit trail: the rule and the evidence it matched."""

    rule: str
    """Engine rule name (a rule id, or ``ask$<field>`` for an open-question rule)."""
    paths: tuple[str, ...]
    """Evidence paths of the matched facts."""


def trace(case: Case, pack: RulePack) -> list[TraceEntry]:
    """Every firing for a case, derivations included, in firing order."""
    firings = engine_for(pack.compiled).evaluate(extract(case))
    sources = {f.derived["id"]: f for f in firings if f.derived is not None}
    out = []
    for firing in firings:
        if firing.rule in pack.compiled.asks:
            paths = tuple(fact["path"] for _, fact in firing.slots)
        else:
            paths = tuple(e.path for e in _dedupe(_evidence(firing, pack, sources, case)))
        out.append(TraceEntry(firing.rule, paths))
    return out


def findings_from(
    firings: Sequence[Firing],
    case: Case,
    pack: RulePack,
    facts: Sequence[Fact] = (),
    words: _FieldWords | None = None,
) -> list[Finding]:
    """Findings from the engine's firings: one per cause. Firings of one rule that involve
    two or more parties and agree on their cause (see :func:`_cause`) are one finding;
    open questions are one per rule. ``words`` names the case's fields in words (one per
    case, shared with :func:`~partnerfit.questions.questions_of`)."""
    rules = _active_rules(pack)
    sources: dict[str, Firing] = {f.derived["id"]: f for f in firings if f.derived is not None}
    names = {p.id: p.name for p in case.parties}
    seen = [*facts, *(fact for firing in firings for _, fact in firing.slots)]
    pairs = {str(f["id"]): _pair_of(f) for f in seen if f.get("a") and f.get("b")}
    by_key: dict[tuple[str, tuple[str, ...]], Finding] = {}
    asked: dict[str, list[Fact]] = {}
    causes: dict[tuple[str, tuple[object, ...]], list[tuple[tuple[str, ...], Firing]]] = {}
    joins = _joins_of(pack)
    for firing in firings:
        if firing.rule in pack.compiled.asks:
            for rid in pack.compiled.asks[firing.rule]:
                asked.setdefault(rid, []).extend(fact for _, fact in firing.slots)
            continue
        lr = rules[firing.rule]
        if lr.rule.kind == RuleKind.derived:
            continue
        parties = _firing_parties(firing, pack, names, pairs)
        if len(parties) >= 2:
            if lr.rule.id not in joins:
                joins[lr.rule.id] = _value_joins(lr, pack)
            cause = _cause(firing, joins[lr.rule.id], pack, names, pairs)
            causes.setdefault((lr.rule.id, cause), []).append((parties, firing))
            continue
        finding = _finding(lr, [firing], pack, sources, case)
        by_key.setdefault(finding.key, finding)
    order = {pid: i for i, pid in enumerate(names)}
    for (rid, _), group in causes.items():
        group.sort(key=lambda item: tuple(order[p] for p in item[0]))
        sets = list(dict.fromkeys(ps for ps, _ in group))
        merged = [firing for _, firing in group]
        if len(sets) < 2:  # one pair: one finding, every firing's message and evidence
            finding = _finding(rules[rid], merged, pack, sources, case, every_message=True)
        else:
            finding = _finding(rules[rid], merged, pack, sources, case, _among(sets, names))
        by_key.setdefault(finding.key, finding)
    # Built once per unknown field, however many rules ask about it.
    missing: dict[str, Evidence] = {}
    for unknowns in asked.values():
        for u in unknowns:
            if u["path"] not in missing:
                missing[u["path"]] = _missing(u, case)
    named = words if words is not None else _FieldWords(case)
    fixed = pack.derived("open questions", _open_question_parts)
    for rid, unknowns in asked.items():
        finding = _open_question(rules[rid], fixed[rid], unknowns, missing, named)
        by_key.setdefault(finding.key, finding)
    return sorted(by_key.values(), key=_order)


def _finding(
    lr: LoadedRule,
    firings: Sequence[Firing],
    pack: RulePack,
    sources: dict[str, Firing],
    case: Case,
    among: str = "",
    *,
    every_message: bool = False,
) -> Finding:
    """One finding from one firing, or from several firings of one cause: their evidence
    together, and the first firing's message then ``among`` (every pair of parties), or,
    with ``every_message``, each firing's own message once (one pair of parties that agree
    on, say, their vision and their mission)."""
    evidence = _dedupe(
        e
        for firing in firings
        for e in (
            _dedupe(_evidence(firing, pack, sources, case)) or _whole_facts(firing, pack, case)
        )
    )
    flag = lr.rule.kind == RuleKind.red_flag
    overridden = flag and lr.overridden_by is not None
    shown = firings if every_message else firings[:1]
    message = " ".join(dict.fromkeys(_message(lr, firing, pack) for firing in shown))
    return Finding(
        rule_id=lr.rule.id,
        name=lr.rule.name,
        kind=FindingKind(lr.rule.kind.value),
        severity=lr.severity if flag else Severity.info,
        severity_overridden_by=lr.overridden_by if overridden else None,
        rule_severity=lr.rule.severity if overridden else None,
        title=lr.rule.title,
        message=f"{message} {among}" if among else message,
        evidence=evidence,
        why=_why(lr),
        remedy=lr.rule.remedy,
        area=lr.rule.area.value,
    )


_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")


@lru_cache(maxsize=4096)
def _placeholders(template: str) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys((m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(template)))


def _message(lr: LoadedRule, firing: Firing, pack: RulePack) -> str:
    """The rule's message for one firing, with every enumerated value it shows (a field the
    fact vocabulary lists ``choices`` for, or a derived fact copies from one) in words:
    ``part-time``, not ``part_time``."""
    slots = dict(firing.slots)
    for slot, name in _placeholders(lr.rule.message):
        fact = slots.get(slot)
        value = fact.get(name) if fact is not None else None
        if fact is None or not isinstance(value, str):
            continue
        if value in _choices_of(pack, str(fact.get("t")), name):
            slots[slot] = {**fact, name: choice_words(value)}
    return _PERIODS.sub(".", render(lr.rule.message, slots))


# A name that ends with a full stop at the end of a sentence: "Yahoo! Inc.." → "Yahoo! Inc."
_PERIODS = re.compile(r"(?<![.])\.\.(?=\s|$)")


def _choices_of(pack: RulePack, fact_type: str, name: str) -> frozenset[str]:
    """The values a field can take, for enumerated fields and for the fields of derived
    facts that copy one (worked out once per pack)."""
    return pack.derived("choices", _enumerated).get((fact_type, name), frozenset())


def _enumerated(pack: RulePack) -> dict[tuple[str, str], frozenset[str]]:
    found = {
        (tname, fname): frozenset(spec.choices)
        for tname, ftype in pack.fact_types.items()
        for fname, spec in ftype.all_fields().items()
        if spec.choices
    }
    for lr in pack.active():
        derive = lr.rule.derive
        if derive is None:
            continue
        facts = {
            item.as_ or item.fact: item.fact
            for item in lr.rule.when
            if not isinstance(item, Negation)
        }
        for fname, ref in derive.fields.items():
            slot, _, source = ref.partition(".")
            choices = found.get((facts.get(slot, ""), source))
            if choices:
                key = (derive.fact, fname)
                found[key] = found.get(key, frozenset()) | choices
    return found


# --- one finding per cause ----------------------------------------------------------------
#
# With three or more parties, a rule that compares two parties fires once per pair. Firings
# of one rule have the same *cause* when they agree on everything the rule compares except
# which parties matched: the same party-neutral facts (the alliance, a target market …) and
# the same values wherever the rule joins two facts on a field that is not an id (a shared
# category and segment, a competitor's name …). Joins on id fields (``party``, ``id``,
# ``pair``, a pair's ``a`` and ``b``, a party's ``key`` …: the fields ``partnerfit facts``
# marks as ids) only tie facts to each other and to parties. Fixed tests (``dimension:
# region``, ``score: {lt: 0.1}``) hold for every firing alike, and so do the values a rule
# lists as alternatives of one test (``topic: {in: [vision, mission]}``): the rule's author
# named them as one cause, so a join on such a field does not tell causes apart. Firings of
# one cause that involve different pairs of parties are one finding, citing every pair's
# evidence and naming every pair; firings of one cause on one and the same pair (one
# competitor found under its partner's name and under a brand of the partner; the same
# words in the vision and in the mission) are one finding with each firing's message.
# Firings that involve a single party stay one finding each (one per principal, per
# project …): the party-owned fact each cites is its cause.


def _pair_of(fact: Fact) -> tuple[str, str]:
    return str(fact["a"]), str(fact["b"])


def _joins_of(pack: RulePack) -> dict[str, tuple[tuple[str, str], ...]]:
    """Per pack: each rule's value joins, filled in as rules fire."""
    joins: dict[str, tuple[tuple[str, str], ...]] = pack.derived("value joins", lambda p: {})
    return joins


def _id_fields(fact: Fact, pack: RulePack) -> list[str]:
    ftype = pack.fact_types.get(str(fact["t"]))
    if ftype is None:
        return []
    ids = _ID_FIELDS.get(ftype.name)
    if ids is None or ids[0] is not ftype:
        ids = _ID_FIELDS[ftype.name] = (
            ftype,
            frozenset(n for n, spec in ftype.all_fields().items() if spec.ordered and n != "id"),
        )
    return [n for n in fact if n in ids[1]]


_ID_FIELDS: dict[str, tuple[object, frozenset[str]]] = {}
"""Fact type name → (the type, its id fields but ``id``), rebuilt when a pack defines the
type anew (a derived type)."""


def _fact_parties(
    fact: Fact, pack: RulePack, names: Mapping[str, str], pairs: Mapping[str, tuple[str, str]]
) -> list[str]:
    """The parties a fact belongs to or names in its id fields (a pair's two parties when
    it refers to a pair)."""
    found: list[str] = []
    for name in _id_fields(fact, pack):
        value = str(fact[name])
        for pid in (value,) if value in names else pairs.get(value, ()):
            if pid not in found:
                found.append(pid)
    return found


def _firing_parties(
    firing: Firing,
    pack: RulePack,
    names: Mapping[str, str],
    pairs: Mapping[str, tuple[str, str]],
) -> tuple[str, ...]:
    """The parties a firing's facts belong to or name, in the case's order."""
    found = {pid for _, fact in firing.slots for pid in _fact_parties(fact, pack, names, pairs)}
    return tuple(pid for pid in names if pid in found)


def _value_joins(lr: LoadedRule, pack: RulePack) -> tuple[tuple[str, str], ...]:
    """(slot, field) of every equality join in the rule on a field that is not an id, nor
    one the rule tests against a list of alternatives (``in:``)."""
    types = {}
    alternatives: set[tuple[str | None, str]] = set()
    for item in lr.rule.when:
        if not isinstance(item, Negation):
            slot = item.as_ or item.fact
            types[slot] = item.fact
            alternatives.update(
                (slot, fname)
                for fname, spec in item.where.items()
                if isinstance(spec, dict) and "in" in spec
            )
    out: dict[tuple[str, str], None] = {}
    for item in lr.rule.when:
        pattern = item.not_ if isinstance(item, Negation) else item
        own = None if isinstance(item, Negation) else (pattern.as_ or pattern.fact)
        for fname, spec in pattern.where.items():
            ops = spec if isinstance(spec, dict) and "ref" not in spec else {"eq": spec}
            ref = ops.get("eq")
            if not (isinstance(ref, dict) and set(ref) == {"ref"} and isinstance(ref["ref"], str)):
                continue
            slot, _, rfield = ref["ref"].partition(".")
            if _is_id(pack, pattern.fact, fname) or _is_id(pack, types.get(slot), rfield):
                continue
            if (slot, rfield) in alternatives or (own, fname) in alternatives:
                continue
            if own is not None:
                out[(own, fname)] = None
            out[(slot, rfield)] = None
    return tuple(out)


def _is_id(pack: RulePack, fact_type: str | None, field: str) -> bool:
    ftype = pack.fact_types.get(fact_type) if fact_type is not None else None
    spec = ftype.field(field) if ftype is not None else None
    return spec is None or spec.ordered


def _cause(
    firing: Firing,
    joins: Sequence[tuple[str, str]],
    pack: RulePack,
    names: Mapping[str, str],
    pairs: Mapping[str, tuple[str, str]],
) -> tuple[object, ...]:
    slots = dict(firing.slots)
    neutral = tuple(
        (slot, str(fact["id"]))
        for slot, fact in firing.slots
        if not _fact_parties(fact, pack, names, pairs)
    )
    values = tuple(
        (slot, name, str(slots[slot].get(name))) for slot, name in joins if slot in slots
    )
    return neutral + values


def _among(sets: Sequence[tuple[str, ...]], names: Mapping[str, str]) -> str:
    """``This holds for 3 pairs among Alpha, Beta and Gamma: Alpha–Beta, …``."""
    involved = [pid for pid in names if any(pid in s for s in sets)]
    what = "pairs" if all(len(s) == 2 for s in sets) else "groups of parties"
    listed = ", ".join("–".join(names[p] for p in s) for s in sets)
    return (
        f"This holds for {len(sets)} {what} among {_and([names[p] for p in involved])}: {listed}."
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _order(f: Finding) -> tuple[int, int, str, tuple[str, ...]]:
    return (_KIND_ORDER[f.kind], -f.severity.rank, f.rule_id, f.key[1])


def _why(lr: LoadedRule) -> str | None:
    why, source = lr.rule.why, lr.rule.source
    if why and source:
        return f"{why.strip()} (Source: {source.strip()})"
    return why or (f"Source: {source}" if source else None)


def _evidence(
    firing: Firing, pack: RulePack, sources: dict[str, Firing], case: Case
) -> Iterable[Evidence]:
    cited = dict(pack.compiled.cited.get(firing.rule, ()))
    for slot, fact in firing.slots:
        ftype = pack.fact_types.get(fact["t"])
        if ftype is None or not ftype.evidence:
            continue
        if ftype.derived:
            origin = sources.get(fact["id"])
            if origin is not None:
                yield from _evidence(origin, pack, sources, case)
            continue
        fields = cited.get(slot, ())
        if ftype.field_paths is not None and fields:
            for name in fields:
                rel = ftype.field_paths.get(name)
                if rel is None:
                    continue
                path = f"{fact['path']}.{rel}" if rel else fact["path"]
                yield _cite(path, _show(fact.get(name)), fact, case)
        elif ftype.field_paths is None:
            yield _cite(fact["path"], str(fact.get("value", "")), fact, case)


def _whole_facts(firing: Firing, pack: RulePack, case: Case) -> tuple[Evidence, ...]:
    """Every finding cites something: when a rule tests only joining fields (ids, keys)
    of the facts it matched, cite those facts whole."""
    return _dedupe(
        _cite(fact["path"], str(fact.get("value", "")), fact, case)
        for _, fact in firing.slots
        if (ftype := pack.fact_types.get(fact["t"])) is not None and ftype.evidence
    )


def _cite(path: str, value: str | None, fact: Fact, case: Case) -> Evidence:
    """Evidence in the case file's own words: where the file holds a value (or a list of
    values) at ``path``, that value as written (``part_time``, ``false``, ``4800000``),
    not the fact derived from it; a block or a list of blocks in words, each block by its
    name or its fields (``2 projects: Crate loop; Cold store``), never as a bare count."""
    held = case.value_at(path)
    written = _written(held)
    if written is None:
        written = block_words(path, held)
    return Evidence(
        path=path,
        value=written if written is not None else value,
        party=fact.get("party"),
        line=case.line_of(path),
    )


def _missing(unknown: Fact, case: Case) -> Evidence:
    path = unknown["path"]
    party = unknown.get("party")
    return Evidence(
        path=path,
        value=None,
        party=str(party) if party is not None else None,
        line=case.line_of(path),
    )


_written = scalar_words
"""A single value (or a list of them) as the file writes it; None for a block."""


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _dedupe(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    seen: dict[str, Evidence] = {}
    for e in items:
        seen.setdefault(e.path, e)
    return tuple(seen.values())


class _FieldWords:
    """:func:`~partnerfit.wording.fields_words` for one case, each list of fields worded
    once: the rules that wait on the same unknown fields (a dozen may wait on one party's
    answers) and the report's questions name them in the same words, and naming a field
    parses its path and reads the case."""

    def __init__(self, case: Case) -> None:
        self._value_at = case.value_at
        self._said: dict[tuple[tuple[str, str | None], ...], str] = {}

    def __call__(self, paths: Sequence[tuple[str, str | None]]) -> str:
        key = tuple(paths)
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = fields_words(key, self._value_at)
        return said


def _open_question_parts(pack: RulePack) -> dict[str, dict[str, Any]]:
    """Per rule of the pack: the fields of its open question that do not depend on the
    case (a case raises some sixty open questions, each from one of the same rules)."""
    return {
        lr.rule.id: {
            "rule_id": lr.rule.id,
            "name": lr.rule.name,
            "kind": FindingKind.open_question,
            "severity": Severity.info,
            "title": f"Cannot judge yet: {lr.rule.title}",
            "why": _why(lr),
            "remedy": lr.rule.remedy,
            "area": lr.rule.area.value,
        }
        for lr in pack.active()
    }


def _open_question(
    lr: LoadedRule,
    fixed: Mapping[str, Any],
    unknowns: Sequence[Fact],
    missing: Mapping[str, Evidence],
    words: _FieldWords,
) -> Finding:
    """One open question per rule: the rule's question, then what to fill in, in words
    (``Alpha's three-year goal``); the paths are in its evidence. ``fixed`` holds the
    fields that come from the rule alone (:func:`_open_question_parts`)."""
    of_path = {u["path"]: str(u["field"]) for u in unknowns}
    paths = sorted(of_path)
    question = lr.rule.question or " ".join(ASKABLE[f] for f in sorted(set(of_path.values())))
    return Finding(
        **fixed,
        message=f"{question} Fill in: {words([(p, of_path[p]) for p in paths])}.",
        evidence=tuple(missing[p] for p in paths),
    )


def count(findings: Sequence[Finding]) -> Counts:
    flags = [f for f in findings if f.kind == FindingKind.red_flag]
    by_sev = {s: sum(1 for f in flags if f.severity == s) for s in Severity}
    return Counts(
        red_flags=len(flags),
        strengths=sum(1 for f in findings if f.kind == FindingKind.strength),
        open_questions=sum(1 for f in findings if f.kind == FindingKind.open_question),
        critical=by_sev[Severity.critical],
        high=by_sev[Severity.high],
        medium=by_sev[Severity.medium],
        low=by_sev[Severity.low],
        info=by_sev[Severity.info],
    )


_WEIGHT = {Severity.high: 2, Severity.medium: 1}


def risk_score(flags: Sequence[Finding]) -> int:
    """Red flags weighed together: each rule once, at its worst severity (high 2, medium 1).
    A rule that fires on several segments or pairs is one problem, not several."""
    worst: dict[str, int] = {}
    for f in flags:
        weight = _WEIGHT.get(f.severity, 0)
        worst[f.rule_id] = max(worst.get(f.rule_id, 0), weight)
    return sum(worst.values())


def decide(
    findings: Sequence[Finding], policy: VerdictPolicy, coverage: Coverage | None = None
) -> tuple[Verdict, str]:
    """The verdict and its reason. A critical red flag can never be averaged away.

    In order: a critical red flag, ``reconsider_high`` high ones, or red flags that weigh
    ``reconsider_score`` together (:func:`risk_score`) mean ``reconsider``,
    however little the case answers (a red flag rests on what the case states, and answers
    still to come can add red flags, never take one away). Otherwise a case that answers
    less than the pack's ``incomplete_below`` share of its questions is ``incomplete``: too
    little to say "proceed". Then the counts for ``proceed_with_conditions``; else ``proceed``.
    """
    flags = [f for f in findings if f.kind == FindingKind.red_flag]
    critical = [f for f in flags if f.severity == Severity.critical]
    high = [f for f in flags if f.severity == Severity.high]
    medium = [f for f in flags if f.severity == Severity.medium]
    questions = [f for f in findings if f.kind == FindingKind.open_question]
    if critical:
        return Verdict.reconsider, _because("critical red flag", critical)
    if len({f.rule_id for f in high}) >= policy.reconsider_high:
        return Verdict.reconsider, _because("high red flag", high)
    score = risk_score(flags)
    if policy.reconsider_score is not None and score >= policy.reconsider_score:
        weighed = [f for f in flags if f.severity in _WEIGHT]
        return Verdict.reconsider, (
            f"red flags weigh {score} (a high flag 2, a medium one 1, each rule once; "
            f"the pack reconsiders at {policy.reconsider_score}): " + _because("red flag", weighed)
        )
    below = policy.incomplete_below
    if below is not None and coverage is not None and coverage.ratio < below:
        so_far = [
            _because(f"{label} red flag", found)
            for label, found in (("high", high), ("medium", medium))
            if found
        ]
        return Verdict.incomplete, "; ".join(
            [
                f"answered {coverage.summary}, below the {percent(below)} the pack needs to judge",
                *so_far,
            ]
        )
    # Count what is missing, not how many rules miss it: one unknown block can leave
    # several rules unjudged.
    missing = {e.path for f in questions for e in f.evidence}
    reasons = []
    if high:
        reasons.append(_because("high red flag", high))
    if len(medium) >= policy.conditions_medium:
        reasons.append(_because("medium red flag", medium))
    if len(missing) >= policy.conditions_open_questions:
        asked = len({generic_field(path) for path in missing})
        reasons.append(
            f"{len(missing)} unknown fields to fill in first "
            f"({asked} question{'s' if asked != 1 else ''} to answer)"
        )
    if reasons:
        return Verdict.proceed_with_conditions, "; ".join(reasons)
    strengths = sum(1 for f in findings if f.kind == FindingKind.strength)
    minor = len(flags)
    return (
        Verdict.proceed,
        f"no red flag at medium or above; {minor} minor flag{'s' if minor != 1 else ''}, "
        f"{strengths} strength{'s' if strengths != 1 else ''}",
    )


def _because(label: str, findings: Sequence[Finding]) -> str:
    ids = sorted({f.rule_id for f in findings})
    shown = ", ".join(f"{rid} {_title(findings, rid)}" for rid in ids[:4])
    more = f" and {len(ids) - 4} more" if len(ids) > 4 else ""
    n = len(findings)
    # The verdict weighs each rule once: say so when one rule fired on several causes.
    rules = f" from {len(ids)} rule{'s' if len(ids) != 1 else ''}" if len(ids) < n else ""
    return f"{n} {label}{'s' if n != 1 else ''}{rules}: {shown}{more}"


def _title(findings: Sequence[Finding], rid: str) -> str:
    return next(f"({f.title})" for f in findings if f.rule_id == rid)
