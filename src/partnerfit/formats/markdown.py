"""A Markdown report a founder can share."""

from __future__ import annotations

from partnerfit.report import FindingKind, Report

_SECTIONS = (
    (FindingKind.red_flag, "Red flags"),
    (FindingKind.open_question, "Open questions"),
    (FindingKind.strength, "Strengths"),
)


def _cell(text: str | None) -> str:
    return "" if text is None else " ".join(text.split()).replace("|", "\\|")


def render(report: Report) -> str:
    title = report.title or report.case_id
    out = [
        f"# Partnership check: {_cell(title)}",
        "",
        f"**Verdict: {report.verdict.label}**. {_cell(report.reason)}",
        "",
        f"Case `{report.case_id}`"
        + (f" from `{report.file}`" if report.file else "")
        + f", checked with {report.pack.name} {report.pack.version}.",
        "",
    ]
    for kind, heading in _SECTIONS:
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        out += [f"## {heading} ({len(items)})", ""]
        for f in items:
            sev = f" · {f.severity.value}" if kind == FindingKind.red_flag else ""
            out += [f"### {f.rule_id} {_cell(f.title)}{sev}", "", _cell(f.message), ""]
            if f.evidence:
                out += ["| field | value | party |", "|---|---|---|"]
                for e in f.evidence:
                    value = "*missing*" if e.value is None else _cell(e.value)
                    out.append(f"| `{e.path}` | {value} | {_cell(e.party)} |")
                out.append("")
            if f.why:
                out += [f"*Why it matters:* {_cell(f.why)}", ""]
            if f.remedy:
                out += [f"*What to do:* {_cell(f.remedy)}", ""]
    if not report.findings:
        out += ["No findings.", ""]
    return "\n".join(out)
