"""Deterministic, explainable text comparison for the parties' own answers.

No model and no randomness: words are lower-cased, stop words dropped and
crudely stemmed, then compared as sets. The score is the Jaccard index of the
two sets, and the shared stems are kept so a report can show *why* two answers
were judged alike or apart. Thresholds live in the rule pack, not here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    """
    a about above after again all also an and any are as at be because been being both but by
    can could did do does doing down during each few for from further had has have having he her
    here hers him his how i if in into is it its itself just me more most my no nor not now of off
    on once only or other our ours out over own same she should so some such than that the their
    theirs them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours us via per across
    within without among make makes made become becomes every each year years three next
    """.split()
)

JARGON = frozenset(
    {
        "demographic",
        "demographics",
        "psychographic",
        "psychographics",
        "social grouping",
        "high net worth",
        "hnwi",
        "synergy",
        "synergies",
        "stakeholder",
        "stakeholders",
        "decision maker",
        "decision makers",
        "end user",
        "end users",
        "enterprise segment",
        "key accounts",
        "target audience",
        "persona",
        "personas",
        "b2b",
        "b2c",
        "smb",
        "smbs",
        "mid-market",
        "tier 1",
        "verticals",
        "value chain",
        "omnichannel",
        "best-in-class",
        "leverage",
    }
)

_CORPORATE_SUFFIXES = frozenset(
    "inc incorporated ltd limited llc llp plc gmbh ag sa sas sarl bv nv corp corporation co company"
    " group holdings pty oy ab as spa srl kk".split()
)


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(word: str) -> str:
    """A small suffix stripper: enough to match 'partners' with 'partnership'."""
    for suffix in ("ships", "ship", "ations", "ation", "ments", "ment", "ings", "ing", "ness"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    for suffix in ("ies", "ied"):
        if word.endswith(suffix) and len(word) > 5:
            return word[: -len(suffix)] + "y"
    for suffix in ("ers", "er", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def keywords(text: str) -> frozenset[str]:
    """The stemmed content words of a text."""
    return frozenset(stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS)


def phrase_key(text: str) -> str:
    """A normalised key for a short phrase (a segment, a value, a region)."""
    words = [stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS]
    return " ".join(words) or fold(text).strip()


def name_key(name: str) -> str:
    """A normalised company name: case, accents, punctuation and legal suffixes dropped."""
    words = _WORD.findall(fold(name))
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class Similarity:
    """How alike two answers are, and the words they share."""

    score: float
    shared: tuple[str, ...]


def compare_texts(a: str, b: str) -> Similarity:
    return compare_sets(keywords(a), keywords(b))


def compare_lists(a: Iterable[str], b: Iterable[str]) -> Similarity:
    """Compare lists of short phrases (e.g. values) by their stemmed words."""
    words_a = frozenset(w for item in a for w in keywords(item))
    words_b = frozenset(w for item in b for w in keywords(item))
    return compare_sets(words_a, words_b)


def compare_sets(a: frozenset[str], b: frozenset[str]) -> Similarity:
    union = a | b
    if not union:
        return Similarity(score=0.0, shared=())
    shared = a & b
    return Similarity(score=round(len(shared) / len(union), 3), shared=tuple(sorted(shared)))


def jargon_in(text: str) -> tuple[str, ...]:
    """The jargon terms found in a text, sorted."""
    folded = " " + " ".join(_WORD.findall(fold(text.replace("-", " ")))) + " "
    found = set()
    for term in JARGON:
        probe = " " + " ".join(_WORD.findall(term.replace("-", " "))) + " "
        if probe in folded:
            found.add(term)
    return tuple(sorted(found))
