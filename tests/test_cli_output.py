"""Every command: output that cannot be written, and a bug, are one line and exit 2.

Exit 1 means red flags to CI, so neither a closed or broken stdout, a full disk,
nor an unexpected exception (a bug in partnerfit) may ever end a command with it,
or with exit 0 and nothing printed, or with a traceback. The output failures run
the real command line in a child process, as a user would meet them.
(``check`` and ``batch`` are covered in tests/test_batch_hostile.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from partnerfit.cli import handles_errors, main

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "tests" / "packs" / "core"
TIMEOUT = 120
CLI = "import sys; from partnerfit.cli import main; main(sys.argv[1:], prog_name='partnerfit')"

CASE = """\
id: clinic-deal
parties:
  - id: a
    name: Alpha Care
    offerings: [{category: services, segments: [dental clinics]}]
  - id: b
    name: Beta Dental
    offerings: [{category: services, segments: [dental clinics]}]
"""

# Every command that writes a result to stdout, with arguments that make it write one.
COMMANDS = {
    "diff": ["diff", "deal.yaml", "deal.yaml", "--rules", str(CORE)],
    "rules list": ["rules", "list", "--rules", str(CORE)],
    "rules list json": ["rules", "list", "--rules", str(CORE), "--format", "json"],
    "rules test": ["rules", "test", str(CORE)],
    "explain": ["explain", "PF-TST-001", "--rules", str(CORE)],
    "schema": ["schema"],
    "facts": ["facts"],
}

OUTPUT_FAILURES = {
    "closed": "it is closed",
    "broken pipe": "Broken pipe",
    "full disk": "No space left on device",
}


def _run(args: list[str], cwd: Path, how: str) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-c", CLI, *args]
    kwargs: dict[str, Any] = {"cwd": cwd, "stderr": subprocess.PIPE, "timeout": TIMEOUT}
    if how == "closed":  # as `partnerfit ... >&-` in a shell
        return subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", *command], **kwargs)
    if how == "full disk":  # as `partnerfit ... > /dev/full`
        with open("/dev/full", "wb") as full:
            return subprocess.run(command, stdout=full, **kwargs)
    # As `partnerfit ... | head` once head has gone: the reading end is closed.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(command, stdout=write_end, **kwargs)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("how", list(OUTPUT_FAILURES))
@pytest.mark.parametrize("name", list(COMMANDS))
def test_output_that_cannot_be_written_is_one_line_and_exit_2(
    tmp_path: Path, name: str, how: str
) -> None:
    (tmp_path / "deal.yaml").write_text(CASE, encoding="utf-8")
    done = _run(COMMANDS[name], tmp_path, how)
    assert (done.returncode, done.stderr.decode()) == (
        2,
        f"partnerfit: error: cannot write to standard output: {OUTPUT_FAILURES[how]}\n",
    )


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_writes_its_output_when_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    (tmp_path / "deal.yaml").write_text(CASE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CLI, *COMMANDS[name]],
        cwd=tmp_path,
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert (done.returncode, done.stderr) == (0, b"")
    # Nothing lost or doubled on the way: the text the command gives in-process.
    monkeypatch.chdir(tmp_path)
    in_process = CliRunner().invoke(main, COMMANDS[name])
    assert in_process.exit_code == 0
    assert done.stdout.decode() == in_process.stdout != ""


# --------------------------------------------------------------------------- bugs

BUG = RuntimeError("boom \x1b[2J")  # its text is escaped too: it may hold what a file held
BUG_LINE = (
    "partnerfit: internal error: RuntimeError: boom \\x1b[2J (this is a bug in partnerfit; "
    "set PARTNERFIT_TRACEBACK=1 to see the traceback)\n"
)

# Where to make each command meet a bug: a function it calls, as the module names it.
BUG_SITES = {
    "check": ("partnerfit.cli", "_pack", ["check", "deal.yaml"]),
    "batch": ("partnerfit.cli.batch", "_pack", ["batch", "deal.yaml", "-q"]),
    "diff": ("partnerfit.cli.diff", "_pack", ["diff", "deal.yaml", "deal.yaml"]),
    "rules list": ("partnerfit.cli.rules", "_pack", ["rules", "list"]),
    "rules test": ("partnerfit.cli.rules", "_pack", ["rules", "test"]),
    "explain": ("partnerfit.cli.rules", "_pack", ["explain", "PF-TST-001"]),
    "schema": ("partnerfit.cli", "case_json_schema", ["schema"]),
    "facts": ("partnerfit.cli", "vocabulary_markdown", ["facts"]),
    "new": ("partnerfit.cli.new", "case_template", ["new", "--no-interactive"]),
    "questionnaire": (
        "partnerfit.cli.questionnaire",
        "questionnaire",
        ["questionnaire", "deal.yaml", "--party", "a"],
    ),
    "merge": ("partnerfit.cli.questionnaire", "merge", ["merge", "deal.yaml", "deal.yaml"]),
}


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise BUG


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


def test_every_command_handles_errors() -> None:
    wrapper = handles_errors(lambda: None).__code__
    names = []
    for name, command in _commands(main):
        names.append(name)
        assert command.callback is not None
        assert command.callback.__code__ is wrapper, f"{name} is not wrapped in handles_errors"
    assert sorted(names) == sorted(BUG_SITES)


@pytest.mark.parametrize("name", list(BUG_SITES))
def test_a_bug_in_any_command_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    module, function, args = BUG_SITES[name]
    (tmp_path / "deal.yaml").write_text(CASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(f"{module}.{function}", _raise)
    monkeypatch.delenv("PARTNERFIT_TRACEBACK", raising=False)
    result = CliRunner().invoke(main, args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", BUG_LINE)


BUGGY = (
    r"""
import sys
import partnerfit.cli.rules

def bug(*args, **kwargs):
    raise RuntimeError("boom \x1b[2J")

partnerfit.cli.rules._pack = bug
"""
    + CLI
)


@pytest.mark.parametrize("show", [False, True], ids=["quiet", "PARTNERFIT_TRACEBACK=1"])
def test_a_bug_shows_its_traceback_only_when_asked(tmp_path: Path, show: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PARTNERFIT_TRACEBACK"}
    if show:
        env["PARTNERFIT_TRACEBACK"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", BUGGY, "rules", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert (done.returncode, done.stdout) == (2, b"")
    err = done.stderr.decode()
    lines = err.splitlines(keepends=True)
    assert lines[-1] == BUG_LINE
    if show:
        assert lines[0] == "Traceback (most recent call last):\n"
        assert lines[-2] == "RuntimeError: boom \x1b[2J\n"
        assert "in rules_list\n    pack = _pack(rules)\n" in err
    else:
        assert lines == [BUG_LINE]


def test_click_usage_errors_stay_clicks(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "list", "--format", "pdf"])
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr
    assert "internal error" not in result.stderr
