"""A Markdown report a founder can share.

Every string that comes from a case, a pack or a saved report goes through
:func:`_cell`, which folds it to one line, shows control and bidi characters
as visible escapes (:func:`~partnerfit.text.printable`) and escapes ``|``.
"""

from __future__ import annotations

from partnerfit.answers import found_words
from partnerfit.diff import ReportDiff, diff_key
from partnerfit.questions import stake_words
from partnerfit.report import Finding, FindingKind, Report, WaiverOutcome, WaiverStatus
from partnerfit.text import printable

from .steps import NEXT_QUESTIONS, worst_flags

_SECTIONS = (
    (FindingKind.red_flag, "Red flags"),
    (FindingKind.open_question, "Open questions"),
    (FindingKind.strength, "Strengths"),
)


def _cell(text: str | None) -> str:
    if text is None:
        return ""
    return printable(" ".join(text.split())).replace("|", "\\|")


def render(report: Report) -> str:
    title = report.title or report.case_id
    out = [
        f"# Partnership check: {_cell(title)}",
        "",
        f"**Verdict: {report.verdict.label}**. {_cell(report.reason)}",
        "",
        *([f"The case answers {_cell(report.coverage.summary)}.", ""] if report.coverage else []),
        f"Case `{_cell(report.case_id)}`"
        + (f" from `{_cell(report.file)}`" if report.file else "")
        + f", checked with {_cell(report.pack.name)} {_cell(report.pack.version)}"
        + (
            " (layers: "
            + ", ".join(f"{_cell(p.name)} {_cell(p.version)}" for p in report.layers)
            + ")"
            if len(report.layers) > 1
            else ""
        )
        + ".",
        "",
    ]
    out += _next(report)
    for kind, heading in _SECTIONS:
        if kind == FindingKind.open_question and report.questions:
            out += _questions(report)
            continue
        items = [f for f in report.findings if f.kind == kind]
        if not items:
            continue
        out += [f"## {heading} ({len(items)})", ""]
        for f in items:
            out += _finding(f, "###")
    if not report.findings:
        out += ["No findings.", ""]
    out += _answers(report)
    if report.prompts:
        out += [f"## Talk it through ({len(report.prompts)})", "", _TALK, ""]
        out += [f"- **{_cell(p.topic)}** ({p.ask.label}): {_cell(p.text)}" for p in report.prompts]
        out.append("")
    if report.waived:
        out += [f"## Waived red flags ({len(report.waived)})", ""]
        out += ["Accepted by the parties; not counted toward the verdict.", ""]
        for w in report.waived:
            out += _finding(w.finding, "###")
            out += [_waiver_line(w.waiver), ""]
    for status, heading in _WAIVER_SECTIONS:
        waivers = [w for w in report.waivers if w.status == status]
        if waivers:
            out += [f"## {heading} ({len(waivers)})", ""]
            out += [f"- **{_cell(w.rule_id)}**: {_waiver_line(w)}" for w in waivers]
            out.append("")
    return "\n".join(out)


def _answers(report: Report) -> list[str]:
    """The parties' own answers side by side, with what the check found on each topic."""
    if not report.answers or all(a.answer is None for t in report.answers for a in t.answers):
        return []
    names = [a.name for a in report.answers[0].answers]
    out = [
        "## Each party in its own words",
        "",
        "| topic | " + " | ".join(_cell(n) for n in names) + " | what the check found |",
        "|---" * (len(names) + 2) + "|",
    ]
    for t in report.answers:
        cells = ["*not answered*" if a.answer is None else _cell(a.answer) for a in t.answers]
        out.append(f"| {_cell(t.label)} | " + " | ".join(cells) + f" | {_cell(found_words(t))} |")
    return [*out, ""]


def _next(report: Report) -> list[str]:
    """What to do next, in one screen: the worst flags' remedies, then the first questions."""
    steps: list[str] = []
    flags, _ = worst_flags(report)
    for f, action in flags:
        advice = f" {_cell(f.advice)}" if f.clears_if else ""
        steps.append(f"**{f.severity.value}: {_cell(f.title)}.** {_cell(action)}{advice}")
    for q in report.questions[:NEXT_QUESTIONS]:
        steps.append(f"**Ask {_cell(q.ask)}:** {_cell(q.question)}")
    if not steps:
        return []
    out = ["## What to do next", ""]
    out += [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    return [*out, ""]


def _questions(report: Report) -> list[str]:
    """Each missing field once, the most decisive first."""
    out = [
        f"## Open questions ({len(report.questions)})",
        "",
        "What the case file does not say yet, each asked once, the most decisive first. "
        "Unknown is not false: an answer may clear a question or raise a flag.",
        "",
    ]
    for i, q in enumerate(report.questions, 1):
        where = ", ".join(
            f"`{_cell(e.path)}`" + (f" (line {e.line})" if e.line else "") for e in q.evidence
        )
        out.append(
            f"{i}. **{_cell(q.question)}** Ask {_cell(q.ask)}; fill in {_cell(q.fill_in)}: "
            f"{where}. {_cell(stake_words(q).capitalize())}: "
            + ", ".join(_cell(r) for r in q.rules)
            + "."
        )
    return [*out, ""]


_TALK = "What no rule can judge from the case file: questions for the parties to talk through."

_WAIVER_SECTIONS = (
    (WaiverStatus.refused, "Waivers not honoured: a critical red flag cannot be waived"),
    (WaiverStatus.expired, "Expired waivers: their flags count again"),
    (WaiverStatus.unused, "Unused waivers: their rule raised nothing"),
)


def _finding(f: Finding, level: str) -> list[str]:
    sev = ""
    if f.kind == FindingKind.red_flag:
        sev = f" · {f.severity.value}"
        if f.severity_overridden_by:
            rule_sev = f.rule_severity.value if f.rule_severity else "otherwise"
            sev += f" (set by pack {_cell(f.severity_overridden_by)}; the rule says {rule_sev})"
    out = [f"{level} {_cell(f.rule_id)} {_cell(f.title)}{sev}", "", _cell(f.message), ""]
    if f.evidence:
        out += ["| field | value | party |", "|---|---|---|"]
        for e in f.evidence:
            value = "*missing*" if e.value is None else _cell(e.value)
            out.append(f"| `{_cell(e.path)}` | {value} | {_cell(e.party)} |")
        out.append("")
    if f.why:
        out += [f"*Why it matters:* {_cell(f.why)}", ""]
    if f.remedy:
        out += [f"*What to do:* {_cell(f.remedy)}", ""]
    if f.advice:
        out += [f"*What would clear it:* {_cell(f.advice)}", ""]
    for note in f.notes:
        out += [f"> **Note:** {_cell(note)}", ""]
    return out


def _waiver_line(w: WaiverOutcome) -> str:
    who = f", accepted by {_cell(w.accepted_by)}" if w.accepted_by else ""
    until = f", expires {w.expires}" if w.expires else ""
    return f"waiver at `{_cell(w.where)}`{who}{until}: {_cell(w.justification)}"


def render_diff(diff: ReportDiff) -> str:
    """A Markdown view of :func:`partnerfit.diff.compare`."""
    verdict = (
        f"{diff.old_verdict.label} → **{diff.new_verdict.label}**"
        if diff.verdict_changed
        else f"**{diff.new_verdict.label}** (unchanged)"
    )
    case = diff.old_case if diff.old_case == diff.new_case else f"{diff.old_case} → {diff.new_case}"
    out = [
        f"# Partnership check changes: {_cell(case)}",
        "",
        f"Verdict: {verdict}. {_cell(diff.new_reason)}",
        "",
    ]
    waived = {diff_key(f) for f in diff.waived}
    sections: tuple[tuple[str, tuple[Finding, ...]], ...] = (
        ("Introduced", diff.introduced),
        ("Resolved", tuple(f for f in diff.resolved if diff_key(f) not in waived)),
        ("Waived", diff.waived),
        ("Unchanged", diff.unchanged),
    )
    for heading, findings in sections:
        if not findings:
            continue
        out += [f"## {heading} ({len(findings)})", ""]
        for f in findings:
            sev = f" · {f.severity.value}" if f.kind == FindingKind.red_flag else ""
            paths = ", ".join(f"`{_cell(p)}`" for p in f.key[1])
            out.append(f"- **{_cell(f.rule_id)}** {_cell(f.title)}{sev}: {paths}")
        out.append("")
    if not (diff.introduced or diff.resolved):
        out += ["No findings introduced or resolved.", ""]
    return "\n".join(out)
