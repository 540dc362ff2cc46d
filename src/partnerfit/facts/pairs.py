"""Facts about two parties at once: each pair, what they share, and their answers
compared."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from partnerfit.case import Case, Party
from partnerfit.text import Matcher, compare_lists, compare_texts

from .builder import _Builder
from .vocabulary import ANSWER_TEXT_TOPICS


def _pairs(case: Case, b: _Builder) -> None:
    parties = list(enumerate(case.parties))
    for (i, pa), (j, pb) in itertools.combinations(parties, 2):
        pair = b.add(
            "pair",
            f"parties[{i}]",
            f"{pa.name} and {pb.name}",
            a=pa.id,
            b=pb.id,
            a_name=pa.name,
            b_name=pb.name,
        )
        pid = pair["id"]
        # The pair's own path names the first party; a pair is evidence only through
        # the facts it is joined with.
        for dim, ka, kb, matcher in _shared_keys(i, pa, j, pb, b):
            for key, (path, name) in ka.items():
                if key in kb:
                    other = kb[key][1]
                    why = matcher.why(name, other) if matcher is not None else None
                    b.add(
                        "overlap",
                        path,
                        name,
                        pa.id,
                        pair=pid,
                        dimension=dim,
                        key=key,
                        name=name,
                        other_name=other,
                        why=why,
                    )
        _compare_answers(i, pa, j, pb, pid, b)


Keyed = dict[str, tuple[str, str]]  # key → (path, the phrase as written)


def _shared_keys(
    i: int, pa: Party, j: int, pb: Party, b: _Builder
) -> Iterator[tuple[str, Keyed, Keyed, Matcher | None]]:
    """Per dimension, each party's items by key, and the matcher that made the keys
    (None for offering categories, which are a fixed list)."""

    def markets(idx: int, p: Party, dim: str) -> Keyed:
        items = getattr(p.markets, f"{dim}s") if p.markets else None
        match = b.keys.market(dim)
        return {
            match.key(n): (f"parties[{idx}].markets.{dim}s[{k}]", n)
            for k, n in enumerate(items or [])
        }

    def competitors(idx: int, p: Party) -> Keyed:
        return {
            b.keys.name.key(n): (f"parties[{idx}].competitors[{k}]", n)
            for k, n in enumerate(p.competitors or [])
        }

    def categories(idx: int, p: Party) -> Keyed:
        out: Keyed = {}
        for k, off in enumerate(p.offerings or []):
            out.setdefault(
                off.category.value, (f"parties[{idx}].offerings[{k}]", off.category.value)
            )
        return out

    def values(idx: int, p: Party) -> Keyed:
        vals = p.answers.values if p.answers else None
        return {
            b.keys.value.key(v): (f"parties[{idx}].answers.values[{k}]", v)
            for k, v in enumerate(vals or [])
        }

    keys = b.keys
    yield "segment", markets(i, pa, "segment"), markets(j, pb, "segment"), keys.segment
    yield "region", markets(i, pa, "region"), markets(j, pb, "region"), keys.region
    yield "competitor", competitors(i, pa), competitors(j, pb), keys.name
    yield "category", categories(i, pa), categories(j, pb), None
    yield "value", values(i, pa), values(j, pb), keys.value


def _compare_answers(i: int, pa: Party, j: int, pb: Party, pid: str, b: _Builder) -> None:
    a, c = pa.answers, pb.answers
    if a is None or c is None:
        return
    path = f"parties[{i}].answers"
    for topic in ANSWER_TEXT_TOPICS:
        ta, tb = getattr(a, topic), getattr(c, topic)
        if ta is not None and tb is not None:
            sim = compare_texts(ta, tb)
            b.add(
                "comparison",
                f"{path}.{topic}",
                f"{sim.score:.2f}",
                None,
                topic=topic,
                a=pa.id,
                b=pb.id,
                score=sim.score,
                shared=", ".join(sim.shared),
                pair=pid,
            )
    if a.values is not None and c.values is not None:
        sim = compare_lists(a.values, c.values)
        b.add(
            "comparison",
            f"{path}.values",
            f"{sim.score:.2f}",
            None,
            topic="values",
            a=pa.id,
            b=pb.id,
            score=sim.score,
            shared=", ".join(sim.shared),
            pair=pid,
        )
    if a.horizon_years is not None and c.horizon_years is not None:
        lo, hi = sorted((a.horizon_years, c.horizon_years))
        ratio = hi / lo if lo > 0 else 999.0
        b.add(
            "comparison",
            f"{path}.horizon_years",
            f"{lo:g} vs {hi:g} years",
            None,
            topic="horizon_years",
            a=pa.id,
            b=pb.id,
            gap=hi - lo,
            ratio=round(ratio, 3),
            pair=pid,
        )
