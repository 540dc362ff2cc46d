"""A plain-text report for a terminal: a findings table, then the details."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from partnerfit.report import Finding, FindingKind, Report

_KIND_LABEL = {
    FindingKind.red_flag: "red flag",
    FindingKind.strength: "strength",
    FindingKind.open_question: "question",
}


def render(report: Report) -> str:
    head = [
        f"Case      {report.case_id}" + (f" — {report.title}" if report.title else ""),
        f"File      {report.file}" if report.file else None,
        f"Pack      {report.pack.name} {report.pack.version}",
        f"Verdict   {report.verdict.label.upper()}: {report.reason}",
        "",
    ]
    lines = [line for line in head if line is not None]
    if not report.findings:
        lines.append("No findings.")
        return "\n".join(lines) + "\n"
    rows = [
        [
            f.rule_id,
            _KIND_LABEL[f.kind],
            f.severity.value if f.kind == FindingKind.red_flag else "",
            textwrap.shorten(f.title, 60),
        ]
        for f in report.findings
    ]
    lines.append(tabulate(rows, headers=["rule", "kind", "severity", "title"], tablefmt="simple"))
    lines.append("")
    for f in report.findings:
        lines.extend(_details(f))
    c = report.counts
    lines.append(
        f"{c.red_flags} red flags ({c.critical} critical, {c.high} high, {c.medium} medium, "
        f"{c.low} low, {c.info} info), {c.open_questions} open questions, {c.strengths} strengths"
    )
    return "\n".join(lines) + "\n"


def _details(f: Finding) -> list[str]:
    sev = f" [{f.severity.value}]" if f.kind == FindingKind.red_flag else ""
    out = [f"{f.rule_id} {f.name}{sev} ({_KIND_LABEL[f.kind]})"]
    out += _wrap(f.message, "  ")
    for e in f.evidence:
        where = f"{e.path}" + (f" (line {e.line})" if e.line else "")
        value = "(missing)" if e.value is None else repr(textwrap.shorten(e.value, 90))
        out.append(f"  - {where}: {value}")
    if f.why:
        out += _wrap("Why: " + f.why, "  ")
    if f.remedy:
        out += _wrap("Do: " + f.remedy, "  ")
    out.append("")
    return out


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=96, initial_indent=indent, subsequent_indent=indent + "  "
    )
