"""Judgment on real deals: run the historical alliance library and score the verdicts.

``cases/history/`` holds historical alliances written only from what was public before
signing; ``cases/history/outcomes.tsv`` holds what happened, and the pack never reads it.
This script checks every case, then prints per case the verdict against the outcome and
the red flags raised, the agreement figure with a confusion matrix, and for every rule how
often it fired on alliances that worked and on those that failed: a rule that fires as
often on both carries no information.

A verdict agrees with an outcome when an alliance that worked did not get ``reconsider``
and one that failed did. Mixed outcomes are shown but not scored. An ``incomplete`` verdict
(the case answers less of what the pack asks than the pack needs to judge) is scored like
any verdict other than ``reconsider``, and listed apart; the strict figure, which
``--min-agreement`` checks, counts it as agreeing with no outcome. The ``answered`` column
gives each case's share of the questions the pack asks.

    .venv/bin/python benchmarks/judgment.py                  # the report
    .venv/bin/python benchmarks/judgment.py --min-agreement 13  # exit 1 below 13 agreeing strictly
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tabulate import tabulate

from partnerfit import evaluate, load_case, load_pack
from partnerfit.report import Report, Verdict, percent

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "cases" / "history"
OUTCOMES = HISTORY / "outcomes.tsv"
SCORED = ("success", "failure")


@dataclass(frozen=True)
class Result:
    case: str
    outcome: str
    report: Report

    @property
    def agrees(self) -> bool | None:
        if self.outcome not in SCORED:
            return None
        reconsider = self.report.verdict is Verdict.reconsider
        return reconsider == (self.outcome == "failure")

    @property
    def agrees_strictly(self) -> bool | None:
        """As :attr:`agrees`, but ``incomplete`` agrees with no outcome: a verdict that
        declines to judge is not a "go"."""
        if self.agrees is None:
            return None
        return self.agrees and self.report.verdict is not Verdict.incomplete


def outcomes(path: Path = OUTCOMES) -> dict[str, str]:
    """Case id → ``success``, ``failure`` or ``mixed``."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["case"]: row["outcome"] for row in rows}


def run(rules: list[Path]) -> list[Result]:
    pack = load_pack(*rules) if rules else None
    known = outcomes()
    files = sorted(HISTORY.glob("*.yaml"))
    missing = sorted({f.stem for f in files} ^ set(known))
    if missing:
        raise SystemExit(f"cases and outcomes.tsv disagree on: {', '.join(missing)}")
    return [Result(f.stem, known[f.stem], evaluate(load_case(f), pack)) for f in files]


def _flags(report: Report) -> str:
    counts = Counter(f"{f.rule_id}({f.severity.value[0]})" for f in report.red_flags())
    return " ".join(k if n == 1 else f"{k}×{n}" for k, n in sorted(counts.items()))


def _answered(report: Report) -> str:
    c = report.coverage
    return "-" if c is None else f"{c.answered}/{c.asked} {percent(c.ratio)}"


def print_report(results: list[Result]) -> int:
    rows = [
        [
            r.case,
            r.outcome,
            r.report.verdict.label,
            {True: "yes", False: "NO", None: "-"}[r.agrees],
            r.report.counts.open_questions,
            _answered(r.report),
            _flags(r.report),
        ]
        for r in results
    ]
    headers = [
        "case",
        "outcome",
        "verdict",
        "agrees",
        "questions",
        "answered",
        "red flags (severity)",
    ]
    print(tabulate(rows, headers=headers, disable_numparse=True))

    print("\nConfusion matrix (rows: outcome; columns: verdict)")
    matrix = [
        [o, *(sum(r.outcome == o and r.report.verdict is v for r in results) for v in Verdict)]
        for o in ("success", "failure", "mixed")
    ]
    print(tabulate(matrix, headers=["", *(v.label for v in Verdict)]))

    print("\nRules that fired: on how many alliances that worked / failed")
    worked = [r for r in results if r.outcome == "success"]
    failed = [r for r in results if r.outcome == "failure"]
    fired: Counter[tuple[str, str]] = Counter()
    for r in worked + failed:
        for rid in {f.rule_id for f in r.report.red_flags()}:
            fired[(rid, r.outcome)] += 1
    rules = sorted({rid for rid, _ in fired})
    table = [
        [
            rid,
            f"{fired[(rid, 'success')]}/{len(worked)}",
            f"{fired[(rid, 'failure')]}/{len(failed)}",
            "no signal"
            if abs(
                fired[(rid, "success")] / max(len(worked), 1)
                - fired[(rid, "failure")] / max(len(failed), 1)
            )
            < 0.25
            else "",
        ]
        for rid in rules
    ]
    print(tabulate(table, headers=["rule", "worked", "failed", ""]))

    scored = [r for r in results if r.agrees is not None]
    agreeing = sum(bool(r.agrees) for r in scored)
    always = max(len(worked), len(failed))
    print(
        f"\nagreement: {agreeing} of {len(scored)} scored alliances "
        f"(always answering the majority outcome: {always}; mixed outcomes not scored: "
        f"{len(results) - len(scored)})"
    )
    critical = [
        r.case for r in worked if any(f.severity.value == "critical" for f in r.report.red_flags())
    ]
    print(f"critical flags on alliances that worked: {len(critical)} {' '.join(critical)}".rstrip())
    incomplete = [r.case for r in results if r.report.verdict is Verdict.incomplete]
    print(
        f"incomplete (too little answered to judge; scored as not reconsider): "
        f"{len(incomplete)} {' '.join(incomplete)}".rstrip()
    )
    strict = sum(bool(r.agrees_strictly) for r in scored)
    print(f"strict agreement (incomplete agrees with no outcome): {strict} of {len(scored)}")
    return strict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=Path, action="append", default=[], help="rule pack folder")
    parser.add_argument(
        "--min-agreement",
        type=int,
        default=0,
        help="exit 1 when fewer scored alliances agree strictly (CI keeps the figure reached)",
    )
    args = parser.parse_args(argv)
    agreeing = print_report(run(args.rules))
    if agreeing < args.min_agreement:
        print(f"FAILED: strict agreement {agreeing} is below {args.min_agreement}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
