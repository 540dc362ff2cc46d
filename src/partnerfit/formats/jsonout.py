"""Batch results as JSON Lines (one object per case, or per finding with
:class:`FindingsJsonlWriter`) or one JSON document.

A file name that is not valid UTF-8 is written with its undecodable bytes as
``\\udcff`` escapes (:func:`~partnerfit.batch.path_text`): JSON text is UTF-8.
"""

from __future__ import annotations

import json
from typing import Any

from partnerfit.batch import BatchItem, Summary, path_text
from partnerfit.report import Verdict

from .stream import BatchWriter, finding_rows, item_error


def item_dict(item: BatchItem) -> dict[str, Any]:
    """One result as plain data: ``status`` is ``ok`` with a ``report``, or ``error``."""
    if item.report is not None:
        return {
            "index": item.index,
            "file": path_text(item.file),
            "status": "ok",
            "report": item.report.to_dict(),
        }
    error = item_error(item)
    loc = error.location
    return {
        "index": item.index,
        "file": path_text(item.file),
        "status": "error",
        "error": {
            "kind": type(error).__name__,
            "message": error.message,
            "file": loc.file,
            "line": loc.line,
            "field": loc.field,
            # Every problem of the file, in file order, when there are several.
            **(
                {
                    "problems": [
                        {
                            "message": p.message,
                            "line": p.location.line,
                            "field": p.location.field,
                        }
                        for p in error.problems
                    ]
                }
                if error.problems
                else {}
            ),
        },
    }


def summary_dict(summary: Summary) -> dict[str, Any]:
    return {
        "cases": summary.cases,
        "errors": summary.errors,
        "verdicts": {v.value: summary.verdicts[v] for v in Verdict},
        "top_red_flags": [
            {"rule_id": rid, "title": summary.flag_titles[rid], "cases": n}
            for rid, n in summary.top_flags()
        ],
        "line": summary.line(),
    }


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def item_line(item: BatchItem) -> str:
    """:func:`item_dict` as one compact JSON line (without the newline)."""
    if item.report is None:
        return _line(item_dict(item))
    # Same bytes as _line(item_dict(item)), at a third of the cost: the report is
    # serialised by pydantic directly (or already was, by the worker) instead of dumped
    # to a dict and re-encoded.
    head = _line({"index": item.index, "file": path_text(item.file), "status": "ok"})
    report = item.report_json or item.report.to_json(indent=None)
    return head[:-1] + ',"report":' + report + "}"


class JsonlWriter(BatchWriter):
    """One JSON object per line and case, flushed as each result arrives."""

    def add(self, item: BatchItem) -> None:
        self.out.write(item_line(item) + "\n")
        self.out.flush()


class JsonWriter(BatchWriter):
    """One JSON document: the pack, ``results`` (one compact line each) and the ``summary``."""

    _first = True

    def start(self) -> None:
        pack = {"name": self.pack.name, "version": self.pack.version}
        self.out.write('{\n  "pack": ' + _line(pack) + ',\n  "results": [')

    def add(self, item: BatchItem) -> None:
        self.out.write(("\n    " if self._first else ",\n    ") + item_line(item))
        self._first = False

    def finish(self, summary: Summary) -> None:
        close = "]" if self._first else "\n  ]"
        body = json.dumps(summary_dict(summary), ensure_ascii=False, indent=2)
        self.out.write(close + ',\n  "summary": ' + body.replace("\n", "\n  ") + "\n}\n")


class FindingsJsonlWriter(BatchWriter):
    """One JSON object per line and finding (``batch --format jsonl --per-finding``):
    the fields of :func:`~partnerfit.formats.stream.finding_rows`, absent ones ``null``.
    ``pandas.read_json(path, lines=True)`` reads it as one row per finding."""

    def add(self, item: BatchItem) -> None:
        for row in finding_rows(item):
            self.out.write(_line(row) + "\n")
        self.out.flush()
