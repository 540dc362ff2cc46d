"""A plain-text report for a terminal: a findings table, then the details.

Every string that comes from a case, a pack or a saved report goes through
:func:`~partnerfit.text.printable` (one line each; paragraphs are folded first),
so that no control or bidi character reaches the terminal.
"""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from partnerfit.answers import found_words
from partnerfit.diff import ReportDiff, diff_key
from partnerfit.questions import stake_words
from partnerfit.report import Finding, FindingKind, Report, WaiverOutcome, WaiverStatus
from partnerfit.text import printable

_KIND_LABEL = {
    FindingKind.red_flag: "red flag",
    FindingKind.strength: "strength",
    FindingKind.open_question: "question",
}


def render(report: Report) -> str:
    head = [
        f"Case      {_p(report.case_id)}" + (f" — {_p(report.title)}" if report.title else ""),
        f"File      {_p(report.file)}" if report.file else None,
        f"Pack      {_p(report.pack.name)} {_p(report.pack.version)}",
        _layers(report),
        f"Verdict   {report.verdict.label}: {_p(report.reason)}",
        f"Answered  {report.coverage.summary}" if report.coverage else None,
        "",
    ]
    lines = [line for line in head if line is not None]
    # A report from 1.5 on asks each missing field once (its questions); older saved
    # reports have only the rules' open questions, shown as findings.
    grouped = bool(report.questions)
    shown = [f for f in report.findings if not grouped or f.kind != FindingKind.open_question]
    if not shown and not grouped:
        lines.append("No findings.")
        lines.append("")
        lines.extend(_waivers(report))
        return "\n".join(lines).rstrip("\n") + "\n"
    rows = [
        [
            _p(f.rule_id),
            _KIND_LABEL[f.kind],
            _severity(f),
            _one_line(f.title, 60),
        ]
        for f in shown
    ]
    if rows:
        lines.append(_tabulate(rows, ["rule", "kind", "severity", "title"]))
        if any(f.severity_overridden_by for f in shown):
            lines.append("* severity set by a pack layer, not by the rule itself")
        lines.append("")
    for f in shown:
        lines.extend(_details(f))
    lines.extend(_answers(report))
    lines.extend(_questions(report))
    lines.extend(_waivers(report))
    c = report.counts
    asked = (
        f"{c.questions} question{'s' if c.questions != 1 else ''} to answer"
        if grouped
        else f"{c.open_questions} open questions"
    )
    lines.append(
        f"{c.red_flags} red flags ({c.critical} critical, {c.high} high, {c.medium} medium, "
        f"{c.low} low, {c.info} info), {asked}, {c.strengths} strengths"
        + (f", {c.waived} waived" if c.waived else "")
    )
    return "\n".join(lines) + "\n"


_RULES_SHOWN = 3


def _answers(report: Report) -> list[str]:
    """Each topic: what the check found, then each party's answer on one line."""
    if not report.answers or all(a.answer is None for t in report.answers for a in t.answers):
        return []
    width = max((len(_p(a.name)) for t in report.answers for a in t.answers), default=0) + 1
    out = ["Each party in its own words"]
    for t in report.answers:
        out += _wrap(f"{t.label}: {found_words(t)}", "  ")
        if all(a.answer is None for a in t.answers):
            continue
        for a in t.answers:
            said = "(not answered)" if a.answer is None else repr(textwrap.shorten(a.answer, 70))
            out.append(f"    {_p(a.name) + ':':<{width}} {said}")
    out.append("")
    return out


def _questions(report: Report) -> list[str]:
    """Each missing field once, the most decisive first: the question, whom to ask, where
    to write the answer and what waits on it."""
    if not report.questions:
        return []
    n = len(report.questions)
    out = [f"Questions to answer ({n}, the most decisive first)"]
    width = len(str(n))
    for i, q in enumerate(report.questions, 1):
        indent = " " * (width + 4)
        out += _wrap(q.question, f"  {i:>{width}}. ", indent)
        where = ", ".join(
            _p(e.path) + (f" (line {e.line})" if e.line else "") for e in q.evidence[:2]
        )
        if len(q.evidence) > 2:
            where += f" and {len(q.evidence) - 2} more"
        rules = ", ".join(_p(r) for r in q.rules[:_RULES_SHOWN])
        if len(q.rules) > _RULES_SHOWN:
            rules += f" and {len(q.rules) - _RULES_SHOWN} more"
        out += _wrap(
            f"Ask {_p(q.ask)}. Fill in {q.fill_in}: {where}. "
            f"{stake_words(q).capitalize()} ({rules}).",
            indent,
        )
    out.append("")
    return out


def _layers(report: Report) -> str | None:
    if len(report.layers) < 2:
        return None
    return "Layers    " + " < ".join(f"{_p(p.name)} {_p(p.version)}" for p in report.layers)


def _severity(f: Finding) -> str:
    if f.kind != FindingKind.red_flag:
        return ""
    return f.severity.value + ("*" if f.severity_overridden_by else "")


_WAIVER_HEADINGS = (
    (WaiverStatus.refused, "Waivers not honoured (a critical red flag cannot be waived)"),
    (WaiverStatus.expired, "Expired waivers (their flags count again)"),
    (WaiverStatus.unused, "Unused waivers (their rule raised nothing)"),
)


def _waivers(report: Report) -> list[str]:
    out: list[str] = []
    if report.waived:
        out.append("Waived red flags (not counted toward the verdict)")
        for w in report.waived:
            f = w.finding
            out.append(
                f"  {_p(f.rule_id)} {_p(f.name)} [{f.severity.value}]: {_one_line(f.title, 70)}"
            )
            out += [
                f"    - {_p(e.path)}" + (f" (line {e.line})" if e.line else "") for e in f.evidence
            ]
            out += _waiver_lines(w.waiver, "    ")
        out.append("")
    for status, heading in _WAIVER_HEADINGS:
        items = [w for w in report.waivers if w.status == status]
        if items:
            out.append(heading)
            for outcome in items:
                n = outcome.matched
                plural = "s" if n != 1 else ""
                out.append(f"  {_p(outcome.rule_id)} ({n} matching red flag{plural})")
                out += _waiver_lines(outcome, "    ")
            out.append("")
    return out


def _waiver_lines(w: WaiverOutcome, indent: str) -> list[str]:
    who = f" (accepted by {_p(w.accepted_by)})" if w.accepted_by else ""
    until = f"; expires {w.expires}" if w.expires else ""
    out = [f"{indent}waiver {_p(w.where)}{who}{until}"]
    return out + _wrap("Justification: " + w.justification, indent)


def _p(text: str) -> str:
    """One line of text from a case, a pack or a file name, safe for a terminal."""
    return printable(text)


def _one_line(text: str, width: int) -> str:
    """``text`` folded to one line and shortened to ``width`` before its escapes are shown."""
    return printable(textwrap.shorten(text, width))


def _tabulate(rows: list[list[str]], headers: list[str]) -> str:
    # disable_numparse: a title such as "1e5" or "inf" is shown as written, not as a number.
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


def render_diff(diff: ReportDiff) -> str:
    """A terminal view of :func:`partnerfit.diff.compare`."""
    verdict = (
        f"{diff.old_verdict.label} -> {diff.new_verdict.label}"
        if diff.verdict_changed
        else f"{diff.new_verdict.label} (unchanged)"
    )
    lines = [
        f"Case      {_p(diff.old_case)}"
        + (f" -> {_p(diff.new_case)}" if diff.new_case != diff.old_case else ""),
        f"Verdict   {verdict}",
        f"Reason    {_p(diff.new_reason)}",
        "",
    ]
    waived = {diff_key(f) for f in diff.waived}
    rows = [
        ["introduced", _p(f.rule_id), _KIND_LABEL[f.kind], _severity(f), _paths(f)]
        for f in diff.introduced
    ]
    rows += [
        [
            "waived" if diff_key(f) in waived else "resolved",
            _p(f.rule_id),
            _KIND_LABEL[f.kind],
            _severity(f),
            _paths(f),
        ]
        for f in diff.resolved
    ]
    if rows:
        lines.append(_tabulate(rows, ["change", "rule", "kind", "severity", "evidence"]))
    else:
        lines.append("No findings introduced or resolved.")
    lines.append("")
    lines.append(
        f"{len(diff.introduced)} introduced, {len(diff.resolved)} resolved "
        f"({len(diff.waived)} by waiver), {len(diff.unchanged)} unchanged"
    )
    return "\n".join(lines) + "\n"


def _paths(f: Finding) -> str:
    return _p(", ".join(f.key[1]))


def _details(f: Finding) -> list[str]:
    sev = f" [{f.severity.value}]" if f.kind == FindingKind.red_flag else ""
    out = [f"{_p(f.rule_id)} {_p(f.name)}{sev} ({_KIND_LABEL[f.kind]})"]
    out += _wrap(f.message, "  ")
    for e in f.evidence:
        where = _p(e.path) + (f" (line {e.line})" if e.line else "")
        # repr() shows the value quoted, with its control, bidi and format characters escaped
        # (and a lone surrogate as \udcxx, which a terminal could not be sent).
        value = "(missing)" if e.value is None else repr(textwrap.shorten(e.value, 90))
        out.append(f"  - {where}: {value}")
    if f.why:
        out += _wrap("Why: " + f.why, "  ")
    if f.remedy:
        out += _wrap("Do: " + f.remedy, "  ")
    if f.advice:
        out += _wrap("Advice: " + f.advice, "  ")
    if f.severity_overridden_by:
        out += _wrap(
            f"Severity {f.severity.value} set by pack {f.severity_overridden_by} "
            f"(the rule says {f.rule_severity.value if f.rule_severity else 'otherwise'}).",
            "  ",
        )
    for note in f.notes:
        out += _wrap("Note: " + note, "  ")
    out.append("")
    return out


def _wrap(text: str, indent: str, rest: str | None = None) -> list[str]:
    """A paragraph: line breaks and other white space folded, then escaped and wrapped;
    lines after the first are indented by ``rest`` (default: two more than the first)."""
    return textwrap.wrap(
        printable(" ".join(text.split())),
        width=96,
        initial_indent=indent,
        subsequent_indent=indent + "  " if rest is None else rest,
        break_on_hyphens=False,  # never split a rule id (PF-AGR-003) or a kebab-case name
    )
