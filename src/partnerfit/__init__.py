"""partnerfit: a partnership due-diligence rules engine.

>>> from partnerfit import load_case, evaluate
>>> report = evaluate(load_case("cases/licensing-outdoor-brand.yaml"))  # doctest: +SKIP
>>> report.verdict  # doctest: +SKIP

The public names are imported on first use (PEP 562), so that ``import partnerfit``,
and the command line's ``--version`` and ``--help``, do not pay for the case models,
the rule engine and the report formats before they are needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import default_pack, evaluate, evaluate_many, load_pack
    from .case import Case, Severity
    from .diff import ReportDiff, compare
    from .errors import CaseError, EngineError, Location, PackError, PartnerfitError, UsageError
    from .loading import load_case
    from .pack import RulePack
    from .report import (
        REPORT_SCHEMA_VERSION,
        Change,
        ChangeAction,
        Counts,
        Coverage,
        Evidence,
        Finding,
        FindingKind,
        PackInfo,
        Report,
        Verdict,
        WaivedFinding,
        WaiverOutcome,
        WaiverStatus,
    )

    __version__: str

_HOME: dict[str, str] = {
    "default_pack": "api",
    "evaluate": "api",
    "evaluate_many": "api",
    "load_pack": "api",
    "Case": "case",
    "Severity": "case",
    "ReportDiff": "diff",
    "compare": "diff",
    "CaseError": "errors",
    "EngineError": "errors",
    "Location": "errors",
    "PackError": "errors",
    "PartnerfitError": "errors",
    "UsageError": "errors",
    "load_case": "loading",
    "RulePack": "pack",
    "REPORT_SCHEMA_VERSION": "report",
    "Change": "report",
    "ChangeAction": "report",
    "Counts": "report",
    "Coverage": "report",
    "Evidence": "report",
    "Finding": "report",
    "FindingKind": "report",
    "PackInfo": "report",
    "Report": "report",
    "Verdict": "report",
    "WaivedFinding": "report",
    "WaiverOutcome": "report",
    "WaiverStatus": "report",
}
"""Each public name and the module (in this package) that defines it."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("partnerfit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use and then kept here."""
    if name == "__version__":
        value: object = _version()
    elif name in _HOME:
        value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Case",
    "CaseError",
    "Change",
    "ChangeAction",
    "Counts",
    "Coverage",
    "EngineError",
    "Evidence",
    "Finding",
    "FindingKind",
    "Location",
    "PackError",
    "PackInfo",
    "PartnerfitError",
    "Report",
    "ReportDiff",
    "RulePack",
    "Severity",
    "UsageError",
    "Verdict",
    "WaivedFinding",
    "WaiverOutcome",
    "WaiverStatus",
    "__version__",
    "compare",
    "default_pack",
    "evaluate",
    "evaluate_many",
    "load_case",
    "load_pack",
]
