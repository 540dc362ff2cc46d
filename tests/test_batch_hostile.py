"""A batch loses nothing, whatever happens to it: crashes, odd file names, signals, bad outputs.

Everything that could crash, hang or kill runs in a child process with a timeout:
the real command line (``HOOKED`` below), so that a crash, a signal or a closed
stdout is met exactly as a user would meet it, and pytest survives the old bugs.

Crashes and hangs are injected in the worker processes by ``HOOKED``, which
replaces ``partnerfit.batch.evaluate_case`` before the command runs (forked
workers inherit it): the case with id ``crash`` aborts the process as a segfault
in the C engine would, the case with id ``hang`` adds its process id to
``$PF_TEST_MARKER`` (a line each) and sleeps. Nothing test-only is in the package
itself.
"""

from __future__ import annotations

import csv
import ctypes
import errno
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from partnerfit import Report, UsageError, evaluate_many, load_pack
from partnerfit.batch import CRASH_MESSAGE, check_timeout, discover, run_batch
from partnerfit.cli import main
from partnerfit.formats import BatchFormat

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"
TIMEOUT = 120

HOOKS = r"""
import os, sys, time
import partnerfit.batch as batch

real = batch.evaluate_case

def hooked(case, pack, today=None):
    if case.id == "crash":
        os.abort()  # as a segfault in the C engine would: no exception, no clean-up
    if case.id == "hang":
        with open(os.environ["PF_TEST_MARKER"], "a") as marker:
            marker.write(f"{os.getpid()}\n")
        time.sleep(600)
    return real(case, pack, today=today)

batch.evaluate_case = hooked
"""
HOOKED = (
    HOOKS
    + """
from partnerfit.cli import main
main(sys.argv[1:], prog_name="partnerfit")
"""
)

ABORTED = f"{CRASH_MESSAGE} (killed by SIGABRT)"


def case_text(case_id: str) -> str:
    return f"id: {case_id}\nparties:\n  - {{id: a, name: Alpha}}\n  - {{id: b, name: Beta}}\n"


def cases(folder: Path, ids: list[str]) -> list[Path]:
    """One case file per id, named so that they sort in the order given."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, case_id in enumerate(ids):
        path = folder / f"{n:02d}-{case_id}.yaml"
        path.write_text(case_text(case_id), encoding="utf-8")
        paths.append(path)
    return paths


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-c", HOOKED, *map(str, args), "--rules", str(CORE)]


def run(
    args: list[str], cwd: Path, **kwargs: Any
) -> subprocess.CompletedProcess[bytes]:  # the real CLI, in a child
    if "stdout" not in kwargs:
        kwargs["stdout"] = subprocess.PIPE
    kwargs.setdefault("stderr", subprocess.PIPE)
    env = {**os.environ, "PF_TEST_MARKER": str(cwd / "hang.marker")}
    return subprocess.run(args, cwd=cwd, env=env, timeout=TIMEOUT, check=False, **kwargs)


def one_line(stderr: bytes) -> str:
    """The command's only line on stderr (never a traceback)."""
    text = stderr.decode("utf-8", "backslashreplace")
    assert "Traceback" not in text
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


# --------------------------------------------------------------------------- crashes


@pytest.mark.parametrize(
    ("jobs", "ids"),
    [
        ("1", ["one", "crash", "three"]),
        ("2", ["one", "crash", "three", "crash", "five"]),
        ("1", ["crash"]),  # a one-file batch
    ],
)
def test_a_crash_is_that_files_error_row_and_the_batch_goes_on(
    tmp_path: Path, jobs: str, ids: list[str]
) -> None:
    paths = cases(tmp_path / "in", ids)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "report.jsonl"
    done = run(command("batch", "in", "-j", jobs, "--format", "jsonl", "-o", target), tmp_path)
    assert done.returncode == 2, done.stderr
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["file"] for r in rows] == [str(p.relative_to(tmp_path)) for p in paths]
    for row, case_id in zip(rows, ids, strict=True):
        if case_id == "crash":
            assert row["status"] == "error"
            assert row["error"] == {
                "kind": "EngineError",
                "message": ABORTED,
                "file": row["file"],
                "line": None,
                "field": None,
            }
        else:
            assert row["report"]["case_id"] == case_id
    crashes = ids.count("crash")
    ok = len(ids) - crashes
    summary = f"{len(ids)} case{'s' if len(ids) > 1 else ''}: 0 proceed, {ok} proceed with "
    summary += (
        f"conditions, 0 reconsider, 0 incomplete, {crashes} error{'s' if crashes > 1 else ''}"
    )
    assert done.stderr.decode().splitlines() == [summary]
    assert os.listdir(out_dir) == ["report.jsonl"]  # no temporary file left behind


def test_output_written_before_a_crash_is_written_once(tmp_path: Path) -> None:
    # The header is buffered in this process when a worker is restarted (forked) after
    # the crash: it must reach stdout once, not once more per worker.
    cases(tmp_path / "in", ["one", "crash", "three", "crash", "five"])
    done = run(command("batch", "in", "-j", "1", "--format", "csv", "-q"), tmp_path)
    assert done.returncode == 2, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode())))
    assert [r[0] for r in rows] == [
        "file",
        "in/00-one.yaml",
        "in/01-crash.yaml",
        "in/02-three.yaml",
        "in/03-crash.yaml",
        "in/04-five.yaml",
    ]
    message = rows[0].index("error_message")
    assert [r[message] for r in rows[1:]] == ["", ABORTED, "", ABORTED, ""]


EVALUATE_MANY = r"""
import os, sys
import partnerfit.batch as batch
from partnerfit import Report, evaluate_many, load_pack

real = batch.evaluate_case

def hooked(case, pack, today=None):
    if case.id == "crash":
        os.abort()
    return real(case, pack, today=today)

batch.evaluate_case = hooked
parties = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
cases = [{"id": i, "parties": parties} for i in ("one", "crash", "three")]
for result in evaluate_many(cases, load_pack(sys.argv[1]), jobs=1):
    print(result.case_id if isinstance(result, Report) else f"{type(result).__name__}: {result}")
"""


def test_evaluate_many_with_one_job_survives_a_crash(tmp_path: Path) -> None:
    done = run([sys.executable, "-c", EVALUATE_MANY, str(CORE)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == ["one", f"EngineError: {ABORTED}", "three"]


CLOSED_STDIO = r"""
import sys
from partnerfit import Report, evaluate_many, load_pack

parties = [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}]
cases = [{"id": i, "parties": parties} for i in ("one", "two")]
for result in evaluate_many(cases, load_pack(sys.argv[1]), jobs=1):
    print(result.case_id if isinstance(result, Report) else f"{type(result).__name__}: {result}",
          file=sys.stderr)
"""


def test_workers_run_when_the_caller_has_no_stdin_and_no_stdout(tmp_path: Path) -> None:
    # With descriptors 0 and 1 closed, a worker's own pipe is descriptor 1: it must not be
    # mistaken for the stdout that a worker sends to the null device.
    script = [sys.executable, "-c", CLOSED_STDIO, str(CORE)]
    done = run(["sh", "-c", 'exec "$@" <&- >&-', "sh", *script], tmp_path)
    assert done.returncode == 0
    assert done.stderr.decode().splitlines() == ["one", "two"]


# --------------------------------------------------------------------------- hangs

LIMIT = 2  # seconds: far above what checking one of these cases takes
TIMED_OUT = "checking this file took longer than 2 seconds; its worker process was stopped"


def _hung_workers(root: Path) -> list[int]:
    """The process ids of the workers that hung, one per hanging case checked."""
    marker = root / "hang.marker"
    return [int(pid) for pid in marker.read_text().split()] if marker.exists() else []


@pytest.mark.parametrize(
    ("jobs", "ids"),
    [
        ("1", ["one", "hang", "three"]),
        ("2", ["one", "hang", "three", "hang", "five"]),
        ("1", ["hang"]),  # a one-file batch
    ],
)
def test_a_file_that_hangs_is_stopped_at_the_time_limit_and_the_batch_goes_on(
    tmp_path: Path, jobs: str, ids: list[str]
) -> None:
    # Without a time limit this batch would wait for the hanging workers (600 s), and
    # the run would time out.
    paths = cases(tmp_path / "in", ids)
    args = ["batch", "in", "-j", jobs, "--timeout", str(LIMIT), "--format", "jsonl"]
    done = run(command(*args), tmp_path)
    assert done.returncode == 2, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["file"] for r in rows] == [str(p.relative_to(tmp_path)) for p in paths]
    for row, case_id in zip(rows, ids, strict=True):
        if case_id == "hang":
            assert row["status"] == "error"
            assert row["error"] == {
                "kind": "EngineError",
                "message": TIMED_OUT,
                "file": row["file"],
                "line": None,
                "field": None,
            }
        else:
            assert row["report"]["case_id"] == case_id
    hangs = ids.count("hang")
    ok = len(ids) - hangs
    summary = f"{len(ids)} case{'s' if len(ids) > 1 else ''}: 0 proceed, {ok} proceed with "
    summary += f"conditions, 0 reconsider, 0 incomplete, {hangs} error{'s' if hangs > 1 else ''}"
    assert done.stderr.decode().splitlines() == [summary]
    # Each hang was in a worker of its own (the stopped one was replaced), and none is left.
    hung = _hung_workers(tmp_path)
    assert len(set(hung)) == len(hung) == hangs
    assert [pid for pid in hung if _alive(pid)] == []


EVALUATE_MANY_HANG = (
    HOOKS
    + r"""
from pathlib import Path
from partnerfit import Report, evaluate_many, load_pack

folder, pack, jobs, limit = sys.argv[1:]
paths = sorted(Path(folder).iterdir())
for result in evaluate_many(paths, load_pack(pack), jobs=int(jobs), timeout=float(limit)):
    print(result.case_id if isinstance(result, Report) else f"{type(result).__name__}: {result}")
"""
)


@pytest.mark.parametrize("jobs", [1, 2])
def test_evaluate_many_stops_a_case_that_hangs_and_goes_on(tmp_path: Path, jobs: int) -> None:
    cases(tmp_path / "in", ["one", "hang", "three"])
    script = [sys.executable, "-c", EVALUATE_MANY_HANG, "in", str(CORE), str(jobs), str(LIMIT)]
    done = run(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == [
        "one",
        f"EngineError: in/01-hang.yaml: {TIMED_OUT}",
        "three",
    ]
    assert [pid for pid in _hung_workers(tmp_path) if _alive(pid)] == []


def test_a_consumer_slower_than_the_time_limit_never_makes_a_worker_look_slow(
    tmp_path: Path,
) -> None:
    # While nobody reads, the workers finish their files and wait with the answers: the
    # time they wait is not time spent on a file.
    paths = cases(tmp_path / "in", [f"c{n}" for n in range(6)])
    seen = []
    for item in run_batch([str(p) for p in paths], [CORE], jobs=2, timeout=1):
        seen.append(item.report.case_id if item.report is not None else str(item.error))
        if item.index == 0:
            time.sleep(2)
    assert seen == [f"c{n}" for n in range(6)]


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        ("60", "must be a number of seconds, got str"),
        (True, "must be a number of seconds, got bool"),
        (-1, "must be a number of seconds, 0 or more (0: no limit), got -1"),
        (-0.5, "must be a number of seconds, 0 or more (0: no limit), got -0.5"),
        (float("nan"), "must be a number of seconds, 0 or more (0: no limit), got nan"),
        (float("inf"), "must be a number of seconds, 0 or more (0: no limit), got inf"),
        (10**5000, "must be a number of seconds, 0 or more (0: no limit), got a far larger number"),
    ],
    ids=["text", "bool", "negative", "negative-float", "nan", "inf", "huge"],
)
def test_a_bad_time_limit_is_refused_before_anything_runs(timeout: Any, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        evaluate_many(["never read.yaml"], timeout=timeout)
    assert str(caught.value) == f"timeout: {message}"
    with pytest.raises(UsageError) as caught:
        run_batch(["never read.yaml"], [CORE], jobs=1, timeout=timeout)
    assert str(caught.value) == f"timeout: {message}"


def test_no_time_limit_is_0_or_none() -> None:
    assert (check_timeout(0), check_timeout(0.0), check_timeout(None)) == (None, None, None)
    assert (check_timeout(60), check_timeout(0.25)) == (60.0, 0.25)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_the_command_refuses_a_bad_time_limit(tmp_path: Path, value: str) -> None:
    cases(tmp_path / "in", ["one"])
    result = _cli(["batch", str(tmp_path / "in"), "--timeout", value])
    assert result.exit_code == 2
    if value == "-1":  # click's own range check
        assert "Invalid value for '--timeout': -1.0 is not in the range x>=0." in result.stderr
    else:
        assert result.stderr == (
            "partnerfit: error: timeout: must be a number of seconds, 0 or more (0: no limit), "
            f"got {value}\n"
        )


# --------------------------------------------------------------------------- file names

BAD_NAME = os.fsdecode(b"bad\xff.yaml")  # a valid case whose name is not UTF-8
WORSE_NAME = os.fsdecode(b"worse\xfe.yaml")  # a broken case whose name is not UTF-8
BAD_SHOWN = "bad\\udcff.yaml"
WORSE_SHOWN = "worse\\udcfe.yaml"


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / BAD_NAME).write_text(case_text("bad"), encoding="utf-8")
    (folder / "good.yaml").write_text(case_text("good"), encoding="utf-8")
    (folder / WORSE_NAME).write_text("id: [unclosed\n", encoding="utf-8")
    return folder


def _files(fmt: str, text: str, folder: Path) -> list[str]:
    """Every file named in a batch output, once per case (or per finding for SARIF)."""
    if fmt == "json":
        return [r["file"] for r in json.loads(text)["results"]]
    if fmt == "jsonl":
        return [json.loads(line)["file"] for line in text.splitlines()]
    if fmt == "csv":
        return [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    if fmt == "junit":
        return [tc.attrib["classname"] for tc in ET.fromstring(text).iter("testcase")]
    if fmt == "sarif":
        run_ = json.loads(text)["runs"][0]
        uris = {
            loc["physicalLocation"]["artifactLocation"]["uri"]
            for result in run_["results"]
            for loc in result["locations"]
        }
        notes = [
            n["properties"]["file"] for n in run_["invocations"][0]["toolExecutionNotifications"]
        ]
        return sorted(uris) + notes
    names = (BAD_SHOWN, "good.yaml", WORSE_SHOWN)  # table and markdown: rows that name a file
    return [name for line in text.splitlines() for name in names if f"{folder}/{name}" in line]


EXPECTED_FILES = {
    "sarif": [
        "file://{folder}/bad%FF.yaml",
        "file://{folder}/good.yaml",
        "{folder}/" + WORSE_SHOWN,
    ],
    "table": [BAD_SHOWN, "good.yaml", WORSE_SHOWN],
    "markdown": [BAD_SHOWN, "good.yaml", WORSE_SHOWN],
}


@pytest.mark.parametrize("fmt", [f.value for f in BatchFormat])
def test_a_file_name_that_is_not_utf8_is_escaped_in_every_format(
    odd_names: Path, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"out.{fmt}"
    args = ["batch", str(odd_names), "-j", "2", "--format", fmt, "-o", str(target), "-q"]
    result = CliRunner().invoke(main, [*args, "--rules", str(CORE), "--fail-on", "never"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2  # the broken case
    text = target.read_text(encoding="utf-8")  # valid UTF-8 throughout
    expected = EXPECTED_FILES.get(
        fmt, [f"{odd_names}/{n}" for n in (BAD_SHOWN, "good.yaml", WORSE_SHOWN)]
    )
    assert _files(fmt, text, odd_names) == [e.format(folder=odd_names) for e in expected]
    if fmt in ("json", "jsonl"):
        lines = text.splitlines()
        rows = json.loads(text)["results"] if fmt == "json" else [json.loads(x) for x in lines]
        reports = [row["report"] for row in rows if row["status"] == "ok"]
        assert [r["file"] for r in reports] == [
            f"{odd_names}/{BAD_SHOWN}",
            f"{odd_names}/good.yaml",
        ]


def test_a_file_name_that_is_not_utf8_reaches_stdout_escaped(odd_names: Path) -> None:
    done = run(command("batch", "in", "-j", "1", "--format", "jsonl", "-q"), odd_names.parent)
    assert done.returncode == 2, done.stderr
    lines = done.stdout.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert [json.loads(line)["file"] for line in lines] == [
        f"in/{BAD_SHOWN}",
        "in/good.yaml",
        f"in/{WORSE_SHOWN}",
    ]
    error = json.loads(lines[2])["error"]
    assert (error["kind"], error["file"], error["line"]) == ("CaseError", f"in/{WORSE_SHOWN}", 2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_library_gives_reports_and_errors_that_can_be_written(
    odd_names: Path, jobs: int
) -> None:
    bad, worse = odd_names / BAD_NAME, odd_names / WORSE_NAME
    results = list(evaluate_many([bad, worse], load_pack(CORE), jobs=jobs))
    assert isinstance(results[0], Report)
    assert json.loads(results[0].to_json())["file"] == f"{odd_names}/{BAD_SHOWN}"
    assert not isinstance(results[1], Report)
    assert results[1].location.file == f"{odd_names}/{WORSE_SHOWN}"
    items = list(run_batch(discover([odd_names]), [CORE], jobs=jobs))
    assert [i.path.name for i in items] == [BAD_NAME, "good.yaml", WORSE_NAME]  # as on disk
    assert items[0].report is not None
    assert items[0].report.file == f"{odd_names}/{BAD_SHOWN}"


# --------------------------------------------------------------------------- signals


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended


def _wait_until(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Hanging:
    """A batch whose second case hangs in its worker, writing to ``out/report.jsonl``,
    which holds an old report. Its stdout and stderr go to files, so that nothing
    waits on a pipe that a left-over worker could hold open."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.out_dir = root / "out"
        self.started: list[subprocess.Popen[bytes]] = []
        self.workers: list[int] = []
        cases(root / "in", ["one", "hang", "three"])
        self.out_dir.mkdir()
        (self.out_dir / "report.jsonl").write_text("old\n", encoding="utf-8")

    def start(self, jobs: str) -> subprocess.Popen[bytes]:
        """Start the batch and return once a worker is stuck in the hanging case."""
        env = {**os.environ, "PF_TEST_MARKER": str(self.root / "hang.marker")}
        target = str(self.out_dir / "report.jsonl")
        args = command("batch", "in", "-j", jobs, "--format", "jsonl", "-o", target)
        with (self.root / "stderr").open("wb") as stderr:
            proc = subprocess.Popen(
                [*args, "--fail-on", "never"],
                cwd=self.root,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        self.started.append(proc)
        marker = self.root / "hang.marker"
        _wait_until(
            lambda: (marker.exists() and marker.read_text() != "") or proc.poll() is not None,
            "the hang",
        )
        self.workers = _children(proc.pid) if proc.poll() is None else []
        return proc

    def stderr(self) -> bytes:
        return (self.root / "stderr").read_bytes()

    def left_behind(self) -> list[str]:
        """What is in the output folder besides the old report, and whether that changed."""
        old = (self.out_dir / "report.jsonl").read_text(encoding="utf-8")
        others = sorted(p.name for p in self.out_dir.iterdir() if p.name != "report.jsonl")
        return others + ([] if old == "old\n" else ["report.jsonl (replaced)"])

    def clean_up(self) -> None:
        for pid in self.workers:  # workers the old code left behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=TIMEOUT)


@pytest.fixture
def hanging(tmp_path: Path) -> Iterator[Hanging]:
    batch = Hanging(tmp_path)
    try:
        yield batch
    finally:
        batch.clean_up()


@pytest.mark.parametrize(
    ("signum", "code", "message"),
    [
        (signal.SIGTERM, 143, "partnerfit: terminated by SIGTERM"),
        (signal.SIGHUP, 129, "partnerfit: terminated by SIGHUP"),
        (signal.SIGINT, 130, "partnerfit: interrupted"),  # as before, and now with a hang
    ],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_stopping_signal_removes_the_partial_output_and_stops_the_workers(
    hanging: Hanging, signum: int, code: int, message: str, jobs: str
) -> None:
    proc = hanging.start(jobs)
    workers = hanging.workers
    proc.send_signal(signum)
    proc.wait(timeout=TIMEOUT)
    assert proc.returncode == code  # 128 + the signal
    assert one_line(hanging.stderr()) == message
    assert hanging.left_behind() == []
    assert len(workers) == int(jobs)
    assert [pid for pid in workers if _alive(pid)] == []


def test_workers_die_with_their_parent_even_when_it_is_killed(hanging: Hanging) -> None:
    proc = hanging.start("2")
    workers = hanging.workers
    assert len(workers) == 2
    proc.kill()
    proc.wait(timeout=TIMEOUT)
    _wait_until(lambda: not any(_alive(pid) for pid in workers), "the workers to end", 10)
    # Not even a temporary file is left, where the file system can create nameless files.
    assert hanging.left_behind() == []


# --------------------------------------------------------------------------- outputs


def _cli(args: list[str]) -> Any:
    return CliRunner().invoke(main, [*args, "--rules", str(CORE), "-q"])


def _private_null(folder: Path) -> Path:
    """A character device like /dev/null, of our own: replacing it harms nothing."""
    path = folder / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        if os.geteuid() == 0:
            raise
        return Path(os.devnull)  # unprivileged, nothing could replace it anyway
    return path


@pytest.mark.parametrize("kind", ["character device", "symbolic link", "named pipe"])
def test_an_output_that_is_not_a_regular_file_is_refused_and_left_alone(
    tmp_path: Path, kind: str
) -> None:
    cases(tmp_path / "in", ["one"])
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep\n", encoding="utf-8")
    if kind == "character device":
        target = _private_null(tmp_path)
    elif kind == "symbolic link":
        target = tmp_path / "link.jsonl"
        target.symlink_to(elsewhere)
    else:
        target = tmp_path / "pipe.jsonl"
        os.mkfifo(target)
    before = os.lstat(target)
    result = _cli(["batch", str(tmp_path / "in"), "--format", "jsonl", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"partnerfit: error: --output {target} is a {kind}, not a regular file: "
        "refusing to replace it\n"
    )
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert elsewhere.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")) == []


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_022")
def test_the_output_gets_the_umasks_mode_or_keeps_the_replaced_files(tmp_path: Path) -> None:
    cases(tmp_path / "in", ["one"])
    new, old = tmp_path / "new.jsonl", tmp_path / "old.jsonl"
    old.write_text("old\n", encoding="utf-8")
    old.chmod(0o640)
    for target in (new, old):
        result = _cli(["batch", str(tmp_path / "in"), "--format", "jsonl", "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert json.loads(target.read_text(encoding="utf-8"))["report"]["case_id"] == "one"
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(old.stat().st_mode) == 0o640


def test_an_output_in_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cases(tmp_path / "in", ["one"])
    target = tmp_path / "nope" / "out.jsonl"
    result = _cli(["batch", str(tmp_path / "in"), "--format", "jsonl", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"partnerfit: error: cannot write {target}: the folder {tmp_path / 'nope'} does not exist\n"
    )


def _without_root_powers() -> None:
    """In the child, before exec: as root, drop the power to write where the modes forbid it."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        zero = ctypes.c_ulong(0)
        if libc.prctl(24, ctypes.c_ulong(capability), zero, zero, zero) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_an_output_in_a_read_only_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cases(tmp_path / "in", ["one"])
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    done = run(
        command("batch", "in", "--format", "jsonl", "-o", "ro/out.jsonl"),
        tmp_path,
        preexec_fn=_without_root_powers,
    )
    assert done.returncode == 2
    assert (
        one_line(done.stderr) == "partnerfit: error: cannot write ro/out.jsonl: Permission denied"
    )
    assert os.listdir(folder) == []


def test_a_full_disk_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # The output file may not grow past 2 KiB: its writes fail as on a full disk.
    cases(tmp_path / "in", ["one", "two", "three"])
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    done = run(
        command("batch", "in", "--format", "jsonl", "-o", "out/out.jsonl"),
        tmp_path,
        preexec_fn=small_files,
    )
    assert done.returncode == 2
    assert one_line(done.stderr) == "partnerfit: error: cannot write out/out.jsonl: File too large"
    assert os.listdir(out_dir) == []


def test_no_space_left_when_the_output_is_synced_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases(tmp_path / "in", ["one"])
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    target = out_dir / "out.jsonl"
    result = _cli(["batch", str(tmp_path / "in"), "--format", "jsonl", "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr == f"partnerfit: error: cannot write {target}: No space left on device\n"
    assert os.listdir(out_dir) == []


CHECK = ["check", "in/00-one.yaml", "--format", "json"]
BATCH = ["batch", "in", "--format", "jsonl"]


@pytest.mark.parametrize("args", [BATCH, CHECK], ids=["batch", "check"])
def test_stdout_on_a_full_disk_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    cases(tmp_path / "in", ["one"])
    with open("/dev/full", "wb") as full:
        done = run(command(*args), tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        "partnerfit: error: cannot write to standard output: No space left on device"
    )


@pytest.mark.parametrize("args", [BATCH, CHECK], ids=["batch", "check"])
def test_a_closed_stdout_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    cases(tmp_path / "in", ["one"])
    # As `partnerfit ... >&-` in a shell.
    done = run(["sh", "-c", 'exec "$@" >&-', "sh", *command(*args)], tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        "partnerfit: error: cannot write to standard output: it is closed"
    )


@pytest.mark.parametrize("args", [BATCH, CHECK], ids=["batch", "check"])
def test_a_broken_pipe_is_one_line_and_exit_2(tmp_path: Path, args: list[str]) -> None:
    cases(tmp_path / "in", ["one", "two"])
    # As `partnerfit ... | head -1` once head has gone: the reading end is closed.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = run(command(*args), tmp_path, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.returncode == 2
    assert (
        one_line(done.stderr) == "partnerfit: error: cannot write to standard output: Broken pipe"
    )


def test_a_reader_that_stops_early_gets_exit_2(tmp_path: Path) -> None:
    # `partnerfit batch ... | head -c 1`, for real. The output (~140 KB) is more than a
    # pipe holds, so the batch is still writing when head has gone.
    cases(tmp_path / "in", [f"c{n}" for n in range(100)])
    script = 'set -o pipefail; "$@" | head -c 1 > /dev/null'
    done = run(["bash", "-c", script, "bash", *command(*BATCH, "-j", "2")], tmp_path)
    assert done.returncode == 2
    assert (
        one_line(done.stderr) == "partnerfit: error: cannot write to standard output: Broken pipe"
    )
