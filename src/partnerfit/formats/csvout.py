"""Batch results as CSV: one row per case, for spreadsheets; or one row per finding
(:class:`FindingsCsvWriter`, ``batch --format csv --per-finding``), for pandas.

A file name that is not valid UTF-8 is written with its undecodable bytes as
``\\udcff`` escapes (:func:`~partnerfit.batch.path_text`).
"""

from __future__ import annotations

import csv

from partnerfit.batch import BatchItem, path_text

from .stream import FINDING_FIELDS, BatchWriter, finding_rows, item_error, top_flag_ids

COLUMNS = (
    "file",
    "case_id",
    "status",
    "verdict",
    "red_flags",
    "critical",
    "high",
    "medium",
    "low",
    "open_questions",
    "strengths",
    "top_red_flags",
    "error_line",
    "error_field",
    "error_message",
    "questions",
)
"""``open_questions`` counts the rules that cannot judge yet; ``questions`` (added last, so
that readers of the earlier columns by position are not disturbed) the missing fields,
each asked once."""


class CsvWriter(BatchWriter):
    """A header row, then one row per case; errors fill the ``error_*`` columns."""

    def start(self) -> None:
        self._csv = csv.writer(self.out, lineterminator="\n")
        self._csv.writerow(COLUMNS)

    def add(self, item: BatchItem) -> None:
        r = item.report
        if r is not None:
            c = r.counts
            counts = (
                c.red_flags,
                c.critical,
                c.high,
                c.medium,
                c.low,
                c.open_questions,
                c.strengths,
            )
            self._csv.writerow(
                [
                    path_text(item.file),
                    r.case_id,
                    "ok",
                    r.verdict.label,
                    *counts,
                    top_flag_ids(r, 5),
                    "",
                    "",
                    "",
                    c.questions,
                ]
            )
            return
        e = item_error(item)
        line = "" if e.location.line is None else e.location.line
        self._csv.writerow(
            [
                path_text(item.file),
                "",
                "error",
                "",
                *[""] * 7,
                "",
                line,
                e.location.field or "",
                e.message,
                "",
            ]
        )


FINDING_COLUMNS = (
    "file",
    "case_id",
    "verdict",
    "status",
    *FINDING_FIELDS,
    "error_line",
    "error_field",
    "error_message",
)
"""The columns of :class:`FindingsCsvWriter`, in order (see
:func:`~partnerfit.formats.stream.finding_rows` for what each holds)."""


class FindingsCsvWriter(BatchWriter):
    """A header row, then one row per finding (red flags, waived ones included, open
    questions and strengths); a case without findings gets one row with the finding columns
    empty, and a file that could not be checked one row with ``status`` ``error``, so every
    input appears. Several evidence paths and values are joined with `` | ``."""

    def start(self) -> None:
        self._csv = csv.writer(self.out, lineterminator="\n")
        self._csv.writerow(FINDING_COLUMNS)

    def add(self, item: BatchItem) -> None:
        for row in finding_rows(item):
            self._csv.writerow(["" if row[c] is None else _cell(row[c]) for c in FINDING_COLUMNS])


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " | ".join("" if v is None else str(v) for v in value)
    return value
