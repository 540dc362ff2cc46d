"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from partnerfit.pack import RulePack, load_pack

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
CASES = ROOT / "cases"


@pytest.fixture(scope="session")
def pack() -> RulePack:
    """The default rule pack, from the source tree."""
    return load_pack(RULES)
