"""partnerfit: a partnership due-diligence rules engine.

>>> from partnerfit import load_case, evaluate
>>> report = evaluate(load_case("cases/licensing-outdoor-brand.yaml"))  # doctest: +SKIP
>>> report.verdict  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .api import default_pack, evaluate, evaluate_many, load_pack
from .case import Case, Severity
from .diff import ReportDiff, compare
from .errors import CaseError, EngineError, Location, PackError, PartnerfitError, UsageError
from .loading import load_case
from .pack import RulePack
from .report import (
    REPORT_SCHEMA_VERSION,
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

try:
    __version__ = version("partnerfit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "Case",
    "CaseError",
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
