"""The one interface of batch formatters: results are written as they arrive.

A batch can hold 100,000 cases, so a batch formatter never holds them all: it
writes each :class:`~partnerfit.batch.BatchItem` to a text stream in
:meth:`BatchWriter.add` and closes the document in :meth:`BatchWriter.finish`
with the batch's :class:`~partnerfit.batch.Summary`. Only what the format needs
at the end (the most frequent flags, error notifications) is kept.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from partnerfit.batch import BatchItem, Summary, path_text
from partnerfit.errors import PartnerfitError
from partnerfit.pack import RulePack
from partnerfit.report import Finding, Report


class BatchWriter(ABC):
    """Writes a batch's results to ``out``: :meth:`start`, :meth:`add` per item, :meth:`finish`."""

    def __init__(
        self,
        out: TextIO,
        *,
        pack: RulePack,
        fail_on: str = "high",
        files: Iterable[str | Path] = (),
    ) -> None:
        self.out = out
        """Where the document goes."""
        self.pack = pack
        """The rule pack the batch is checked against (for rule metadata)."""
        self.fail_on = fail_on
        """Severity at or above which a red flag fails a case (``never``: none do)."""
        self.files = files
        """Every input of the batch, when known up front: read once, by :meth:`start`
        (lets tables align columns)."""

    def start(self) -> None:  # noqa: B027 - most formats have no header to write
        """Write what comes before the first result."""

    @abstractmethod
    def add(self, item: BatchItem) -> None:
        """Write one result."""

    def finish(self, summary: Summary) -> None:  # noqa: B027 - most formats have no footer
        """Write what comes after the last result."""


def top_flag_ids(report: Report, n: int = 3) -> str:
    """The first ``n`` red-flag rule ids of a report (most severe first), ``+k`` for the rest."""
    ids: list[str] = []
    for f in report.red_flags():
        if f.rule_id not in ids:
            ids.append(f.rule_id)
    shown = ", ".join(ids[:n])
    return shown + (f" +{len(ids) - n}" if len(ids) > n else "")


def error_text(error: PartnerfitError) -> str:
    """An error without its file: ``line 3, parties[0].name: message``."""
    loc = error.location
    where = [f"line {loc.line}"] if loc.line is not None else []
    if loc.field:
        where.append(loc.field)
    return f"{', '.join(where)}: {error.message}" if where else error.message


def item_error(item: BatchItem) -> PartnerfitError:
    assert item.error is not None, "an item without a report carries an error"
    return item.error


def finding_rows(item: BatchItem) -> list[dict[str, Any]]:
    """One result as rows of one finding each, for per-finding exports (CSV, JSON Lines).

    Each row holds the case (``file``, ``case_id``, ``verdict`` in words), ``status``
    (``ok`` or ``error``), the finding (``rule_id``, ``kind``, ``severity``, ``waived``,
    ``area``, ``title``, ``message``, ``remedy``), its evidence (``evidence_paths`` and
    ``evidence_values``, lists in the same order; ``line``: the first evidence line) and,
    for a file that could not be checked, ``error_line``, ``error_field`` and
    ``error_message``. Absent values are None. Red flags, open questions and strengths come
    in report order, then waived red flags; a case without findings gets one row with the
    finding fields None, a file that could not be checked one row: every input appears.
    """
    base: dict[str, Any] = {
        "file": path_text(item.file),
        "case_id": None,
        "verdict": None,
        "status": "ok",
        **dict.fromkeys(FINDING_FIELDS),
        "error_line": None,
        "error_field": None,
        "error_message": None,
    }
    r = item.report
    if r is None:
        e = item_error(item)
        return [
            {
                **base,
                "status": "error",
                "error_line": e.location.line,
                "error_field": e.location.field,
                "error_message": e.message,
            }
        ]
    case = {**base, "case_id": r.case_id, "verdict": r.verdict.label}
    found = [(f, False) for f in r.findings] + [(w.finding, True) for w in r.waived]
    return [{**case, **_finding_fields(f, waived)} for f, waived in found] or [case]


FINDING_FIELDS = (
    "rule_id",
    "kind",
    "severity",
    "waived",
    "area",
    "title",
    "message",
    "evidence_paths",
    "evidence_values",
    "line",
    "remedy",
)
"""The fields of one finding in a per-finding row, in order (CSV columns and JSONL keys)."""


def _finding_fields(f: Finding, waived: bool) -> dict[str, Any]:
    lines = [e.line for e in f.evidence if e.line is not None]
    return {
        "rule_id": f.rule_id,
        "kind": f.kind.value,
        "severity": f.severity.value,
        "waived": waived,
        "area": f.area,
        "title": f.title,
        "message": " ".join(f.message.split()),
        "evidence_paths": [e.path for e in f.evidence],
        "evidence_values": [e.value for e in f.evidence],
        "line": lines[0] if lines else None,
        "remedy": " ".join(f.remedy.split()) if f.remedy else None,
    }
