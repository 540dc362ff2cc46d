"""Findings and reports: frozen value objects with a stable JSON form."""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .case import Severity
from .documents import format_loc
from .errors import Location, UsageError

REPORT_SCHEMA_VERSION = "1.5"
"""Bump on every change to the JSON layout (minor: additive; major: anything else).

1.1 added waivers (``waived``, ``waivers``, ``counts.waived``, ``evaluated_on``),
severity overrides (``severity_overridden_by``, ``rule_severity``), ``notes`` and
the pack ``layers``.
1.2 added ``coverage`` (how many of the questions the pack asks the case answers) and
the verdict ``incomplete``.
1.3 added ``prompts``: the questions no rule can judge, for the parties to talk through.
1.4 added advice on red flags (``clears_if``, ``no_single_change``): the smallest changes
to the case that clear a flag, found by re-running the rules on edits of the case.
1.5 added ``questions`` and ``counts.questions``: the open questions asked once per missing
field, whoever and however many rules wait on it; and ``answers``: the parties' own
answers side by side, with what the check found on each topic.
"""


class FindingKind(StrEnum):
    red_flag = "red_flag"
    strength = "strength"
    open_question = "open_question"


class Verdict(StrEnum):
    proceed = "proceed"
    proceed_with_conditions = "proceed_with_conditions"
    reconsider = "reconsider"
    incomplete = "incomplete"
    """The case answers too little of what the pack asks to judge it (see ``coverage``)."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Evidence(_Frozen):
    """One piece of the case file that made a rule fire."""

    path: str
    """Case-file path, e.g. ``parties[1].competitors[0]``."""
    value: str | None
    """The value found there, as shown to a reader; ``null`` when the field is missing."""
    party: str | None = None
    """Id of the party it belongs to, if any."""
    line: int | None = None
    """Line of the path in the case file, when the case came from a file."""


class ChangeAction(StrEnum):
    """How a :class:`Change` edits the case."""

    set = "set"
    """Give the field at ``path`` the value ``value``."""
    remove = "remove"
    """Drop the list item at ``path``."""
    add = "add"
    """Append ``value`` to the list at ``path``."""


class Change(_Frozen):
    """One edit of the case that clears a red flag (advice), in plain words and as data."""

    words: str
    """The change in plain words, e.g. ``clears if exit terms are defined (now no)``."""
    action: ChangeAction
    path: str
    """Case-file path the edit applies to, e.g. ``governance.exit_terms.defined``."""
    value: str | float | bool | None = None
    """The new value (``set``) or the added item (``add``); null for ``remove``."""
    raises: tuple[str, ...] = ()
    """Ids of the less severe red flags the change would raise in their place."""


class Finding(_Frozen):
    """One red flag, strength or open question, explained."""

    rule_id: str
    """Stable rule id, e.g. ``PF-BM-001``."""
    name: str
    """Kebab-case rule name."""
    kind: FindingKind
    severity: Severity
    """For open questions: ``info``."""
    title: str
    message: str
    """Rendered message naming the parties and values."""
    evidence: tuple[Evidence, ...]
    why: str | None = None
    """Why it matters, with its source."""
    remedy: str | None = None
    """What to do about it."""
    area: str
    """Criteria area of the rule."""
    severity_overridden_by: str | None = None
    """Name of the pack layer whose manifest set this rule's severity, if one did."""
    rule_severity: Severity | None = None
    """The severity the rule itself declares, when a pack layer overrode it."""
    notes: tuple[str, ...] = ()
    """Remarks on how the finding was treated, e.g. a waiver that expired or was not honoured."""
    clears_if: tuple[Change, ...] | None = None
    """Red flags, when advice was asked for: the single changes to the case that each clear
    this flag without raising a red flag as severe, smallest first. Null when no advice was
    computed; empty when none was found (see ``no_single_change``)."""
    no_single_change: bool = False
    """True when advice was computed and no single change tried clears this flag."""

    @property
    def advice(self) -> str | None:
        """:attr:`clears_if` as one sentence for a reader: ``Clears if exit terms defined
        becomes yes (now no); or if …``; that no single change clears the flag; None when
        no advice was computed."""
        if self.clears_if is None:
            return None
        if not self.clears_if:
            return (
                "No single change to the case clears this flag." if self.no_single_change else None
            )
        parts = []
        for i, change in enumerate(self.clears_if):
            text = change.words if i == 0 else change.words.removeprefix("clears ")
            if change.raises:
                text += f" (raises {', '.join(change.raises)} instead, less severe)"
            parts.append(text)
        sentence = "; or ".join(parts)
        return sentence[:1].upper() + sentence[1:] + "."

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity across versions of a case: the rule and its evidence paths."""
        return self.rule_id, tuple(sorted(e.path for e in self.evidence))


class Question(_Frozen):
    """One thing the case file does not say yet, asked once: the same field of every party
    is one question, however many rules wait on its answer."""

    field: str
    """Generic field, e.g. ``party.answers.vision`` or ``alliance.agreement``."""
    question: str
    """The question in plain words, addressed to whom it concerns."""
    fill_in: str
    """What to fill in, in words, e.g. ``Alpha's and Beta's vision``."""
    parties: tuple[str, ...]
    """Ids of the parties to ask, in case order; empty when it is for the parties together."""
    ask: str
    """Whom to ask, in words: ``Alpha``, ``Alpha and Beta``, ``both parties together``."""
    evidence: tuple[Evidence, ...]
    """Each missing case-file path, with its line."""
    rules: tuple[str, ...]
    """Ids of the rules that wait on the answer, most severe first."""
    at_stake: Severity
    """The most severe red flag an answer could raise that the report does not hold yet
    (``info`` when only strengths, derived rules, or red flags already raised on other
    answers wait on it: the verdict weighs each rule once)."""
    raised: tuple[str, ...] = ()
    """Of :attr:`rules`, those already raised as red flags on other answers of the case
    (PF-AL-001 raised on the vision, waiting on the mission)."""


class AnswerFound(StrEnum):
    """What the check found when it read the parties' answers on one topic side by side."""

    same = "same"
    """A strength cites them, or they read the same (case, spacing and punctuation aside)."""
    close = "close"
    """Every party answered; the pack's rules compare the topic and found them neither far
    apart nor the same."""
    different = "different"
    """A red flag cites them: the rules found them far apart."""
    missing = "missing"
    """A party has not answered: unknown, not a disagreement."""
    not_compared = "not_compared"
    """Every party answered, but no rule of the pack compares this topic."""


class AnswerSide(_Frozen):
    """One party's own answer on a topic."""

    party: str
    """Party id."""
    name: str
    """Party name."""
    answer: str | None
    """The answer as written (a list joined with commas, a horizon in years); null when
    the party has not answered."""


class TopicAnswers(_Frozen):
    """The parties' answers on one topic side by side, and what the check found."""

    topic: str
    """``vision``, ``mission``, ``values``, ``positioning``, ``three_year_goal``,
    ``horizon_years`` or ``target_customer``."""
    label: str
    """The topic in words, e.g. ``Three-year goal``."""
    answers: tuple[AnswerSide, ...]
    """One per party, in case order."""
    found: AnswerFound
    rules: tuple[str, ...] = ()
    """Ids of the red flags, then strengths, that cite these answers."""


class PackInfo(_Frozen):
    """A rule pack (or one layer of it): its manifest name and version."""

    name: str
    version: str


class Counts(_Frozen):
    """How many findings of each kind; red flags also by severity."""

    red_flags: int
    strengths: int
    open_questions: int
    critical: int
    high: int
    medium: int
    low: int
    info: int
    waived: int = 0
    """Red flags waived by the case; they are not in the counts above."""
    questions: int = 0
    """Distinct questions (:attr:`Report.questions`): missing fields, each asked once."""


class Coverage(_Frozen):
    """How much of what the pack asks the case answers.

    A question is one field the pack's rules require (``requires:``), asked of each party
    for a party's fields and once for the alliance's and the governance's. It is open when
    the case leaves the field (or a block holding it) unknown, answered otherwise.
    """

    asked: int
    """Questions the pack asks of this case."""
    answered: int
    """Of those, how many the case answers (a value, or an explicit ``false``/``none``/``[]``)."""
    ratio: float
    """``answered / asked``, rounded to 4 places; 1.0 when the pack asks nothing."""

    @property
    def summary(self) -> str:
        """``12 of 40 questions the pack asks (30%)``."""
        s = "s" if self.asked != 1 else ""
        return f"{self.answered} of {self.asked} question{s} the pack asks ({percent(self.ratio)})"


def percent(ratio: float) -> str:
    """A share in whole percent, rounded down: 49.9% is not shown as the 50% it falls short of."""
    return f"{math.floor(round(ratio * 100, 6))}%"


class WaiverStatus(StrEnum):
    """What became of one waiver recorded in the case."""

    applied = "applied"
    """It matched red flags and took them out of the verdict."""
    expired = "expired"
    """Its ``expires`` date is before the evaluation date: its flags count again."""
    unused = "unused"
    """Its rule raised no red flag on this case (or the rule is disabled)."""
    refused = "refused"
    """Its rule raised a *critical* red flag, which a waiver cannot silence."""


class WaiverOutcome(_Frozen):
    """A waiver from the case file, where it is written, and what it did."""

    rule: str
    """The rule as the case names it (an id or a name)."""
    rule_id: str
    """The rule's id in the pack."""
    justification: str
    accepted_by: str | None = None
    expires: dt.date | None = None
    path: str
    """Case-file path of the waiver, e.g. ``waivers[0]``."""
    file: str | None = None
    """The case file, when the case was read from one."""
    line: int | None = None
    """Line of the waiver in the case file, when known."""
    status: WaiverStatus
    matched: int
    """How many red flags of its rule this case raised."""

    @property
    def where(self) -> str:
        """``file:line (path)`` for a reader."""
        at = self.file or "case"
        if self.line is not None:
            at = f"{at}:{self.line}"
        return f"{at} ({self.path})"


class WaivedFinding(_Frozen):
    """A red flag the case accepted, with the waiver that accepted it."""

    finding: Finding
    waiver: WaiverOutcome


class Ask(StrEnum):
    """Whom to ask a conversation prompt."""

    each_party = "each_party"
    """Each party on its own, before the answers are compared."""
    both_together = "both_together"
    """The parties together, in one conversation."""

    @property
    def label(self) -> str:
        """``ask each party on its own`` / ``ask the parties together``."""
        return _ASK_LABELS[self]


_ASK_LABELS = {
    Ask.each_party: "ask each party on its own",
    Ask.both_together: "ask the parties together",
}


class ConversationPrompt(_Frozen):
    """A question no rule can judge (trust, stress, money, what each would do if the
    alliance ended), for the parties to talk through; kept in the rule pack and chosen by
    the alliance's kind."""

    id: str
    """Stable prompt id from the pack, e.g. ``trust``."""
    topic: str
    """A short heading, e.g. ``Trust``."""
    text: str
    """The question, in plain words."""
    ask: Ask
    """Whom to ask: each party on its own, or the parties together."""


class Report(_Frozen):
    """The outcome of checking one case against one rule pack."""

    schema_version: Annotated[str, Field(description="Version of this JSON layout.")] = (
        REPORT_SCHEMA_VERSION
    )
    case_id: str
    title: str | None
    file: str | None
    """The case file, when the case was read from one."""
    pack: PackInfo
    verdict: Verdict
    reason: str
    """Why this verdict, naming the findings that drove it."""
    counts: Counts
    findings: tuple[Finding, ...]
    """Sorted: red flags by severity, then open questions, then strengths. No waived flag."""
    waived: tuple[WaivedFinding, ...] = ()
    """Red flags waived by the case: reported, but not counted toward the verdict."""
    waivers: tuple[WaiverOutcome, ...] = ()
    """Every waiver in the case, in case-file order, with what it did."""
    layers: tuple[PackInfo, ...] = ()
    """Every layer of the rule pack, in load order (later layers override earlier ones)."""
    evaluated_on: dt.date | None = None
    """The date waiver expiry was judged against; set only when a waiver has an expiry."""
    coverage: Coverage | None = None
    """How many of the questions the pack asks the case answers; below the pack's
    ``incomplete_below`` the verdict is ``incomplete``. Absent in reports before 1.2."""
    prompts: tuple[ConversationPrompt, ...] = ()
    """Questions no rule can judge, for the parties to talk through, in pack order: the
    pack's general prompts and those for the case's alliance kind (only the general ones
    when the kind is unknown). Empty in reports before 1.3."""
    questions: tuple[Question, ...] = ()
    """The open questions asked once per missing field, the most decisive first: what an
    answer could raise, then how many rules wait on it. Empty in reports before 1.5."""
    answers: tuple[TopicAnswers, ...] = ()
    """The parties' own answers side by side, topic by topic, with what the check found.
    Empty in reports before 1.5."""

    @property
    def unused_waivers(self) -> tuple[WaiverOutcome, ...]:
        """Waivers whose rule raised nothing on this case."""
        return tuple(w for w in self.waivers if w.status == WaiverStatus.unused)

    @property
    def expired_waivers(self) -> tuple[WaiverOutcome, ...]:
        """Waivers past their ``expires`` date; their flags count again."""
        return tuple(w for w in self.waivers if w.status == WaiverStatus.expired)

    @property
    def refused_waivers(self) -> tuple[WaiverOutcome, ...]:
        """Waivers that named a critical red flag, which stays in the findings."""
        return tuple(w for w in self.waivers if w.status == WaiverStatus.refused)

    def red_flags(self) -> tuple[Finding, ...]:
        """The red flags, most severe first (waived ones are in :attr:`waived`)."""
        return tuple(f for f in self.findings if f.kind == FindingKind.red_flag)

    def strengths(self) -> tuple[Finding, ...]:
        """The strengths, in report order."""
        return tuple(f for f in self.findings if f.kind == FindingKind.strength)

    def open_questions(self) -> tuple[Finding, ...]:
        """The open questions: what the case leaves unknown that a rule needs to judge."""
        return tuple(f for f in self.findings if f.kind == FindingKind.open_question)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Stable JSON: same case and pack give byte-identical output."""
        return self.model_dump_json(indent=indent)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Read back a report written by :meth:`to_json` (same schema version).

        Text that is not such a report raises :class:`~partnerfit.errors.UsageError`
        naming the first problem and its field.
        """
        if not isinstance(text, str | bytes):
            raise UsageError(f"expected report JSON text, got {type(text).__name__}")
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            field = format_loc([str(p) if not isinstance(p, int) else p for p in first["loc"]])
            raise UsageError(
                f"not a partnerfit report: {first['msg']}", location=Location(field=field or None)
            ) from None
        except (RecursionError, ValueError) as exc:  # nesting beyond pydantic's parser
            raise UsageError(f"not a partnerfit report: {exc}") from None


def report_json_schema() -> dict[str, Any]:
    schema = Report.model_json_schema()
    schema["$id"] = f"partnerfit/report/v{REPORT_SCHEMA_VERSION}"
    schema["title"] = "partnerfit report"
    return schema
