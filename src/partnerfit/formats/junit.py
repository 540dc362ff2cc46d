"""Batch results as JUnit XML, for CI dashboards: one testsuite, one testcase per case.

A case *fails* when it has red flags at or above ``fail_on``; the failure's message
lists them. A file that could not be checked is an *error*. The suite's counts go
in its opening tag, so test cases are spooled (to disk past 1 MiB) until the end.
A file name that is not valid UTF-8 is written with its undecodable bytes as
``\\udcff`` escapes (:func:`~partnerfit.batch.path_text`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from xml.sax.saxutils import escape, quoteattr

from partnerfit.batch import BatchItem, Summary, flags_at_or_above, path_text

from .stream import BatchWriter, error_text, item_error

# Characters XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", text))


def _text(text: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", text))


class JunitWriter(BatchWriter):
    """``<testsuite name="partnerfit">`` with one ``<testcase>`` per input."""

    def start(self) -> None:
        # Closed in finish(); a writer abandoned mid-batch leaves it to the garbage collector.
        self._body = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=1 << 20, mode="w+", encoding="utf-8", errors="backslashreplace"
        )
        self._tests = self._failures = self._errors = 0

    def add(self, item: BatchItem) -> None:
        self._tests += 1
        r = item.report
        file = path_text(item.file)
        if r is None:
            self._errors += 1
            error = item_error(item)
            self._body.write(
                f"  <testcase classname={_attr(file)} name={_attr(path_text(item.path.name))}>\n"
                f"    <error type={_attr(type(error).__name__)} "
                f"message={_attr(error_text(error))}>{_text(str(error))}</error>\n"
                "  </testcase>\n"
            )
            return
        head = f"  <testcase classname={_attr(file)} name={_attr(r.case_id)}"
        flags = flags_at_or_above(r, self.fail_on)
        if not flags:
            self._body.write(head + "/>\n")
            return
        self._failures += 1
        ids = ", ".join(dict.fromkeys(f.rule_id for f in flags))
        n = len(flags)
        message = f"{n} red flag{'s' if n != 1 else ''} at or above {self.fail_on}: {ids}"
        details = []
        for f in flags:
            where = ", ".join(
                e.path + (f" (line {e.line})" if e.line is not None else "") for e in f.evidence
            )
            details.append(
                f"{f.rule_id} [{f.severity.value}] {f.title}: {' '.join(f.message.split())}"
            )
            if where:
                details.append(f"  at {where}")
        self._body.write(
            head + ">\n"
            f'    <failure type="red_flags" message={_attr(message)}>'
            f"{_text(chr(10).join(details))}</failure>\n"
            "  </testcase>\n"
        )

    def finish(self, summary: Summary) -> None:
        self.out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuite name="partnerfit" tests="{self._tests}" failures="{self._failures}" '
            f'errors="{self._errors}" skipped="0">\n'
            "  <properties>\n"
            f'    <property name="pack" value={_attr(self.pack.name)}/>\n'
            f'    <property name="pack_version" value={_attr(self.pack.version)}/>\n'
            f'    <property name="fail_on" value={_attr(self.fail_on)}/>\n'
            f'    <property name="summary" value={_attr(summary.line())}/>\n'
            "  </properties>\n"
        )
        self._body.seek(0)
        shutil.copyfileobj(self._body, self.out)
        self._body.close()
        self.out.write("</testsuite>\n")
