"""Safe to embed: threads, forked and spawned workers all give the sequential results."""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from partnerfit import Report, RulePack, evaluate, evaluate_many, load_case, load_pack

DATA = Path(__file__).parent / "data"
PACK_DIR = DATA / "pack"
N_CASES = 500
N_THREADS = 8

_CATEGORIES = ("services", "software", "hardware")
_SEGMENTS = ("clinics", "schools", "farms")


def make_case(i: int) -> dict[str, Any]:
    """A small, deterministic case whose findings vary with ``i``.

    Every case sets ``importance``, so some rule always fires: a fresh engine whose
    first case fires nothing crashes (see test_api.py); workers must not trip on it.
    """
    rng = random.Random(i)
    parties: list[dict[str, Any]] = []
    for p in range(rng.choice((2, 2, 3))):
        party: dict[str, Any] = {
            "id": f"p{p}",
            "name": f"Party {p}",
            "importance": rng.choice(("core", "peripheral", "significant"))
            if p
            else rng.choice(("core", "peripheral")),
            "offerings": [
                {"category": rng.choice(_CATEGORIES), "segments": [rng.choice(_SEGMENTS)]}
                for _ in range(rng.randint(0, 2))
            ],
        }
        history: dict[str, Any] = {}
        if rng.random() < 0.3:
            history["references"] = rng.choice(("provided", "refused", "partial"))
        if rng.random() < 0.4:
            history["past_partner_disputes"] = [f"dispute {k}" for k in range(rng.randint(0, 2))]
        if history:
            party["history"] = history
        parties.append(party)
    case: dict[str, Any] = {"id": f"case-{i}", "parties": parties}
    if rng.random() < 0.2:
        case["waivers"] = [{"rule": "PF-TST-003", "justification": "Settled long ago."}]
    return case


@cache
def _pack() -> RulePack:
    return load_pack(PACK_DIR)


def evaluate_index(i: int) -> str:
    """Top-level, so that forked and spawned workers can run it."""
    return evaluate(load_case(make_case(i)), _pack()).to_json()


@pytest.fixture(scope="module")
def sequential() -> list[str]:
    return [evaluate_index(i) for i in range(N_CASES)]


def test_generated_cases_have_varied_findings(sequential: list[str]) -> None:
    reports = [Report.from_json(r) for r in sequential]
    rule_counts = Counter(f.rule_id for r in reports for f in r.findings)
    assert set(rule_counts) == {
        "PF-TST-001",
        "PF-TST-002",
        "PF-TST-003",
        "PF-TST-004",
        "PF-TST-010",
    }
    assert set(Counter(r.verdict.value for r in reports)) == {
        "proceed",
        "proceed_with_conditions",
        "reconsider",
    }
    assert sum(len(r.waived) for r in reports) > 0
    assert all(r.findings for r in reports)


def test_threads_give_exactly_the_sequential_results(sequential: list[str]) -> None:
    results: dict[int, dict[int, str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(N_THREADS)

    def work(t: int) -> None:
        order = list(range(N_CASES))
        random.Random(1000 + t).shuffle(order)
        mine: dict[int, str] = {}
        try:
            barrier.wait()
            for i in order:
                mine[i] = evaluate_index(i)
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)
        results[t] = mine

    threads = [threading.Thread(target=work, args=(t,)) for t in range(N_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == list(range(N_THREADS))
    for t in range(N_THREADS):
        got = [results[t][i] for i in range(N_CASES)]
        mismatched = [i for i in range(N_CASES) if got[i] != sequential[i]]
        assert mismatched == [], f"thread {t} differs on cases {mismatched[:10]}"


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_give_the_sequential_results(sequential: list[str], method: str) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    n = N_CASES if method == "fork" else 200
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        got = pool.map(evaluate_index, range(n), chunksize=25)
    assert got == sequential[:n]


def test_evaluate_many_with_workers_gives_the_sequential_results(sequential: list[str]) -> None:
    cases = (make_case(i) for i in range(200))
    got = list(evaluate_many(cases, _pack(), jobs=2))
    assert [r.to_json() if isinstance(r, Report) else repr(r) for r in got] == sequential[:200]
