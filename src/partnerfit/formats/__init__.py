"""Formatters: each turns a report into a string. One enum lists them.

Batches have their own enum, :class:`BatchFormat`: each batch format is a
:class:`~partnerfit.formats.stream.BatchWriter` that writes results to a text
stream as they arrive; :func:`render_batch` collects one into a string. A
:class:`FolderFormat` writes a folder instead: an index to the stream and one
file per case to the stream's ``write_page`` (:class:`~partnerfit.formats.html.PageSink`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from partnerfit.batch import BatchItem
    from partnerfit.case import Case
    from partnerfit.pack import RulePack
    from partnerfit.report import Report

    from .stream import BatchWriter


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"
    html = "html"


def render(report: Report, fmt: Format | str, *, case: Case | None = None) -> str:
    """The report in the given format, as a string ending in a newline.

    ``html`` also shows the parties' names and their own answers side by side: from
    ``case`` when given, else from the case file the report names if it still holds
    the same case (:func:`~partnerfit.formats.html.case_from_file`).

    Each format's module is imported when a report is first rendered in it: ``check``
    prints one report in one format, and the HTML page alone costs as much to import as
    checking a case.
    """
    chosen = Format(fmt)
    if chosen == Format.json:
        return report.to_json() + "\n"
    if chosen == Format.table:
        from . import table

        return table.render(report)
    if chosen == Format.markdown:
        from . import markdown

        return markdown.render(report)
    from . import html

    return html.render(report, case if case is not None else html.case_from_file(report))


class BatchFormat(StrEnum):
    """Formats of ``partnerfit batch``."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    sarif = "sarif"
    junit = "junit"


class FolderFormat(StrEnum):
    """Formats of ``partnerfit batch`` that write a folder: one page per case and an index."""

    html = "html"


def batch_writer(
    fmt: BatchFormat | FolderFormat | str,
    out: TextIO,
    *,
    pack: RulePack,
    fail_on: str = "high",
    files: Iterable[str | Path] = (),
) -> BatchWriter:
    """The writer of format ``fmt``, writing to ``out``; call ``start`` before the first item."""
    # Imported here: batch writers need partnerfit.batch, which needs the evaluation
    # stack; single-report rendering stays light.
    from .csvout import CsvWriter
    from .jsonout import JsonlWriter, JsonWriter
    from .junit import JunitWriter
    from .portfolio import MarkdownWriter, TableWriter
    from .sarif import SarifWriter

    if fmt == FolderFormat.html:
        from .htmlsite import HtmlSiteWriter

        return HtmlSiteWriter(out, pack=pack, fail_on=fail_on, files=files)
    writers: dict[BatchFormat, type[BatchWriter]] = {
        BatchFormat.table: TableWriter,
        BatchFormat.json: JsonWriter,
        BatchFormat.jsonl: JsonlWriter,
        BatchFormat.csv: CsvWriter,
        BatchFormat.markdown: MarkdownWriter,
        BatchFormat.sarif: SarifWriter,
        BatchFormat.junit: JunitWriter,
    }
    return writers[BatchFormat(fmt)](out, pack=pack, fail_on=fail_on, files=files)


def render_batch(
    items: Iterable[BatchItem],
    fmt: BatchFormat | FolderFormat | str,
    *,
    pack: RulePack,
    fail_on: str = "high",
) -> str:
    """A whole batch in format ``fmt``, as one string (for small batches and tests; a
    folder format gives its index alone)."""
    from partnerfit.batch import Summary

    listed = list(items)
    buffer = io.StringIO(newline="")
    writer = batch_writer(fmt, buffer, pack=pack, fail_on=fail_on, files=[i.file for i in listed])
    summary = Summary()
    writer.start()
    for item in listed:
        writer.add(item)
        summary.add(item)
    writer.finish(summary)
    return buffer.getvalue()


__all__ = ["BatchFormat", "FolderFormat", "Format", "batch_writer", "render", "render_batch"]
