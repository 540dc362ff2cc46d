"""Synthetic but realistic case files for benchmarks: seeded, varied, some broken.

Cases look like what an advisor's folder holds: two or three companies with
plausible names, offerings and segments; some well documented, some with
half the fields missing, some with conflicts built in; and a small share of
files that do not load (bad YAML, a misspelt field, a wrong type).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml

PREFIXES = [
    "North",
    "Blue",
    "Iron",
    "Silver",
    "Bright",
    "Clear",
    "Open",
    "True",
    "Swift",
    "Stone",
    "Harbor",
    "Summit",
    "Cedar",
    "Maple",
    "Granite",
    "Atlas",
    "Nova",
    "Vertex",
    "Lumen",
    "Orbit",
]
SUFFIXES = [
    "wind",
    "field",
    "gate",
    "bridge",
    "works",
    "point",
    "line",
    "path",
    "forge",
    "labs",
    "stack",
    "craft",
    "wave",
    "mark",
    "scale",
    "grid",
    "light",
    "peak",
    "sense",
    "core",
]
FORMS = ["GmbH", "Ltd", "Inc.", "AG", "LLC", "SAS", "BV", "Oy", "AB", ""]
SEGMENTS = [
    "independent dental clinics",
    "veterinary practices",
    "regional hospitals",
    "mid-size manufacturers",
    "family-owned wineries",
    "municipal utilities",
    "boutique hotels",
    "logistics SMEs",
    "craft breweries",
    "private schools",
    "physiotherapy practices",
    "farm cooperatives",
    "architecture firms",
    "law firms",
    "independent pharmacies",
    "e-commerce startups",
    "car dealerships",
    "fitness studios",
]
REGIONS = [
    "DACH",
    "Benelux",
    "Nordics",
    "UK",
    "France",
    "Iberia",
    "US Midwest",
    "US Northeast",
    "Ontario",
    "Poland",
    "Italy",
    "Baltics",
]
CATEGORIES = [
    "manufacturing",
    "hardware",
    "software",
    "services",
    "consulting",
    "distribution",
    "retail",
    "content",
    "brand",
    "data",
    "platform",
    "logistics",
    "financing",
    "research",
    "training",
    "marketing",
]
KINDS = [
    "joint_venture",
    "distribution",
    "licensing",
    "co_marketing",
    "technology",
    "supply",
    "reseller",
]
VISIONS = [
    "Every {seg} runs on digital workflows within five years.",
    "The default partner for {seg} in {reg}.",
    "Make {seg} in {reg} more profitable with less paperwork.",
    "Grow a regional champion serving {seg}.",
]
FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Eva",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Lena",
    "Marco",
    "Nora",
    "Omar",
    "Paula",
    "Rafael",
    "Sara",
    "Tom",
    "Una",
    "Viktor",
]
LAST = [
    "Meyer",
    "Novak",
    "Rossi",
    "Dubois",
    "Jensen",
    "Kowalski",
    "Berg",
    "Silva",
    "Keller",
    "Laine",
    "Horvat",
    "Costa",
    "Weber",
    "Moreau",
    "Lindqvist",
    "Fischer",
]


def company(rng: random.Random) -> str:
    form = rng.choice(FORMS)
    return f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)}" + (f" {form}" if form else "")


def _party(
    rng: random.Random, key: str, detail: float, shared_seg: str, reg: str
) -> dict[str, Any]:
    name = company(rng)
    party: dict[str, Any] = {"id": key, "name": name}
    if rng.random() < detail:
        segs = rng.sample(SEGMENTS, rng.randint(1, 3))
        if rng.random() < 0.5:
            segs[0] = shared_seg
        party["offerings"] = [
            {"category": rng.choice(CATEGORIES), "segments": segs} for _ in range(rng.randint(1, 3))
        ]
    if rng.random() < detail:
        party["markets"] = {"segments": rng.sample(SEGMENTS, 2), "regions": [reg]}
    if rng.random() < detail:
        party["competitors"] = [company(rng) for _ in range(rng.randint(0, 3))]
    if rng.random() < detail:
        party["importance"] = rng.choice(["core", "significant", "peripheral"])
        party["executive_sponsor"] = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if rng.random() < detail:
        value = rng.randint(5, 200) * 10_000
        party["contribution"] = {"description": "engineering time and pilots", "value": value}
        party["expected_return"] = {"value": int(value * rng.uniform(0.5, 4))}
    if rng.random() < detail:
        party["answers"] = {
            "vision": rng.choice(VISIONS).format(seg=shared_seg, reg=reg),
            "horizon_years": rng.choice([1, 2, 3, 5, 10]),
            "values": rng.sample(["honesty", "speed", "quality", "frugality", "care"], 2),
        }
    if rng.random() < detail:
        party["principals"] = [
            {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "role": rng.choice(["CEO", "COO", "Head of Sales", "CTO"]),
                "commitment": rng.choice(["full_time", "part_time", "advisory"]),
                "other_ventures": [],
            }
        ]
    if rng.random() < detail:
        party["history"] = {
            "past_partner_disputes": [] if rng.random() < 0.8 else ["arbitration in 2021"],
            "references": rng.choice(["provided", "partial", "refused", "not_asked"]),
        }
    return party


def make_case(rng: random.Random, n: int) -> dict[str, Any]:
    """One valid case; ``detail`` varies from sparse (many open questions) to complete."""
    detail = rng.choice([0.2, 0.5, 0.8, 1.0])
    seg, reg = rng.choice(SEGMENTS), rng.choice(REGIONS)
    parties = [_party(rng, k, detail, seg, reg) for k in ("a", "b", "c")[: rng.choice([2, 2, 3])]]
    case: dict[str, Any] = {
        "id": f"case-{n:06d}",
        "title": f"{parties[0]['name']} × {parties[1]['name']}",
        "parties": parties,
    }
    if rng.random() < detail:
        case["alliance"] = {
            "kind": rng.choice(KINDS),
            "purpose": f"Serve {seg} in {reg} together.",
            "scope_in": rng.sample(CATEGORIES, 2),
            "target_market": {"segments": [seg], "regions": [reg]},
            "term_years": rng.choice([1, 3, 5]),
            "joint_kpis": rng.sample(["pipeline", "revenue", "NPS", "pilots"], 2),
        }
    if rng.random() < detail:
        case["governance"] = {
            "alliance_manager": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "steering_committee": rng.random() < 0.7,
            "exit_terms": {"defined": rng.random() < 0.6},
        }
    return case


BROKEN = [
    "id: broken\nparties: [\n  - {id: a, name: A\n",  # bad YAML
    "id: typo\nparties:\n  - {id: a, name: A, competiters: []}\n  - {id: b, name: B}\n",
    "id: wrongtype\nparties:\n  - {id: a, name: A, competitors: 7}\n  - {id: b, name: B}\n",
    "",  # empty
    "id: onlyone\nparties:\n  - {id: a, name: A}\n",
]


def write_cases(folder: Path, n: int, *, seed: int = 7, broken: float = 0.02) -> list[Path]:
    """Write ``n`` case files into ``folder`` (YAML mostly, some JSON); return their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        sub = folder / f"advisor-{i % 10}"
        sub.mkdir(exist_ok=True)
        if rng.random() < broken:
            path = sub / f"case-{i:06d}.yaml"
            path.write_text(rng.choice(BROKEN), encoding="utf-8")
        elif rng.random() < 0.2:
            path = sub / f"case-{i:06d}.json"
            path.write_text(json.dumps(make_case(rng, i), indent=2), encoding="utf-8")
        else:
            path = sub / f"case-{i:06d}.yaml"
            text = yaml.safe_dump(make_case(rng, i), sort_keys=False, allow_unicode=True)
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
