"""What changed between two reports on versions of the same deal.

Findings are matched by identity, not by position: the finding's kind, its
rule id and the sorted case-file paths of its evidence (:attr:`Finding.key`).
A red flag whose evidence moved to another path (an offering was inserted
above it, say) is therefore reported as one resolved and one introduced flag:
the evidence is what a reviewer signs off, so a move is worth a look.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from .case import Severity
from .errors import Location, UsageError
from .report import Finding, FindingKind, Report, Verdict

DIFF_SCHEMA_VERSION = "1.0"
"""Version of the JSON layout of :class:`ReportDiff`."""

DiffKey = tuple[str, str, tuple[str, ...]]


def diff_key(finding: Finding) -> DiffKey:
    """The identity of a finding across versions: kind, rule id, sorted evidence paths."""
    rule_id, paths = finding.key
    return finding.kind.value, rule_id, paths


class ReportDiff(BaseModel):
    """Findings resolved, introduced and unchanged between an old and a new report."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    schema_version: str = DIFF_SCHEMA_VERSION
    """Version of this JSON layout."""
    old_case: str
    """Case id of the old report."""
    new_case: str
    """Case id of the new report."""
    old_verdict: Verdict
    new_verdict: Verdict
    new_reason: str
    """The new report's reason for its verdict."""
    resolved: tuple[Finding, ...]
    """In the old report only (as the old report had them)."""
    introduced: tuple[Finding, ...]
    """In the new report only."""
    unchanged: tuple[Finding, ...]
    """In both (as the new report has them; message or severity may differ)."""
    waived: tuple[Finding, ...] = ()
    """The resolved findings that are gone only because the new version waives them."""

    @property
    def verdict_changed(self) -> bool:
        return self.old_verdict != self.new_verdict

    def introduced_flags(self, at_least: Severity) -> tuple[Finding, ...]:
        """Introduced red flags at or above a severity."""
        return tuple(
            f
            for f in self.introduced
            if f.kind == FindingKind.red_flag and f.severity.rank >= at_least.rank
        )

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)


def compare(old: Report, new: Report) -> ReportDiff:
    """Compare two reports (typically two versions of one case under one pack)."""
    for name, report in (("old", old), ("new", new)):
        if not isinstance(report, Report):
            raise UsageError(
                f"must be a Report (see evaluate), got {type(report).__name__}",
                location=Location(field=name),
            )
    old_keys = {diff_key(f) for f in old.findings}
    new_keys = {diff_key(f) for f in new.findings}
    waived_keys = {diff_key(w.finding) for w in new.waived}
    resolved = tuple(f for f in old.findings if diff_key(f) not in new_keys)
    return ReportDiff(
        old_case=old.case_id,
        new_case=new.case_id,
        old_verdict=old.verdict,
        new_verdict=new.verdict,
        new_reason=new.reason,
        resolved=resolved,
        introduced=tuple(f for f in new.findings if diff_key(f) not in old_keys),
        unchanged=tuple(f for f in new.findings if diff_key(f) in old_keys),
        waived=tuple(f for f in resolved if diff_key(f) in waived_keys),
    )


__all__ = ["DIFF_SCHEMA_VERSION", "ReportDiff", "compare", "diff_key"]
