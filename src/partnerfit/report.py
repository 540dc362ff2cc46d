"""Findings and reports: frozen value objects with a stable JSON form."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .case import Severity

REPORT_SCHEMA_VERSION = "1.0"


class FindingKind(StrEnum):
    red_flag = "red_flag"
    strength = "strength"
    open_question = "open_question"


class Verdict(StrEnum):
    proceed = "proceed"
    proceed_with_conditions = "proceed_with_conditions"
    reconsider = "reconsider"

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

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """Identity across versions of a case: the rule and its evidence paths."""
        return self.rule_id, tuple(sorted(e.path for e in self.evidence))


class PackInfo(_Frozen):
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
    """Sorted: red flags by severity, then open questions, then strengths."""

    def red_flags(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind == FindingKind.red_flag)

    def to_json(self, *, indent: int | None = 2) -> str:
        """Stable JSON: same case and pack give byte-identical output."""
        return self.model_dump_json(indent=indent)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def report_json_schema() -> dict[str, Any]:
    schema = Report.model_json_schema()
    schema["$id"] = f"partnerfit/report/v{REPORT_SCHEMA_VERSION}"
    schema["title"] = "partnerfit report"
    return schema
