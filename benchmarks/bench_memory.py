"""Memory over many evaluations in one process: does an embedding service leak?

Runs N evaluations (default 20,000) of small, varied, generated cases through the
public API in one process, prints the resident set size (RSS) every ``--every``
evaluations, and the ratio of the last reading to the first one taken after the
warm-up. A ratio near 1.0 means flat memory; the engine adapter deletes each
evaluation's session, without which memory grows by ~0.8 MB a case.

    python benchmarks/bench_memory.py                 # default pack, 20,000 cases
    python benchmarks/bench_memory.py --rules tests/data/pack --n 5000 --every 500

Linux only (reads /proc/self/status). Nothing is asserted: read the numbers.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import partnerfit

_CATEGORIES = ("services", "software", "hardware", "consulting", "training", "data")
_SEGMENTS = ("dental clinics", "schools", "farms", "hotels", "law firms", "wineries")


def make_case(i: int) -> dict[str, Any]:
    """A small deterministic case; findings vary with ``i``."""
    rng = random.Random(i)
    parties = []
    for p in range(rng.choice((2, 2, 3))):
        parties.append(
            {
                "id": f"p{p}",
                "name": f"Party {p} {i}",
                "importance": rng.choice(("core", "significant", "peripheral")),
                "offerings": [
                    {"category": rng.choice(_CATEGORIES), "segments": [rng.choice(_SEGMENTS)]}
                    for _ in range(rng.randint(1, 3))
                ],
                "competitors": rng.sample(["Acme", "Globex", "Initech", "Umbrella"], k=2),
                "history": {"past_partner_disputes": ["one"] * rng.randint(0, 1)},
            }
        )
    return {"id": f"bench-{i}", "title": f"Benchmark case {i}", "parties": parties}


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="evaluations (default 20000)")
    parser.add_argument("--every", type=int, default=1_000, help="print RSS every N (1000)")
    parser.add_argument("--warmup", type=int, default=1_000, help="evaluations before the baseline")
    parser.add_argument("--rules", action="append", default=[], help="rule pack folder(s)")
    parser.add_argument("--json", action="store_true", help="end with the figures as one JSON line")
    args = parser.parse_args(argv)

    pack = partnerfit.load_pack(*args.rules) if args.rules else partnerfit.default_pack()
    cases = [partnerfit.load_case(make_case(i)) for i in range(500)]
    print(f"pack {pack.name} {pack.version}, {len(pack.active())} rules; {args.n} evaluations")
    print(f"{'evaluations':>11}  {'RSS MiB':>8}  {'findings':>9}  {'cases/s':>8}")
    start = time.perf_counter()
    baseline: int | None = None
    last = rss_kib()
    findings = 0
    print(f"{0:>11}  {last / 1024:>8.1f}  {0:>9}  {'':>8}")
    for n in range(1, args.n + 1):
        report = partnerfit.evaluate(cases[n % len(cases)], pack)
        findings += len(report.findings)
        if n == args.warmup:
            baseline = rss_kib()
        if n % args.every == 0 or n == args.n:
            last = rss_kib()
            rate = n / (time.perf_counter() - start)
            marker = "  <- baseline (after warm-up)" if n == args.warmup else ""
            print(f"{n:>11}  {last / 1024:>8.1f}  {findings:>9}  {rate:>8.0f}{marker}")
    if baseline is None:
        print("fewer evaluations than the warm-up: no ratio", file=sys.stderr)
        return 1
    print(
        f"RSS after warm-up {baseline / 1024:.1f} MiB, at the end {last / 1024:.1f} MiB: "
        f"ratio last/first-after-warm-up = {last / baseline:.3f}"
    )
    if args.json:
        figures = {
            "warmup": args.warmup,
            "evaluations": args.n,
            "baseline_kib": baseline,
            "last_kib": last,
            "cases_per_s": args.n / (time.perf_counter() - start),
        }
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
