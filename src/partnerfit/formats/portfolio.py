"""The portfolio view of a batch: one row per case, then the most frequent red flags.

Rows are written as results arrive (a batch can be very large), so the table's
file column is as wide as the longest input when the inputs are known up front.
File names, case ids, titles and error messages are shown through
:func:`~partnerfit.text.printable`: no control or bidi character reaches a terminal.
"""

from __future__ import annotations

from pathlib import Path

from partnerfit.batch import BatchItem, Summary
from partnerfit.text import printable

from .stream import BatchWriter, error_text, item_error, top_flag_ids

_CASE_WIDTH = 28
_VERDICT_WIDTH = len("proceed with conditions")
_COUNTS = ("crit", "high", "med", "low", "open")
"""Red flags by severity, then the questions to answer (each missing field once)."""


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _p(text: str | Path) -> str:
    """One line of text from a case, a pack or a file name, safe for a terminal."""
    return printable(str(text))


class TableWriter(BatchWriter):
    """A plain-text table for a terminal."""

    def start(self) -> None:
        self._file_width = max([len("file"), *(len(_p(f)) for f in self.files)])
        head = self._row("file", "case", "verdict", _COUNTS, "top red flags")
        rule = self._row(
            "-" * self._file_width,
            "-" * _CASE_WIDTH,
            "-" * _VERDICT_WIDTH,
            tuple("-" * len(c) for c in _COUNTS),
            "-" * len("top red flags"),
        )
        self.out.write(head + "\n" + rule + "\n")

    def _row(self, file: str, case: str, verdict: str, counts: tuple[str, ...], rest: str) -> str:
        cells = [
            file.ljust(self._file_width),
            _clip(case, _CASE_WIDTH).ljust(_CASE_WIDTH),
            verdict.ljust(_VERDICT_WIDTH),
            *(n.rjust(len(c)) for n, c in zip(counts, _COUNTS, strict=True)),
            rest,
        ]
        return "  ".join(cells).rstrip()

    def add(self, item: BatchItem) -> None:
        r = item.report
        if r is not None:
            c = r.counts
            counts = tuple(str(n) for n in (c.critical, c.high, c.medium, c.low, c.questions))
            flags = _p(top_flag_ids(r))
            line = self._row(_p(item.file), _p(r.case_id), r.verdict.label, counts, flags)
        else:
            blank = tuple("" for _ in _COUNTS)
            line = self._row(_p(item.file), "", "ERROR", blank, _p(error_text(item_error(item))))
        self.out.write(line + "\n")

    def finish(self, summary: Summary) -> None:
        top = summary.top_flags()
        if top:
            self.out.write("\nMost frequent red flags\n")
            for rid, n in top:
                sev = summary.flag_severity[rid].value
                title = _p(summary.flag_titles[rid])
                self.out.write(f"{n:>7}  {_p(rid):<12} {sev:<8}  {title}\n")
        self.out.write("\n" + summary.line() + "\n")


def _cell(text: str | Path) -> str:
    return printable(" ".join(str(text).split())).replace("|", "\\|")


class MarkdownWriter(BatchWriter):
    """A Markdown portfolio an advisor can paste into a memo."""

    def start(self) -> None:
        self.out.write(
            f"# Portfolio screening\n\nChecked with {self.pack.name} {self.pack.version}; "
            f"red flags at or above *{self.fail_on}* fail a case.\n\n"
            "| file | case | verdict | critical | high | medium | low | questions "
            "| top red flags |\n|---|---|---|--:|--:|--:|--:|--:|---|\n"
        )

    def add(self, item: BatchItem) -> None:
        r = item.report
        if r is not None:
            c = r.counts
            counts = " | ".join(str(n) for n in (c.critical, c.high, c.medium, c.low, c.questions))
            self.out.write(
                f"| `{_cell(item.file)}` | {_cell(r.case_id)} | {r.verdict.label} | {counts} "
                f"| {_cell(top_flag_ids(r))} |\n"
            )
        else:
            self.out.write(
                f"| `{_cell(item.file)}` |  | **error** |  |  |  |  |  "
                f"| {_cell(error_text(item_error(item)))} |\n"
            )

    def finish(self, summary: Summary) -> None:
        top = summary.top_flags()
        if top:
            self.out.write(
                "\n## Most frequent red flags\n\n| rule | severity | title | cases |\n"
                "|---|---|---|--:|\n"
            )
            for rid, n in top:
                sev = summary.flag_severity[rid].value
                title = _cell(summary.flag_titles[rid])
                self.out.write(f"| {_cell(rid)} | {sev} | {title} | {n} |\n")
        self.out.write(f"\n**{summary.line()}**\n")
