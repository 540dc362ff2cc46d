"""Small things every user meets: python -m, check from standard input, check -o and -q,
every batch format for one case, natural file order, one row per finding."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerfit.batch import discover, natural_key
from partnerfit.cli import ExitCode, main
from partnerfit.formats import BatchFormat, FolderFormat

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "licensing-outdoor-brand.yaml"  # reconsider: high red flags


def _run(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "partnerfit", "check", str(CASE), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == ExitCode.RED_FLAGS, done.stderr
    assert json.loads(done.stdout)["case_id"] == "licensing-outdoor-brand"
    usage = subprocess.run(
        [sys.executable, "-m", "partnerfit", "--help"], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 0
    assert usage.stdout.startswith("Usage: partnerfit [OPTIONS] COMMAND")


def test_check_dash_reads_the_case_from_standard_input() -> None:
    code, out, _ = _run("check", "-", "--format", "json", stdin=CASE.read_bytes())
    assert code == ExitCode.RED_FLAGS
    from_stdin = json.loads(out)
    code, out, _ = _run("check", str(CASE), "--format", "json")
    from_file = json.loads(out)
    assert from_stdin["file"] == "<stdin>"
    # The same report, lines included; only the file's name differs.
    assert {**from_stdin, "file": None} == {**from_file, "file": None}
    lines = [e["line"] for f in from_stdin["findings"] for e in f["evidence"]]
    assert lines == [e["line"] for f in from_file["findings"] for e in f["evidence"]]
    assert any(line is not None for line in lines)


def test_a_bad_case_on_standard_input_is_named_and_exit_2() -> None:
    code, out, err = _run("check", "-", stdin="id: x\nparties: [{id: a}]\n")
    assert code == ExitCode.ERROR
    assert out == ""
    assert err == (
        "partnerfit: error: <stdin>:2: parties[0].name: required field 'name' is missing\n"
    )
    code, _, err = _run("check", "-", stdin=b"id: caf\xe9\n")
    assert code == ExitCode.ERROR
    assert err == "partnerfit: error: <stdin>: is not UTF-8 text (byte 7)\n"
    code, _, err = _run("check", "-", stdin=b"#" * (1 << 20) + b"\n")
    assert code == ExitCode.ERROR
    assert err == "partnerfit: error: <stdin>: document is larger than 1,048,576 bytes\n"


def test_check_output_writes_the_report_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("an older report\n", encoding="utf-8")
    code, out, err = _run("check", str(CASE), "--format", "markdown", "-o", str(target))
    assert code == ExitCode.RED_FLAGS
    assert out == ""
    assert err == f"Verdict: reconsider. Report written to {target}\n"
    _, printed, _ = _run("check", str(CASE), "--format", "markdown")
    assert target.read_text(encoding="utf-8") == printed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # nothing left behind


def test_check_output_leaves_the_old_file_when_it_cannot_check(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("an older report\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    code, _, err = _run("check", str(bad), "-o", str(target))
    assert code == ExitCode.ERROR
    assert "parties" in err
    assert target.read_text(encoding="utf-8") == "an older report\n"
    folder = tmp_path / "folder"
    folder.mkdir()
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, _, err = _run("check", str(CASE), "-o", str(link))
    assert code == ExitCode.ERROR
    assert "is a symbolic link, not a regular file: refusing to replace it" in err
    assert target.read_text(encoding="utf-8") == "an older report\n"


def test_check_quiet_prints_nothing_and_keeps_the_exit_code(tmp_path: Path) -> None:
    assert _run("check", str(CASE), "-q") == (ExitCode.RED_FLAGS, "", "")
    assert _run("check", str(CASE), "-q", "--fail-on", "never") == (ExitCode.OK, "", "")
    target = tmp_path / "page.html"
    assert _run("check", str(CASE), "-q", "--format", "html", "-o", str(target)) == (
        ExitCode.RED_FLAGS,
        "",
        "",
    )
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _parses(fmt: str, text: str) -> None:
    """The output of one batch format for the one case, read back."""
    if fmt == "json":
        assert [r["status"] for r in json.loads(text)["results"]] == ["ok"]
    elif fmt == "jsonl":
        assert [json.loads(line)["status"] for line in text.splitlines()] == ["ok"]
    elif fmt == "csv":
        assert [r["case_id"] for r in csv.DictReader(io.StringIO(text))] == [
            "licensing-outdoor-brand"
        ]
    elif fmt == "sarif":
        assert json.loads(text)["runs"][0]["results"]
    elif fmt == "junit":
        assert ET.fromstring(text).attrib["tests"] == "1"
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert "Fjellvind x Carrow Textiles" in text
    else:
        assert "licensing-outdoor-brand" in text


@pytest.mark.parametrize("fmt", [f.value for f in (*BatchFormat, *FolderFormat)])
def test_every_batch_format_works_for_one_case(fmt: str, tmp_path: Path) -> None:
    """To standard output and to --output. An HTML batch of one case without --output
    prints the case's page, as check --format html does."""
    code, out, _ = _run("batch", str(CASE), "--format", fmt, "--jobs", "1", "-q")
    assert code == ExitCode.RED_FLAGS
    _parses(fmt, out)
    target = tmp_path / ("pages" if fmt == "html" else f"out.{fmt}")
    code, out, _ = _run("batch", str(CASE), "--format", fmt, "--jobs", "1", "-q", "-o", str(target))
    assert code == ExitCode.RED_FLAGS
    assert out == ""
    written = target / "licensing-outdoor-brand.html" if fmt == "html" else target
    _parses(fmt, written.read_text(encoding="utf-8"))


def test_an_html_batch_of_many_cases_needs_a_folder(tmp_path: Path) -> None:
    code, _, err = _run(
        "batch", str(CASE), str(ROOT / "cases" / "jv-battery-recycling.yaml"), "--format", "html"
    )
    assert code == ExitCode.ERROR
    assert "name a folder with --output" in err


def test_one_html_case_that_cannot_be_checked_prints_the_index(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    code, out, _ = _run("batch", str(bad), "--format", "html", "-q")
    assert code == ExitCode.ERROR
    assert out.startswith("<!DOCTYPE html>")
    assert "bad.yaml" in out


def test_files_are_checked_in_natural_order(tmp_path: Path) -> None:
    """deal-2 before deal-10, in folders and in globs."""
    names = ["deal-10.yaml", "deal-2.yaml", "deal-1.yaml", "deal-02.yaml", "Deal-3.yaml"]
    sub = tmp_path / "set-10"
    (tmp_path / "set-9").mkdir()
    sub.mkdir()
    for name in names:
        (tmp_path / name).write_text("", encoding="utf-8")
    (sub / "a.yaml").write_text("", encoding="utf-8")
    (tmp_path / "set-9" / "a.yaml").write_text("", encoding="utf-8")
    shown = [os.path.relpath(p, tmp_path) for p in discover([tmp_path])]
    assert shown == [
        "Deal-3.yaml",
        "deal-1.yaml",
        "deal-02.yaml",
        "deal-2.yaml",
        "deal-10.yaml",
        "set-9/a.yaml",
        "set-10/a.yaml",
    ]
    globbed = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path / "deal-*.yaml")])]
    assert globbed == ["deal-1.yaml", "deal-02.yaml", "deal-2.yaml", "deal-10.yaml"]
    assert sorted(["a10", "a9", "a09", "b", "a"], key=natural_key) == ["a", "a09", "a9", "a10", "b"]


def test_batch_per_finding(tmp_path: Path) -> None:
    folder = tmp_path / "deals"
    folder.mkdir()
    for name in ("licensing-outdoor-brand", "good-fit-scanners-and-service"):
        (folder / f"{name}.yaml").write_bytes((ROOT / "cases" / f"{name}.yaml").read_bytes())
    code, out, _ = _run("batch", str(folder), "--format", "csv", "--per-finding", "-q")
    assert code == ExitCode.RED_FLAGS
    rows = list(csv.DictReader(io.StringIO(out)))
    _, per_case, _ = _run("batch", str(folder), "--format", "csv", "-q")
    counts = {r["case_id"]: r for r in csv.DictReader(io.StringIO(per_case))}
    for case_id, row in counts.items():
        mine = [r for r in rows if r["case_id"] == case_id]
        kinds = [r["kind"] for r in mine]
        assert kinds.count("red_flag") == int(row["red_flags"])
        assert kinds.count("open_question") == int(row["open_questions"])
        assert kinds.count("strength") == int(row["strengths"])
        assert {r["verdict"] for r in mine} == {row["verdict"]}
    code, out, _ = _run("batch", str(folder), "--format", "jsonl", "--per-finding", "-q")
    assert [json.loads(line)["rule_id"] for line in out.splitlines()] == [
        r["rule_id"] for r in rows
    ]
    code, _, err = _run("batch", str(folder), "--format", "sarif", "--per-finding")
    assert code == ExitCode.ERROR
    assert err == "partnerfit: error: --per-finding works with --format csv or jsonl, not sarif\n"
