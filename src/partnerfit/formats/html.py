"""A report a founder can forward: one self-contained HTML page per case.

The page needs nothing but itself: the CSS and the chart (an SVG) are inline,
there is no script, and a Content-Security-Policy in the page forbids loading
anything from elsewhere. It reads top-down as a founder would act on it: the
verdict and its reason, what to do next (the remedies of the worst red flags,
then the questions, each naming whom to ask), the red flags with their evidence
in the case file's own words, the strengths, the open questions grouped by
party, the parties' own answers side by side, and a chart of findings by area.
It prints on paper and reads on a phone.

**Escaping.** Every string from a case, a pack, a saved report or a file name goes
through :func:`_t` (or :func:`_para`): first :func:`~partnerfit.text.printable`,
which shows control, bidi and other invisible characters as visible escapes,
then :func:`html.escape`, so that a party named ``<script>alert(1)</script>``
is shown as those characters. Nothing else is written into the page unescaped
but this module's own literals.

**Determinism.** The same report (and case) gives byte-identical output: no
clock, no random ids; anchors are numbered by position.

**The parties' names and answers** are not part of a :class:`Report`: they come
from the :class:`~partnerfit.case.Case`, passed in, or read again from the case
file the report names (:func:`case_from_file`). Without a case the page names
parties by their ids and says that their answers are not at hand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from partnerfit.answers import FOUND_WORDS, TOPICS, answer_text
from partnerfit.case import Case
from partnerfit.errors import PartnerfitError
from partnerfit.questions import stake_words
from partnerfit.report import AnswerFound, Finding, FindingKind, Question, Report, WaiverStatus
from partnerfit.text import path_text, printable

from .steps import NEXT_QUESTIONS, worst_flags

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page's Content-Security-Policy: inline styles and data: images only, no script,
no request to anywhere."""

# Colours: (text, background) pairs. Each pair is checked for WCAG AA contrast
# (4.5:1) by the tests; the chart colours are checked at 3:1 against white.
INK = "#1f2328"
MUTED = "#555d66"
PAPER = "#ffffff"
LINK = "#0b57d0"
SEVERITY_COLOURS: dict[str, tuple[str, str]] = {
    "critical": ("#ffffff", "#7f1d1d"),
    "high": ("#ffffff", "#b42318"),
    "medium": ("#ffffff", "#8a4b00"),
    "low": ("#ffffff", "#245a8d"),
    "info": ("#ffffff", "#4b5563"),
}
VERDICT_COLOURS: dict[str, tuple[str, str]] = {
    "proceed": ("#14532d", "#e8f5ec"),
    "proceed_with_conditions": ("#6b3d00", "#fff4e0"),
    "reconsider": ("#7f1d1d", "#fdecea"),
    "incomplete": ("#374151", "#eef0f3"),
}
OTHER_VERDICT = ("#374151", "#eef0f3")
CHART_COLOURS: dict[str, str] = {
    "red_flag": "#b42318",
    "open_question": "#a15c00",
    "strength": "#15803d",
}
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    (INK, PAPER),
    (MUTED, PAPER),
    (LINK, PAPER),
    *SEVERITY_COLOURS.values(),
    *VERDICT_COLOURS.values(),
    OTHER_VERDICT,
    (MUTED, "#f6f8fa"),  # table headers, code
)


_KIND_LABEL = {
    FindingKind.red_flag: "Red flag",
    FindingKind.strength: "Strength",
    FindingKind.open_question: "Question",
}
_ANSWER_PATH = re.compile(r"^parties\[(\d+)\]\.answers\.([a-z_]+)")


# --------------------------------------------------------------------------- escaping


def _version() -> str:
    from partnerfit import __version__  # not at import: the package may still be loading

    return __version__


def _t(text: object) -> str:
    """One line of text from anywhere outside this module, safe in HTML text and attributes."""
    return html.escape(printable(" ".join(str(text).split())), quote=True)


def _path(path: str) -> str:
    """A case-file path, escaped, that may break after each dot on a narrow screen."""
    return _t(path).replace(".", ".<wbr>")


def _para(text: object) -> str:
    """A paragraph that may span lines (shown with ``white-space: pre-line``), escaped."""
    return html.escape(printable(str(text).strip(), multiline=True), quote=True)


# --------------------------------------------------------------------------- parties


@dataclass(frozen=True)
class PartyInfo:
    """What the page shows of one party: its id, its name and its own answers."""

    id: str
    name: str
    answers: dict[str, str | None] | None
    """Topic → the answer as shown; None when the answers are not at hand."""


def parties_of(case: Case) -> tuple[PartyInfo, ...]:
    """The parties of ``case``, in case-file order, with their answers as the page shows them."""
    out: list[PartyInfo] = []
    for p in case.parties:
        a = p.answers
        answers: dict[str, str | None] = {}
        for topic, _label in TOPICS:
            value: Any = getattr(a, topic, None) if a is not None else None
            answers[topic] = answer_text(topic, value)
        out.append(PartyInfo(p.id, p.name, answers))
    return tuple(out)


def case_from_file(report: Report) -> Case | None:
    """The case the report was made from, read again from ``report.file``.

    None when the report names no file, the file cannot be read, or it no longer
    holds the same case (another id or title).
    """
    if not report.file:
        return None
    return case_at(report.file, report)


def case_at(path: str | Path, report: Report) -> Case | None:
    """The case in the file at ``path`` if it is the case of ``report``, else None."""
    from partnerfit.loading import load_case  # the loader is needed only here

    try:
        case = load_case(Path(path))
    except (PartnerfitError, OSError, ValueError):
        return None
    if case.id != report.case_id or case.title != report.title:
        return None
    return case


# --------------------------------------------------------------------------- the page


def render(report: Report, case: Case | None = None) -> str:
    """The report as one self-contained HTML page (see the module docstring)."""
    parties = parties_of(case) if case is not None else _parties_from_evidence(report)
    names = {p.id: p.name for p in parties}
    title = report.title or report.case_id
    anchors = {id(f): f"finding-{i + 1}" for i, f in enumerate(report.findings)}
    page = _Page(report, parties, names, anchors, n_parties=len(case.parties) if case else None)
    body = [
        "<header>",
        '<p class="kicker">Partnership check</p>',
        f"<h1>{_t(title)}</h1>",
        f'<p class="meta">{page.meta()}</p>',
        "</header>",
        "<main>",
        page.verdict(),
        page.next_steps(),
        page.chart(),
        page.red_flags(),
        page.strengths(),
        page.questions(),
        page.talk(),
        page.answers(case is not None),
        page.waivers(),
        "</main>",
        _footer(report),
    ]
    head_title = f"{title} — {report.verdict.label}"
    return _document(head_title, [b for b in body if b])


def _document(title: str, body: Sequence[str]) -> str:
    return _head(title) + "\n".join(body) + "\n" + _TAIL


def _head(title: str) -> str:
    """The page up to and including ``<body>``."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="referrer" content="no-referrer">',
            f'<meta name="generator" content="partnerfit {_t(_version())}">',
            f"<title>{_t(title)}</title>",
            f"<style>{_css()}</style>",
            "</head>",
            "<body>",
            "",
        ]
    )


_TAIL = "</body>\n</html>\n"


def _footer(report: Report) -> str:
    layers = ""
    if len(report.layers) > 1:
        layers = " (layers: " + ", ".join(f"{_t(p.name)} {_t(p.version)}" for p in report.layers)
        layers += ")"
    return (
        "<footer><p>Made by partnerfit "
        f"{_t(_version())} with the rule pack {_t(report.pack.name)} "
        f"{_t(report.pack.version)}{layers}. Every finding names the rule that raised it and "
        "the place in the case file it rests on.</p></footer>"
    )


def _parties_from_evidence(report: Report) -> tuple[PartyInfo, ...]:
    seen: dict[str, None] = {}
    for f in (*report.findings, *(w.finding for w in report.waived)):
        for e in f.evidence:
            if e.party is not None:
                seen.setdefault(e.party)
    return tuple(PartyInfo(pid, pid, None) for pid in seen)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _finding_parties(f: Finding) -> list[str]:
    out: list[str] = []
    for e in f.evidence:
        if e.party is not None and e.party not in out:
            out.append(e.party)
    return out


class _Page:
    """The sections of one report's page."""

    def __init__(
        self,
        report: Report,
        parties: tuple[PartyInfo, ...],
        names: dict[str, str],
        anchors: dict[int, str],
        n_parties: int | None,
    ) -> None:
        self.report = report
        self.parties = parties
        self.names = names
        self.anchors = anchors
        self.n_parties = n_parties

    # -- small pieces

    def name(self, party: str) -> str:
        return self.names.get(party, party)

    def whom(self, f: Finding) -> str:
        """Whom to ask about ``f``, as escaped HTML: the parties its evidence belongs to."""
        ids = _finding_parties(f)
        if ids and (self.n_parties is None or len(ids) < self.n_parties):
            return " and ".join(f"<strong>{_t(self.name(i))}</strong>" for i in ids)
        if self.n_parties is not None and self.n_parties > 2:
            return "<strong>all parties</strong>"
        return "<strong>both parties</strong>"

    def link(self, f: Finding, text: str) -> str:
        return f'<a href="#{self.anchors[id(f)]}">{text}</a>'

    def jump(self, f: Finding, text: str) -> str:
        """`` · `` and a link to the finding further down (not printed: paper has no links)."""
        return f'<span class="jump"> · {self.link(f, text)}</span>'

    def meta(self) -> str:
        r = self.report
        parts = [f"Case <code>{_t(r.case_id)}</code>"]
        if r.file:
            parts.append(f"from <code>{_t(path_text(r.file))}</code>")
        if self.parties and self.n_parties is not None:
            parts.append("between " + _and(f"<strong>{_t(p.name)}</strong>" for p in self.parties))
        return " ".join(parts) + "."

    # -- sections

    def verdict(self) -> str:
        r = self.report
        fg, bg = VERDICT_COLOURS.get(r.verdict.value, OTHER_VERDICT)
        c = r.counts
        sev = [
            f"{n} {s}"
            for s, n in (
                ("critical", c.critical),
                ("high", c.high),
                ("medium", c.medium),
                ("low", c.low),
                ("info", c.info),
            )
            if n
        ]
        counts = [_plural(c.red_flags, "red flag") + (f" ({', '.join(sev)})" if sev else "")]
        if r.questions:
            counts.append(_plural(c.questions, "open question"))
        else:
            counts.append(_plural(c.open_questions, "open question"))
        counts.append(_plural(c.strengths, "strength"))
        if c.waived:
            counts.append(f"{c.waived} waived")
        return (
            f'<section class="verdict" style="color:{fg};background:{bg};border-color:{fg}" '
            'aria-labelledby="verdict">'
            f'<h2 id="verdict"><span class="label">Verdict:</span> '
            f'<span class="value">{_t(r.verdict.label)}</span></h2>'
            f'<p class="reason">{_para(r.reason[:1].upper() + r.reason[1:])}</p>'
            f'<p class="counts">{" · ".join(counts)}</p>'
            f"{self.coverage()}"
            "</section>"
        )

    def coverage(self) -> str:
        """How much of what the pack asks the case answers, when the report says (1.2 on)."""
        cov = getattr(self.report, "coverage", None)
        asked = getattr(cov, "asked", None)
        answered = getattr(cov, "answered", None)
        if not isinstance(asked, int) or not isinstance(answered, int) or asked <= 0:
            return ""
        if self.report.verdict.value == "incomplete":  # its reason says this already
            return ""
        share = 100 * answered / asked
        return (
            f'<p class="coverage">The case answers {answered} of the {asked} questions the '
            f"rule pack asks ({share:.0f}%).</p>"
        )

    def next_steps(self) -> str:
        questions = [f for f in self.report.findings if f.kind == FindingKind.open_question]
        steps: list[str] = []
        flags, rest_flags = worst_flags(self.report)
        seen = {action for _, action in flags}
        for f, action in flags:
            badge = _badge(f.severity.value)
            steps.append(
                f'<li class="step"><p>{badge} <strong>{_t(f.title)}.</strong> {_t(action)}</p>'
                + (f'<p class="advice">{_t(f.advice)}</p>' if f.clears_if else "")
                + f'<p class="who">Ask: {self.whom(f)}'
                f"{self.jump(f, 'the red flag and its evidence')}</p></li>"
            )
        asked = 0
        if self.report.questions:
            for i, q in enumerate(self.report.questions[:NEXT_QUESTIONS]):
                asked += 1
                steps.append(
                    f'<li class="step"><p><span class="tag">Question</span> {_t(q.question)} '
                    f"Fill in {_t(q.fill_in)}.</p>"
                    f'<p class="who">Ask: <strong>{_t(q.ask)}</strong><span class="jump"> · '
                    f'<a href="#question-{i + 1}">why it is asked</a></span></p></li>'
                )
        for f in questions if not self.report.questions else ():
            if f.message in seen:
                continue
            if asked == NEXT_QUESTIONS:
                break
            seen.add(f.message)
            asked += 1
            steps.append(
                f'<li class="step"><p><span class="tag">Question</span> {_t(f.message)}</p>'
                f'<p class="who">Ask: {self.whom(f)}{self.jump(f, "why it is asked")}</p></li>'
            )
        if not steps:
            body = "<p>Nothing to clear before signing: no red flag and no open question.</p>"
        else:
            body = "<ol>" + "".join(steps) + "</ol>"
        more: list[str] = []
        rest_questions = (
            len(self.report.questions) - asked
            if self.report.questions
            else len({f.message for f in questions} - seen)
        )
        if rest_flags > 0:
            more.append(f'<a href="#red-flags">{_plural(rest_flags, "more red flag")}</a>')
        if rest_questions > 0:
            more.append(f'<a href="#open-questions">{_plural(rest_questions, "more question")}</a>')
        if more:
            body += f'<p class="more">And {" and ".join(more)} below.</p>'
        return (
            '<section aria-labelledby="next"><h2 id="next">What to do next</h2>'
            + body
            + "</section>"
        )

    def chart(self) -> str:
        return _chart(self.report.findings)

    def red_flags(self) -> str:
        flags = self.report.red_flags()
        if not flags:
            return (
                '<section aria-labelledby="red-flags"><h2 id="red-flags">Red flags</h2>'
                "<p>No red flag.</p></section>"
            )
        return (
            f'<section aria-labelledby="red-flags"><h2 id="red-flags">Red flags ({len(flags)})</h2>'
            + "".join(self.finding(f) for f in flags)
            + "</section>"
        )

    def strengths(self) -> str:
        items = [f for f in self.report.findings if f.kind == FindingKind.strength]
        if not items:
            return ""
        return (
            '<section aria-labelledby="strengths">'
            f'<h2 id="strengths">Strengths ({len(items)})</h2>'
            + "".join(self.finding(f) for f in items)
            + "</section>"
        )

    def finding(self, f: Finding, anchor: str | None = None) -> str:
        anchor = anchor or self.anchors.get(id(f), "")
        head = _badge(f.severity.value) + " " if f.kind == FindingKind.red_flag else ""
        out = [
            f'<article class="finding {f.kind.value}" id="{anchor}">',
            f"<h3>{head}{_t(f.title)}</h3>",
            f"<p>{_para(f.message)}</p>",
        ]
        if f.evidence:
            out.append(self.evidence(f))
        if f.why and f.kind != FindingKind.strength:  # a strength's page space goes to flags
            out.append(f"<p><strong>Why it matters:</strong> {_para(f.why)}</p>")
        if f.remedy:
            lead = "To keep it:" if f.kind == FindingKind.strength else "What to do:"
            out.append(f"<p><strong>{lead}</strong> {_para(f.remedy)}</p>")
        if f.advice:
            out.append(
                f'<p class="advice"><strong>What would clear it:</strong> {_t(f.advice)}</p>'
            )
        if f.severity_overridden_by:
            rule_sev = f.rule_severity.value if f.rule_severity else "otherwise"
            out.append(
                f'<p class="note">Severity {_t(f.severity.value)} set by the pack '
                f"{_t(f.severity_overridden_by)}; the rule says {_t(rule_sev)}.</p>"
            )
        out += [f'<p class="note">Note: {_para(n)}</p>' for n in f.notes]
        area = f.area.replace("-", " ")
        out.append(f'<p class="rule">Rule {_t(f.rule_id)} · {_t(area)}</p>')
        out.append("</article>")
        return "".join(out)

    def evidence(self, f: Finding) -> str:
        rows = []
        for e in f.evidence:
            where = f"<code>{_path(e.path)}</code>"
            if e.line is not None:
                where += f' <span class="line">line {e.line}</span>'
            if e.party is not None:
                where += f' <span class="party">({_t(self.name(e.party))})</span>'
            if e.value is None:
                value = '<em class="missing">not in the case file</em>'
            else:
                value = f'<span class="said">{_para(e.value)}</span>'
            rows.append(
                f'<tr><td data-label="Where">{where}</td>'
                f'<td data-label="The case file says">{value}</td></tr>'
            )
        return (
            '<h4>Evidence from the case file</h4><table class="evidence stack">'
            '<thead><tr><th scope="col">Where</th><th scope="col">The case file says</th>'
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )

    def questions(self) -> str:
        items = [f for f in self.report.findings if f.kind == FindingKind.open_question]
        if self.report.questions:
            return self.asked_once(items)
        if not items:
            return ""
        groups: dict[str, list[Finding]] = {}
        for f in items:
            ids = _finding_parties(f)
            key = ids[0] if len(ids) == 1 else ""
            groups.setdefault(key, []).append(f)
        order = [p.id for p in self.parties if p.id in groups]
        order += [k for k in groups if k and k not in order]
        if "" in groups:
            order.append("")
        out = [
            '<section aria-labelledby="open-questions">',
            f'<h2 id="open-questions">Open questions ({len(items)})</h2>',
            "<p>What the case file does not say yet, so no rule could judge it. "
            "Unknown is not false: each answer may clear a question or raise a flag.</p>",
        ]
        for key in order:
            if key:
                heading = f"Ask {_t(self.name(key))}"
            elif self.n_parties is not None and self.n_parties > 2:
                heading = "Ask all parties together"
            else:
                heading = "Ask both parties together"
            out.append(f'<h3>{heading}</h3><ul class="questions">')
            merged: dict[str, list[Finding]] = {}
            for f in groups[key]:
                merged.setdefault(f.message, []).append(f)
            for message, fs in merged.items():
                first = fs[0]
                rule_ids = ", ".join(_t(f.rule_id) for f in fs)
                anchors = "".join(f'<span id="{self.anchors[id(f)]}"></span>' for f in fs)
                fields = sorted({e.path for f in fs for e in f.evidence})
                where = ", ".join(f"<code>{_path(p)}</code>" for p in fields)
                detail = f"{_t(first.title)} ({rule_ids})"
                if where:
                    detail += f" · {where}"
                why = f'<p class="detail">{_para(first.why)}</p>' if first.why else ""
                out.append(
                    f'<li>{anchors}<p>{_para(message)}</p>{why}<p class="rule">{detail}</p></li>'
                )
            out.append("</ul>")
        out.append("</section>")
        return "".join(out)

    def asked_once(self, items: Sequence[Finding]) -> str:
        """The report's questions (one per missing field), grouped by whom to ask, each with
        what waits on its answer; every rule's open question keeps its anchor."""
        titles = {f.rule_id: f.title.removeprefix("Cannot judge yet: ") for f in items}
        placed: set[str] = set()
        groups: dict[str, list[tuple[int, Question]]] = {}
        for i, q in enumerate(self.report.questions, 1):
            groups.setdefault(q.ask, []).append((i, q))
        n = len(self.report.questions)
        out = [
            '<section aria-labelledby="open-questions">',
            f'<h2 id="open-questions">Open questions ({n})</h2>',
            "<p>What the case file does not say yet, so no rule could judge it, each asked "
            "once and the most decisive first. Unknown is not false: each answer may clear a "
            "question or raise a flag.</p>",
        ]
        for ask, numbered in groups.items():
            out.append(f'<h3>Ask {_t(ask)}</h3><ol class="questions">')
            for i, q in numbered:
                anchors = "".join(
                    f'<span id="{self.anchors[id(f)]}"></span>'
                    for f in items
                    if f.rule_id in q.rules and f.rule_id not in placed
                )
                placed.update(q.rules)
                where = ", ".join(f"<code>{_path(e.path)}</code>" for e in q.evidence)
                waiting = "; ".join(
                    f"{_t(rid)} {_t(titles[rid])}" if rid in titles else _t(rid) for rid in q.rules
                )
                out.append(
                    f'<li value="{i}" id="question-{i}">{anchors}'
                    f"<p>{_t(q.question)} Fill in {_t(q.fill_in)}.</p>"
                    f'<p class="detail">{_t(stake_words(q).capitalize())}: {waiting}.</p>'
                    f'<p class="rule">{where}</p></li>'
                )
            out.append("</ol>")
        out.append("</section>")
        return "".join(out)

    def compared(self, found: dict[str, list[Finding]]) -> str:
        """The report's answers side by side (1.5 on): each topic's answers, what the check
        found, and links to the findings that cite them."""
        topics = self.report.answers
        cols = "".join(f'<th scope="col">{_t(a.name)}</th>' for a in topics[0].answers)
        rows = []
        for t in topics:
            cells = "".join(
                f'<td data-label="{_t(a.name)}">'
                + (
                    _para(a.answer)
                    if a.answer is not None
                    else '<em class="missing">not answered</em>'
                )
                + "</td>"
                for a in t.answers
            )
            missing = [a.name for a in t.answers if a.answer is None]
            if t.found == AnswerFound.missing and len(missing) < len(t.answers):
                verdict = "Missing: ask " + _and(f"<strong>{_t(n)}</strong>" for n in missing)
            elif t.found == AnswerFound.missing:
                verdict = "Missing: nobody has answered yet"
            else:
                verdict = f'<strong class="found">{FOUND_WORDS[t.found].capitalize()}</strong>'
            notes = [verdict] + [
                f"{_KIND_LABEL.get(f.kind, 'Finding')}: {self.link(f, _t(f.title))}"
                for f in found.get(t.topic, [])
                if f.rule_id in t.rules
            ]
            rows.append(
                f'<tr><th scope="row">{_t(t.label)}</th>{cells}'
                f'<td data-label="What the check found">{"<br>".join(notes)}</td></tr>'
            )
        return (
            "<p>Each party answered these on its own; reading them side by side shows "
            "where they agree before anyone signs.</p>"
            '<table class="answers stack"><thead><tr><th scope="col">Topic</th>'
            + cols
            + '<th scope="col">What the check found</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
        )

    def talk(self) -> str:
        """The pack's conversation prompts: what no rule can judge, with whom to ask."""
        prompts = self.report.prompts
        if not prompts:
            return ""
        items = "".join(
            f'<li id="prompt-{_t(p.id)}"><p><strong>{_t(p.topic)}</strong>'
            f'<span class="rule"> · {_t(p.ask.label)}</span></p><p>{_para(p.text)}</p></li>'
            for p in prompts
        )
        return (
            '<section aria-labelledby="talk"><h2 id="talk">Talk it through</h2>'
            "<p>What no rule can judge from the case file: questions for the parties to talk "
            f'through before anyone signs.</p><ul class="questions">{items}</ul></section>'
        )

    def answers(self, have_case: bool) -> str:
        head = (
            '<section aria-labelledby="answers"><h2 id="answers">Each party in its own words</h2>'
        )
        found: dict[str, list[Finding]] = {}
        for f in self.report.findings:
            for e in f.evidence:
                m = _ANSWER_PATH.match(e.path)
                if m and f not in found.setdefault(m.group(2), []):
                    found[m.group(2)].append(f)
        if self.report.answers:
            return head + self.compared(found) + "</section>"
        if not have_case:
            return (
                head + "<p>The parties' own answers are not in this report; check the case "
                "file itself to see them side by side.</p></section>"
            )
        cols = "".join(f'<th scope="col">{_t(p.name)}</th>' for p in self.parties)
        rows = []
        for topic, label in TOPICS:
            cells = []
            missing: list[str] = []
            for p in self.parties:
                value = (p.answers or {}).get(topic)
                if value is None:
                    missing.append(p.name)
                    cells.append(
                        f'<td data-label="{_t(p.name)}"><em class="missing">not answered</em></td>'
                    )
                else:
                    cells.append(f'<td data-label="{_t(p.name)}">{_para(value)}</td>')
            notes = [
                f"{_KIND_LABEL.get(f.kind, 'Finding')}: {self.link(f, _t(f.title))}"
                for f in found.get(topic, [])
            ]
            if missing and len(missing) < len(self.parties):
                notes.append("Missing: ask " + _and(f"<strong>{_t(n)}</strong>" for n in missing))
            elif missing:
                notes.append("Missing: nobody has answered yet")
            elif not notes:
                notes.append("Answered by every party; no rule compared them")
            rows.append(
                f'<tr><th scope="row">{label}</th>{"".join(cells)}'
                f'<td data-label="What the check found">{"<br>".join(notes)}</td></tr>'
            )
        return (
            head + "<p>Each party answered these on its own; reading them side by side shows "
            "where they agree before anyone signs.</p>"
            '<table class="answers stack"><thead><tr><th scope="col">Topic</th>'
            + cols
            + '<th scope="col">What the check found</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table></section>"
        )

    def waivers(self) -> str:
        r = self.report
        out: list[str] = []
        if r.waived:
            out.append(
                '<section aria-labelledby="waived">'
                f'<h2 id="waived">Waived red flags ({len(r.waived)})</h2>'
                "<p>Accepted by the parties in writing; not counted toward the verdict.</p>"
            )
            for i, w in enumerate(r.waived):
                out.append(self.finding(w.finding, anchor=f"waived-{i + 1}"))
                out.append(f'<p class="note">{_waiver(w.waiver)}</p>')
            out.append("</section>")
        headings = (
            (WaiverStatus.refused, "Waivers not honoured: a critical red flag cannot be waived"),
            (WaiverStatus.expired, "Expired waivers: their flags count again"),
            (WaiverStatus.unused, "Unused waivers: their rule raised nothing"),
        )
        for status, heading in headings:
            items = [w for w in r.waivers if w.status == status]
            if items:
                out.append(
                    f"<section><h2>{heading} ({len(items)})</h2><ul>"
                    + "".join(
                        f"<li><strong>{_t(w.rule_id)}</strong>: {_waiver(w)}</li>" for w in items
                    )
                    + "</ul></section>"
                )
        return "".join(out)


def _waiver(w: Any) -> str:
    who = f", accepted by {_t(w.accepted_by)}" if w.accepted_by else ""
    until = f", expires {_t(w.expires)}" if w.expires else ""
    return f"Waiver at <code>{_t(w.where)}</code>{who}{until}: {_para(w.justification)}"


def _and(items: Iterable[str]) -> str:
    listed = list(items)
    if len(listed) <= 2:
        return " and ".join(listed)
    return ", ".join(listed[:-1]) + " and " + listed[-1]


def _badge(severity: str) -> str:
    return f'<span class="badge sev-{_t(severity)}">{_t(severity)}</span>'


# --------------------------------------------------------------------------- the chart


def _chart(findings: Sequence[Finding]) -> str:
    """Findings by area as an inline SVG: one stacked bar per area (red flags, rules not
    judged yet, strengths), with a text description for screen readers."""
    kinds = (FindingKind.red_flag, FindingKind.open_question, FindingKind.strength)
    counts: dict[str, dict[FindingKind, int]] = {}
    for f in findings:
        if f.kind in kinds:
            row = counts.setdefault(f.area, dict.fromkeys(kinds, 0))
            row[f.kind] += 1
    if not counts:
        return ""
    areas = sorted(counts, key=lambda a: (*(-counts[a][k] for k in kinds), a))
    most = max(sum(c.values()) for c in counts.values())
    width, bar_w, row_h, top = 320, 280, 34, 24
    height = top + row_h * len(areas)
    words = {
        FindingKind.red_flag: ("red flag", "red flags"),
        # A rule that cannot judge yet: the questions themselves are asked once per field.
        FindingKind.open_question: ("not judged yet", "not judged yet"),
        FindingKind.strength: ("strength", "strengths"),
    }
    desc = "; ".join(
        f"{a.replace('-', ' ')}: "
        + ", ".join(f"{counts[a][k]} {words[k][counts[a][k] != 1]}" for k in kinds)
        for a in areas
    )
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">',
        '<title id="chart-title">Findings by area</title>',
        f'<desc id="chart-desc">{_t(desc)}</desc>',
    ]
    x = 0
    for k in kinds:  # the legend
        parts.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{CHART_COLOURS[k.value]}"/>'
            f'<text x="{x + 14}" y="13" fill="{INK}">{words[k][1]}</text>'
        )
        x += 14 + 7 * len(words[k][1]) + 16
    for i, a in enumerate(areas):
        y = top + i * row_h
        total = sum(counts[a].values())
        parts.append(f'<text x="0" y="{y + 12}" fill="{INK}">{_t(a.replace("-", " "))}</text>')
        bx = 0.0
        for k in kinds:
            n = counts[a][k]
            if not n:
                continue
            w = bar_w * n / most
            parts.append(
                f'<rect x="{bx:.1f}" y="{y + 16}" width="{w:.1f}" height="12" '
                f'fill="{CHART_COLOURS[k.value]}"><title>{_t(a.replace("-", " "))}: '
                f"{n} {words[k][n != 1]}</title></rect>"
            )
            bx += w
        parts.append(f'<text x="{bx + 4:.1f}" y="{y + 27}" fill="{INK}">{total}</text>')
    parts.append("</svg>")
    return (
        '<section aria-labelledby="by-area"><h2 id="by-area">Findings by area</h2>'
        '<figure class="chart">' + "".join(parts) + "</figure></section>"
    )


# --------------------------------------------------------------------------- CSS


def _css() -> str:
    sev = "".join(
        f".sev-{name}{{color:{fg};background:{bg}}}" for name, (fg, bg) in SEVERITY_COLOURS.items()
    )
    return (
        ":root{color-scheme:light}"
        f"body{{margin:0;background:{PAPER};color:{INK};"
        "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
        "header,main,footer{max-width:52rem;margin:0 auto;padding:0 1rem}"
        "header{padding-top:1.5rem}"
        ".kicker{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;"
        f"color:{MUTED}}}"
        "h1{margin:.2rem 0 .4rem;font-size:1.8rem;line-height:1.2;overflow-wrap:anywhere}"
        "h2{font-size:1.35rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid #d0d7de}"
        "h3{font-size:1.08rem;margin:0 0 .4rem;overflow-wrap:anywhere}"
        f".meta,.rule,.who,.more,.detail,.note,.line,.party,footer{{color:{MUTED}}}"
        ".meta{margin:0;overflow-wrap:anywhere}.rule,.note,.detail{font-size:.9rem}"
        f"a{{color:{LINK}}}"
        "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;"
        f"background:#f6f8fa;color:{MUTED};padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}}"
        ".verdict{margin:1.2rem 0;padding:1rem 1.2rem;border-left:.45rem solid;border-radius:6px}"
        ".verdict h2{margin:0;border:0;font-size:1.6rem}"
        ".verdict .value{text-transform:uppercase;letter-spacing:.02em}"
        ".verdict .label{font-weight:400}"
        ".verdict .reason{margin:.4rem 0;font-size:1.05rem;white-space:pre-line}"
        ".verdict .counts,.verdict .coverage{margin:0;font-size:.95rem}"
        ".badge,.tag{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.78rem;"
        "font-weight:700;text-transform:uppercase;letter-spacing:.03em;vertical-align:.1em}"
        f".tag{{color:{MUTED};border:1px solid {MUTED}}}" + sev + "ol{padding-left:1.4rem}"
        ".step{margin:0 0 .8rem}.step p{margin:0}"
        ".finding{margin:0 0 1rem;padding:.8rem 1rem;border:1px solid #d0d7de;border-radius:6px;"
        "break-inside:avoid}"
        f".finding.red_flag{{border-left:.3rem solid {CHART_COLOURS['red_flag']}}}"
        f".finding.strength{{border-left:.3rem solid {CHART_COLOURS['strength']}}}"
        ".finding p{margin:.3rem 0;white-space:pre-line;overflow-wrap:anywhere}"
        "table{width:100%;border-collapse:collapse;margin:.5rem 0;font-size:.93rem}"
        "h4{font-size:.95rem;margin:.6rem 0 0}"
        ".evidence td:first-child,.evidence th:first-child{width:50%}"
        "th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #d0d7de;"
        "overflow-wrap:anywhere}"
        f"thead th{{background:#f6f8fa;color:{MUTED};font-weight:600}}"
        ".said{white-space:pre-line}.missing{color:" + MUTED + "}"
        ".questions{padding-left:1.2rem}.questions li{margin:0 0 .7rem}.questions p{margin:0}"
        ".chart svg{width:100%;max-width:26rem;height:auto}.chart{margin:0}"
        ".answers th[scope=row]{width:9rem}"
        "footer{margin-top:2.5rem;padding-bottom:2rem;font-size:.85rem;border-top:1px solid #d0d7de}"
        ".wide{max-width:72rem}thead th{overflow-wrap:normal}"
        ".index td{overflow-wrap:normal}.index td code{overflow-wrap:anywhere}"
        ".index td.verdict-cell{white-space:nowrap}"
        "@media (max-width:40rem){"
        "body{font-size:15px}h1{font-size:1.45rem}"
        "table.stack,table.stack thead,table.stack tbody,table.stack tr,table.stack th,"
        "table.stack td{display:block;width:auto}"
        "table.stack thead{position:absolute;left:-9999px}"
        "table.stack tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 .6rem;padding:.3rem .5rem}"
        "table.stack th,table.stack td{border:0;padding:.2rem 0}"
        "table.stack td::before{content:attr(data-label);display:block;font-size:.8rem;"
        f"font-weight:600;color:{MUTED}}}"
        ".answers th[scope=row]{width:auto;font-size:1.02rem}"
        ".index td.verdict-cell{white-space:normal}"
        "}"
        "@media print{"
        "body{font-size:11pt}header,main,footer{max-width:none;padding:0}"
        "a{color:inherit;text-decoration:none}"
        ".verdict,.badge,.finding{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
        "h2,h3{break-after:avoid}tr,li{break-inside:avoid}"
        ".jump{display:none}.chart svg{max-width:18rem}"
        "}"
    )


# --------------------------------------------------------------------------- batches


@runtime_checkable
class PageSink(Protocol):
    """Where a folder format puts the pages beside its index: ``write_page(name, text)``."""

    def write_page(self, name: str, text: str) -> None: ...


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class PageNames:
    """A distinct, safe file name for each case page: the input's stem, then ``-2``, ``-3``
    … for a stem already taken (names are compared without case; ``index`` is reserved)."""

    def __init__(self) -> None:
        self._taken = {"index"}

    def name_for(self, path: str | Path) -> str:
        stem = _SAFE_NAME.sub("-", path_text(Path(path).stem)).strip(".-")[:80] or "case"
        name, n = stem, 1
        while name.lower() in self._taken:
            n += 1
            name = f"{stem}-{n}"
        self._taken.add(name.lower())
        return name + ".html"


def index_head(total: int | None) -> str:
    """The start of a batch's ``index.html`` (``total``: the number of inputs, when known):
    then :func:`index_row` per input, then :func:`index_foot`."""
    heading = "Partnership checks" + (f": {_plural(total, 'case')}" if total else "")
    return _head(heading) + (
        f'<header class="wide"><p class="kicker">partnerfit</p><h1>{heading}</h1>'
        '<p class="meta">One page per case; open a case for its verdict, what to do next '
        'and its evidence.</p></header>\n<main class="wide">\n'
        '<table class="index stack"><thead><tr><th scope="col">Case</th>'
        '<th scope="col">Verdict</th><th scope="col">Red flags</th>'
        '<th scope="col">Open questions</th><th scope="col">Strengths</th>'
        '<th scope="col">Worst red flags</th></tr></thead><tbody>\n'
    )


def index_row(file: str, report: Report | None, page: str | None, error: str | None) -> str:
    """One row of the index: a case with its page, or a file that could not be checked."""
    shown_file = f'<span class="meta"><code>{_t(path_text(file))}</code></span>'
    if report is None:
        return (
            f'<tr><td data-label="Case">{shown_file}</td>'
            '<td data-label="Verdict" class="verdict-cell"><strong>not checked</strong></td>'
            f'<td data-label="Why" colspan="4">{_t(error or "")}</td></tr>'
        )
    title = _t(report.title or report.case_id)
    case = f'<a href="{html.escape(page or "", quote=True)}">{title}</a>' if page else title
    c = report.counts
    sev = ", ".join(
        f"{n} {s}"
        for s, n in (("critical", c.critical), ("high", c.high), ("medium", c.medium))
        if n
    )
    flags = str(c.red_flags) + (f" ({sev})" if sev else "")
    worst: list[str] = []
    for f in report.red_flags():
        if len(worst) == 3:
            break
        item = f"{_badge(f.severity.value)} {_t(f.title)}"
        if item not in worst:
            worst.append(item)
    fg, bg = VERDICT_COLOURS.get(report.verdict.value, OTHER_VERDICT)
    return (
        f'<tr><td data-label="Case">{case}<br>{shown_file}</td>'
        f'<td data-label="Verdict" class="verdict-cell"><span class="badge" '
        f'style="color:{fg};background:{bg}">{_t(report.verdict.label)}</span></td>'
        f'<td data-label="Red flags">{flags}</td>'
        f'<td data-label="Open questions">{c.open_questions}</td>'
        f'<td data-label="Strengths">{c.strengths}</td>'
        f'<td data-label="Worst red flags">{"<br>".join(worst) or "none"}</td></tr>'
    )


def index_foot(summary_line: str, top: Sequence[tuple[str, int, str]]) -> str:
    """The end of the index: the summary and the most frequent red flags (id, cases, title)."""
    out = ["</tbody></table>", f'<p class="counts"><strong>{_t(summary_line)}</strong></p>']
    if top:
        out.append("<h2>Most frequent red flags</h2><ul>")
        out += [
            f"<li><strong>{_t(rid)}</strong> {_t(title)}: {_plural(n, 'case')}</li>"
            for rid, n, title in top
        ]
        out.append("</ul>")
    out.append("</main>")
    out.append(f'<footer class="wide"><p>Made by partnerfit {_t(_version())}.</p></footer>')
    return "\n".join(out) + "\n" + _TAIL
