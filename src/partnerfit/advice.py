"""Advice: for each red flag, the smallest single changes to the case that clear it.

Nothing here is written per rule. The candidate edits come from the red flag itself: the
case-file paths its evidence cites, the values the case holds there, the case model's type
for each (an enumeration's other choices, ``true``/``false``, ``"stated"`` for a field that
may be ``false``), and the rule's own tests on those fields (a numeric threshold, crossed
by one step). A flag that fires because something is present (a list item, a venture) is
tried without it; one that fires because something is absent (no competitor in common, no
joint KPI) is tried with it: an item copied from the other party's list beside it, or a
stated placeholder.

Each candidate is applied to the case's data, validated by the case model (a change the
model refuses is never proposed) and checked again by the same rules. It is kept for a
flag when the flag (same rule, same evidence paths, translated through the edit when the
edit drops a list item) is gone and no red flag at least as severe appears. Candidates are
tried in a fixed order, at most :data:`MAX_CANDIDATES` per flag and
:data:`MAX_EVALUATIONS` re-evaluations per case (each candidate once, shared by every
flag): the advice is deterministic, and its cost is bounded.
"""

from __future__ import annotations

import re
import time
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Union

from pydantic import BaseModel

from .case import Case
from .errors import PartnerfitError
from .loading import load_case
from .pack import Negation, RulePack
from .report import Change, ChangeAction, Finding, FindingKind, Report
from .wording import (
    _FIELDS,
    _field_parts,
    choice_words,
    field_words,
    generic_field,
    yes_no_words,
)

MAX_CANDIDATES = 12
"""Candidate edits tried per red flag, at most."""
MAX_EVALUATIONS = 120
"""Re-evaluations of the case per report, at most (each distinct edit once)."""
MAX_SECONDS = 10.0
"""Wall time for the advice on one report, at most: a safety net far above what the
evaluation budget takes on a real case (0.3 s for the largest bundled example)."""
MAX_SHOWN = 3
"""Changes kept per red flag, at most."""
MAX_COPIES = 2
"""Items copied from one party's list into the other's, per pair of lists."""
STATED = "stated"
"""The text a candidate puts in a field that may be ``false`` or is missing from a block:
the advice is that the field be stated, not what it should say."""

Evaluate = Callable[[Case], Sequence[Finding]]
"""The red flags of a case (waivers applied), as the report being advised was made."""


@dataclass(frozen=True)
class _Candidate:
    rank: int
    """Smaller edits first: 0 a yes/no, 1 a stated field, 2 a dropped item, 3 an added
    item, 4 a number, 5 another choice."""
    action: ChangeAction
    path: str
    value: str | float | bool | None
    words: str
    group: str = ""
    """Candidates of one group are one piece of advice: only the first that clears is
    shown (by default, one per path: the first value that clears it)."""

    @property
    def shown_as(self) -> str:
        return self.group or self.path

    @property
    def key(self) -> tuple[str, str, str]:
        return self.action.value, self.path, repr(self.value)


def advise(
    report: Report,
    case: Case,
    pack: RulePack,
    evaluate: Evaluate,
    *,
    max_candidates: int = MAX_CANDIDATES,
    max_evaluations: int = MAX_EVALUATIONS,
    seconds: float | None = MAX_SECONDS,
) -> Report:
    """``report`` with advice on each red flag (:attr:`Finding.clears_if`).

    ``evaluate`` gives the red flags of an edited case exactly as ``report`` was made (same
    pack, same date). A flag whose candidates the budget did not reach keeps ``clears_if``
    null, or shows the clean changes found before it ran out; it is never said to have no
    single change. The budget is ``max_evaluations`` (which keeps the advice
    deterministic) and, as a safety net for very large cases, ``seconds`` of wall time
    (None: no limit)."""
    flags = report.red_flags()
    if not flags:
        return report
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    before = {f.key for f in flags}
    tried: dict[tuple[str, str, str], Sequence[Finding] | None] = {}
    advised: dict[int, Finding] = {}
    deadline = None if seconds is None else time.monotonic() + seconds
    for index, finding in enumerate(report.findings):
        if finding.kind != FindingKind.red_flag:
            continue
        candidates = _candidates(finding, case, pack)[:max_candidates]
        found: list[Change] = []
        groups: set[str] = set()
        complete = True
        for cand in candidates:
            if cand.shown_as in groups:  # this piece of advice is found already
                continue
            if cand.key not in tried:
                spent = deadline is not None and time.monotonic() >= deadline
                if spent or len(tried) >= max_evaluations:
                    complete = False
                    break
                tried[cand.key] = _evaluate_edit(data, cand, evaluate)
            after = tried[cand.key]
            if after is None:
                continue
            change = _judge(finding, cand, after, before)
            if change is not None:
                found.append(change)
                groups.add(cand.shown_as)
        clean = [c for c in found if not c.raises]
        # A change that raises a less severe flag instead is offered only when none is clean.
        shown = tuple((clean if clean or not complete else found)[:MAX_SHOWN])
        if shown or complete:
            advised[index] = finding.model_copy(
                update={"clears_if": shown, "no_single_change": not shown}
            )
    findings = tuple(advised.get(i, f) for i, f in enumerate(report.findings))
    return report.model_copy(update={"findings": findings})


def _evaluate_edit(
    data: dict[str, Any], cand: _Candidate, evaluate: Evaluate
) -> Sequence[Finding] | None:
    edited = _apply(data, cand)
    if edited is None:
        return None
    try:
        return evaluate(load_case(edited))
    except PartnerfitError:  # the case model refuses the edit: never proposed
        return None


def _judge(
    finding: Finding,
    cand: _Candidate,
    after: Sequence[Finding],
    before: set[tuple[str, tuple[str, ...]]],
) -> Change | None:
    back = _back_mapper(cand)
    raised: list[Finding] = []
    for flag in after:
        key = (flag.rule_id, tuple(sorted(back(e.path) for e in flag.evidence)))
        if key == finding.key:
            return None
        if key not in before:
            raised.append(flag)
    if any(f.severity.rank >= finding.severity.rank for f in raised):
        return None
    return Change(
        words=cand.words,
        action=cand.action,
        path=cand.path,
        value=cand.value,
        raises=tuple(sorted({f.rule_id for f in raised})),
    )


# --- paths ------------------------------------------------------------------------------

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?")


def _steps(path: str) -> list[str | int]:
    out: list[str | int] = []
    for part in path.split("."):
        m = _STEP.fullmatch(part)
        if m is None:
            return []
        out.append(m.group(1))
        if m.group(2) is not None:
            out.append(int(m.group(2)))
    return out


def _apply(data: dict[str, Any], cand: _Candidate) -> dict[str, Any] | None:
    """A copy of ``data`` with the edit made; None when the path is not there."""
    steps = _steps(cand.path)
    if not steps:
        return None
    root: dict[str, Any] = _copy(data)
    node: Any = root
    for step in steps[:-1]:
        node = _child(node, step)
        if node is None:
            return None
    last = steps[-1]
    if cand.action == ChangeAction.remove:
        if not (isinstance(node, list) and isinstance(last, int) and last < len(node)):
            return None
        del node[last]
    elif cand.action == ChangeAction.add:
        target = _child(node, last)
        if not isinstance(target, list):
            return None
        target.append(cand.value)
    elif not _put(node, last, cand.value):
        return None
    return root


def _put(node: Any, step: str | int, value: Any) -> bool:
    if isinstance(node, dict) and isinstance(step, str):
        node[step] = value
        return True
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        node[step] = value
        return True
    return False


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _child(node: Any, step: str | int) -> Any:
    if isinstance(step, int):
        return node[step] if isinstance(node, list) and step < len(node) else None
    return node.get(step) if isinstance(node, dict) else None


def _back_mapper(cand: _Candidate) -> Callable[[str], str]:
    """Paths of the edited case in the original case's terms: after dropping item ``i`` of
    a list, item ``j >= i`` was item ``j + 1``."""
    if cand.action != ChangeAction.remove:
        return lambda path: path
    m = re.fullmatch(r"(.*)\[(\d+)\]", cand.path)
    if m is None:
        return lambda path: path
    prefix, removed = m.group(1) + "[", int(m.group(2))
    item = re.compile(re.escape(prefix) + r"(\d+)\]")

    def back(path: str) -> str:
        if not path.startswith(prefix):
            return path
        found = item.match(path)
        if found is None:
            return path
        j = int(found.group(1))
        return f"{prefix}{j + 1 if j >= removed else j}]{path[found.end() :]}"

    return back


# --- the case model's types -------------------------------------------------------------


def _annotation(path: str) -> Any:
    """The case model's type for ``path`` (Optional and Annotated unwrapped); None when
    the path is not a field of the model."""
    model: type[BaseModel] = Case
    ann: Any = None
    for step in _steps(path):
        if isinstance(step, int):
            ann = _item_type(ann)
        else:
            if model is None:
                return None
            field = _field_named(model, step)
            if field is None:
                return None
            ann = field
        model = _model_in(ann)  # type: ignore[assignment]
    return ann


def _field_named(model: type[BaseModel], name: str) -> Any:
    for fname, info in model.model_fields.items():
        if name in (fname, info.alias):
            return info.annotation
    return None


def _parts(ann: Any) -> list[Any]:
    """The alternatives of a type: ``Text | Literal[False] | None`` → [str, Literal[False]]."""
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _parts(typing.get_args(ann)[0])
    if origin is Union or origin is types.UnionType:
        return [p for a in typing.get_args(ann) for p in _parts(a) if p is not type(None)]
    return [] if ann is type(None) or ann is None else [ann]


def _item_type(ann: Any) -> Any:
    for part in _parts(ann):
        if typing.get_origin(part) is list:
            args = typing.get_args(part)
            return args[0] if args else None
    return None


def _model_in(ann: Any) -> type[BaseModel] | None:
    for part in _parts(ann):
        if isinstance(part, type) and issubclass(part, BaseModel):
            return part
    return None


def _enum_in(ann: Any) -> type[Enum] | None:
    for part in _parts(ann):
        if isinstance(part, type) and issubclass(part, Enum):
            return part
    return None


def _allows(ann: Any, kind: type) -> bool:
    return any(part is kind for part in _parts(ann))


def _may_be_false(ann: Any) -> bool:
    return any(
        typing.get_origin(part) is Literal and False in typing.get_args(part)
        for part in _parts(ann)
    )


# --- words ------------------------------------------------------------------------------


def _name(path: str, case: Case) -> str:
    """The field at ``path`` in words: ``Oskar Pettersson's time commitment``; a field the
    wording module has no phrase for by its block and its own name (``exit terms
    defined``)."""
    words = field_words(path, case.value_at)
    generic = generic_field(path)
    names = generic.split(".")
    if generic in _FIELDS or len(names) < 2 or names[-2] in ("party", "principal"):
        return words
    steps = _steps(path)
    if len(steps) >= 3 and isinstance(steps[-2], int) and isinstance(steps[-1], str):
        # A field of one block in a list: named by the block (``the relation of "Matlåda
        # Express"``; ``"whose name comes first": resolved`` for a yes/no).
        item = _item_words(case.value_at(path[: path.rfind(".")]))
        leaf = choice_words(steps[-1])
        if isinstance(case.value_at(path), bool):
            return f"{item}: {leaf}"
        return f"the {leaf} of {item}"
    leaf, parent = choice_words(names[-1]), choice_words(names[-2])
    if words.endswith(leaf) and not words.endswith(f"{parent} {leaf}"):
        words = f"{words[: len(words) - len(leaf)]}{parent} {leaf}"
    return words


def _yes_no_words(path: str, name: str, to: bool, case: Case) -> str:
    """A yes/no field as a clause (:data:`~partnerfit.wording.YES_NO`, which has one for
    every yes/no field of the case): ``clears if exit terms are defined (now no)``."""
    clause = yes_no_words(path, case.value_at, to)
    if clause is not None:
        return f"clears if {clause} (now {_value_words(not to)})"
    return f"clears if {name} becomes {_value_words(to)} (now {_value_words(not to)})"


def _owner(path: str, case: Case) -> str:
    """The party (or principal) a field belongs to: ``Marrow & Finch Engineers Ltd``."""
    owner, _ = _field_parts(path, case.value_at, None)
    return owner or "the other party"


def _phrase(path: str, case: Case) -> str:
    """The field at ``path`` without its owner: ``competitors``, ``segments``."""
    _, phrase = _field_parts(path, case.value_at, None)
    return phrase


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and abs(value) >= 10_000 and float(value).is_integer():
        return f"{int(value):,}"  # 4,800,000: a large amount as a person reads it
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return choice_words(value)
    if isinstance(value, list):
        return "none" if not value else "; ".join(_value_words(v) for v in value)
    return str(value)


def _item_words(item: Any) -> str:
    if isinstance(item, Mapping):
        for key in ("name", "topic", "description", "who", "kind", "category"):
            text = item.get(key)
            if isinstance(text, str) and text.strip():
                return f'"{text}"'
        return "the item"
    return f'"{_value_words(item)}"'


# --- candidates -------------------------------------------------------------------------


def _candidates(finding: Finding, case: Case, pack: RulePack) -> list[_Candidate]:
    """Every candidate edit for one red flag, in the order they are tried; no duplicates."""
    thresholds = _thresholds(finding, pack)
    cited = [e.path for e in finding.evidence]
    out: dict[tuple[str, str, str], _Candidate] = {}
    for path in cited:
        for cand in _for_path(path, case, cited, thresholds, depth=0):
            out.setdefault(cand.key, cand)
    ordered = list(out.values())
    ordered.sort(key=lambda c: c.rank)  # stable: evidence order within a rank
    return ordered


def _thresholds(finding: Finding, pack: RulePack) -> dict[str, list[tuple[str, float]]]:
    """Relative case path (``exclusivity.years``) → the rule's numeric tests on it."""
    try:
        lr = pack.rule(finding.rule_id)
    except PartnerfitError:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for item in lr.rule.when:
        pattern = item.not_ if isinstance(item, Negation) else item
        ftype = pack.fact_types.get(pattern.fact)
        paths = ftype.field_paths if ftype is not None else None
        if not paths:
            continue
        for fname, test in pattern.where.items():
            rel = paths.get(fname)
            if not rel or not isinstance(test, Mapping):
                continue
            for op in ("gt", "gte", "lt", "lte"):
                limit = test.get(op)
                if isinstance(limit, int | float) and not isinstance(limit, bool):
                    out.setdefault(rel, []).append((op, float(limit)))
    return out


def _for_path(
    path: str,
    case: Case,
    cited: Sequence[str],
    thresholds: Mapping[str, list[tuple[str, float]]],
    *,
    depth: int,
) -> Iterator[_Candidate]:
    value = case.value_at(path)
    ann = _annotation(path)
    if ann is None:
        return
    name = _name(path, case)
    steps = _steps(path)
    if steps and isinstance(steps[-1], int) and value is not None:
        # A list item whose presence makes the rule fire: without it.
        container = path[: path.rfind("[")]
        yield _Candidate(
            2,
            ChangeAction.remove,
            path,
            None,
            f"clears if {_item_words(value)} is dropped from {_name(container, case)}",
        )
    if isinstance(value, bool) and _allows(ann, bool):
        yield _Candidate(
            0,
            ChangeAction.set,
            path,
            not value,
            _yes_no_words(path, name, not value, case),
        )
    elif value is False or value is None:
        if _allows(ann, str) and _enum_in(ann) is None:
            now = "none" if value is False else "missing"
            words = f"clears if {name} is stated (now {now})"
            yield _Candidate(1, ChangeAction.set, path, STATED, words)
    elif isinstance(value, int | float):
        yield from _numbers(path, value, name, case, cited, thresholds)
    elif isinstance(value, str):
        enum = _enum_in(ann)
        if enum is None:
            # Free text of one party beside the same field of another: the parties agree.
            for other in _siblings(path, cited):
                theirs = case.value_at(other)
                if isinstance(theirs, str) and theirs != value:
                    yield _Candidate(
                        4,
                        ChangeAction.set,
                        path,
                        theirs,
                        f"clears if {name} is the same as {_owner(other, case)}'s",
                    )
        else:
            for member in enum:
                if member.value != value:
                    yield _Candidate(
                        5,
                        ChangeAction.set,
                        path,
                        str(member.value),
                        f"clears if {name} becomes {_value_words(member.value)} "
                        f"(now {_value_words(value)})",
                    )
    elif isinstance(value, list):
        yield from _lists(path, value, ann, name, case, cited)
        if depth == 0 and value and all(isinstance(v, Mapping) for v in value):
            for i in range(min(len(value), 3)):
                yield from _for_path(f"{path}[{i}]", case, cited, thresholds, depth=depth + 1)
    if isinstance(value, Mapping) and depth <= 1:
        model = _model_in(ann)
        if model is not None:
            for fname, info in model.model_fields.items():
                key = info.alias or fname
                if key in ("id", "name") or (depth > 0 and key not in value):
                    continue
                yield from _for_path(f"{path}.{key}", case, cited, thresholds, depth=depth + 1)


def _numbers(
    path: str,
    value: float,
    name: str,
    case: Case,
    cited: Sequence[str],
    thresholds: Mapping[str, list[tuple[str, float]]],
) -> Iterator[_Candidate]:
    whole = float(value).is_integer()
    for rel, tests in thresholds.items():
        if not (path == rel or path.endswith("." + rel)):
            continue
        for op, limit in tests:
            step = 1.0 if whole and limit.is_integer() else 0.1
            across = {"gt": limit, "gte": limit - step, "lt": limit, "lte": limit + step}[op]
            if across < 0:
                continue
            shown = int(across) if across.is_integer() else round(across, 4)
            yield _Candidate(
                4,
                ChangeAction.set,
                path,
                float(shown),
                f"clears if {name} becomes {_value_words(float(shown))} (now {_value_words(value)})",
            )
    # The same field of another party: the parties agree.
    for other in _siblings(path, cited):
        theirs = case.value_at(other)
        if isinstance(theirs, int | float) and not isinstance(theirs, bool) and theirs != value:
            yield _Candidate(
                4,
                ChangeAction.set,
                path,
                float(theirs),
                f"clears if {name} becomes {_value_words(float(theirs))}, as "
                f"{_owner(other, case)}'s is (now {_value_words(value)})",
            )


def _lists(
    path: str, value: list[Any], ann: Any, name: str, case: Case, cited: Sequence[str]
) -> Iterator[_Candidate]:
    item_type = _item_type(ann)
    if item_type is None or _model_in(item_type) is not None:
        return
    # The same list of another party: one item in common.
    for other in _siblings(path, cited):
        theirs = case.value_at(other)
        if not isinstance(theirs, list):
            continue
        new = [v for v in theirs if isinstance(v, str) and v not in value][:MAX_COPIES]
        for item in new:
            yield _Candidate(
                3,
                ChangeAction.add,
                path,
                item,
                f"clears if both parties list {_phrase(path, case)} in common (e.g. "
                f"{_item_words(item)} added to {_owner(path, case)}'s {_phrase(path, case)})",
                group="common" + path[path.index("]") :],
            )
    if not value:
        # Nothing listed makes the rule fire: one item listed. Items the flag cites
        # elsewhere first, then a stated placeholder.
        offered: list[str] = []
        for other in cited:
            held = case.value_at(other)
            for item in held if isinstance(held, list) else [held]:
                if isinstance(item, str) and item not in offered:
                    offered.append(item)
        enum = _enum_in(item_type)
        if enum is None:
            offered.append(STATED)
        for item in offered[: MAX_COPIES + 1]:
            if enum is not None and item not in {m.value for m in enum}:
                continue
            words = (
                f"clears if {name} list at least one item"
                if item == STATED
                else f"clears if {name} list {_item_words(item)}"
            )
            yield _Candidate(3, ChangeAction.add, path, item, words)


def _siblings(path: str, cited: Sequence[str]) -> list[str]:
    """Cited paths that are the same field of another party (``parties[1].markets.segments``
    beside ``parties[0].markets.segments``)."""
    m = re.fullmatch(r"parties\[(\d+)\](.*)", path)
    if m is None:
        return []
    return [
        other
        for other in cited
        if (o := re.fullmatch(r"parties\[(\d+)\](.*)", other)) is not None
        and o.group(2) == m.group(2)
        and o.group(1) != m.group(1)
    ]
