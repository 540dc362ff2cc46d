"""Benchmark of batch screening: the load floor, one process, the pool, and the CLI.

    python benchmarks/bench_batch.py                 # N = 2,000 and 20,000
    python benchmarks/bench_batch.py --n 500         # a quick run
    python benchmarks/bench_batch.py --n 2000 --n 20000 --jobs 2

For each N, synthetic cases (see ``casegen.py``: seeded, varied, ~2% broken) are
written to a temporary folder, and each mode runs in a fresh Python process so
that its peak RSS belongs to it alone:

* ``floor``: load and validate every file, nothing else;
* ``check``: load and check with the default pack in one process, no batch machinery;
* ``batch-jN``: :func:`partnerfit.batch.run_batch` with ``jobs=N``, every result
  written as JSON Lines to ``/dev/null`` (end to end: discovery, pool, formatting);
* ``cli-jN``: ``partnerfit batch DIR --jobs N --format jsonl -o FILE`` (spot check).

Peak RSS is ``ru_maxrss`` of the measuring process plus that of its largest child
(``RUSAGE_CHILDREN`` reports the largest, not the sum), i.e. parent + one worker.
Targets on 2 cores: batch-j2 ≥ 1.6 × batch-j1; batch end to end ≥ 0.5 × floor;
peak RSS at the largest N within 1.2 × that at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class PssSampler:
    """Peak of the summed PSS of this process and its descendants, sampled from /proc.

    PSS charges a page shared by k processes 1/k to each, so pages a forked worker
    inherits from its parent are not counted twice, as RSS counts them.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss(pid) for pid in _tree(os.getpid())))
            self._stop.wait(interval)


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(mode: str, folder: str, jobs: int) -> dict[str, Any]:
    """Run one mode in this process and return its figures."""
    with PssSampler() as sampler:
        result = _measure(mode, folder, jobs)
    result["pss_peak_mb"] = sampler.peak_kb / 1024
    return result


def _measure(mode: str, folder: str, jobs: int) -> dict[str, Any]:
    from partnerfit.batch import Summary, discover, run_batch
    from partnerfit.errors import PartnerfitError
    from partnerfit.evaluation import evaluate_case
    from partnerfit.formats import batch_writer
    from partnerfit.loading import load_case
    from partnerfit.pack import load_pack

    pack = load_pack()
    start = time.perf_counter()
    files = discover([folder])
    ok = 0
    if mode == "floor":
        for f in files:
            try:
                load_case(f)
                ok += 1
            except PartnerfitError:
                pass
    elif mode == "check":
        for f in files:
            try:
                evaluate_case(load_case(f), pack)
                ok += 1
            except PartnerfitError:
                pass
    elif mode == "batch":
        summary = Summary()
        with open(os.devnull, "w", encoding="utf-8") as out:
            writer = batch_writer("jsonl", out, pack=pack)
            writer.start()
            for item in run_batch(files, jobs=jobs):
                writer.add(item)
                summary.add(item)
            writer.finish(summary)
        ok = summary.cases - summary.errors
    elif mode == "cli":
        target = Path(tempfile.mkdtemp()) / "out.jsonl"
        entry = "from partnerfit.cli import main; main()"
        cmd = [sys.executable, "-c", entry, "batch", folder, "--jobs", str(jobs)]
        cmd += ["--format", "jsonl", "-o", str(target), "--quiet"]
        done = subprocess.run(cmd, check=False)
        assert done.returncode in (0, 1, 2), done
        with target.open(encoding="utf-8") as lines:
            rows = [json.loads(line)["status"] for line in lines]
        assert len(rows) == len(files), (len(rows), len(files))
        ok = rows.count("ok")
        shutil.rmtree(target.parent)
    else:
        raise SystemExit(f"unknown mode {mode}")
    elapsed = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "mode": mode,
        "jobs": jobs,
        "cases": len(files),
        "ok": ok,
        "seconds": elapsed,
        "cases_per_s": len(files) / elapsed,
        "rss_self_mb": own / 1024,
        "rss_child_mb": child / 1024,
        "rss_peak_mb": (own + child) / 1024,
    }


def run_mode(mode: str, folder: Path, jobs: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure", mode, "--dir", str(folder), "--jobs", str(jobs)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bench(n: int, jobs: list[int], seed: int, cli: bool, quick: bool) -> list[dict[str, Any]]:
    sys.path.insert(0, str(HERE))
    from casegen import write_cases

    with tempfile.TemporaryDirectory(prefix=f"pf-bench-{n}-") as tmp:
        folder = Path(tmp) / "cases"
        t0 = time.perf_counter()
        write_cases(folder, n, seed=seed)
        print(f"\nN = {n:,} (written in {time.perf_counter() - t0:.1f} s)", flush=True)
        rows = [run_mode("floor", folder, 1)]
        if not quick:
            rows.append(run_mode("check", folder, 1))
        rows += [run_mode("batch", folder, j) for j in jobs]
        if cli:
            rows.append(run_mode("cli", folder, max(jobs)))
        for r in rows:
            name = r["mode"] + (f"-j{r['jobs']}" if r["mode"] in ("batch", "cli") else "")
            print(
                f"  {name:<10} {r['cases_per_s']:8.0f} cases/s  {r['seconds']:7.1f} s  "
                f"ok {r['ok']:>6}  peak RSS {r['rss_peak_mb']:6.0f} MB "
                f"(self {r['rss_self_mb']:.0f} + child {r['rss_child_mb']:.0f}), "
                f"peak PSS {r['pss_peak_mb']:.0f} MB",
                flush=True,
            )
        by = {(r["mode"], r["jobs"]): r for r in rows}
        floor = by["floor", 1]["cases_per_s"]
        if ("batch", 1) in by and ("batch", 2) in by:
            ratio = by["batch", 2]["cases_per_s"] / by["batch", 1]["cases_per_s"]
            print(f"  jobs2 / jobs1 = {ratio:.2f}  (target ≥ 1.6)")
        best = max(by["batch", j]["cases_per_s"] for j in jobs)
        print(f"  end-to-end / floor = {best / floor:.2f}  (target ≥ 0.5; best batch run)")
        for j in jobs:
            print(f"  batch-j{j} / floor = {by['batch', j]['cases_per_s'] / floor:.2f}")
        return rows


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def calibrate() -> float:
    """Speed-up of 2 processes over 1 on pure CPU work: what the machine gives right now.

    On a shared machine this can be far below 2, and then no pool can reach 1.6.
    """
    from concurrent.futures import ProcessPoolExecutor

    times = []
    for jobs in (1, 2):
        start = time.perf_counter()
        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_spin, [2_000_000] * 8))
        times.append(time.perf_counter() - start)
    return times[0] / times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="cases (repeatable)")
    parser.add_argument("--jobs", type=int, action="append", help="pool sizes (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI spot check")
    parser.add_argument(
        "--quick", action="store_true", help="skip the one-process check mode (floor + pool only)"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.dir, (args.jobs or [1])[0])))
        return
    sizes = args.n or [2_000, 20_000]
    jobs = args.jobs or [1, 2]
    print(f"partnerfit batch benchmark: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"calibration: pure-CPU work, 2 processes / 1 process = {calibrate():.2f}")
    results = {n: bench(n, jobs, args.seed, not args.no_cli, args.quick) for n in sizes}
    print(f"\ncalibration again: 2 processes / 1 process = {calibrate():.2f}")
    if len(sizes) > 1:
        print()
        small, large = min(sizes), max(sizes)
        for j in jobs:
            a = next(r for r in results[small] if r["mode"] == "batch" and r["jobs"] == j)
            b = next(r for r in results[large] if r["mode"] == "batch" and r["jobs"] == j)
            for key, label in (("rss_peak_mb", "RSS"), ("pss_peak_mb", "PSS")):
                growth = b[key] / a[key]
                print(
                    f"peak {label} batch-j{j}: {a[key]:.0f} MB at {small:,}, "
                    f"{b[key]:.0f} MB at {large:,}: × {growth:.2f} (target ≤ 1.2)"
                )


if __name__ == "__main__":
    main()
