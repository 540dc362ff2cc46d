"""The README's limits table and partnerfit.limits say the same thing."""

from __future__ import annotations

import re
from pathlib import Path

from partnerfit import limits

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _readme_rows() -> dict[str, str]:
    section = README.split("## Limits", 1)[1].split("\n## ", 1)[0]
    return {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    }


def test_every_limit_is_in_the_readme_with_its_value() -> None:
    constants = {name: getattr(limits, name) for name in dir(limits) if name.isupper()}
    rows = _readme_rows()
    assert sorted(rows) == sorted(constants)
    for name, value in constants.items():
        shown = rows[name].replace(",", "").replace("±10^15", "1e15")
        number = re.match(r"[0-9e.]+", shown)
        assert number is not None, (name, rows[name])
        assert float(number.group(0)) == value, (name, rows[name], value)
