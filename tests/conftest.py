"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from partnerfit.pack import RulePack, load_pack

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
CASES = ROOT / "cases"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    """The default rule pack, from the source tree."""
    return load_pack(RULES)


# Hypothesis profiles. The default keeps CI within a few minutes; the hostile-input
# properties (tests/test_properties.py) are meant to be run deep as well:
#   .venv/bin/python -m pytest tests/test_properties.py --hypothesis-profile=deep
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile(
    "deep",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile("ci")
