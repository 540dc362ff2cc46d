"""Every public entry point, called with anything at all, returns its result or raises a
:class:`~partnerfit.errors.PartnerfitError`: never an ``AttributeError``, ``TypeError``,
``ValueError``, ``OSError`` or ``RecursionError``."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import partnerfit
from partnerfit import (
    Case,
    CaseError,
    PackError,
    PartnerfitError,
    Report,
    ReportDiff,
    RulePack,
    UsageError,
    api,
    compare,
    evaluate,
    evaluate_many,
    load_case,
)
from partnerfit.cli import main

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)
PACK = api.load_pack(DATA / "pack")
CASE_DICT: dict[str, Any] = {
    "id": "deal",
    "parties": [
        {"id": "a", "name": "Alpha", "offerings": [{"category": "services", "segments": ["x"]}]},
        {"id": "b", "name": "Beta", "offerings": [{"category": "services", "segments": ["x"]}]},
    ],
}
CASE = load_case(CASE_DICT)
pf: Any = partnerfit
"""The package, untyped: the calls below are wrong on purpose."""
REPORT = evaluate(CASE, PACK, today=TODAY)


def _nested_list(depth: int) -> list[Any]:
    root: list[Any] = []
    current = root
    for _ in range(depth):
        child: list[Any] = []
        current.append(child)
        current = child
    return root


def _nested_dict(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    current = root
    for _ in range(depth):
        child: dict[str, Any] = {}
        current["id"] = child
        current = child
    return root


def _cycle() -> dict[str, Any]:
    cycle: dict[str, Any] = {"id": "x"}
    cycle["parties"] = [cycle]
    return cycle


class _BadPath(os.PathLike[str]):
    def __fspath__(self) -> str:
        return 42  # type: ignore[return-value]


# --- the calls the issue names, one by one -------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: pf.evaluate("x"), UsageError, "case: must be a Case (see load_case), got str"),
        (
            lambda: pf.evaluate(None),
            UsageError,
            "case: must be a Case (see load_case), got NoneType",
        ),
        (
            lambda: pf.evaluate(CASE, pack=3),
            UsageError,
            "pack: must be a RulePack (see load_pack), got int",
        ),
        (
            lambda: pf.evaluate(CASE, PACK, today="2026-01-01"),
            UsageError,
            "today: must be a date, got str",
        ),
        (
            lambda: pf.load_case(42),
            UsageError,
            "load_case() takes a path, YAML/JSON text or a mapping, got int",
        ),
        (
            lambda: pf.load_case(b"id: x"),
            UsageError,
            "load_case() takes a path, YAML/JSON text or a mapping, got bytes",
        ),
        (
            lambda: pf.load_case(_BadPath()),
            UsageError,
            "source: not a usable path: expected _BadPath.__fspath__() to return str or bytes, "
            "not int",
        ),
        (
            lambda: pf.load_case("x" * 5000),  # not a file name the system allows: text
            CaseError,
            "line 1: expected a mapping of case fields at the top, got a string",
        ),
        (
            lambda: pf.load_case({"id": _nested_list(100_000)}),
            CaseError,
            "id" + "[0]" * 31 + ": nested too deeply; the limit is 32 levels",
        ),
        (
            lambda: pf.load_case(_nested_dict(100_000)),
            CaseError,
            ".".join(["id"] * 32) + ": nested too deeply; the limit is 32 levels",
        ),
        (
            lambda: pf.load_case(_cycle()),
            CaseError,
            "parties[0]" + ".parties[0]" * 15 + ": nested too deeply; the limit is 32 levels",
        ),
        (
            lambda: pf.load_case({"id": "x", "parties": [{"id": 10**5000}]}),
            CaseError,
            "parties[0].id: a number with more than 40 digits is too large (numbers lie within "
            "±1e+15)",
        ),
        (
            lambda: pf.evaluate_many(None),
            UsageError,
            "cases: must be a collection of cases (a list, say), got NoneType",
        ),
        (
            lambda: pf.evaluate_many("deal.yaml"),
            UsageError,
            "cases: must be a collection of cases, got one str; put it in a list",
        ),
        (
            lambda: pf.evaluate_many(CASE_DICT),
            UsageError,
            "cases: must be a collection of cases, got one dict; put it in a list",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, jobs="2"),
            UsageError,
            "jobs: must be a whole number, got str",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, jobs=0),
            UsageError,
            "jobs: must be from 1 to 256, got 0",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, jobs=10**9),
            UsageError,
            "jobs: must be from 1 to 256, got 1000000000",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, jobs=-(10**5000)),
            UsageError,
            "jobs: must be from 1 to 256, got a far larger number",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, jobs=True),
            UsageError,
            "jobs: must be a whole number, got bool",
        ),
        (
            lambda: pf.evaluate_many([CASE], PACK, today="2026-01-01"),
            UsageError,
            "today: must be a date, got str",
        ),
        (
            lambda: pf.evaluate_many([CASE], pack=3),
            UsageError,
            "pack: must be a RulePack (see load_pack), got int",
        ),
        (lambda: pf.api.load_pack(3), UsageError, "dirs[0]: must be a rule pack folder, got int"),
        (
            lambda: pf.api.load_pack("a\x00b"),
            PackError,
            "a\x00b: is not a valid folder name (it contains a NUL character)",
        ),
        (
            lambda: pf.api.load_pack("x" * 5000),
            PackError,
            "x" * 5000 + ": rule pack folder not found",
        ),
        (
            lambda: pf.compare(REPORT, None),
            UsageError,
            "new: must be a Report (see evaluate), got NoneType",
        ),
        (
            lambda: pf.compare("a", REPORT),
            UsageError,
            "old: must be a Report (see evaluate), got str",
        ),
    ],
)
def test_a_wrong_argument_is_a_partnerfit_error(
    call: Callable[[], object], error: type[PartnerfitError], message: str
) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "path",
    [
        "a\x00b.yaml",
        "x" * 5000 + ".yaml",
        "/",
        "no/such/folder/deal.yaml",
        "deal\udcff.yaml",
        Path("x" * 5000),
        Path("a\x00b"),
    ],
    ids=["nul", "too-long", "folder", "missing", "not-utf-8", "too-long-path", "nul-path"],
)
def test_an_unreadable_path_is_a_case_error(path: str | Path) -> None:
    with pytest.raises(CaseError) as caught:
        load_case(path)
    assert caught.value.location.file == str(path)


def test_a_folder_named_like_a_case_is_a_case_error(tmp_path: Path) -> None:
    folder = tmp_path / "deal.yaml"
    folder.mkdir()
    with pytest.raises(CaseError, match="is a folder"):
        load_case(str(folder))


def test_a_path_like_object_is_read(tmp_path: Path) -> None:
    class Where(os.PathLike[bytes]):
        def __fspath__(self) -> bytes:
            return os.fsencode(tmp_path / "deal.json")

    (tmp_path / "deal.json").write_text(json.dumps(CASE_DICT))
    assert load_case(Where()).id == "deal"


def test_evaluate_takes_a_datetime_as_its_date() -> None:
    at_noon = evaluate(CASE, PACK, today=dt.datetime(2026, 6, 1, 12, 0))
    assert at_noon == evaluate(CASE, PACK, today=TODAY)


def test_evaluate_many_yields_an_error_in_place_for_each_bad_item(tmp_path: Path) -> None:
    long_text = json.dumps(CASE_DICT) + " " * 5000  # one line, longer than a file name
    items: list[Any] = [
        CASE,
        42,
        {(1, 2): "a key that is not text"},
        _cycle(),
        long_text,
        b"id: x",
        "a\x00b.yaml",
        "x" * 5000 + ".yaml",
        {"id": _nested_list(100_000)},
        CASE_DICT,
    ]
    results = list(evaluate_many(items, PACK, today=TODAY))
    assert [type(r).__name__ for r in results] == [
        "Report",
        "UsageError",
        "CaseError",
        "CaseError",
        "Report",
        "UsageError",
        "CaseError",
        "CaseError",
        "CaseError",
        "Report",
    ]
    assert str(results[1]) == (
        "case 1: expected a Case, a path, YAML/JSON text or a mapping, got int"
    )
    assert str(results[3]).endswith("nested too deeply; the limit is 32 levels")
    assert isinstance(results[4], Report)
    assert results[4].case_id == "deal"


def test_evaluate_many_yields_errors_in_place_with_workers() -> None:
    items: list[Any] = [CASE_DICT, 42, {(1,): 2}, CASE, json.dumps(CASE_DICT)]
    results = list(evaluate_many(items, PACK, jobs=2, today=TODAY))
    assert [type(r).__name__ for r in results] == [
        "Report",
        "UsageError",
        "CaseError",
        "Report",
        "Report",
    ]


def test_the_cli_diff_refuses_a_deeply_nested_saved_report(tmp_path: Path) -> None:
    saved = tmp_path / "report.json"
    saved.write_text(REPORT.to_json())
    for name, text in [
        ("list.json", "[" * 100_000 + "]" * 100_000),
        ("dict.json", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        (
            "report.json",
            REPORT.to_json().replace(
                '"title"', '"x": ' + "[" * 50_000 + "]" * 50_000 + ', "title"', 1
            ),
        ),
    ]:
        deep = tmp_path / f"deep-{name}"
        deep.write_text(text)
        result = CliRunner().invoke(main, ["diff", str(deep), str(saved)])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"partnerfit: error: {deep}")
        assert "nested too deeply" in result.stderr
        assert "Traceback" not in result.output


# --- anything at all --------------------------------------------------------------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.builds(lambda n: 10**n, st.integers(4300, 4500)),  # past int-to-text conversion limits
    st.floats(),
    st.decimals(),
    st.complex_numbers(),
    st.text(),
    st.binary(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.builds(Path, st.text()),
    st.sampled_from(
        [
            "a\x00b.yaml",
            "x" * 5000 + ".yaml",
            "x" * 5000,
            "/",
            ".",
            "deal\udcff.yaml",
            "id: x\n",
            "id: [",
            "[]",
            "null",
            "cases/licensing-outdoor-brand.yaml",
            object(),
            Ellipsis,
            NotImplemented,
            int,
            Case,
            decimal.Decimal("NaN"),
            float("inf"),
            _BadPath(),
        ]
    ),
    # An instance of a type hypothesis picks (a set, a frozenset, a range, a regex …).
    st.sampled_from([set, frozenset, bytearray, range, complex, slice, type]).flatmap(st.from_type),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.integers(), st.none()), inner, max_size=4
        ),
        st.fixed_dictionaries({"id": inner, "parties": inner}),
    ),
    max_leaves=12,
)
ANYTHING = st.one_of(
    _VALUES,
    st.just(CASE),
    st.just(CASE_DICT),
    st.just(PACK),
    st.just(REPORT),
    st.just(TODAY),
    st.builds(lambda d: _nested_list(d), st.integers(30, 3000)),
    st.builds(lambda d: _nested_dict(d), st.integers(30, 3000)),
    st.builds(_cycle),
)
# Two or more workers start a process pool for each example: too slow to try by the hundred
# (test_evaluate_many_yields_errors_in_place_with_workers covers them).
JOBS = st.one_of(ANYTHING.filter(lambda j: not (type(j) is int and 2 <= j <= 256)), st.just(1))

_SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcome(call: Callable[[], object]) -> object:
    try:
        return call()
    except PartnerfitError as exc:
        return exc


def _consume(results: object) -> list[object]:
    assert isinstance(results, Iterator)
    return list(results)


@_SETTINGS
@given(ANYTHING)
def test_load_case_returns_a_case_or_raises_a_partnerfit_error(source: Any) -> None:
    assert isinstance(_outcome(lambda: load_case(source)), Case | PartnerfitError)


@_SETTINGS
@given(ANYTHING, ANYTHING, ANYTHING)
def test_evaluate_returns_a_report_or_raises_a_partnerfit_error(
    case: Any, pack: Any, today: Any
) -> None:
    for call in (
        lambda: evaluate(case, pack, today=today),
        lambda: evaluate(CASE, pack, today=today),
        lambda: evaluate(CASE, PACK, today=today),
    ):
        assert isinstance(_outcome(call), Report | PartnerfitError)


@_SETTINGS
@given(st.lists(ANYTHING, max_size=4) | ANYTHING, ANYTHING, JOBS, ANYTHING)
def test_evaluate_many_yields_reports_and_errors_only(
    cases: Any, pack: Any, jobs: Any, today: Any
) -> None:
    for call in (
        lambda: _consume(evaluate_many(cases, pack, jobs=jobs, today=today)),
        lambda: _consume(evaluate_many(cases, PACK, today=TODAY)),
    ):
        outcome = _outcome(call)
        if isinstance(outcome, list):
            assert all(isinstance(item, Report | PartnerfitError) for item in outcome)
        else:
            assert isinstance(outcome, PartnerfitError)


@_SETTINGS
@given(st.lists(ANYTHING, max_size=3))
def test_load_pack_returns_a_pack_or_raises_a_partnerfit_error(dirs: list[Any]) -> None:
    assert isinstance(_outcome(lambda: api.load_pack(*dirs)), RulePack | PartnerfitError)


@_SETTINGS
@given(ANYTHING, ANYTHING)
def test_compare_returns_a_diff_or_raises_a_partnerfit_error(old: Any, new: Any) -> None:
    for a, b in ((old, new), (REPORT, new), (old, REPORT)):
        assert isinstance(_outcome(partial(compare, a, b)), ReportDiff | PartnerfitError)


def test_the_package_load_pack_checks_its_arguments() -> None:
    with pytest.raises(UsageError):
        pf.load_pack(3)


def test_report_from_json_refuses_bad_text_with_a_partnerfit_error() -> None:
    with pytest.raises(PartnerfitError):
        Report.from_json("[" * 100_000)
