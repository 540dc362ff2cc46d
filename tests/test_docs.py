"""The documentation's examples load as they are written."""

from __future__ import annotations

import re
from pathlib import Path

from partnerfit.api import load_case
from partnerfit.facts import extract

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_the_deal_terms_example_loads_and_every_block_reaches_the_facts() -> None:
    (block,) = _yaml_blocks(DOCS / "deal-terms.md")
    facts = extract(load_case(block))
    types = {f["t"] for f in facts}
    assert {"asset", "option", "affiliate"} <= types
    alpha = next(f for f in facts if f["t"] == "party" and f["key"] == "alpha")
    assert (alpha["equity"], alpha["control_count"], alpha["condition"]) == (
        60.0,
        4.0,
        "profitable",
    )
    beta = next(f for f in facts if f["t"] == "party" and f["key"] == "beta")
    assert (beta["board_share"], beta["has_alternatives"], beta["risk_tolerance"]) == (
        0.4,
        False,
        "high",
    )
    alliance = next(f for f in facts if f["t"] == "alliance")
    assert (alliance["agreement"], alliance["split_basis"], alliance["created_ip_owner"]) == (
        "term_sheet",
        "equity",
        "joint",
    )
