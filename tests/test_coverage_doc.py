"""docs/coverage.md: practitioners' checklists mapped to rules and prompts.

The coverage figure the page prints is recomputed from its tables, and every rule id and
prompt id a table names must exist in the default pack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from partnerfit import load_pack
from partnerfit.pack import RuleKind

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "coverage.md"
RULE_ID = re.compile(r"^PF-[A-Z]{2,6}-[0-9]{3}$")
ITEM_ROW = re.compile(r"^\| ([A-Z0-9]+-[A-Za-z0-9]+) \|")
FIGURE = re.compile(
    r"\*\*Coverage: (\d+) of (\d+) items \((\d+)%\)\*\* are judged by a rule or put to the\s+"
    r"parties by a\s+prompt; (\d+) (?:is|are) out of scope\."
)


@dataclass(frozen=True)
class Item:
    id: str
    section: str
    asks: str
    rules: tuple[str, ...]
    prompts: tuple[str, ...]
    out_of_scope: bool
    note: str


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse(text: str) -> list[Item]:
    """Every item row of the checklist tables (a row whose first cell is an item id)."""
    items: list[Item] = []
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:]
        match = ITEM_ROW.match(line)
        if not match:
            continue
        cells = _cells(line)
        assert len(cells) == 4, f"{match.group(1)}: expected 4 cells, got {len(cells)}"
        item_id, asks, judged, note = cells
        tokens = re.findall(r"`([^`]+)`", judged)
        items.append(
            Item(
                id=item_id,
                section=section,
                asks=asks,
                rules=tuple(t for t in tokens if RULE_ID.match(t)),
                prompts=tuple(t for t in tokens if not RULE_ID.match(t)),
                out_of_scope=judged == "out of scope",
                note=note,
            )
        )
    return items


def coverage(items: list[Item]) -> tuple[int, int, int]:
    """(covered, all, out of scope): covered means a rule or a prompt judges the item."""
    covered = sum(1 for i in items if i.rules or i.prompts)
    return covered, len(items), sum(1 for i in items if i.out_of_scope)


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def items(text: str) -> list[Item]:
    return parse(text)


def test_the_printed_figure_is_the_one_the_tables_give(text: str, items: list[Item]) -> None:
    match = FIGURE.search(text)
    assert match, "the page prints its coverage figure"
    printed = tuple(int(g) for g in match.groups())
    covered, total, out = coverage(items)
    share = covered * 100 // total  # rounded down, as the reports show a share
    assert printed == (covered, total, share, out)
    assert (covered, total, out) == (86, 89, 3)
    assert share >= 90


def test_every_item_is_judged_by_something_or_says_why_not(items: list[Item]) -> None:
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)), "item ids are unique"
    for item in items:
        assert item.asks, item.id
        assert bool(item.rules or item.prompts) != item.out_of_scope, item.id
        if item.out_of_scope:
            assert len(item.note) > 40, f"{item.id} gives the reason it is out of scope"


def test_every_rule_named_exists_and_judges(items: list[Item]) -> None:
    pack = load_pack()
    judging = {lr.rule.id for lr in pack.active() if lr.rule.kind != RuleKind.derived}
    named = {r for i in items for r in i.rules}
    assert named - judging == set()
    assert len(named) >= 40


def test_every_prompt_named_exists_and_every_prompt_is_named(items: list[Item]) -> None:
    pack = load_pack()
    in_pack = {p.id for p in pack.prompts}
    named = {p for i in items for p in i.prompts}
    assert named - in_pack == set()
    assert in_pack - named == set(), "each prompt answers an item of a published checklist"


def test_the_sources_table_lists_ten_checklists_each_with_an_address(text: str) -> None:
    section = text.split("## The checklists", 1)[1].split("\n## ", 1)[0]
    rows = [_cells(line) for line in section.splitlines() if re.match(r"^\| \d+ \|", line)]
    assert [int(r[0]) for r in rows] == list(range(1, 11))
    for row in rows:
        number, title, publisher, kind, address = row
        assert all((title, publisher, kind)), number
        assert re.search(r"<https?://[^>]+>", address), number
    headings = re.findall(r"^## (\d+)\. ", text, re.M)
    assert [int(h) for h in headings] == list(range(1, 11))


def test_the_prompt_table_matches_the_pack(text: str) -> None:
    section = text.split("## The prompts", 1)[1]
    rows = [_cells(line) for line in section.splitlines() if line.startswith("| `")]
    ask = {"each_party": "each party", "both_together": "together"}
    expected = [
        [
            f"`{p.id}`",
            p.topic,
            ask[p.ask.value],
            ", ".join(k.value for k in p.kinds) if p.kinds else "all",
        ]
        for p in load_pack().prompts
    ]
    assert rows == expected


def test_the_parser_counts_what_a_table_says() -> None:
    page = "\n".join(
        [
            "## 1. A list",
            "| item | what it asks | judged by | field |",
            "|---|---|---|---|",
            "| A-01 | Time | rule `PF-PA-003` | `parties[].principals[].commitment` |",
            "| A-02 | Trust | prompt `trust` | |",
            "| A-03 | Both | rules `PF-AL-001`, `PF-HZ-002`; prompt `growth-plan` | |",
            "| A-04 | Permits | out of scope | a question for counsel, not for the parties |",
        ]
    )
    items = parse(page)
    assert [(i.id, i.rules, i.prompts, i.out_of_scope) for i in items] == [
        ("A-01", ("PF-PA-003",), (), False),
        ("A-02", (), ("trust",), False),
        ("A-03", ("PF-AL-001", "PF-HZ-002"), ("growth-plan",), False),
        ("A-04", (), (), True),
    ]
    assert coverage(items) == (3, 4, 1)
