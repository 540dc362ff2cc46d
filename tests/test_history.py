"""The historical alliance library: cases written from what was public before signing,
outcomes kept apart. benchmarks/judgment.py scores the verdicts against the outcomes
(run in CI with a floor); these tests keep the library itself well-formed."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from partnerfit import evaluate, load_case

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "cases" / "history"
CASES = sorted(HISTORY.glob("*.yaml"))


def _outcomes() -> dict[str, str]:
    with (HISTORY / "outcomes.tsv").open(newline="", encoding="utf-8") as handle:
        return {row["case"]: row["outcome"] for row in csv.DictReader(handle, delimiter="\t")}


def test_every_case_has_an_outcome_and_every_outcome_a_case() -> None:
    outcomes = _outcomes()
    assert sorted(p.stem for p in CASES) == sorted(outcomes)
    assert set(outcomes.values()) <= {"success", "failure", "mixed"}
    worked = sum(o == "success" for o in outcomes.values())
    failed = sum(o == "failure" for o in outcomes.values())
    assert worked >= 6
    assert failed >= 6


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_each_case_loads_cites_its_sources_and_hides_its_outcome(path: Path) -> None:
    case = load_case(path)
    assert case.id == path.stem
    text = path.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 5, "every claim carries its source in a comment"
    # The outcome lives in outcomes.tsv only: the case must not say what happened.
    what_happened = next(
        row["what happened (written after signing; the rule pack never reads this file)"]
        for row in csv.DictReader((HISTORY / "outcomes.tsv").open(encoding="utf-8"), delimiter="\t")
        if row["case"] == path.stem
    )
    assert what_happened not in text
    evaluate(case)  # judged without error


def test_the_judgment_script_scores_the_library() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "judgment.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "agreement: " in done.stdout
    assert "Confusion matrix" in done.stdout
