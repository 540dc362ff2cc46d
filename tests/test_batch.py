"""Batch screening: one result per input, in order, whatever the number of workers."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partnerfit.batch as batch_mod
from partnerfit import CaseError, EngineError, PackError, Report, load_case
from partnerfit.batch import (
    CRASH_MESSAGE,
    BatchItem,
    Summary,
    discover,
    evaluate_many,
    run_batch,
)
from partnerfit.cli import main
from partnerfit.formats import BatchFormat, batch_writer
from partnerfit.pack import RulePack, load_pack

# A small pack of our own, so that exact findings do not move when the default pack grows.
PACK_YAML = """\
name: batch-test
version: 1.0.0
"""
RULES_YAML = """\
rules:
  - id: PF-TBA-001
    name: same-offering-same-segment
    area: business-model
    kind: red_flag
    severity: high
    title: Same category to the same segment
    when:
      - fact: offering
        as: a
      - fact: offering
        as: b
        where:
          party: {gt: {ref: a.party}}
          category: {ref: a.category}
          segment: {ref: a.segment}
    message: "{a.party_name} and {b.party_name} both sell {a.category} to {a.segment_name}"
    why: Conflict is built in.
    source: The handbook.
    remedy: Agree carve-outs.
    requires: [party.offerings]
    question: What does each party sell?

  - id: PF-TBA-002
    name: long-term
    area: horizon
    kind: red_flag
    severity: low
    title: A long term
    when:
      - fact: alliance
        where: {term_years: {gte: 10}}
    message: "a term of {alliance.term_years} years"

  - id: PF-TBA-003
    name: short-term
    area: horizon
    kind: strength
    title: A short first term
    when:
      - fact: alliance
        where: {term_years: {lt: 5}}
    message: "a first term of {alliance.term_years} years"
"""


def case_yaml(case_id: str, *, clash: bool = False, term: int = 3, offerings: bool = True) -> str:
    """A valid case: ``clash`` makes both parties sell services to clinics (a high red flag)."""
    seg_b = "clinics" if clash else "farms"
    off_a = "    offerings: [{category: services, segments: [clinics]}]\n" if offerings else ""
    off_b = f"    offerings: [{{category: services, segments: [{seg_b}]}}]\n" if offerings else ""
    return (
        f"id: {case_id}\n"
        f"alliance:\n  term_years: {term}\n"
        "parties:\n"
        "  - id: a\n    name: Alpha\n" + off_a + "  - id: b\n    name: Beta\n" + off_b
    )


BROKEN: dict[str, bytes] = {
    "bad-yaml.yaml": b"id: x\nparties: [\n  - {id: a\n",
    "unknown-field.yaml": b"id: x\nparties:\n  - {id: a, name: A, competiters: []}\n  - {id: b, name: B}\n",
    "wrong-type.yaml": b"id: x\nparties:\n  - {id: a, name: A, competitors: 7}\n  - {id: b, name: B}\n",
    "empty.yaml": b"",
    "latin1.yaml": "id: caf\xe9\n".encode("latin-1"),
}

# file → (kind, line, field, message) of its error row.
BROKEN_ROWS: dict[str, tuple[str, int | None, str | None, str]] = {
    "bad-yaml.yaml": (
        "CaseError",
        3,
        None,
        "not valid YAML/JSON: expected the node content, but found '-'",
    ),
    "unknown-field.yaml": (
        "CaseError",
        3,
        "parties[0].competiters",
        "unknown field 'competiters'; did you mean 'competitors'? Expected one of: affiliates, "
        "answers, brands, competitors, contribution, executive_sponsor, expected_return, health, "
        "history, id, importance, keeps_selling, markets, name, offerings, principals, "
        "sells_third_party, stake, ways_of_working",
    ),
    "wrong-type.yaml": (
        "CaseError",
        3,
        "parties[0].competitors",
        "expected a list of items (in YAML: [first, second]); got 7",
    ),
    "empty.yaml": ("CaseError", 1, None, "document is empty"),
    "latin1.yaml": ("CaseError", None, None, "is not UTF-8 text (byte 7)"),
    "x.yaml": ("CaseError", None, None, "is a folder, expected a YAML or JSON file"),
}


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pack")
    (folder / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "rules.yaml").write_text(RULES_YAML, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def test_pack(pack_dir: Path) -> RulePack:
    return load_pack(pack_dir)


def make_folder(root: Path) -> Path:
    """Three valid cases and every kind of broken file, in nested folders."""
    folder = root / "cases"
    (folder / "sub").mkdir(parents=True)
    (folder / "a-clash.yaml").write_text(case_yaml("clash", clash=True), encoding="utf-8")
    (folder / "sub" / "b-fine.yml").write_text(case_yaml("fine", term=12), encoding="utf-8")
    (folder / "sub" / "c-unknown.json").write_text(
        json.dumps(
            {"id": "unknown", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]}
        ),
        encoding="utf-8",
    )
    for name, data in BROKEN.items():
        (folder / name).write_bytes(data)
    (folder / "x.yaml").mkdir()
    (folder / "notes.txt").write_text("not a case", encoding="utf-8")
    (folder / ".hidden.yaml").write_text("ignored", encoding="utf-8")
    return folder


EXPECTED_FILES = [
    "a-clash.yaml",
    "bad-yaml.yaml",
    "empty.yaml",
    "latin1.yaml",
    "sub/b-fine.yml",
    "sub/c-unknown.json",
    "unknown-field.yaml",
    "wrong-type.yaml",
    "x.yaml",
]


def run_cli(args: list[str], pack_dir: Path) -> Any:
    return CliRunner().invoke(main, ["batch", *args, "--rules", str(pack_dir)])


# --------------------------------------------------------------------------- discovery


def test_discover_walks_folders_sorted_and_keeps_what_does_not_exist(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    listed = [
        Path(p)
        for p in discover([folder, folder / "a-clash.yaml", tmp_path / "nope.yaml", "zz/*.yaml"])
    ]
    rel = [p.relative_to(folder).as_posix() if p.is_relative_to(folder) else str(p) for p in listed]
    assert rel == [*EXPECTED_FILES, str(tmp_path / "nope.yaml"), "zz/*.yaml"]


def test_discover_expands_globs(tmp_path: Path) -> None:
    folder = make_folder(tmp_path)
    listed = discover([str(folder / "**" / "*-*.y*ml")])
    assert all(isinstance(p, str) for p in listed)
    names = [Path(p).relative_to(folder).as_posix() for p in listed]
    assert names == [
        "a-clash.yaml",
        "bad-yaml.yaml",
        "sub/b-fine.yml",
        "unknown-field.yaml",
        "wrong-type.yaml",
    ]


# --------------------------------------------------------------------------- library


def test_run_batch_gives_one_item_per_input_in_order(tmp_path: Path, pack_dir: Path) -> None:
    folder = make_folder(tmp_path)
    files = discover([folder])
    items = list(run_batch(files, [pack_dir], jobs=2, chunksize=2))
    assert [i.index for i in items] == list(range(len(files)))
    assert [i.path for i in items] == [Path(f) for f in files]
    for item in items:
        name = item.path.relative_to(folder).as_posix()
        if name in BROKEN_ROWS:
            assert item.report is None
            assert item.error is not None
            kind, line, field, message = BROKEN_ROWS[name]
            assert (type(item.error).__name__, item.error.location.line) == (kind, line)
            assert (item.error.location.field, item.error.message) == (field, message)
            assert item.error.location.file == str(item.path)
        else:
            assert item.error is None
            assert item.report is not None
    reports = {i.path.name: i.report for i in items if i.report is not None}
    clash = reports["a-clash.yaml"]
    assert [(f.rule_id, tuple(e.path for e in f.evidence)) for f in clash.red_flags()] == [
        (
            "PF-TBA-001",
            ("parties[0].offerings[0].segments[0]", "parties[1].offerings[0].segments[0]"),
        )
    ]
    assert clash.file == str(folder / "a-clash.yaml")
    fine = reports["b-fine.yml"]
    assert [(f.rule_id, f.kind.value) for f in fine.findings] == [("PF-TBA-002", "red_flag")]
    unknown = reports["c-unknown.json"]
    assert [(f.rule_id, f.kind.value) for f in unknown.findings] == [
        ("PF-TBA-001", "open_question")
    ]


def test_run_batch_is_lazy(tmp_path: Path, pack_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(5):
        (tmp_path / f"{n}.yaml").write_text(case_yaml(f"c{n}"), encoding="utf-8")
    log = tmp_path / "calls.log"
    real = batch_mod.evaluate_case

    def counting(case: Any, pack: RulePack, today: date | None = None) -> Report:
        # Checked in a worker process: the log is a file, not a list of this process.
        with log.open("a", encoding="utf-8") as out:
            out.write(case.id + "\n")
        return real(case, pack, today=today)

    monkeypatch.setattr(batch_mod, "evaluate_case", counting)
    items = run_batch(discover([tmp_path]), [pack_dir], jobs=1, chunksize=1)
    assert not log.exists()
    assert multiprocessing.active_children() == []
    first = next(items)
    assert first.index == 0
    assert log.read_text(encoding="utf-8").splitlines()[0] == "c0"
    items.close()
    assert multiprocessing.active_children() == []


def test_a_crashed_worker_is_that_files_error(
    tmp_path: Path, pack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(12):
        name = "crash" if n == 5 else f"c{n}"
        (tmp_path / f"{n:02d}.yaml").write_text(case_yaml(name), encoding="utf-8")
    real = batch_mod.evaluate_case

    def crashing(case: Any, pack: RulePack, today: date | None = None) -> Report:
        if case.id == "crash":
            os._exit(3)  # as a segfault in the C core would: no exception, no cleanup
        return real(case, pack)

    # Workers are forked, so they inherit the patched function.
    monkeypatch.setattr(batch_mod, "evaluate_case", crashing)
    for jobs in (1, 2):
        items = list(run_batch(discover([tmp_path]), [pack_dir], jobs=jobs, chunksize=2))
        assert [i.index for i in items] == list(range(12))
        errors = [(i.index, type(i.error).__name__, str(i.error)) for i in items if i.error]
        message = f"{CRASH_MESSAGE} (exit code 3)"
        assert errors == [(5, "EngineError", f"{tmp_path / '05.yaml'}: {message}")]
        assert [i.report.case_id for i in items if i.report] == [
            f"c{n}" for n in range(12) if n != 5
        ]


def test_an_unexpected_exception_is_that_files_error(
    tmp_path: Path, pack_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text(case_yaml("boom"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(case_yaml("fine"), encoding="utf-8")
    real = batch_mod.evaluate_case

    def failing(case: Any, pack: RulePack, today: date | None = None) -> Report:
        if case.id == "boom":
            raise ZeroDivisionError("division by zero")
        return real(case, pack)

    monkeypatch.setattr(batch_mod, "evaluate_case", failing)
    for jobs in (1, 2):
        items = list(run_batch(discover([tmp_path]), [pack_dir], jobs=jobs))
        assert isinstance(items[0].error, EngineError)
        assert items[0].error.message == "unexpected ZeroDivisionError: division by zero"
        assert items[1].report is not None
        assert items[1].report.case_id == "fine"


def test_evaluate_many_takes_every_kind_of_source_in_order(tmp_path: Path, pack_dir: Path) -> None:
    path = tmp_path / "clash.yaml"
    path.write_text(case_yaml("from-path", clash=True), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_bytes(BROKEN["wrong-type.yaml"])
    sources: list[Any] = [
        load_case(path),
        path,
        str(path),
        case_yaml("from-text", term=20),
        {"id": "from-map", "parties": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]},
        broken,
        "id: [unclosed\n",
    ]
    by_jobs = {jobs: list(evaluate_many(iter(sources), [pack_dir], jobs=jobs)) for jobs in (1, 2)}
    shown = {
        jobs: [r.to_json() if isinstance(r, Report) else f"{type(r).__name__}: {r}" for r in out]
        for jobs, out in by_jobs.items()
    }
    assert shown[1] == shown[2]
    out = by_jobs[1]
    assert [r.case_id for r in out[:5] if isinstance(r, Report)] == [
        "from-path",
        "from-path",
        "from-path",
        "from-text",
        "from-map",
    ]
    # A Case keeps its file and line marks across the process boundary.
    first = by_jobs[2][0]
    assert isinstance(first, Report)
    assert first.file == str(path)
    assert [e.line for e in first.findings[0].evidence] == [7, 10]
    assert isinstance(out[5], CaseError)
    assert str(out[5]) == (
        f"{broken}:3: parties[0].competitors: expected a list of items (in YAML: [first, second]); got 7"
    )
    assert isinstance(out[6], CaseError)
    assert out[6].location.line == 2


def test_summary_line() -> None:
    summary = Summary()
    assert (
        summary.line()
        == "0 cases: 0 proceed, 0 proceed with conditions, 0 reconsider, 0 incomplete, 0 errors"
    )
    summary.add(BatchItem(index=0, path=Path("x"), error=CaseError("bad")))
    assert (
        summary.line()
        == "1 case: 0 proceed, 0 proceed with conditions, 0 reconsider, 0 incomplete, 1 error"
    )


# --------------------------------------------------------------------------- CLI


def test_cli_one_row_per_file_summary_and_exit_code(tmp_path: Path, pack_dir: Path) -> None:
    folder = make_folder(tmp_path)
    result = run_cli([str(folder), "--format", "jsonl", "--jobs", "2"], pack_dir)
    assert result.exit_code == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["file"] for r in rows] == [str(folder / f) for f in EXPECTED_FILES]
    assert [r["index"] for r in rows] == list(range(len(EXPECTED_FILES)))
    for row, name in zip(rows, EXPECTED_FILES, strict=True):
        if name in BROKEN_ROWS:
            kind, line, field, message = BROKEN_ROWS[name]
            assert row["status"] == "error"
            assert row["error"] == {
                "kind": kind,
                "message": message,
                "file": str(folder / name),
                "line": line,
                "field": field,
            }
        else:
            assert row["status"] == "ok"
            assert row["report"]["file"] == str(folder / name)
    assert result.stderr == (
        "9 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete, 6 errors\n"
    )


@pytest.mark.parametrize(
    ("clash", "fail_on", "code"),
    [
        (True, "high", 1),
        (True, "critical", 0),
        (True, "never", 0),
        (False, "low", 1),
        (False, "medium", 0),
    ],
)
def test_cli_exit_code_follows_fail_on(
    tmp_path: Path, pack_dir: Path, clash: bool, fail_on: str, code: int
) -> None:
    (tmp_path / "one.yaml").write_text(case_yaml("one", clash=clash, term=10), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(case_yaml("two"), encoding="utf-8")
    result = run_cli([str(tmp_path), "--fail-on", fail_on, "--format", "csv", "-q"], pack_dir)
    assert (result.exit_code, result.stderr) == (code, "")


def test_cli_missing_path_and_unmatched_glob_are_error_rows(tmp_path: Path, pack_dir: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(case_yaml("good"), encoding="utf-8")
    missing, pattern = tmp_path / "missing.yaml", str(tmp_path / "nothing-*.yaml")
    result = run_cli([str(good), str(missing), pattern, "--format", "csv", "-q"], pack_dir)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[1:] == [
        f"{good},good,ok,proceed,0,0,0,0,0,0,1,,,,,0",
        f"{missing},,error,,,,,,,,,,,,no such file,",
        f"{pattern},,error,,,,,,,,,,,,no file matches this pattern,",
    ]


def test_cli_empty_folder_is_a_usage_error(tmp_path: Path, pack_dir: Path) -> None:
    result = run_cli([str(tmp_path)], pack_dir)
    assert result.exit_code == 2
    assert result.stderr == f"partnerfit: error: no case files found in {tmp_path}\n"


def test_cli_table_portfolio(tmp_path: Path, pack_dir: Path) -> None:
    folder = make_folder(tmp_path)
    result = run_cli([str(folder), "--jobs", "1"], pack_dir)
    lines = result.stdout.splitlines()
    width = len(str(folder / "unknown-field.yaml"))
    assert lines[0].split() == [
        "file",
        "case",
        "verdict",
        "crit",
        "high",
        "med",
        "low",
        "open",
        "top",
        "red",
        "flags",
    ]
    assert lines[2] == (
        f"{folder / 'a-clash.yaml'!s:<{width}}  {'clash':<28}  {'proceed with conditions':<23}"
        "     0     1    0    0     0  PF-TBA-001"
    )
    assert lines[-6:] == [
        "",
        "Most frequent red flags",
        "      1  PF-TBA-001   high      Same category to the same segment",
        "      1  PF-TBA-002   low       A long term",
        "",
        "9 cases: 2 proceed, 1 proceed with conditions, 0 reconsider, 0 incomplete, 6 errors",
    ]
    assert result.stderr == ""  # the table ends with the summary itself


@pytest.mark.parametrize("fmt", [f.value for f in BatchFormat])
def test_cli_output_is_identical_for_any_number_of_jobs(
    tmp_path: Path, pack_dir: Path, fmt: str
) -> None:
    folder = make_folder(tmp_path)
    for n in range(6):
        (folder / f"more-{n}.yaml").write_text(
            case_yaml(f"m{n}", clash=n % 2 == 0), encoding="utf-8"
        )
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}.{fmt}"
        result = run_cli([str(folder), "-j", jobs, "--format", fmt, "-o", str(out)], pack_dir)
        assert result.exit_code == 2
        assert (
            result.stderr
            == "15 cases: 5 proceed, 4 proceed with conditions, 0 reconsider, 0 incomplete, 6 errors\n"
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 200


def test_cli_quiet_prints_no_summary(tmp_path: Path, pack_dir: Path) -> None:
    (tmp_path / "a.yaml").write_text(case_yaml("a"), encoding="utf-8")
    result = run_cli([str(tmp_path), "--format", "json", "--quiet"], pack_dir)
    assert (result.exit_code, result.stderr) == (0, "")
    doc = json.loads(result.stdout)
    assert (
        doc["summary"]["line"]
        == "1 case: 1 proceed, 0 proceed with conditions, 0 reconsider, 0 incomplete, 0 errors"
    )
    assert [r["report"]["case_id"] for r in doc["results"]] == ["a"]


# --------------------------------------------------------------------------- streaming and atomicity


def test_jsonl_writes_each_result_as_it_arrives(
    tmp_path: Path, pack_dir: Path, test_pack: RulePack
) -> None:
    for n in range(3):
        (tmp_path / f"{n}.yaml").write_text(case_yaml(f"c{n}"), encoding="utf-8")

    class Stream:
        def __init__(self) -> None:
            self.lines: list[str] = []

        def write(self, text: str) -> int:
            self.lines.append(text)
            return len(text)

        def flush(self) -> None:
            pass

    out = Stream()
    writer = batch_writer("jsonl", out, pack=test_pack)  # type: ignore[arg-type]
    writer.start()
    for n, item in enumerate(run_batch(discover([tmp_path]), [pack_dir], jobs=2)):
        writer.add(item)
        assert len(out.lines) == n + 1
        assert json.loads(out.lines[-1])["report"]["case_id"] == f"c{n}"


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, RuntimeError])
def test_output_is_atomic(
    tmp_path: Path, pack_dir: Path, monkeypatch: pytest.MonkeyPatch, interrupt: type[BaseException]
) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for n in range(4):
        (cases / f"{n}.yaml").write_text(case_yaml(f"c{n}"), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    real = batch_mod.run_batch

    def failing(*args: Any, **kwargs: Any) -> Iterator[BatchItem]:
        for item in real(*args, **kwargs):
            if item.index == 2:
                raise interrupt("stop")
            yield item

    import partnerfit.cli.batch as cli_batch

    monkeypatch.setattr(cli_batch, "run_batch", failing)
    monkeypatch.delenv("PARTNERFIT_TRACEBACK", raising=False)
    target = out_dir / "report.jsonl"
    result = run_cli([str(cases), "--format", "jsonl", "-o", str(target)], pack_dir)
    if interrupt is KeyboardInterrupt:
        assert result.exit_code == 130
        assert result.stderr == "partnerfit: interrupted\n"
    else:  # a bug: exit 2, never 1 (which means red flags)
        assert result.exit_code == 2
        assert result.stderr == (
            "partnerfit: internal error: RuntimeError: stop (this is a bug in partnerfit; "
            "set PARTNERFIT_TRACEBACK=1 to see the traceback)\n"
        )
    assert list(out_dir.iterdir()) == []
    # An existing file is left as it was.
    target.write_text("old\n", encoding="utf-8")
    run_cli([str(cases), "--format", "jsonl", "-o", str(target)], pack_dir)
    assert list(out_dir.iterdir()) == [target]
    assert target.read_text(encoding="utf-8") == "old\n"
    # And replaced when the batch completes.
    monkeypatch.setattr(cli_batch, "run_batch", real)
    result = run_cli([str(cases), "--format", "jsonl", "-o", str(target)], pack_dir)
    assert result.exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4
    assert list(out_dir.iterdir()) == [target]


# --------------------------------------------------------------------------- property


KINDS = ["clash", "fine", "sparse", *BROKEN]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=14),
    jobs=st.sampled_from([1, 2]),
    chunksize=st.integers(min_value=1, max_value=5),
)
def test_random_mixes_keep_one_row_per_input_in_order(
    tmp_path_factory: pytest.TempPathFactory,
    pack_dir: Path,
    kinds: list[str],
    jobs: int,
    chunksize: int,
) -> None:
    folder = tmp_path_factory.mktemp("mix")
    for n, kind in enumerate(kinds):
        path = folder / f"{n:03d}.yaml"
        if kind in BROKEN:
            path.write_bytes(BROKEN[kind])
        else:
            text = case_yaml(f"k{n}", clash=kind == "clash", offerings=kind != "sparse")
            path.write_text(text, encoding="utf-8")
    files = discover([folder])
    items = list(run_batch(files, [pack_dir], jobs=jobs, chunksize=chunksize))
    assert [(i.index, i.path) for i in items] == [(n, Path(f)) for n, f in enumerate(files)]
    assert [i.error is None for i in items] == [k not in BROKEN for k in kinds]
    assert [i.report.case_id for i in items if i.report] == [
        f"k{n}" for n, k in enumerate(kinds) if k not in BROKEN
    ]
    verdicts = [i.report.verdict.value for i in items if i.report]
    expected = {"clash": "proceed_with_conditions", "fine": "proceed", "sparse": "proceed"}
    assert verdicts == [expected[k] for k in kinds if k not in BROKEN]


def test_a_bad_pack_raises_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(case_yaml("a"), encoding="utf-8")
    bad = tmp_path / "pack"
    bad.mkdir()
    (bad / "pack.yaml").write_text("name: Bad Name\nversion: 1\n", encoding="utf-8")
    with pytest.raises(PackError):
        run_batch([tmp_path / "a.yaml"], [bad], jobs=2)
    many = evaluate_many([tmp_path / "a.yaml"], [bad], jobs=2)
    with pytest.raises(PackError):
        next(many)


WAIVED = """\
id: waived
parties:
  - {id: a, name: Alpha, offerings: [{category: services, segments: [clinics]}]}
  - {id: b, name: Beta, offerings: [{category: services, segments: [clinics]}]}
waivers:
  - {rule: PF-TST-001, justification: Separate regions in practice, expires: 2026-06-01}
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_waiver_expiry_is_judged_on_the_given_day_in_every_worker(
    tmp_path: Path, jobs: int
) -> None:
    (tmp_path / "w.yaml").write_text(WAIVED, encoding="utf-8")
    pack_dir = Path(__file__).parent / "data" / "pack"

    def flags(day: date) -> list[str]:
        (item,) = run_batch(discover([tmp_path]), [pack_dir], jobs=jobs, today=day)
        assert item.report is not None
        return [f.rule_id for f in item.report.red_flags()]

    assert flags(date(2026, 5, 1)) == []
    assert flags(date(2026, 7, 1)) == ["PF-TST-001"]
