"""Every speed target of issue 12, each as a ratio against a baseline measured in the same run.

    python benchmarks/speed.py                  # every figure (about 5 minutes on 2 cores)
    python benchmarks/speed.py --quick          # fewer cases and runs (about 1 minute)
    python benchmarks/speed.py --only engine,cli
    python benchmarks/speed.py --before /tmp/base/src   # the same figures for another
                                                          # source tree, interleaved

Figures (the machine is shared and noisy: baseline and subject runs are interleaved;
in one process the best of several rounds counts, whole processes the median):

* ``pipeline``: in one process over ~500 generated cases (``casegen.py``), the load +
  validate floor (YAML and pydantic) against the whole per-case pipeline a batch worker
  runs (load, facts, engine, findings, report, report JSON); and the pipeline's stages.
* ``engine``: ``Engine.evaluate`` against durable's own C floor on the same facts and the
  same compiled ruleset (:meth:`partnerfit.engine.Engine.floor`: the facts of each stratum,
  derived ones included, written as JSON and asserted with one ``assert_facts``; every
  result taken and completed inside the C core, no Python action; the session deleted).
* ``cli``: ``partnerfit check`` on one case, ``partnerfit --version`` and ``--help`` as
  whole processes against ``python -c "import pydantic, click, yaml"``.
* ``batch``: on 720 copies of the example cases, ``partnerfit batch --jobs 1`` against a
  process that only loads and validates every file (both whole processes), and
  ``--jobs 2`` against ``--jobs 1``.
* ``memory``: resident memory after 20,000 evaluations in one process against after 2,000
  (``bench_memory.py``).

Whole processes keep their compiled bytecode between runs in a folder of the run's own
(``PYTHONPYCACHEPREFIX``), as an installed package and the baseline's libraries have it,
even where ``PYTHONDONTWRITEBYTECODE`` is set; ``--compile-every-run`` measures as the
environment says (then, with that variable set, every process compiles partnerfit again).

With ``--before SRC`` every figure is also measured with ``PYTHONPATH=SRC`` (a source
tree holding the ``partnerfit`` package, e.g. an older checkout's ``src``), interleaved
with the current tree's runs, and the table shows both; ``--now SRC`` measures another
tree instead of the installed one (a snapshot, when others are editing the tree).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CASE = ROOT / "cases" / "licensing-outdoor-brand.yaml"
PARTS = ("pipeline", "engine", "cli", "batch", "memory")

LOAD_ONLY = """
import sys
from partnerfit.batch import discover
from partnerfit.errors import PartnerfitError
from partnerfit.loading import load_case
for f in discover(sys.argv[1:]):
    try:
        load_case(f)
    except PartnerfitError:
        pass
"""


@dataclass(frozen=True)
class Size:
    cases: int = 500
    rounds: int = 5
    runs: int = 9
    batch_runs: int = 5
    copies: int = 60
    memory: int = 20_000


QUICK = Size(cases=200, rounds=3, runs=5, batch_runs=3, copies=20, memory=4_000)


# --------------------------------------------------------------------------- in one process


def in_process(cases: int, rounds: int, seed: int) -> dict[str, Any]:
    """Figures (a) and (b), measured in this process: microseconds per case.

    A stage's figure is the mean over the cases of its best time on each case (best of
    ``rounds``), so that a burst of load from elsewhere on the machine spoils one sample,
    not a figure."""
    sys.path.insert(0, str(HERE))
    from casegen import write_cases

    from partnerfit import documents
    from partnerfit.engine import engine_for
    from partnerfit.errors import PartnerfitError
    from partnerfit.evaluation import evaluate_case
    from partnerfit.facts import extract
    from partnerfit.loading import load_case
    from partnerfit.pack import load_pack

    pack = load_pack()
    engine = engine_for(pack.compiled)
    with tempfile.TemporaryDirectory(prefix="pf-speed-") as tmp:
        paths = [Path(p) for p in write_cases(Path(tmp), cases, seed=seed)]
        loaded = []
        for p in paths:
            with contextlib.suppress(PartnerfitError):
                loaded.append((p, load_case(p)))
        facts = [extract(c) for _, c in loaded]
        firings = [engine.evaluate(f) for f in facts]
        strata = [
            _strata(f, fs, pack.compiled.levels) for f, fs in zip(facts, firings, strict=True)
        ]
        reports = [evaluate_case(c, pack) for _, c in loaded]
        floor_assert = [0.0]
        floor_taken = [0]

        def load(p: Path) -> None:
            with contextlib.suppress(PartnerfitError):
                load_case(p)

        def pipeline(p: Path) -> None:
            with contextlib.suppress(PartnerfitError):
                evaluate_case(load_case(p), pack).to_json(indent=None)

        def floor(i: int) -> None:
            floor_taken[0], floor_assert[0] = engine.floor(strata[i])

        # Three passes a round, each over every case: two figures measured against each
        # other run one right after the other on the same case, first one then the other
        # in turns, so that neither always finds the caches warmed by the other.
        # 1. per file (valid or not): the load floor and the pipeline
        files: dict[str, Callable[[Path], object]] = {"load": load, "pipeline": pipeline}
        # 2. per valid case: the engine and its floor
        pair: dict[str, Callable[[int], object]] = {
            "engine": lambda i: engine.evaluate(facts[i]),
            "floor": floor,
        }
        # 3. per valid case: the pipeline's other stages
        stages: dict[str, Callable[[int], object]] = {
            "extract": lambda i: extract(loaded[i][1]),
            "evaluate": lambda i: evaluate_case(loaded[i][1], pack),
            "json": lambda i: reports[i].to_json(indent=None),
        }
        best = {name: [float("inf")] * len(paths) for name in files}
        best.update({name: [float("inf")] * len(loaded) for name in [*pair, *stages]})
        asserted = [0.0] * len(loaded)
        taken = [0] * len(loaded)
        clock = time.perf_counter

        def turn(names: list[str], r: int) -> list[str]:
            return names[r % len(names) :] + names[: r % len(names)]

        for r in range(rounds):
            for i, p in enumerate(paths):
                for name in turn(list(files), r + i):
                    start = clock()
                    files[name](p)
                    best[name][i] = min(best[name][i], clock() - start)
            for i in range(len(loaded)):
                for name in turn(list(pair), r + i):
                    start = clock()
                    pair[name](i)
                    seconds = clock() - start
                    if seconds < best[name][i]:
                        best[name][i] = seconds
                        if name == "floor":
                            asserted[i], taken[i] = floor_assert[0], floor_taken[0]
            for i in range(len(loaded)):
                for name in turn(list(stages), r + i):
                    start = clock()
                    stages[name](i)
                    best[name][i] = min(best[name][i], clock() - start)
    per = {name: sum(times) / len(times) * 1e6 for name, times in best.items()}
    return {
        "libyaml": getattr(documents, "_FastLoader", None) is not None,
        "files": len(paths),
        "cases": len(loaded),
        "us": per,
        "floor_assert_us": sum(asserted) / len(loaded) * 1e6,
        "firings": sum(len(f) for f in firings),
        "floor_taken": sum(taken),
        "facts": sum(len(f) for f in facts),
    }


def _strata(facts: Sequence[Any], firings: Sequence[Any], levels: dict[str, int]) -> list[Any]:
    """The facts of each assertion stratum as the engine met them: a derived fact belongs
    to the stratum of the latest fact its firing matched."""
    level: dict[str, int] = {}
    by: dict[int, list[Any]] = {}
    for fact in facts:
        level[fact["id"]] = n = levels.get(fact["t"], 0)
        by.setdefault(n, []).append(fact)
    for firing in firings:
        if firing.derived is not None:
            n = max((level[fact["id"]] for _, fact in firing.slots), default=0)
            level[firing.derived["id"]] = n
            by.setdefault(n, []).append(firing.derived)
    return [by[n] for n in sorted(by)]


# --------------------------------------------------------------------------- whole processes


_BYTECODE: list[str] = []
"""The folder measured processes keep their compiled bytecode in (``PYTHONPYCACHEPREFIX``),
when set by :func:`main`; empty: as the environment says."""


def _env(src: str | None) -> dict[str, str]:
    """The environment of a measured process: ``src`` on ``PYTHONPATH``, and (unless
    ``--compile-every-run``) bytecode kept between runs in a folder of this run's own.

    An installed package has its modules compiled at install time, and so do pydantic,
    click and yaml, the baseline. With ``PYTHONDONTWRITEBYTECODE`` set (as in some
    sandboxes and CI images) and an editable install, every process would compile all of
    partnerfit's source again, a cost no installed copy pays, and the baseline never. The
    first (warm-up) round of each command fills the folder for everyone alike.
    """
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = src
    if _BYTECODE:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = _BYTECODE[0]
    return env


def _timed(cmd: Sequence[str], env: dict[str, str], ok: Sequence[int] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.decode()[-2000:]}"
        )
    return seconds


def medians(
    commands: dict[str, tuple[list[str], dict[str, str], tuple[int, ...]]], runs: int
) -> dict[str, float]:
    """Median wall time of each command over ``runs`` runs, commands interleaved (in a
    different order each round), after one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    rng = random.Random(12)
    for r in range(runs + 1):
        rng.shuffle(names)
        for name in names:
            cmd, env, ok = commands[name]
            seconds = _timed(cmd, env, ok)
            if r:
                times[name].append(seconds)
    return {name: statistics.median(t) for name, t in times.items()}


def _partnerfit() -> str:
    script = Path(sys.executable).parent / "partnerfit"
    return str(script) if script.exists() else "partnerfit"


# --------------------------------------------------------------------------- the figures


@dataclass
class Row:
    figure: str
    target: str
    passes: Callable[[float], bool]
    detail: str = ""


ROWS = {
    "pipeline": Row("(a) load floor / whole pipeline, one process", "≥ 0.50", lambda v: v >= 0.5),
    "engine": Row("(b) Engine.evaluate / durable's C floor", "≤ 1.30", lambda v: v <= 1.3),
    "check": Row("(c) check one case / import pydantic,click,yaml", "≤ 2.50", lambda v: v <= 2.5),
    "version": Row("(c) --version / import pydantic,click,yaml", "≤ 2.00", lambda v: v <= 2.0),
    "help": Row("(c) --help / import pydantic,click,yaml", "≤ 2.00", lambda v: v <= 2.0),
    "batch": Row("(d) load-only process / batch --jobs 1", "≥ 0.50", lambda v: v >= 0.5),
    "jobs": Row("(d) batch --jobs 1 / --jobs 2 (speed-up)", "≥ 1.60", lambda v: v >= 1.6),
    "memory": Row("(e) RSS after 20,000 / after 2,000 cases", "≤ 1.20", lambda v: v <= 1.2),
}


def run_pipeline_and_engine(trees: dict[str, str | None], size: Size, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, src in trees.items():
        cmd = [sys.executable, __file__, "--in-process", str(size.cases), str(size.rounds)]
        cmd += ["--seed", str(seed)]
        done = subprocess.run(cmd, env=_env(src), capture_output=True, text=True, check=True)
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def run_cli(trees: dict[str, str | None], size: Size) -> dict[str, dict[str, float]]:
    base = [sys.executable, "-c", "import pydantic, click, yaml"]
    pf = _partnerfit()
    commands: dict[str, tuple[list[str], dict[str, str], tuple[int, ...]]] = {
        "base": (base, _env(None), (0,))
    }
    for name, src in trees.items():
        env = _env(src)
        commands[f"{name}:check"] = ([pf, "check", str(CASE)], env, (0, 1))
        commands[f"{name}:version"] = ([pf, "--version"], env, (0,))
        commands[f"{name}:help"] = ([pf, "--help"], env, (0,))
    times = medians(commands, size.runs)
    return {
        name: {
            "base": times["base"],
            **{what: times[f"{name}:{what}"] for what in ("check", "version", "help")},
        }
        for name in trees
    }


def run_batch(trees: dict[str, str | None], size: Size) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from bench_batch import calibrate

    examples = sorted((ROOT / "cases").glob("*.yaml"))
    pf = _partnerfit()
    with tempfile.TemporaryDirectory(prefix="pf-speed-batch-") as tmp:
        folder = Path(tmp) / "cases"
        for i in range(size.copies):
            sub = folder / f"copy-{i:03d}"
            sub.mkdir(parents=True)
            for case in examples:
                shutil.copyfile(case, sub / case.name)
        total = size.copies * len(examples)
        commands: dict[str, tuple[list[str], dict[str, str], tuple[int, ...]]] = {}
        for name, src in trees.items():
            env = _env(src)
            commands[f"{name}:load"] = ([sys.executable, "-c", LOAD_ONLY, str(folder)], env, (0,))
            for jobs in (1, 2):
                out = Path(tmp) / f"{name}-j{jobs}.jsonl"
                cmd = [pf, "batch", str(folder), "--jobs", str(jobs), "--format", "jsonl"]
                cmd += ["-o", str(out), "--quiet"]
                commands[f"{name}:j{jobs}"] = (cmd, env, (0, 1))
        before = calibrate()
        times = medians(commands, size.batch_runs)
        after = calibrate()
        for name in trees:
            for jobs in (1, 2):
                rows = (Path(tmp) / f"{name}-j{jobs}.jsonl").read_text().splitlines()
                assert len(rows) == total, (name, jobs, len(rows), total)
                assert all(json.loads(r)["status"] == "ok" for r in rows), (name, jobs)
    return {
        "cases": total,
        "calibration": (before, after),
        **{
            name: {what: times[f"{name}:{what}"] for what in ("load", "j1", "j2")} for name in trees
        },
    }


def run_memory(trees: dict[str, str | None], size: Size) -> dict[str, Any]:
    every = size.memory // 10
    results = {}
    for name, src in trees.items():
        cmd = [sys.executable, str(HERE / "bench_memory.py"), "--n", str(size.memory)]
        cmd += ["--every", str(every), "--warmup", str(every), "--json"]
        done = subprocess.run(cmd, env=_env(src), capture_output=True, text=True, check=True)
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer cases and runs")
    parser.add_argument("--only", help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--before", metavar="SRC", help="also measure this source tree")
    parser.add_argument(
        "--now", metavar="SRC", help="measure this source tree instead of the installed one"
    )
    parser.add_argument(
        "--compile-every-run",
        action="store_true",
        help="let measured processes write no bytecode when the environment says so "
        "(PYTHONDONTWRITEBYTECODE): every process compiles partnerfit's source again",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--in-process", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        cases, rounds = args.in_process
        print(json.dumps(in_process(cases, rounds, seed=args.seed)))
        return
    size = QUICK if args.quick else Size()
    parts = args.only.split(",") if args.only else list(PARTS)
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    trees: dict[str, str | None] = {}
    for name, src in (("before", args.before), ("now", args.now)):
        if src is not None and not (Path(src) / "partnerfit" / "__init__.py").is_file():
            parser.error(f"{src} holds no partnerfit package")
        if src is not None or name == "now":
            trees[name] = None if src is None else str(Path(src).resolve())
    bytecode = contextlib.ExitStack()
    if not args.compile_every_run:
        _BYTECODE.append(bytecode.enter_context(tempfile.TemporaryDirectory(prefix="pf-pyc-")))
    print(
        f"partnerfit speed: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; bytecode "
        + (
            "compiled once and kept, as an installed package has it"
            if _BYTECODE
            else "as the environment says"
            + (" (not written: compiled in every process)" if sys.dont_write_bytecode else "")
        ),
        flush=True,
    )
    measured: dict[str, dict[str, float]] = {name: {} for name in trees}
    started = time.perf_counter()

    if "pipeline" in parts or "engine" in parts:
        res = run_pipeline_and_engine(trees, size, args.seed)
        for name, r in res.items():
            us = r["us"]
            rest = us["evaluate"] - us["extract"] - us["engine"]
            print(
                f"\n[{name}] one process, {r['files']} files ({r['cases']} valid), "
                f"{r['facts'] / r['cases']:.0f} facts and {r['firings'] / r['cases']:.1f} firings "
                "a case; µs per case, best of "
                f"{size.rounds}; YAML read by "
                + ("libyaml" if r.get("libyaml") else "the pure-Python parser (libyaml unused)")
                + ":"
            )
            total = us["pipeline"]
            for label, value in (
                ("load + validate (the floor)", us["load"]),
                ("fact extraction", us["extract"]),
                ("Engine.evaluate", us["engine"]),
                ("findings, questions, verdict, report", rest),
                ("report JSON", us["json"]),
                ("whole pipeline (one loop)", total),
            ):
                print(f"  {label:<40} {value:8.0f}  {value / total:5.0%}")
            print(
                f"  durable's C floor {us['floor']:.0f} µs (encode + assert_facts "
                f"{r['floor_assert_us']:.0f}, taking the results {us['floor'] - r['floor_assert_us']:.0f}); "
                f"results taken {r['floor_taken']}, engine firings {r['firings']}"
            )
            if r["floor_taken"] != r["firings"]:
                print("  WARNING: the floor did not take as many results as the engine fired")
            measured[name]["pipeline"] = us["load"] / total
            measured[name]["engine"] = us["engine"] / us["floor"]

    if "cli" in parts:
        res_cli = run_cli(trees, size)
        for name, t in res_cli.items():
            print(
                f"\n[{name}] whole processes, median of {size.runs}: import pydantic,click,yaml "
                f"{t['base'] * 1e3:.0f} ms; check {t['check'] * 1e3:.0f} ms; "
                f"--version {t['version'] * 1e3:.0f} ms; --help {t['help'] * 1e3:.0f} ms"
            )
            for what in ("check", "version", "help"):
                measured[name][what] = t[what] / t["base"]

    if "batch" in parts:
        res_b = run_batch(trees, size)
        cal = res_b["calibration"]
        print(
            f"\nbatch on {res_b['cases']} copies of the example cases; calibration (pure CPU, "
            f"2 processes / 1): {cal[0]:.2f} before, {cal[1]:.2f} after"
        )
        for name in trees:
            t = res_b[name]
            print(
                f"[{name}] median of {size.batch_runs}: load-only process {t['load']:.2f} s; "
                f"batch --jobs 1 {t['j1']:.2f} s; --jobs 2 {t['j2']:.2f} s"
            )
            measured[name]["batch"] = t["load"] / t["j1"]
            measured[name]["jobs"] = t["j1"] / t["j2"]

    if "memory" in parts:
        res_m = run_memory(trees, size)
        for name, m in res_m.items():
            print(
                f"\n[{name}] memory: RSS {m['baseline_kib'] / 1024:.1f} MiB after "
                f"{m['warmup']:,} evaluations, {m['last_kib'] / 1024:.1f} MiB after "
                f"{m['evaluations']:,} ({m['cases_per_s']:.0f} cases/s)"
            )
            measured[name]["memory"] = m["last_kib"] / m["baseline_kib"]

    print(f"\n(all figures measured in this run, {time.perf_counter() - started:.0f} s)\n")
    names = list(trees)
    head = f"| {'figure':<50} | {'target':<7} |"
    head += "".join(f" {n + ' measured':>15} |" for n in names) + " pass |"
    print(head)
    print("|" + "|".join("-" * (len(c) + 0) for c in head.split("|")[1:-1]) + "|")
    for key, row in ROWS.items():
        if key not in measured["now"]:
            continue
        cells = "".join(
            f" {measured[n][key]:>15.2f} |" if key in measured[n] else f" {'':>15} |" for n in names
        )
        verdict = "pass" if row.passes(measured["now"][key]) else "FAIL"
        print(f"| {row.figure:<50} | {row.target:<7} |{cells} {verdict} |")
    if args.quick:
        print(f"\n--quick: memory is {size.memory:,} vs {size.memory // 10:,} evaluations")
    bytecode.close()


if __name__ == "__main__":
    main()
