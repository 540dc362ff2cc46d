"""Deterministic, explainable text comparison for the parties' own answers.

No model and no randomness: words are lower-cased, stop words dropped and
crudely stemmed, then compared as sets. The score is the Jaccard index of the
two sets, and the shared stems are kept so a report can show *why* two answers
were judged alike or apart. Thresholds live in the rule pack, not here.

:func:`printable` makes any string from a case, a pack or a file name safe to
show on a terminal: every human-readable output goes through it. :func:`path_text`
gives a file name a form that every output (UTF-8, JSON, XML) can hold.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")

# Categories never shown raw: controls (C0, DEL, C1), format characters (bidi
# embeddings, overrides and isolates, marks, zero-width characters, soft hyphen,
# BOM, tags), lone surrogates (undecodable file-name bytes), unassigned code
# points and the line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})
# What a backslash may start in printable()'s output; a backslash of the input that is
# followed by one of these (or by a character that is escaped) is doubled.
_ESCAPE_LETTERS = frozenset("\\xuUntr")
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

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


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` with every character that could act on a terminal shown as a visible escape.

    Control characters (C0, DEL, C1: ``\\x1b``), format characters such as the
    bidi controls (``\\u202e``, ``\\u2066``), lone surrogates, unassigned code
    points and the line and paragraph separators become ``\\xNN``, ``\\uNNNN``
    or ``\\UNNNNNNNN``; tab, line feed and carriage return become ``\\t``,
    ``\\n`` and ``\\r``. With ``multiline`` a line feed and a tab are kept (for
    text shown as a paragraph). Accents, CJK, emoji and other printable text are
    kept as they are, and so are the zero-width (non-)joiners between two
    non-ASCII letters or symbols, where scripts and emoji sequences need them.

    Reversible: a backslash of ``text`` that could be read as the start of an
    escape is doubled, so two different texts never look the same. Text without
    such characters and without backslashes is returned unchanged.
    """
    if "\\" not in text and text.isprintable():
        return text
    out: list[str] = []
    last = len(text) - 1
    for i, char in enumerate(text):
        if char == "\\":
            following = text[i + 1] if i < last else ""
            doubled = following in _ESCAPE_LETTERS or (
                following != "" and _escaped(text, i + 1, multiline)
            )
            out.append("\\\\" if doubled else char)
        elif _escaped(text, i, multiline):
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


def _escaped(text: str, i: int, multiline: bool) -> bool:
    char = text[i]
    if char == " " or (multiline and char in "\n\t"):
        return False
    if char.isprintable():
        return False
    category = unicodedata.category(char)
    if category not in _UNSAFE_CATEGORIES:
        return False  # a space other than U+0020, or a private-use character
    if char in _JOINERS and 0 < i < len(text) - 1:
        return not (_joinable(text[i - 1]) and _joinable(text[i + 1]))
    return True


def _joinable(char: str) -> bool:
    return not char.isascii() and unicodedata.category(char)[0] in "LMS"


def _escape(char: str) -> str:
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def path_text(name: str) -> str:
    """``name`` as text that any output can hold: undecodable bytes shown as escapes.

    A file name that is not valid UTF-8 reaches Python with each undecodable byte
    as a lone surrogate (``os.fsdecode``: byte ``0xff`` becomes ``"\\udcff"``),
    which no UTF-8 output, JSON encoder or XML document can hold. Each lone
    surrogate is written as its visible escape, ``\\udcff`` (the form
    :func:`printable` shows on a terminal), so a file keeps one recognisable name
    in every format. Any other name is returned unchanged.
    """
    if name.isascii() or not _SURROGATE.search(name):
        return name
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


_SURROGATE = re.compile("[\ud800-\udfff]")
