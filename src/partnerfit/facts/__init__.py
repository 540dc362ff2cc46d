"""The fact vocabulary, and the extraction of facts from a case.

A case becomes a flat list of facts, each a small mapping with a type ``t``,
a unique ``id``, the case-file ``path`` it came from and a display ``value``,
so that every finding can point back to its evidence. Rules match and join
these facts in the engine.

Set overlaps between two parties (shared markets, competitors, offering
categories) and the similarity of their independent answers are computed here,
once, as ``overlap`` and ``comparison`` facts: Rete is poor at set algebra,
but the rules still join those facts with the parties' own facts.

Unknown data produces no field and no fact, only an ``unknown`` fact naming the
missing field, so a rule can never mistake "not known" for "no".

The package keeps the vocabulary apart from the extraction, and the extraction
by area of the case file:

- :mod:`.vocabulary`: the fact types and their fields, the askable unknowns;
- :mod:`.builder`: the fact builder and the normalisation of values;
- :mod:`.alliance`, :mod:`.governance`, :mod:`.parties`, :mod:`.pairs`,
  :mod:`.history`: one module per area of the case file;
- :mod:`.extraction`: :func:`extract`, which calls the areas in a fixed order
  (fact ids are assigned in creation order).
"""

from __future__ import annotations

from .builder import engine_number
from .extraction import extract
from .vocabulary import (
    ANSWER_TEXT_TOPICS,
    ANSWER_TOPICS,
    ASKABLE,
    COMMON_FIELDS,
    IDENTITY_FIELDS,
    OVERLAP_DIMENSIONS,
    VOCABULARY,
    Fact,
    FactType,
    FieldKind,
    FieldSpec,
)

__all__ = [
    "ANSWER_TEXT_TOPICS",
    "ANSWER_TOPICS",
    "ASKABLE",
    "COMMON_FIELDS",
    "IDENTITY_FIELDS",
    "OVERLAP_DIMENSIONS",
    "VOCABULARY",
    "Fact",
    "FactType",
    "FieldKind",
    "FieldSpec",
    "engine_number",
    "extract",
]
