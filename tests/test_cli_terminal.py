"""`partnerfit batch` on a real terminal: the progress bar never shares a line with output.

The bar redraws itself in place (a carriage return, no newline). Printed to the terminal
the results go to, every result row was glued to it ("checking [##--] 3/12cases/a.yaml …").
Each test runs the command in a child process on a pseudo-terminal (and, where tmux is
installed, in a tmux pane) with a timeout, and reads what the terminal shows.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASES = ["good-fit-scanners-and-service", "licensing-outdoor-brand", "jv-battery-recycling"]
BAR = "checking  ["
CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deals")
    for n, name in enumerate(CASES, start=1):
        shutil.copy(ROOT / "cases" / f"{name}.yaml", out / f"deal-{n}.yaml")
    return out


def _on_a_terminal(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``python -m partnerfit ARGS`` with stdin, stdout and stderr on one new
    pseudo-terminal; return its exit code and the text the terminal received."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm"}
    child = subprocess.Popen(
        [sys.executable, "-m", "partnerfit", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                pytest.fail(f"partnerfit {' '.join(args)} did not finish in {timeout} s")
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                if not chunk:
                    break
                received += chunk
            elif child.poll() is not None:
                break
        code = child.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    text = received.decode("utf-8", "replace").replace("\r\n", "\n")
    return code, CONTROL.sub("", text)  # cursor hiding and showing: nothing on the screen


# The bar alone: "checking  [####------]  2/3", perhaps with an estimate of the time left.
CLEAN_BAR = re.compile(r"\s*checking  \[[#-]*\]\s+\d+/\d+(\s+\d+:\d+:\d+)?\s*")


def _glued(transcript: str) -> list[str]:
    """Terminal lines on which the bar and anything else meet: on a line that shows the
    bar, every redraw (each part after a carriage return) must be the bar alone."""
    return [
        line
        for line in transcript.split("\n")
        if BAR in line
        and not all(not part.strip() or CLEAN_BAR.fullmatch(part) for part in line.split("\r"))
    ]


def test_results_on_the_terminal_have_no_bar_glued_to_them(folder: Path) -> None:
    code, shown = _on_a_terminal("batch", str(folder), "--jobs", "1")
    assert code == 1, shown  # the licensing case has high red flags
    assert _glued(shown) == []
    rows = [line for line in shown.split("\n") if "deal-" in line]
    assert [line.split()[0] for line in rows] == [str(folder / f"deal-{n}.yaml") for n in (1, 2, 3)]
    assert "3 cases: 0 proceed" in shown


def test_the_bar_shows_when_the_results_go_elsewhere(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, shown = _on_a_terminal(
        "batch", str(folder), "--jobs", "1", "--format", "csv", "-o", str(target)
    )
    assert code == 1, shown
    assert BAR in shown
    assert "3/3" in shown
    assert _glued(shown) == []
    # The summary starts a line of its own, after the finished bar.
    assert "\n3 cases: 0 proceed" in shown
    assert target.read_text(encoding="utf-8").count("\n") == 4


def test_glued_lines_are_found() -> None:
    """The check itself: the old terminal output is caught."""
    glued = f"{BAR}#---]  1/3\r{BAR}##--]  2/3/tmp/d/deal-1.yaml  deal-1  proceed"
    assert _glued(f"file  case\n{glued}\n") == [glued]
    assert _glued(f"{BAR}###]  3/3\r{BAR}###]  3/3  00:00:01\n3 cases: 0 proceed\n") == []
    assert _glued(f"deal-1.yaml  proceed\r{BAR}#]  1/1\n") != []


@pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"),
    reason="tmux is not installed (CI installs it, and there this test never skips)",
)
def test_in_a_tmux_pane(folder: Path) -> None:
    """What a person sees in a terminal window: the pane's screen, read by tmux."""
    socket = f"partnerfit-test-{os.getpid()}"
    tmux = ["tmux", "-L", socket, "-f", os.devnull]
    command = f"{sys.executable} -m partnerfit batch {folder} --jobs 1; echo EXIT=$?; sleep 60"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "pf", "-x", "200", "-y", "50", command],
        check=True,
        timeout=30,
    )
    try:
        deadline = time.monotonic() + 120
        screen = ""
        while "EXIT=" not in screen:
            if time.monotonic() > deadline:
                pytest.fail(f"no exit in the tmux pane:\n{screen}")
            time.sleep(0.5)
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "pf"],
                capture_output=True,
                text=True,
                check=True,
                timeout=30,
            ).stdout
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, timeout=30)
    assert "EXIT=1" in screen
    assert BAR not in screen
    rows = [line for line in screen.split("\n") if "deal-" in line]
    assert [line.split()[0] for line in rows] == [str(folder / f"deal-{n}.yaml") for n in (1, 2, 3)]


RIVAL = ROOT / "cases" / "technology-partner-is-rival.yaml"


def test_a_terminal_is_told_why_the_exit_code_is_1_under_a_milder_verdict() -> None:
    """`proceed with conditions` and exit 1 read as two answers: the terminal says why."""
    code, screen = _on_a_terminal("check", str(RIVAL))
    assert code == 1
    assert "Verdict   proceed with conditions" in screen
    assert screen.rstrip().endswith(
        "Exit code 1: PF-FOE-002 is a red flag at or above high (--fail-on high); the "
        "verdict, proceed with conditions, weighs every flag together."
    )
    code, screen = _on_a_terminal("check", str(RIVAL), "--fail-on", "critical")
    assert code == 0
    assert "Exit code" not in screen


def test_the_note_is_for_people_only() -> None:
    # Not on a pipe (tools read the code), not with -q, not under `reconsider`.
    piped = subprocess.run(
        [sys.executable, "-m", "partnerfit", "check", str(RIVAL)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 1
    assert piped.stderr == ""
    code, screen = _on_a_terminal("check", str(RIVAL), "-q")
    assert (code, screen) == (1, "")
    code, screen = _on_a_terminal("check", str(ROOT / "cases" / "jv-battery-recycling.yaml"))
    assert code == 1
    assert "Verdict   reconsider" in screen
    assert "Exit code" not in screen
