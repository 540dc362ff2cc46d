"""`partnerfit check` and `partnerfit schema`: output, exit codes, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from partnerfit import evaluate, load_case, load_pack
from partnerfit.cli import ExitCode, main
from partnerfit.formats import Format
from partnerfit.report import REPORT_SCHEMA_VERSION
from partnerfit.text import printable

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"

CONFLICT = """\
id: clinic-deal
title: Two service firms for the same clinics
alliance:
  term_years: 3
parties:
  - id: a
    name: Alpha Care
    competitors: [Gamma]
    offerings: [{category: services, segments: [dental clinics]}]
  - id: b
    name: Beta Dental
    competitors: [Gamma]
    offerings: [{category: services, segments: [dental clinics]}]
"""


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "deal.yaml"
    path.write_text(CONFLICT)
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_prints_findings_evidence_and_verdict(case_file: Path) -> None:
    code, out, _ = _run("check", str(case_file), "--rules", str(CORE))
    assert code == ExitCode.RED_FLAGS  # one high red flag, --fail-on high by default
    assert "Verdict   proceed with conditions: 1 high red flag: PF-TST-001" in out
    assert "Alpha Care and Beta Dental both sell services to dental clinics" in out
    assert "parties[0].offerings[0].segments[0] (line 9): 'dental clinics'" in out
    assert "PF-TST-004" in out  # the strength is reported too


def test_fail_on_sets_the_exit_code(case_file: Path) -> None:
    assert _run("check", str(case_file), "--rules", str(CORE), "--fail-on", "critical")[0] == 0
    assert _run("check", str(case_file), "--rules", str(CORE), "--fail-on", "never")[0] == 0
    assert _run("check", str(case_file), "--rules", str(CORE), "--fail-on", "low")[0] == 1


def test_json_output_is_the_report(case_file: Path) -> None:
    _, out, _ = _run("check", str(case_file), "--rules", str(CORE), "--format", "json")
    data = json.loads(out)
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert data["verdict"] == "proceed_with_conditions"
    flags = [(f["rule_id"], [e["path"] for e in f["evidence"]]) for f in data["findings"]]
    assert flags[0] == (
        "PF-TST-001",
        ["parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"],
    )
    _, schema_out, _ = _run("schema", "report")
    jsonschema.validate(data, json.loads(schema_out))


def test_markdown_output(case_file: Path) -> None:
    _, out, _ = _run("check", str(case_file), "--rules", str(CORE), "--format", "markdown")
    assert out.startswith("# Partnership check: Two service firms for the same clinics\n")
    assert "| `parties[0].offerings[0].segments[0]` | dental clinics | a |" in out


BAD_NAME = os.fsdecode(b"deal\xff.yaml")  # a file name that is not valid UTF-8
BAD_SHOWN = "deal\\udcff.yaml"  # the name in reports: the undecodable byte as an escape
CLI = "import sys; from partnerfit.cli import main; main(sys.argv[1:], prog_name='partnerfit')"


@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_check_names_a_file_whose_name_is_not_utf8_in_every_format(
    tmp_path: Path, fmt: str
) -> None:
    (tmp_path / BAD_NAME).write_text(CONFLICT, encoding="utf-8")
    args = ["check", BAD_NAME, "--rules", str(CORE), "--format", fmt]
    done = subprocess.run(
        [sys.executable, "-c", CLI, *args], cwd=tmp_path, capture_output=True, timeout=120
    )
    assert done.stderr == b""
    assert done.returncode == ExitCode.RED_FLAGS  # checked: one high red flag
    out = done.stdout.decode("utf-8")  # strict: valid UTF-8 throughout
    if fmt == Format.json:
        assert json.loads(out)["file"] == BAD_SHOWN
    elif fmt == Format.table:
        assert f"File      {printable(BAD_SHOWN)}\n" in out
    elif fmt == Format.html:
        assert f"from <code>{printable(BAD_SHOWN)}</code>" in out
    else:
        assert f" from `{printable(BAD_SHOWN)}`, checked with " in out


def test_a_case_read_from_a_file_whose_name_is_not_utf8_has_a_writable_report(
    tmp_path: Path,
) -> None:
    (tmp_path / BAD_NAME).write_text(CONFLICT, encoding="utf-8")
    case = load_case(tmp_path / BAD_NAME)
    assert case.source_file == f"{tmp_path}/{BAD_SHOWN}"
    report = evaluate(case, load_pack(CORE))
    assert json.loads(report.to_json())["file"] == f"{tmp_path}/{BAD_SHOWN}"
    (tmp_path / "déal.yaml").write_text(CONFLICT, encoding="utf-8")  # valid UTF-8: kept
    assert load_case(tmp_path / "déal.yaml").source_file == f"{tmp_path}/déal.yaml"


def test_a_broken_case_gives_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(CONFLICT.replace("    competitors: [Gamma]\n", "    competitor: [Gamma]\n", 1))
    code, out, err = _run("check", str(path))
    assert code == ExitCode.ERROR
    assert out == ""
    assert err == (
        f"partnerfit: error: {path}:8: parties[0].competitor: unknown field 'competitor'; "
        "did you mean 'competitors'? Expected one of: affiliates, answers, brands, competitors, "
        "contribution, executive_sponsor, expected_return, health, history, id, importance, "
        "keeps_selling, markets, name, offerings, principals, sells_third_party, stake, "
        "ways_of_working\n"
    )
    assert "Traceback" not in err


def test_a_missing_case_file_is_exit_2(tmp_path: Path) -> None:
    code, _, err = _run("check", str(tmp_path / "none.yaml"))
    assert code == ExitCode.ERROR
    assert err == f"partnerfit: error: {tmp_path / 'none.yaml'}: no such file\n"


def test_a_broken_pack_is_exit_2(tmp_path: Path, case_file: Path) -> None:
    (tmp_path / "pack.yaml").write_text("name: x\nversion: '1'\nextra: 1\n")
    code, _, err = _run("check", str(case_file), "--rules", str(tmp_path))
    assert code == ExitCode.ERROR
    assert err.startswith(f"partnerfit: error: {tmp_path / 'pack.yaml'}:3: extra: unknown field")


def test_bad_usage_is_exit_2(case_file: Path) -> None:
    assert _run("check", str(case_file), "--format", "pdf")[0] == ExitCode.ERROR
    assert _run("check")[0] == ExitCode.ERROR


def test_case_schema_validates_a_case_file() -> None:
    _, out, _ = _run("schema")
    schema = json.loads(out)
    assert schema["$id"] == "partnerfit/case/v1"
    jsonschema.validate(yaml.safe_load(CONFLICT), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "parties": [], "bogus": 1}, schema)


def test_facts_documents_the_vocabulary() -> None:
    _, out, _ = _run("facts")
    assert "## `offering`" in out
    assert "| `category` | text |" in out
    committed = (ROOT / "docs" / "facts.md").read_text()
    assert out == committed, "docs/facts.md is stale: run `partnerfit facts > docs/facts.md`"


def test_version() -> None:
    code, out, _ = _run("--version")
    assert code == 0
    assert out.startswith("partnerfit, version ")
