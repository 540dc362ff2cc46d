"""The JSON report is a contract: its schema is committed, versioned and deterministic."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from partnerfit import evaluate, load_case, load_pack
from partnerfit.cli import main
from partnerfit.report import REPORT_SCHEMA_VERSION, report_json_schema

DATA = Path(__file__).parent / "data"
SCHEMA_FILE = DATA / "report.schema.json"
HISTORY_FILE = DATA / "report-schema-history.json"

REGENERATE = (
    "The JSON Schema of reports changed. If that is intended, bump REPORT_SCHEMA_VERSION "
    "in src/partnerfit/report.py (minor for additive changes, major otherwise), then "
    "regenerate the committed copy:\n\n"
    "    partnerfit schema report > tests/data/report.schema.json\n\n"
    "and add the new version's structural hash to tests/data/report-schema-history.json "
    "(this test's failure prints it). Tools that read our reports depend on this layout."
)


def _structure(node: Any) -> Any:
    """The schema without prose (descriptions, titles) or its $id: what a parser relies on."""
    if isinstance(node, dict):
        return {
            k: _structure(v) for k, v in node.items() if k not in ("description", "title", "$id")
        }
    if isinstance(node, list):
        return [_structure(v) for v in node]
    return node


def _structural_hash(schema: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(_structure(schema), sort_keys=True).encode()).hexdigest()


def test_committed_schema_matches_the_code() -> None:
    printed = CliRunner().invoke(main, ["schema", "report"]).stdout
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert printed == committed, REGENERATE


def test_schema_version_is_bumped_when_the_structure_changes() -> None:
    history: dict[str, str] = json.loads(HISTORY_FILE.read_text(encoding="utf-8"))
    current = _structural_hash(report_json_schema())
    recorded = history.get(REPORT_SCHEMA_VERSION)
    assert recorded is not None, (
        f"REPORT_SCHEMA_VERSION {REPORT_SCHEMA_VERSION} is not in {HISTORY_FILE.name}; "
        f'add "{REPORT_SCHEMA_VERSION}": "{current}"'
    )
    assert recorded == current, (
        f"The report layout changed but REPORT_SCHEMA_VERSION is still "
        f"{REPORT_SCHEMA_VERSION}.\n{REGENERATE}\nNew structural hash: {current}"
    )
    assert list(history) == sorted(history, key=lambda v: tuple(map(int, v.split(".")))), (
        "versions in the history file are in ascending order"
    )
    assert len(set(history.values())) == len(history), "two versions with one layout"


def test_schema_id_carries_the_version() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$id"] == f"partnerfit/report/v{REPORT_SCHEMA_VERSION}"


CASE = {
    "id": "deal",
    "title": "Alpha and Beta",
    "parties": [
        {
            "id": "a",
            "name": "Alpha",
            "importance": "core",
            "offerings": [{"category": "services", "segments": ["clinics"]}],
            "history": {"past_partner_disputes": ["2019 arbitration"]},
        },
        {
            "id": "b",
            "name": "Beta",
            "offerings": [{"category": "services", "segments": ["clinics"]}],
        },
    ],
    "waivers": [
        {"rule": "PF-TST-001", "justification": "Carve-outs.", "expires": "2030-01-01"},
        {"rule": "PF-TST-004", "justification": "Unused."},
    ],
}


def test_reports_validate_against_the_committed_schema() -> None:
    import datetime as dt

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    pack = load_pack(DATA / "pack", DATA / "overlay")
    report = evaluate(load_case(CASE), pack, today=dt.date(2026, 6, 1))
    data = json.loads(report.to_json())
    jsonschema.validate(data, schema)
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert [w["status"] for w in data["waivers"]] == ["applied", "unused"]
    assert [f["rule_id"] for f in data["findings"]] == ["PF-TST-003", "PF-TST-010"]
    assert data["findings"][0]["severity_overridden_by"] == "api-overlay"


_DUMP = textwrap.dedent(
    """
    import datetime as dt, json, sys
    import partnerfit
    pack = partnerfit.load_pack(*sys.argv[1:3])
    case = partnerfit.load_case(json.loads(sys.argv[3]))
    sys.stdout.write(partnerfit.evaluate(case, pack, today=dt.date(2026, 6, 1)).to_json())
    """
)


def test_same_case_and_pack_give_byte_identical_json_across_processes(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _DUMP,
                str(DATA / "pack"),
                str(DATA / "overlay"),
                json.dumps(CASE),
            ],
            capture_output=True,
            check=True,
            env=env,
            timeout=120,
            cwd=tmp_path,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert b'"rule_id": "PF-TST-003"' in outputs[0]
