"""partnerfit: a partnership due-diligence rules engine.

>>> from partnerfit import load_case, evaluate
>>> report = evaluate(load_case("cases/fieldkit-northwind.yaml"))  # doctest: +SKIP
>>> report.verdict  # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .api import evaluate
from .case import Case, Severity
from .errors import CaseError, EngineError, Location, PackError, PartnerfitError, UsageError
from .loading import load_case
from .pack import RulePack, default_pack, load_pack
from .report import Evidence, Finding, FindingKind, Report, Verdict

try:
    __version__ = version("partnerfit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Case",
    "CaseError",
    "EngineError",
    "Evidence",
    "Finding",
    "FindingKind",
    "Location",
    "PackError",
    "PartnerfitError",
    "Report",
    "RulePack",
    "Severity",
    "UsageError",
    "Verdict",
    "__version__",
    "default_pack",
    "evaluate",
    "load_case",
    "load_pack",
]
