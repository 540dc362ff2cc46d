"""`partnerfit new deal.yaml` in a real terminal: a tmux pane, typed into as a person would.

On a terminal the questions are asked without any flag. The test waits for each question
to appear on the pane's screen, types the answer and presses Enter, then checks what the
screen showed (the choices with their meanings, a refusal in words, how a word was read),
that the file written loads as exactly the answers, and that `check` runs on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from partnerfit.loading import load_case

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CI"),
    reason="tmux is not installed (CI installs it, and there this test never skips)",
)

# (what the question says, what is typed). Each waits for the question to be on screen.
STEPS: list[tuple[str, str]] = [
    ("A short id for this case", ""),  # keep deal, from the file's name
    ("A title for it, in a few words?", "Alpha x Beta"),
    ("What kind of partnership is it?", "founders"),
    ("What is the first party called?", "Alpha Care"),
    ("A short id for Alpha Care", ""),
    ("What is the second party called?", "Beta Dental"),
    ("A short id for Beta Dental", "beta"),
    ("What does Alpha Care sell?", "design, sofware"),  # refused: asked again
    ("What does Alpha Care sell?", "design, SaaS"),
    ("Who are Alpha Care's customers?", "dental clinics, dental labs"),
    ("Which of Alpha Care's customers buy from its services business?", "1"),
    ("Which of Alpha Care's customers buy from its software business?", "all"),
    ("Where does Alpha Care sell?", "DACH"),
    ("Which companies does Alpha Care see as its competitors?", "Gamma"),
    ("Which senior person at Alpha Care backs this partnership?", "Dr. Ada Alpha"),
    ("In Alpha Care's own words: what should the partnership become?", "One contract a clinic"),
    ("In Alpha Care's own words: where will the partnership be", ""),
    ("What does Beta Dental sell?", "services"),
    ("Who are Beta Dental's customers?", "dental clinics"),
    ("Where does Beta Dental sell?", ""),
    ("Which companies does Beta Dental see as its competitors?", "none"),
    ("Which senior person at Beta Dental backs this partnership?", "nobody"),
    ("In Beta Dental's own words: what should the partnership become?", ""),
    ("In Beta Dental's own words: where will the partnership be", "300 clinics"),
]

WRITTEN: dict[str, Any] = {
    "schema": "partnerfit/case/v1",
    "id": "deal",
    "title": "Alpha x Beta",
    "alliance": {"kind": "co_founding"},
    "parties": [
        {
            "id": "alpha-care",
            "name": "Alpha Care",
            "offerings": [
                {"category": "services", "segments": ["dental clinics"]},
                {"category": "software", "segments": ["dental clinics", "dental labs"]},
            ],
            "markets": {"segments": ["dental clinics", "dental labs"], "regions": ["DACH"]},
            "competitors": ["Gamma"],
            "executive_sponsor": "Dr. Ada Alpha",
            "answers": {"vision": "One contract a clinic"},
        },
        {
            "id": "beta",
            "name": "Beta Dental",
            "offerings": [{"category": "services", "segments": ["dental clinics"]}],
            "markets": {"segments": ["dental clinics"]},
            "competitors": [],
            "executive_sponsor": False,
            "answers": {"three_year_goal": "300 clinics"},
        },
    ],
}


class Pane:
    """One tmux server and session of its own, 120 columns by 40 lines."""

    def __init__(self, command: str) -> None:
        self.tmux = ["tmux", "-L", f"partnerfit-new-{os.getpid()}", "-f", os.devnull]
        self.run("new-session", "-d", "-s", "pf", "-x", "120", "-y", "40", command)

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.tmux, *args], capture_output=True, text=True, check=True, timeout=30
        )
        return done.stdout

    def screen(self) -> str:
        """Everything the pane showed, scrolled-off lines too, wrapped lines joined."""
        return self.run("capture-pane", "-p", "-J", "-S", "-", "-t", "pf")

    def type(self, text: str) -> None:
        if text:
            self.run("send-keys", "-t", "pf", "-l", text)
        self.run("send-keys", "-t", "pf", "Enter")

    def wait_for(self, question: str, times: int, timeout: float = 60) -> str:
        """Wait until ``question`` has been asked ``times`` times and waits for an answer."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            lines = [line for line in screen.split("\n") if line.strip()]
            last = lines[-1].rstrip() if lines else ""
            if screen.count(question) >= times and question in last and last.endswith(":"):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"not asked {question!r} (time {times}) in the pane:\n{screen}")
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True, timeout=30)


def test_new_asks_its_questions_in_a_terminal(tmp_path: Path) -> None:
    command = (
        f"cd {tmp_path} && {sys.executable} -m partnerfit new deal.yaml; echo EXIT=$?; sleep 120"
    )
    pane = Pane(command)
    try:
        asked: dict[str, int] = {}
        for question, answer in STEPS:
            asked[question] = asked.get(question, 0) + 1
            pane.wait_for(question, asked[question])
            pane.type(answer)
        deadline = time.monotonic() + 60
        screen = pane.screen()
        while "EXIT=" not in screen:
            if time.monotonic() > deadline:
                pytest.fail(f"partnerfit new did not finish in the pane:\n{screen}")
            time.sleep(0.1)
            screen = pane.screen()
    finally:
        pane.close()
    assert "EXIT=0" in screen, screen
    # The choices, each with its meaning; a refusal in words; how words were read.
    assert "   6. co-founding: people start a new company together as its founders" in screen
    assert "   4. services: does work for clients: installation, repair, care, design" in screen
    assert "  (read 'founders' as co-founding)" in screen
    assert "Error: 'sofware' is not a category partnerfit knows; did you mean software?" in screen
    assert "  (read 'design' as services)\n  (read 'SaaS' as software)" in screen
    assert "Input should" not in screen
    assert "Wrote deal.yaml. Next: partnerfit check deal.yaml" in screen

    written = load_case(tmp_path / "deal.yaml")
    assert written.model_dump(mode="json", by_alias=True, exclude_none=True) == WRITTEN
    report = tmp_path / "deal.html"
    check = subprocess.run(
        [sys.executable, "-m", "partnerfit", "check", "deal.yaml", "--format=html", f"-o{report}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode in (0, 1), check.stderr  # no flags, or flags; never a refusal
    page = report.read_text(encoding="utf-8")
    assert "Alpha Care" in page
    assert "Beta Dental" in page
