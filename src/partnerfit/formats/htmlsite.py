"""A batch as a folder of HTML pages: one page per case and an ``index.html``.

The writer follows the :class:`~partnerfit.formats.stream.BatchWriter` interface:
the index goes to the writer's stream as results arrive (one row per input, a
case with a link to its page or a file that could not be checked), and each
case's page goes to the stream's ``write_page`` when it has one (a
:class:`~partnerfit.formats.html.PageSink`, such as the folder the command line
writes); a plain stream gets the index alone. Pages are named after their input
files (:class:`~partnerfit.formats.html.PageNames`), so the same batch gives the
same names and bytes.
"""

from __future__ import annotations

from partnerfit.batch import BatchItem, Summary
from partnerfit.text import path_text

from . import html
from .stream import BatchWriter, error_text, item_error


class HtmlSiteWriter(BatchWriter):
    """``index.html`` to the stream; a page per checked case to its ``write_page``."""

    def start(self) -> None:
        self._names = html.PageNames()
        self._pages = self.out if isinstance(self.out, html.PageSink) else None
        self.out.write(html.index_head(len(list(self.files)) or None))

    def add(self, item: BatchItem) -> None:
        report = item.report
        if report is None:
            row = html.index_row(item.file, None, None, error_text(item_error(item)))
        else:
            name = self._names.name_for(item.path)
            if self._pages is not None:
                case = html.case_at(item.path, report)
                self._pages.write_page(name, html.render(report, case))
            row = html.index_row(path_text(item.file), report, name, None)
        self.out.write(row + "\n")

    def finish(self, summary: Summary) -> None:
        top = [(rid, n, summary.flag_titles[rid]) for rid, n in summary.top_flags()]
        self.out.write(html.index_foot(summary.line(), top))
