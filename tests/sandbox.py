"""A child process that runs partnerfit on untrusted input, for the property tests.

A crash in the rule engine's C core kills the process it runs in. Property tests
send each example to a long-lived child through a pipe instead: a segfault or a
hang there fails the example (and the child is restarted), never pytest itself.

The child answers each request with what came out: ``report`` (a Report), ``error``
(a PartnerfitError subclass, by name) or ``escape`` (any other exception, with its
traceback). Requests and answers are JSON lines.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

SERVER = r"""
import json, os, sys, tempfile, traceback
from pathlib import Path
from partnerfit import evaluate, load_case, load_pack
from partnerfit.errors import PartnerfitError

CASES = [load_case(p) for p in sys.argv[1:]]

def run(request):
    kind = request["kind"]
    if kind == "text":
        return [evaluate(load_case(request["payload"]))]
    if kind == "mapping":
        return [evaluate(load_case(request["payload"]))]
    if kind == "pack":
        with tempfile.TemporaryDirectory() as folder:
            for name, text in request["payload"].items():
                Path(folder, name).write_text(text)
            pack = load_pack(folder)
            return [evaluate(case, pack) for case in CASES]
    if kind == "abort":  # lets a test check that a crash is reported
        os.abort()
    raise ValueError(kind)

for line in sys.stdin:
    request = json.loads(line)
    try:
        reports = run(request)
        answer = {"outcome": "report", "detail": [r.verdict.value for r in reports]}
    except PartnerfitError as exc:
        answer = {"outcome": "error", "detail": type(exc).__name__ + ": " + str(exc)}
    except BaseException as exc:
        answer = {"outcome": "escape", "detail": traceback.format_exc()}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
"""


@dataclass(frozen=True)
class Outcome:
    outcome: str
    """``report``, ``error``, ``escape``, ``crash`` (the child died) or ``hang``."""
    detail: Any


class Sandbox:
    """One child process, restarted after a crash or a hang."""

    def __init__(self, cases: list[str], timeout: float = 30.0) -> None:
        self.cases = cases
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", SERVER, *self.cases],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
        return self.proc

    def run(self, kind: str, payload: Any) -> Outcome:
        proc = self._start()
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"kind": kind, "payload": payload}) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            return self._died(proc)
        ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
        if not ready:
            self.close()
            return Outcome("hang", f"no answer within {self.timeout} s")
        line = proc.stdout.readline()
        if not line:
            return self._died(proc)
        answer = json.loads(line)
        return Outcome(answer["outcome"], answer["detail"])

    def _died(self, proc: subprocess.Popen[str]) -> Outcome:
        code = proc.wait(timeout=10)
        self.proc = None
        return Outcome("crash", f"the child process died with exit code {code}")

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(timeout=10)
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()
            self.proc = None
