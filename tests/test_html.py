"""The HTML report: what the page shows and in what order, escaping, determinism, and
``check``/``batch --format html`` on the command line. (In a real browser:
tests/test_html_browser.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from htmldom import Element, parse
from partnerfit import evaluate, load_case, load_pack
from partnerfit.cli import ExitCode, main
from partnerfit.formats import Format, html, render
from partnerfit.report import (
    Counts,
    Coverage,
    Evidence,
    Finding,
    FindingKind,
    PackInfo,
    Report,
    Verdict,
)
from partnerfit.text import printable

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"

SCRIPT = "<script>alert(1)</script>"
IMG = 'Beta "Dental" <img src=x onerror=alert(3)>'
HOSTILE_CASE = f"""\
id: clinic-deal
title: "Two firms </title><script>alert(2)</script> & co"
alliance:
  term_years: 12
parties:
  - id: a
    name: "{SCRIPT}"
    competitors: [Gamma]
    offerings: [{{category: services, segments: [dental clinics]}}]
    answers:
      vision: "Every clinic books <b>online</b>"
      values: [care, "'single' & more"]
      horizon_years: 5
  - id: b
    name: 'Beta "Dental" <img src=x onerror=alert(3)>'
    competitors: [Gamma]
    offerings: [{{category: services, segments: [dental clinics]}}]
    answers:
      vision: Clinics run themselves
      mission: Less paperwork for dentists
"""


# --------------------------------------------------------------------------- a report by hand


def _finding(
    rule_id: str,
    kind: FindingKind,
    severity: str,
    title: str,
    message: str,
    evidence: list[tuple[str, str | None, str | None, int | None]],
    area: str,
    remedy: str | None = None,
    why: str | None = None,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        name=rule_id.lower(),
        kind=kind,
        severity=severity,  # type: ignore[arg-type]
        title=title,
        message=message,
        evidence=tuple(
            Evidence(path=p, value=v, party=party, line=ln) for p, v, party, ln in evidence
        ),
        area=area,
        remedy=remedy,
        why=why,
    )


RF, Q, S = FindingKind.red_flag, FindingKind.open_question, FindingKind.strength
FINDINGS = (
    _finding(
        "PF-X-001", RF, "critical", "Beta sells against Acme", "Beta AG names Acme GmbH as a rival.",
        [("parties[1].competitors[0]", "Acme GmbH", "b", 20)], "common-foe", "Settle the rivalry.",
        "Rivals do not share customers.",
    ),
    _finding(
        "PF-X-002", RF, "high", "A long term", "A term of 12 years.",
        [("alliance.term_years", "12", None, 4)], "horizon", "Agree a review after three years.",
    ),
    _finding(
        "PF-X-003", RF, "medium", "Horizons differ", "Acme plans 5 years, Beta 3.",
        [("parties[0].answers.horizon_years", "5", "a", 9), ("parties[1].answers.horizon_years", "3", "b", 18)],
        "alignment", "Agree one horizon.",
    ),
    _finding(
        "PF-X-004", RF, "low", "No references", "Acme gave no references.",
        [("parties[0].history.references", "none", "a", 11)], "history", "Ask for two references.",
    ),
    _finding(
        "PF-Q-001", Q, "info", "Cannot judge yet: who leads Acme", "Who leads Acme day to day?",
        [("parties[0].principals", None, "a", None)], "personal-agendas", why="People decide deals.",
    ),
    _finding(
        "PF-Q-002", Q, "info", "Cannot judge yet: no exit", "What happens when it ends?",
        [("governance.exit_terms", None, None, None)], "exit",
    ),
    _finding(
        "PF-Q-003", Q, "info", "Cannot judge yet: Acme's commitment", "Who leads Acme day to day?",
        [("parties[0].principals", None, "a", None)], "personal-agendas",
    ),
    _finding(
        "PF-S-001", S, "info", "The same vision", "Both describe one vision.",
        [("parties[0].answers.vision", "Clinics online", "a", 7), ("parties[1].answers.vision", "Online clinics", "b", 16)],
        "alignment", "Write the shared words down.", "Shared visions last.",
    ),
)  # fmt: skip

CASE = {
    "id": "deal",
    "title": "Acme x Beta",
    "parties": [
        {
            "id": "a",
            "name": "Acme GmbH",
            "answers": {"vision": "Clinics online", "mission": "Less paperwork", "values": ["care", "speed"], "horizon_years": 5},
        },
        {"id": "b", "name": "Beta AG", "answers": {"vision": "Online clinics", "horizon_years": 3}},
    ],
}  # fmt: skip


def _report(**changes: object) -> Report:
    fields: dict[str, object] = {
        "case_id": "deal",
        "title": "Acme x Beta",
        "file": "deals/acme.yaml",
        "pack": PackInfo(name="test-pack", version="1.2.3"),
        "verdict": Verdict.reconsider,
        "reason": "1 critical red flag: PF-X-001 (Beta sells against Acme)",
        "counts": Counts(
            red_flags=4, strengths=1, open_questions=3, critical=1, high=1, medium=1, low=1, info=0
        ),
        "findings": FINDINGS,
    }
    fields.update(changes)
    return Report(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def page() -> Element:
    return parse(html.render(_report(), load_case(CASE)))


def _texts(elements: list[Element]) -> list[str]:
    return [e.text() for e in elements]


def test_the_page_reads_verdict_first_then_what_to_do_then_the_details(page: Element) -> None:
    assert _texts(page.find_all("h2")) == [
        "Verdict: reconsider",
        "What to do next",
        "Findings by area",
        "Red flags (4)",
        "Strengths (1)",
        "Open questions (3)",
        "Each party in its own words",
    ]
    assert page.find("h1").text() == "Acme x Beta"
    assert page.find("title").text() == "Acme x Beta — reconsider"
    verdict = page.find("section", "verdict")
    assert verdict.find("p", "reason").text() == (
        "1 critical red flag: PF-X-001 (Beta sells against Acme)"
    )
    assert verdict.find("p", "counts").text() == (
        "4 red flags (1 critical, 1 high, 1 medium, 1 low) · 3 open questions · 1 strength"
    )
    assert page.find("p", "meta").text() == (
        "Case deal from deals/acme.yaml between Acme GmbH and Beta AG."
    )


def test_what_to_do_next_lists_the_worst_remedies_then_the_questions_and_whom_to_ask(
    page: Element,
) -> None:
    steps = page.find("section", None, **{"aria-labelledby": "next"})
    assert _texts(steps.find_all("li", "step")) == [
        "critical Beta sells against Acme. Settle the rivalry. "
        "Ask: Beta AG · the red flag and its evidence",
        "high A long term. Agree a review after three years. "
        "Ask: both parties · the red flag and its evidence",
        "medium Horizons differ. Agree one horizon. Ask: both parties · the red flag and its evidence",
        "Question Who leads Acme day to day? Ask: Acme GmbH · why it is asked",
        "Question What happens when it ends? Ask: both parties · why it is asked",
    ]
    assert steps.find("p", "more").text() == "And 1 more red flag below."
    # each step links to its finding, and the anchor exists
    hrefs = [a.attrs["href"] for a in steps.find_all("a")]
    ids = {e.attrs.get("id") for e in page.iter()}
    assert hrefs[:5] == ["#finding-1", "#finding-2", "#finding-3", "#finding-5", "#finding-6"]
    assert all(h is not None and h[1:] in ids for h in hrefs)


def test_red_flags_show_the_evidence_in_the_case_files_words(page: Element) -> None:
    flag = page.find("article", None, id="finding-1")
    assert flag.find("h3").text() == "critical Beta sells against Acme"
    rows = flag.find("table", "evidence").find("tbody").find_all("tr")
    assert _texts(rows) == ["parties[1].competitors[0] line 20 (Beta AG) Acme GmbH"]
    assert _texts(flag.find_all("p")) == [
        "Beta AG names Acme GmbH as a rival.",
        "Why it matters: Rivals do not share customers.",
        "What to do: Settle the rivalry.",
        "Rule PF-X-001 · common foe",
    ]
    horizon = page.find("article", None, id="finding-3")
    rows = horizon.find("table", "evidence").find("tbody").find_all("tr")
    assert _texts(rows) == [
        "parties[0].answers.horizon_years line 9 (Acme GmbH) 5",
        "parties[1].answers.horizon_years line 18 (Beta AG) 3",
    ]


def test_strengths_are_listed_without_the_why(page: Element) -> None:
    strength = page.find("article", "strength")
    assert _texts(strength.find_all("p")) == [
        "Both describe one vision.",
        "To keep it: Write the shared words down.",
        "Rule PF-S-001 · alignment",
    ]


def test_open_questions_are_grouped_by_party_and_asked_once(page: Element) -> None:
    section = page.find("section", None, **{"aria-labelledby": "open-questions"})
    assert _texts(section.find_all("h3")) == ["Ask Acme GmbH", "Ask both parties together"]
    lists = section.find_all("ul", "questions")
    assert _texts(lists[0].find_all("li")) == [
        "Who leads Acme day to day? People decide deals. "
        "Cannot judge yet: who leads Acme (PF-Q-001, PF-Q-003) · parties[0].principals"
    ]
    assert _texts(lists[1].find_all("li")) == [
        "What happens when it ends? Cannot judge yet: no exit (PF-Q-002) · governance.exit_terms"
    ]


def test_the_parties_answers_stand_side_by_side_with_what_the_check_found(page: Element) -> None:
    table = page.find("table", "answers")
    assert _texts(table.find("thead").find_all("th")) == [
        "Topic",
        "Acme GmbH",
        "Beta AG",
        "What the check found",
    ]
    assert _texts(table.find("tbody").find_all("tr")) == [
        "Vision Clinics online Online clinics Strength: The same vision",
        "Mission Less paperwork not answered Missing: ask Beta AG",
        "Values care, speed not answered Missing: ask Beta AG",
        "Positioning not answered not answered Missing: nobody has answered yet",
        "Three-year goal not answered not answered Missing: nobody has answered yet",
        "Horizon 5 years 3 years Red flag: Horizons differ",
        "Target customer not answered not answered Missing: nobody has answered yet",
    ]


def test_without_the_case_parties_are_named_by_id_and_answers_are_not_claimed() -> None:
    page = parse(html.render(_report(file=None)))
    steps = page.find("section", None, **{"aria-labelledby": "next"}).find_all("li", "step")
    assert steps[0].find("p", "who").text() == "Ask: b · the red flag and its evidence"
    section = page.find("section", None, **{"aria-labelledby": "answers"})
    assert section.text() == (
        "Each party in its own words The parties' own answers are not in this report; "
        "check the case file itself to see them side by side."
    )


def test_the_chart_shows_findings_by_area_with_a_text_equivalent(page: Element) -> None:
    svg = page.find("svg")
    assert svg.attrs["role"] == "img"
    assert svg.find("desc").text() == (
        "alignment: 1 red flag, 0 not judged yet, 1 strength; "
        "common foe: 1 red flag, 0 not judged yet, 0 strengths; "
        "history: 1 red flag, 0 not judged yet, 0 strengths; "
        "horizon: 1 red flag, 0 not judged yet, 0 strengths; "
        "personal agendas: 0 red flags, 2 not judged yet, 0 strengths; "
        "exit: 0 red flags, 1 not judged yet, 0 strengths"
    )
    bars = [r.find("title").text() for r in svg.find_all("rect") if r.children]
    assert bars[:3] == ["alignment: 1 red flag", "alignment: 1 strength", "common foe: 1 red flag"]


def test_the_verdict_says_how_much_of_the_case_is_answered() -> None:
    coverage = Coverage(asked=10, answered=7, ratio=0.7)
    verdict = parse(html.render(_report(coverage=coverage))).find("section", "verdict")
    assert verdict.find("p", "coverage").text() == (
        "The case answers 7 of the 10 questions the rule pack asks (70%)."
    )
    incomplete = _report(
        coverage=Coverage(asked=10, answered=2, ratio=0.2),
        verdict=Verdict.incomplete,
        reason="answered 2 of 10 questions the pack asks (20%)",
    )
    verdict = parse(html.render(incomplete)).find("section", "verdict")
    assert _texts(verdict.find_all("p")) == [
        "Answered 2 of 10 questions the pack asks (20%)",  # said once, as a sentence
        "4 red flags (1 critical, 1 high, 1 medium, 1 low) · 3 open questions · 1 strength",
    ]
    assert verdict.find("h2").text() == "Verdict: incomplete"


def test_no_findings_says_there_is_nothing_to_clear() -> None:
    empty = Counts(
        red_flags=0, strengths=0, open_questions=0, critical=0, high=0, medium=0, low=0, info=0
    )
    page = parse(html.render(_report(findings=(), counts=empty, verdict=Verdict.proceed)))
    steps = page.find("section", None, **{"aria-labelledby": "next"})
    assert steps.text() == (
        "What to do next Nothing to clear before signing: no red flag and no open question."
    )
    assert page.find_all("svg") == []


# --------------------------------------------------------------------------- escaping


def _hostile_page(tmp_path: Path) -> str:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE_CASE, encoding="utf-8")
    case = load_case(path)
    return html.render(evaluate(case, load_pack(CORE)), case)


def test_a_party_named_script_renders_as_text(tmp_path: Path) -> None:
    text = _hostile_page(tmp_path)
    page = parse(text)
    tags = {e.tag for e in page.iter()}
    assert tags.isdisjoint({"script", "img", "b"})
    handlers = [k for e in page.iter() for k in e.attrs if k.startswith("on")]
    assert handlers == []
    shown = page.find("body").text()
    assert f"Ask: {SCRIPT} and {IMG}" not in shown  # both parties: "both parties"
    assert f"between {SCRIPT} and {IMG}." in shown
    assert "Every clinic books <b>online</b>" in shown
    assert "'single' & more" in shown
    assert page.find("title").text() == (
        "Two firms </title><script>alert(2)</script> & co — proceed with conditions"
    )
    # attribute values (the phone layout's column labels) hold the names as text too
    labels = {e.attrs.get("data-label") for e in page.iter()}
    assert {SCRIPT, IMG} <= labels
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert re.search(r"<(script|img)", text, re.IGNORECASE) is None  # only as &lt;…&gt;


def test_control_and_bidi_characters_are_shown_as_visible_escapes() -> None:
    sneaky = "Acme\u202egnp.exe\x1b[31m"  # a saved report may hold anything
    page = html.render(_report(title=sneaky), load_case(CASE))
    assert "\u202e" not in page
    assert "\x1b" not in page
    assert parse(page).find("h1").text() == printable(sneaky)


# --------------------------------------------------------------------------- self-contained


def test_the_page_loads_nothing_from_anywhere(page: Element) -> None:
    meta = page.find("meta", None, **{"http-equiv": "Content-Security-Policy"})
    assert meta.attrs["content"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    for e in page.iter():
        for name in ("src", "href", "action", "srcset", "data", "poster"):
            value = e.attrs.get(name)
            assert value is None or value.startswith("#"), (e.tag, name, value)
        assert e.tag not in ("script", "link", "iframe", "object", "embed", "img")
    # the only URL is the SVG namespace, which is a name, not a request
    body = html.render(_report(), load_case(CASE))
    assert re.findall(r"\w+://[^\s\"'<>]*", body) == ["http://www.w3.org/2000/svg"]


def test_the_same_input_gives_byte_identical_output() -> None:
    report, case = _report(), load_case(CASE)
    first = html.render(report, case)
    assert html.render(Report.from_json(report.to_json()), load_case(CASE)) == first
    code = (
        "import sys; from partnerfit.formats import html; from partnerfit import load_case;"
        "from partnerfit.report import Report;"
        "r = Report.from_json(sys.stdin.read()); import json;"
        f"sys.stdout.write(html.render(r, load_case({CASE!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=report.to_json(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == first


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_meets_wcag_aa() -> None:
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0  # the formula itself
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the classic AA grey
    low = [(fg, bg, round(contrast(fg, bg), 2)) for fg, bg in html.TEXT_PAIRS]
    assert [x for x in low if x[2] < 4.5] == []
    charts = {k: round(contrast(c, html.PAPER), 2) for k, c in html.CHART_COLOURS.items()}
    assert [k for k, r in charts.items() if r < 3.0] == []  # graphics: 3:1 (WCAG 1.4.11)


def test_the_page_prints_and_reads_on_a_phone() -> None:
    css = html._css()
    assert "@media print{" in css
    assert "break-inside:avoid" in css
    assert "@media (max-width:40rem){" in css
    text = html.render(_report(), load_case(CASE))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert text.startswith('<!DOCTYPE html>\n<html lang="en">\n')


# --------------------------------------------------------------------------- page names


def test_page_names_are_distinct_safe_and_stable() -> None:
    names = html.PageNames()
    given = [
        "cases/deal.yaml",
        "other/deal.yaml",
        "other/DEAL.json",
        "index.yaml",
        "x/../we ird näme;rm -rf.yaml",
        os.fsdecode(b"bad\xff.yaml"),
        ".yaml",
        "x/---.yaml",
    ]
    assert [names.name_for(p) for p in given] == [
        "deal.html",
        "deal-2.html",
        "DEAL-3.html",
        "index-2.html",
        "we-ird-n-me-rm--rf.html",
        "bad-udcff.html",
        "yaml.html",
        "case.html",
    ]


# --------------------------------------------------------------------------- command line


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_check_format_html_reads_the_answers_from_the_case_file(tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE_CASE, encoding="utf-8")
    code, out, err = _cli("check", str(path), "--rules", str(CORE), "--format", "html")
    assert (code, err) == (ExitCode.RED_FLAGS, "")
    page = parse(out)
    assert page.find("h2").text() == "Verdict: proceed with conditions"
    rows = _texts(page.find("table", "answers").find("tbody").find_all("tr"))
    assert rows[0] == (
        "Vision Every clinic books <b>online</b> Clinics run themselves "
        "Answered by every party; no rule compared them"
    )
    assert out == render(evaluate(load_case(path), load_pack(CORE), advise=True), Format.html)


def test_check_format_html_names_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"deal\xff.yaml")
    (tmp_path / name).write_text(HOSTILE_CASE, encoding="utf-8")
    cli = "import sys; from partnerfit.cli import main; main(sys.argv[1:], prog_name='partnerfit')"
    done = subprocess.run(
        [sys.executable, "-c", cli, "check", name, "--rules", str(CORE), "--format", "html"],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (ExitCode.RED_FLAGS, b"")
    page = parse(done.stdout.decode("utf-8"))  # strict: valid UTF-8
    assert page.find("p", "meta").find_all("code")[1].text() == printable("deal\\udcff.yaml")


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "deal.yaml").write_text(HOSTILE_CASE, encoding="utf-8")
    (folder / "sub" / "deal.yaml").write_text(
        HOSTILE_CASE.replace("id: clinic-deal", "id: other-deal"), encoding="utf-8"
    )
    (folder / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    return folder


def test_batch_format_html_writes_a_page_per_case_and_an_index(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    out = tmp_path / "report"
    out.mkdir()
    (out / "keep.txt").write_text("mine\n", encoding="utf-8")
    args = ["batch", str(folder), "--rules", str(CORE), "--format", "html", "-o", str(out)]
    code, stdout, err = _cli(*args, "-j", "1")
    assert code == ExitCode.ERROR  # broken.yaml could not be checked; it still has its row
    assert stdout == ""
    verdicts = ", ".join(
        f"{2 if v == Verdict.proceed_with_conditions else 0} {v.label}" for v in Verdict
    )
    assert err == f"3 cases: {verdicts}, 1 error\n2 pages written; open {out}/index.html\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "deal-2.html",
        "deal.html",
        "index.html",
        "keep.txt",
    ]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine\n"
    index = parse((out / "index.html").read_text(encoding="utf-8"))
    rows = index.find("tbody").find_all("tr")
    assert [r.find("td").text() for r in rows] == [
        f"{folder}/broken.yaml",
        f"Two firms </title><script>alert(2)</script> & co {folder}/deal.yaml",
        f"Two firms </title><script>alert(2)</script> & co {folder}/sub/deal.yaml",
    ]
    assert rows[0].find_all("td")[1].text() == "not checked"
    assert [a.attrs["href"] for a in index.find_all("a")] == ["deal.html", "deal-2.html"]
    assert rows[1].find_all("td")[5].text() == (
        "high Same category to the same segment low A long term"
    )
    first = parse((out / "deal.html").read_text(encoding="utf-8"))
    assert "between <script>alert(1)</script> and" in first.find("p", "meta").text()
    second = parse((out / "deal-2.html").read_text(encoding="utf-8"))
    assert second.find("p", "meta").text().startswith("Case other-deal from ")
    # the same batch again, with two workers: the same bytes
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _cli(*args, "-j", "2")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_batch_format_html_needs_a_folder(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    base = ["batch", str(folder), "--rules", str(CORE), "--format", "html"]
    code, _, err = _cli(*base)
    assert (code, err) == (
        ExitCode.ERROR,
        "partnerfit: error: --format html writes one page per case and an index.html: "
        "name a folder with --output (a batch of one case prints its page)\n",
    )
    target = tmp_path / "file.html"
    target.write_text("keep\n", encoding="utf-8")
    code, _, err = _cli(*base, "-o", str(target))
    assert (code, err) == (
        ExitCode.ERROR,
        f"partnerfit: error: --output {target} is a file, not a folder: refusing to write there\n",
    )
    assert target.read_text(encoding="utf-8") == "keep\n"
    code, _, err = _cli(*base, "-o", str(tmp_path / "nope" / "out"))
    assert (code, err) == (
        ExitCode.ERROR,
        f"partnerfit: error: cannot write {tmp_path}/nope/out: "
        f"the folder {tmp_path}/nope does not exist\n",
    )


def test_a_single_file_format_refuses_a_folder_as_its_output(tmp_path: Path) -> None:
    folder = _inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = _cli(
        "batch", str(folder), "--rules", str(CORE), "--format", "json", "-o", str(out)
    )
    assert (code, err) == (
        ExitCode.ERROR,
        f"partnerfit: error: --output {out} is a folder, not a regular file: refusing to replace it\n",
    )
    assert list(out.iterdir()) == []


def test_an_interrupted_html_batch_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _inputs(tmp_path)
    out = tmp_path / "report"
    out.mkdir()
    (out / "deal.html").write_text("old page\n", encoding="utf-8")
    calls: list[str] = []

    def interrupted(report: Report, case: object = None) -> str:
        calls.append(report.case_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return "new page\n"

    monkeypatch.setattr(html, "render", interrupted)
    args = [
        "batch",
        str(folder),
        "--rules",
        str(CORE),
        "--format",
        "html",
        "-o",
        str(out),
        "-j",
        "1",
    ]
    code, _, err = _cli(*args)
    assert (code, err) == (130, "partnerfit: interrupted\n")
    assert calls == ["clinic-deal", "other-deal"]
    assert sorted(p.name for p in out.iterdir()) == ["deal.html"]  # no staging folder left
    assert (out / "deal.html").read_text(encoding="utf-8") == "old page\n"
