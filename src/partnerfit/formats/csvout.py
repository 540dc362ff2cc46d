"""Batch results as CSV: one row per case, for spreadsheets.

A file name that is not valid UTF-8 is written with its undecodable bytes as
``\\udcff`` escapes (:func:`~partnerfit.batch.path_text`).
"""

from __future__ import annotations

import csv

from partnerfit.batch import BatchItem, path_text

from .stream import BatchWriter, item_error, top_flag_ids

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
)


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
                    r.verdict.value,
                    *counts,
                    top_flag_ids(r, 5),
                    "",
                    "",
                    "",
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
            ]
        )
