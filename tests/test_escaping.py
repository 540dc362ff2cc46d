"""No control, bidi or other invisible format character from a case, a pack, a saved report or
a file name reaches a terminal raw: every human-readable output shows it as a visible escape
(``partnerfit.text.printable``); machine formats keep the exact data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from partnerfit import Report, evaluate, load_case, load_pack
from partnerfit.batch import BatchItem
from partnerfit.cli import main
from partnerfit.diff import compare
from partnerfit.errors import CaseError, Location
from partnerfit.formats import markdown, render_batch, table
from partnerfit.text import printable

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)

CSI = "\x1b[31m"
"""Select Graphic Rendition: everything after it turns red."""
OSC = "\x1b]0;pwned\x07"
"""Operating System Command: sets the terminal's window title."""
RLO = "\u202e"
"""Right-to-left override: the rest of the line is shown reversed."""
LRI = "\u2066"
"""Left-to-right isolate."""
HOSTILE = f"{CSI}red{OSC}{RLO}gnp.exe{LRI}x"
BIDI = f"{RLO}gnp.exe{LRI}x\u2069\u200f\u061c"
"""What the case model lets through in a name: bidi controls are not control characters."""

BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})


def _joinable(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char)[0] in "LMS"


def unsafe_at(text: str, i: int, *, newlines: bool) -> bool:
    """Whether ``text[i]`` could act on a terminal (or hide itself) if printed raw."""
    char = text[i]
    if newlines and char == "\n":
        return False
    if char in BIDI_CONTROLS:
        return True
    if unicodedata.category(char) not in UNSAFE_CATEGORIES:
        return False
    # The one exception: a zero-width (non-)joiner inside a word of a script that needs it,
    # or inside an emoji sequence.
    joiner = char in "\u200c\u200d" and 0 < i < len(text) - 1
    return not (joiner and _joinable(text[i - 1]) and _joinable(text[i + 1]))


def raw_characters(text: str, *, newlines: bool = True) -> list[str]:
    """The characters of ``text`` that must never be printed raw (empty when clean)."""
    return [hex(ord(text[i])) for i in range(len(text)) if unsafe_at(text, i, newlines=newlines)]


def unescape(shown: str) -> str:
    """Inverse of :func:`printable`: proves that two different texts never look the same."""
    out: list[str] = []
    i = 0
    while i < len(shown):
        char = shown[i]
        following = shown[i + 1] if i + 1 < len(shown) else ""
        if char == "\\" and following in ("\\", "t", "n", "r"):
            out.append({"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}[following])
            i += 2
        elif char == "\\" and following in ("x", "u", "U"):
            digits = {"x": 2, "u": 4, "U": 8}[following]
            out.append(chr(int(shown[i + 2 : i + 2 + digits], 16)))
            i += 2 + digits
        else:
            out.append(char)
            i += 1
    return "".join(out)


# Text that is heavy in what printable() must handle: controls, bidi, joiners, backslashes and
# the letters of its escapes, next to accents, CJK and emoji; plus any code point at all.
TRICKY = st.sampled_from(
    list("\x00\x07\x1b\x7f\x85\x9b\t\n\r\x0b\u2028\u2029\xad\ufeff\u200b\u200c\u200d")
    + sorted(BIDI_CONTROLS)
    + list("\\xuUntr0123456789abcdef[];é日本😀\U0001f469\ufe0f\u0301 ")
    + ["\udcff", "\ud800", "\U000e0041", "\U0010ffff", "\ue000"]
)
ANY_TEXT = st.text(st.one_of(TRICKY, st.characters(exclude_categories=())), max_size=40)
PRINTABLE_TEXT = st.text(
    st.characters(exclude_categories=("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"), exclude_characters="\\")
    | st.sampled_from(list("é日本😀 \xa0\u3000")),
    max_size=40,
)


# --- the helper -------------------------------------------------------------------------------


@given(ANY_TEXT)
def test_printable_output_holds_no_control_bidi_or_format_character(text: str) -> None:
    shown = printable(text)
    assert raw_characters(shown, newlines=False) == []
    assert not BIDI_CONTROLS & set(shown)
    shown.encode("utf-8")  # no lone surrogate: a terminal can be sent every character


@given(ANY_TEXT)
def test_printable_multiline_keeps_only_line_feeds_and_tabs(text: str) -> None:
    shown = printable(text, multiline=True)
    assert raw_characters(shown.replace("\t", " ")) == []
    assert shown.count("\n") == text.count("\n")
    assert shown.count("\t") == text.count("\t")


@given(ANY_TEXT)
def test_printable_is_reversible(text: str) -> None:
    assert unescape(printable(text)) == text
    assert unescape(printable(text, multiline=True)) == text


@given(ANY_TEXT, ANY_TEXT)
def test_different_texts_look_different(a: str, b: str) -> None:
    if a != b:
        assert printable(a) != printable(b)


@given(PRINTABLE_TEXT)
def test_printable_text_is_left_as_it_is(text: str) -> None:
    assert printable(text) == text
    assert printable(text, multiline=True) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (CSI + "red", "\\x1b[31mred"),
        (OSC, "\\x1b]0;pwned\\x07"),
        (f"a{RLO}b{LRI}c\u2069", "a\\u202eb\\u2066c\\u2069"),
        ("\x7f\x9b\x00", "\\x7f\\x9b\\x00"),
        ("line\nbreak\tand\rreturn", "line\\nbreak\\tand\\rreturn"),
        ("\u2028\u2029\u200b\xad\ufeff", "\\u2028\\u2029\\u200b\\xad\\ufeff"),
        ("bad\udcffname", "bad\\udcffname"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("Café Zürich 日本 😀", "Café Zürich 日本 😀"),
        ("\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb"),  # an emoji sequence
        ("a\u200db", "a\\u200db"),  # a joiner between ASCII letters hides nothing useful
        ("C:\\deals\\acme", "C:\\deals\\acme"),  # a backslash that starts no escape stays single
        ("\\x1b", "\\\\x1b"),  # ... one that does is doubled: it is not an ESC
        ("\\" + CSI, "\\\\\\x1b[31m"),
        ("end\\", "end\\"),
        ("", ""),
    ],
)
def test_printable_examples(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_printable_multiline_example() -> None:
    assert printable(f"one\n\ttwo{CSI}\r\n", multiline=True) == "one\n\ttwo\\x1b[31m\\r\n"


# --- every renderer, with every string of a report hostile -------------------------------------

# Fields of a saved report that are not free text (enums, dates, the layout version).
_NOT_TEXT = {"kind", "severity", "rule_severity", "verdict", "status", "area", "schema_version"}
_NOT_TEXT |= {"expires", "evaluated_on", "found", "at_stake"}


def _poison(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, str) and key not in _NOT_TEXT:
        return value + HOSTILE + "\\u1234"
    return value


@pytest.fixture(scope="module")
def poisoned() -> tuple[Report, Report]:
    """A report with waivers of every kind, and the same with every text field hostile."""
    case = {
        "id": "deal",
        "title": "Two service firms",
        "parties": [
            {
                "id": "a",
                "name": "Alpha",
                "offerings": [{"category": "services", "segments": ["clinics"]}],
                "history": {"references": "refused", "past_partner_disputes": ["2019"]},
                "answers": {"vision": "Every clinic books online", "values": ["care"]},
            },
            {
                "id": "b",
                "name": "Beta",
                "offerings": [{"category": "services", "segments": ["clinics"]}],
                "answers": {"vision": "Clinics run themselves"},
            },
        ],
        "waivers": [
            {"rule": "PF-TST-001", "justification": "Accepted.", "accepted_by": "Board"},
            {"rule": "PF-TST-002", "justification": "Tried.", "accepted_by": "Board"},
            {"rule": "PF-TST-003", "justification": "Old.", "expires": "2026-01-01"},
        ],
    }
    pack = load_pack(DATA / "pack")
    report = evaluate(load_case(case), pack, today=TODAY)
    assert report.waived
    assert report.waivers
    assert report.findings
    assert report.answers  # the answers side by side are rendered, hostile labels too
    hostile = Report.model_validate(_poison(report.to_dict()))
    hostile = hostile.model_copy(update={"file": "/deals/" + HOSTILE + ".yaml"})
    return report, hostile


def _check_clean(text: str) -> None:
    assert raw_characters(text) == []
    assert "\\x1b[31m" in text
    assert "\\x1b]0;pwned\\x07" in text
    assert "\\u202e" in text
    assert "\\u2066" in text


def test_every_report_string_is_escaped_in_table_and_markdown(
    poisoned: tuple[Report, Report],
) -> None:
    clean, hostile = poisoned
    for text in (table.render(hostile), markdown.render(hostile)):
        _check_clean(text)
        assert "\\\\u1234" in text  # a backslash that could start an escape is doubled
    for text in (
        table.render_diff(compare(clean, hostile)),
        markdown.render_diff(compare(hostile, clean)),
    ):
        _check_clean(text)
    # The JSON keeps the exact data: its own syntax escapes it.
    assert Report.from_json(hostile.to_json()) == hostile


def test_every_batch_string_is_escaped_in_table_and_markdown(
    poisoned: tuple[Report, Report],
) -> None:
    _, hostile = poisoned
    pack = load_pack(DATA / "pack")
    error = CaseError(f"bad value {HOSTILE}", location=Location(file="x", line=3, field=HOSTILE))
    items = [
        BatchItem(index=0, path=Path("/deals/" + HOSTILE + ".yaml"), report=hostile),
        BatchItem(index=1, path=Path("/deals/" + HOSTILE + "\udcff.yaml"), error=error),
    ]
    for fmt in ("table", "markdown"):
        text = render_batch(items, fmt, pack=pack)
        _check_clean(text)
        assert "/deals/\\x1b[31mred\\x1b]0;pwned\\x07\\u202egnp.exe\\u2066x\\udcff.yaml" in text


@given(st.text(st.one_of(TRICKY, st.characters(exclude_categories=())), min_size=1, max_size=30))
def test_any_title_and_party_name_render_clean(text: str) -> None:
    report = _TEMPLATE.model_copy(update={"title": text, "case_id": text, "file": text})
    findings = tuple(
        f.model_copy(update={"title": text, "message": text, "name": text}) for f in report.findings
    )
    report = report.model_copy(update={"findings": findings})
    for rendered in (table.render(report), markdown.render(report)):
        assert raw_characters(rendered) == []
        rendered.encode("utf-8")


_TEMPLATE = evaluate(
    load_case(
        {
            "id": "t",
            "parties": [
                {
                    "id": "a",
                    "name": "Alpha",
                    "offerings": [{"category": "services", "segments": ["x"]}],
                },
                {
                    "id": "b",
                    "name": "Beta",
                    "offerings": [{"category": "services", "segments": ["x"]}],
                },
            ],
        }
    ),
    load_pack(DATA / "pack"),
)


# --- through the real command line -------------------------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    # color=True: click would otherwise strip some escape sequences itself when the output is
    # not a terminal, which would hide a raw one from the test.
    result = CliRunner().invoke(main, list(args), color=True)
    return result.exit_code, result.stdout, result.stderr


def _case_yaml(title: str, party: str) -> str:
    # JSON strings are YAML double-quoted scalars: every character survives as written.
    return (
        f"id: hostile\ntitle: {json.dumps(title)}\nparties:\n"
        f"  - id: a\n    name: {json.dumps(party)}\n"
        "    offerings: [{category: services, segments: [clinics]}]\n"
        "  - id: b\n    name: Beta\n"
        "    offerings: [{category: services, segments: [clinics]}]\n"
    )


@pytest.fixture
def hostile_files(tmp_path: Path) -> Path:
    """A folder: a case whose file name, title and party name carry bidi controls, and one whose
    title and party name also carry terminal escapes (refused by the case model)."""
    folder = tmp_path / "deals"
    folder.mkdir()
    (folder / f"a{CSI}{RLO}.yaml").write_text(_case_yaml("Deal " + BIDI, "Alpha " + BIDI))
    (folder / f"b{OSC}.yaml").write_text(_case_yaml("Deal " + HOSTILE, "Alpha " + HOSTILE))
    return folder


def test_check_table_and_markdown_escape_file_title_and_party(hostile_files: Path) -> None:
    path = hostile_files / f"a{CSI}{RLO}.yaml"
    for fmt in ("table", "markdown"):
        code, out, err = _run("check", str(path), "--rules", str(DATA / "pack"), "--format", fmt)
        assert code == 1, err  # PF-TST-001: both sell services to clinics
        assert raw_characters(out) == []
        assert "a\\x1b[31m\\u202e.yaml" in out
        assert "Deal \\u202egnp.exe\\u2066x\\u2069\\u200f\\u061c" in out
        assert "Alpha \\u202egnp.exe\\u2066x\\u2069\\u200f\\u061c and Beta" in out
    # JSON is data, not display: it keeps every character exactly.
    _, out, _ = _run("check", str(path), "--rules", str(DATA / "pack"), "--format", "json")
    data = json.loads(out)
    assert data["title"] == "Deal " + BIDI
    assert data["file"] == str(path)
    assert data["findings"][0]["message"].startswith("Alpha " + BIDI + " and Beta")


def test_the_error_line_escapes_file_names_and_values(hostile_files: Path) -> None:
    path = hostile_files / f"b{OSC}.yaml"
    code, out, err = _run("check", str(path), "--rules", str(DATA / "pack"))
    assert code == 2
    assert out == ""
    # Every problem of the file on a line of its own; no raw control character in any.
    lines = err.splitlines()
    assert raw_characters(err, newlines=False) == [hex(ord("\n"))] * len(lines)
    assert (
        lines[0]
        == f"partnerfit: error: {hostile_files}/b\\x1b]0;pwned\\x07.yaml: {len(lines) - 1} problems:"
    )
    assert lines[1].startswith(f"  {hostile_files}/b\\x1b]0;pwned\\x07.yaml:2: title:")
    assert "x1b[31mred" in lines[1]


def test_batch_table_and_markdown_escape_every_row(hostile_files: Path) -> None:
    for fmt in ("table", "markdown"):
        code, out, err = _run(
            "batch", str(hostile_files), "--rules", str(DATA / "pack"), "--format", fmt
        )
        assert code == 2, err  # one file could not be checked
        assert raw_characters(out) == []
        assert raw_characters(err) == []
        assert "a\\x1b[31m\\u202e.yaml" in out
        assert "b\\x1b]0;pwned\\x07.yaml" in out
        assert "x1b[31mred" in out  # the refused title, in the error row


def _hostile_pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    shutil.copytree(DATA / "pack", folder)
    rules_file = folder / "rules.yaml"
    doc = yaml.safe_load(rules_file.read_text())
    rule = doc["rules"][0]
    rule["title"] = "Same offering " + HOSTILE
    rule["message"] = HOSTILE + " " + rule["message"]
    rule["why"] = "Because " + HOSTILE
    rule["remedy"] = "Agree " + HOSTILE
    rule["examples"][0]["name"] = "both " + HOSTILE
    rule["examples"][0]["case"]["parties"][0]["name"] = "Alpha " + BIDI
    rules_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def test_rules_explain_list_and_test_escape_pack_text(tmp_path: Path) -> None:
    pack = _hostile_pack(tmp_path)
    code, out, err = _run("explain", "PF-TST-001", "--rules", str(pack))
    assert code == 0, err
    _check_clean(out)
    assert "Same offering \\x1b[31mred\\x1b]0;pwned\\x07\\u202egnp.exe\\u2066x" in out
    assert "fires:     both \\x1b[31mred" in out
    code, out, err = _run("rules", "list", "--rules", str(pack))
    assert code == 0, err
    assert raw_characters(out) == []
    code, out, err = _run("rules", "test", "-v", str(pack))
    assert code == 0, err
    _check_clean(out)
    # A finding's title and message come from the pack too.
    case = tmp_path / "deal.yaml"
    case.write_text(_case_yaml("Deal", "Alpha"))
    for fmt in ("table", "markdown"):
        code, out, err = _run("check", str(case), "--rules", str(pack), "--format", fmt)
        assert code == 1, err
        _check_clean(out)


def test_diff_table_and_markdown_escape_saved_reports(
    tmp_path: Path, poisoned: tuple[Report, Report]
) -> None:
    clean, hostile = poisoned
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(clean.to_json())
    new.write_text(hostile.to_json())
    for fmt in ("table", "markdown"):
        code, out, err = _run("diff", str(old), str(new), "--format", fmt, "--fail-on", "never")
        assert code == 0, err
        _check_clean(out)
    code, out, _ = _run("diff", str(old), str(new), "--format", "json", "--fail-on", "never")
    assert json.loads(out)["new_case"] == hostile.case_id  # exact in JSON


def test_diff_error_line_escapes_a_saved_reports_values(tmp_path: Path) -> None:
    saved = tmp_path / f"r{RLO}.json"
    saved.write_text(json.dumps({"schema_version": HOSTILE}))
    code, _, err = _run("diff", str(saved), str(saved))
    assert code == 2
    assert raw_characters(err, newlines=False) == [hex(ord("\n"))]
    assert err.startswith(f"partnerfit: error: {tmp_path}/r\\u202e.json: schema_version: ")
