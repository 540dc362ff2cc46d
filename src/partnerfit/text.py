"""Deterministic, explainable text comparison for the parties' own words.

No model and no randomness. Two kinds of comparison:

* Answers (vision, mission, values …) are compared as sets of content words: stop
  words dropped, and two words count as one when their Snowball stem agrees in
  English, German or Swedish (the languages cases are written in). The score is the
  Jaccard index, and the shared words are kept *as written* so a report can show why
  two answers were judged alike or apart. Thresholds live in the rule pack.
* Short phrases and names (segments, regions, competitors, brands) get a key per
  case from a :class:`Matcher`: phrases that mean the same (same words up to their
  endings in any of the three languages, synonyms or a company and its brands from
  the vocabulary in ``partnerfit/data/synonyms.yaml``, a company's name followed by
  a word such as "agencies", or a spelling that differs by at most
  :data:`FUZZY_THRESHOLD`) share one key, and :meth:`Matcher.why` says in words why.

:func:`printable` makes any string from a case, a pack or a file name safe to
show on a terminal: every human-readable output goes through it. :func:`path_text`
gives a file name a form that every output (UTF-8, JSON, XML) can hold.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import yaml

# snowballstemmer (every language's stemmer, ~10 ms) and rapidfuzz are imported when a
# word is first stemmed and a spelling first compared: importing the pack or the case
# model needs neither (tests/test_lazy_imports.py).

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


# The same texts are read again and again: a case's answers, segments and names by each
# fact that cites them, and every candidate edit ``check`` tries while advising runs the
# whole case again. The pure functions of a text below keep their last few thousand
# answers (bounded, so that memory stays flat over any number of cases).
_TEXTS = 4096


@functools.lru_cache(maxsize=_TEXTS)
def fold(text: str) -> str:
    """Lower-case and strip accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


LANGUAGES = ("english", "german", "swedish")
"""The languages whose Snowball stemmers judge whether two words are one: English
first (it makes the keys), then German and Swedish, the other languages of cases."""

FUZZY_THRESHOLD = 90
"""Two names or phrases that are not otherwise the same count as one when their
normalised spellings score at least this (rapidfuzz ``ratio``, 0–100), both are at least
:data:`FUZZY_MIN_LENGTH` letters long, they hold the same digits and no short word differs
(:data:`FUZZY_MIN_WORD`). 90 lets one typo in
eight letters through ("Planmeca"/"Plameca", 93) and keeps "Austria"/"Australia" (88),
"Iceland"/"Ireland" (86) and "Tier 1"/"Tier 2" (digits) apart."""

MAX_FUZZY_ITEMS = 1_000
"""Above this many distinct phrases of one kind in a case, spelling is not compared (a case
that large makes more facts than a case may: it is refused anyway)."""

FUZZY_MIN_LENGTH = 6
"""Fewer letters than this (spaces aside) and a name or phrase is matched only exactly."""

FUZZY_MIN_WORD = 5
"""Spellings are compared word by word as well: both must have as many words, and a word
that differs must have at least this many letters ("East"/"West Midlands" stay apart)."""

_STEMMERS: dict[str, Any] = {}
"""Language → its Snowball stemmer, made when the language first stems a word."""
_STEM_LOCK = threading.Lock()  # a Snowball stemmer object keeps state between calls


@functools.lru_cache(maxsize=3 * 65536)
def _stem_in(language: str, word: str) -> str:
    """A folded word's Snowball stem in one language. Each language is asked only when
    needed: most words are stemmed in English alone (:func:`stem`), and two words that
    share their English stem need no other (:func:`_same_word`); the pure-Python German
    and Swedish stemmers cost as much again each."""
    with _STEM_LOCK:
        stemmer = _STEMMERS.get(language)
        if stemmer is None:
            import snowballstemmer  # type: ignore[import-untyped]

            stemmer = _STEMMERS[language] = snowballstemmer.stemmer(language)
        return str(stemmer.stemWord(word))


@functools.lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """A folded word's stems, one per language of :data:`LANGUAGES` (English first)."""
    return tuple(_stem_in(lang, word) for lang in LANGUAGES)


def stem(word: str) -> str:
    """A folded word's English Snowball stem: 'partners' and 'partner' give 'partner'."""
    return _stem_in(LANGUAGES[0], word)


def content_words(text: str) -> list[str]:
    """The folded words of a text, stop words dropped, in order."""
    return list(_content_words(text))


@functools.lru_cache(maxsize=_TEXTS)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(fold(text)) if w not in STOP_WORDS)


def keywords(text: str) -> frozenset[str]:
    """The English stems of the content words of a text."""
    return frozenset(stem(w) for w in _content_words(text))


def phrase_key(text: str) -> str:
    """A normalised key for a short phrase (a segment, a value, a region): English stems."""
    words = [stem(w) for w in _content_words(text)]
    return " ".join(words) or fold(text).strip()


@functools.lru_cache(maxsize=_TEXTS)
def name_key(name: str) -> str:
    """A normalised company name: case, accents, punctuation and legal suffixes dropped."""
    words = _WORD.findall(fold(name))
    while len(words) > 1 and words[-1] in _CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class Similarity:
    """How alike two answers are, and the words they share, as the first party wrote
    them (``"clinics/clinic"`` when the second wrote the word differently)."""

    score: float
    shared: tuple[str, ...]


@functools.lru_cache(maxsize=_TEXTS)
def compare_texts(a: str, b: str) -> Similarity:
    return _compare_words(_content_words(a), _content_words(b))


def compare_lists(a: Iterable[str], b: Iterable[str]) -> Similarity:
    """Compare lists of short phrases (e.g. values) by their words."""
    return _compare_words(
        [w for item in a for w in _content_words(item)],
        [w for item in b for w in _content_words(item)],
    )


def compare_sets(a: frozenset[str], b: frozenset[str]) -> Similarity:
    """The Jaccard index of two sets of words, and the words they share."""
    union = a | b
    if not union:
        return Similarity(score=0.0, shared=())
    shared = a & b
    return Similarity(score=round(len(shared) / len(union), 3), shared=tuple(sorted(shared)))


def _compare_words(words_a: Sequence[str], words_b: Sequence[str]) -> Similarity:
    """Jaccard index over words, two words being one when a stem of theirs agrees in
    any language of :data:`LANGUAGES`. Each side's words are first made distinct by their
    English stem (the first spelling kept); matching is greedy in sorted order, so the
    result does not depend on the order of the words."""
    a, b = _distinct(words_a), _distinct(words_b)
    if not a and not b:
        return Similarity(score=0.0, shared=())
    free = dict(b)
    shared: list[str] = []
    for key_a in sorted(a):
        word_a = a[key_a]
        for key_b in sorted(free):
            word_b = free[key_b]
            if _same_word(word_a, word_b):
                shared.append(word_a if word_a == word_b else f"{word_a}/{word_b}")
                del free[key_b]
                break
    score = len(shared) / (len(a) + len(b) - len(shared))
    return Similarity(score=round(score, 3), shared=tuple(sorted(shared)))


def _distinct(words: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for w in words:
        out.setdefault(stem(w), w)
    return out


def _same_word(a: str, b: str) -> bool:
    return a == b or any(_stem_in(lang, a) == _stem_in(lang, b) for lang in LANGUAGES)


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


# --- Matching short phrases and names -------------------------------------------------

Kind = Literal["phrase", "name"]


class VocabularyError(ValueError):
    """The matching vocabulary is malformed (a packaging error, never the user's)."""


@dataclass(frozen=True)
class Vocabulary:
    """Synonym groups (segments, regions), companies with their names and brands, and
    the descriptor words that make "Wix agencies" name Wix. Lookups go by every
    language's key of a phrase (:func:`_keys`)."""

    phrases: Mapping[str, tuple[str, str]]  # phrase key → (group label, group key)
    names: Mapping[str, tuple[str, str, bool]]  # name key → (owner, owner key, is a brand)
    descriptors: frozenset[str]

    @staticmethod
    def from_data(data: Any) -> Vocabulary:
        if not isinstance(data, dict):
            raise VocabularyError("the vocabulary is not a mapping")
        phrases: dict[str, tuple[str, str]] = {}
        for section in ("segments", "regions"):
            for n, group in enumerate(data.get(section) or []):
                where = f"{section}[{n}]"
                if (
                    not isinstance(group, list)
                    or not group
                    or not all(isinstance(x, str) and x.strip() for x in group)
                ):
                    raise VocabularyError(f"{where}: a group is a non-empty list of phrases")
                label = group[0]
                gkey = phrase_key(label)
                for phrase in group:
                    for key in _keys(phrase):
                        old = phrases.get(key)
                        if old is not None and old[1] != gkey:
                            raise VocabularyError(
                                f"{where}: {phrase!r} is also in the group of {old[0]!r}"
                            )
                        phrases[key] = (label, gkey)
        names: dict[str, tuple[str, str, bool]] = {}
        for n, company in enumerate(data.get("companies") or []):
            where = f"companies[{n}]"
            if not isinstance(company, dict) or not isinstance(company.get("owner"), str):
                raise VocabularyError(f"{where}: a company has an owner, names and brands")
            owner: str = company["owner"]
            for is_brand, attr in ((False, "names"), (True, "brands")):
                items = company.get(attr) or []
                if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                    raise VocabularyError(f"{where}.{attr}: a list of names")
                for item in [owner, *items] if not is_brand else items:
                    key = name_key(item)
                    old_name = names.get(key)
                    if old_name is not None and old_name[0] != owner:
                        raise VocabularyError(f"{where}: {item!r} is also a name of {old_name[0]}")
                    names[key] = (owner, name_key(owner), is_brand)
        descriptors = data.get("descriptors") or []
        if not isinstance(descriptors, list) or not all(isinstance(x, str) for x in descriptors):
            raise VocabularyError("descriptors: a list of words")
        return Vocabulary(phrases, names, frozenset(fold(d) for d in descriptors))


@functools.cache
def vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package (``partnerfit/data/synonyms.yaml``), read once."""
    text = resources.files("partnerfit").joinpath("data/synonyms.yaml").read_text("utf-8")
    # libyaml's loader when PyYAML has it: the same data as safe_load, ten times faster
    # (this file ships with the package; case files go through partnerfit.documents).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Vocabulary.from_data(yaml.load(text, Loader=loader))


@functools.lru_cache(maxsize=_TEXTS)
def _keys(phrase: str) -> tuple[str, ...]:
    """A phrase's keys, one per language: its content words' stems in that language,
    hyphens read as spaces (``mid-sized`` is ``mid sized``)."""
    words = _content_words(phrase.replace("-", " "))
    if not words:
        return (fold(phrase).strip(),) * len(LANGUAGES)
    per_word = [stems(w) for w in words]
    return tuple(" ".join(s[i] for s in per_word) for i in range(len(LANGUAGES)))


@dataclass
class _Entry:
    text: str  # the first spelling seen
    key: str  # the base key, before clustering
    words: str  # folded, for fuzzy comparison
    keys: tuple[str, ...]  # per-language keys (phrases) or the name key (names)
    reason: str | None = None  # why text maps to key, when the table or a descriptor did it
    label: str | None = None  # the synonym group's label


@dataclass
class Matcher:
    """Keys for the phrases (or names) of one case, so that two that mean the same
    share a key, and the words for why.

    Built once per case over every phrase of one kind that the case holds (a segment
    matcher over the parties' segments, their offerings' segments and the alliance's
    target segments), because sameness found by spelling or by a company name followed
    by a descriptor depends on which other phrases are there. Deterministic: the key of
    a group of phrases is the smallest base key among them.
    """

    kind: Kind
    texts: Iterable[str] = ()
    vocab: Vocabulary = field(default_factory=vocabulary)
    _entries: dict[str, _Entry] = field(default_factory=dict, init=False)
    _parent: dict[str, str] = field(default_factory=dict, init=False)
    _edges: dict[str, dict[str, str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for text in self.texts:
            self._entry(text)
        by_key = self._by_key()
        for ka, kb in sorted(self._candidates(by_key)):
            reason = self._related(by_key[ka], by_key[kb])
            if reason is not None:
                self._edges.setdefault(ka, {})[kb] = reason
                self._edges.setdefault(kb, {})[ka] = reason
                self._union(ka, kb)

    def _candidates(self, by_key: Mapping[str, _Entry]) -> set[tuple[str, str]]:
        """Pairs of base keys that may be related, found without comparing every pair
        (a case may hold thousands of phrases): shared buckets for word endings, spacing
        and descriptors, and a length window for spelling."""
        out: set[tuple[str, str]] = set()

        def add(a: str, b: str) -> None:
            if a != b:
                out.add((min(a, b), max(a, b)))

        buckets: dict[tuple[int, str], list[str]] = {}
        for key, entry in by_key.items():
            if self.kind == "phrase":
                for i, lang_key in enumerate(entry.keys[1:], start=1):
                    buckets.setdefault((i, lang_key), []).append(key)
            else:
                buckets.setdefault((0, key.replace(" ", "")), []).append(key)
                parts = key.split()
                while len(parts) > 1 and parts[-1] in self.vocab.descriptors:
                    parts.pop()
                    head = " ".join(parts)
                    if head in by_key:
                        add(key, head)
        for members in buckets.values():
            members.sort()
            for a, b in itertools.pairwise(members):
                add(a, b)
        if len(by_key) <= MAX_FUZZY_ITEMS:
            from rapidfuzz.fuzz import ratio
            from rapidfuzz.process import extract_iter

            ordered = sorted(by_key, key=lambda k: (len(by_key[k].words), k))
            words = [by_key[k].words for k in ordered]
            for n, key in enumerate(ordered):
                limit = len(words[n]) * (200 - FUZZY_THRESHOLD) / FUZZY_THRESHOLD
                end = n + 1
                while end < len(words) and len(words[end]) <= limit:
                    end += 1
                for _, _, m in extract_iter(
                    words[n], words[n + 1 : end], scorer=ratio, score_cutoff=FUZZY_THRESHOLD
                ):
                    add(key, ordered[n + 1 + m])
        return out

    def key(self, text: str) -> str:
        """The key of ``text`` (one of the texts the matcher was built over, or not)."""
        entry = self._entry(text)
        return self._find(entry.key)

    def same(self, a: str, b: str) -> bool:
        return self.key(a) == self.key(b)

    def why(self, a: str, b: str) -> str | None:
        """In words, why ``a`` and ``b`` were judged the same; None when they were not."""
        ea, eb = self._entry(a), self._entry(b)
        if self._find(ea.key) != self._find(eb.key):
            return None
        if a == b:
            return f"both wrote '{a}'"
        if ea.key == eb.key:
            return self._same_key(ea, a, eb, b)
        path = self._path(ea.key, eb.key)
        steps = [ea.reason] if ea.reason else []
        steps += [self._edges[x][y] for x, y in itertools.pairwise(path)]
        if eb.reason:
            steps.append(eb.reason)
        return "; ".join(dict.fromkeys(steps))

    # -- internals

    def _entry(self, text: str) -> _Entry:
        entry = self._entries.get(text)
        if entry is not None:
            return entry
        entry = self._name_entry(text) if self.kind == "name" else self._phrase_entry(text)
        self._entries[text] = entry
        self._parent.setdefault(entry.key, entry.key)
        return entry

    def _phrase_entry(self, text: str) -> _Entry:
        keys = _keys(text)
        words = " ".join(_content_words(text.replace("-", " ")))
        for key in keys:
            hit = self.vocab.phrases.get(key)
            if hit is not None:
                label, gkey = hit
                same = set(keys) & set(_keys(label))
                reason = None if same else f"'{text}' and '{label}' are synonyms"
                return _Entry(text, gkey, words, keys, reason, label)
        return _Entry(text, keys[0], words, keys)

    def _name_entry(self, text: str) -> _Entry:
        key = name_key(text)
        words = key
        hit = self.vocab.names.get(key)
        if hit is None:
            parts = key.split()
            while len(parts) > 1 and parts[-1] in self.vocab.descriptors:
                parts.pop()
                hit = self.vocab.names.get(" ".join(parts))
                if hit is not None:
                    owner, okey, _ = hit
                    return _Entry(text, okey, words, (key,), f"'{text}' names {owner}")
            return _Entry(text, key, words, (key,))
        owner, okey, is_brand = hit
        if okey == key:
            return _Entry(text, key, words, (key,))
        reason = f"'{text}' is a brand of {owner}" if is_brand else f"'{text}' is {owner}"
        return _Entry(text, okey, words, (key,), reason)

    def _by_key(self) -> dict[str, _Entry]:
        out: dict[str, _Entry] = {}
        for entry in self._entries.values():
            out.setdefault(entry.key, entry)
        return out

    def _related(self, a: _Entry, b: _Entry) -> str | None:
        """Why two entries of different base keys are the same, or None."""
        if self.kind == "phrase":
            for lang, ka, kb in zip(LANGUAGES[1:], a.keys[1:], b.keys[1:], strict=False):
                if ka == kb:
                    return f"'{a.text}' and '{b.text}' differ only in {lang.title()} word endings"
        else:
            for long, short in ((a, b), (b, a)):
                rest = long.key.split()
                head = short.key.split()
                if (
                    len(rest) > len(head)
                    and rest[: len(head)] == head
                    and all(w in self.vocab.descriptors for w in rest[len(head) :])
                ):
                    return f"'{long.text}' names {short.text}"
            if a.key.replace(" ", "") == b.key.replace(" ", ""):
                return f"'{a.text}' and '{b.text}' differ only in spacing"
        return _fuzzy(a, b)

    def _same_key(self, ea: _Entry, a: str, eb: _Entry, b: str) -> str:
        if fold(a).strip() == fold(b).strip():
            return f"'{a}' and '{b}' differ only in case or accents"
        if self.kind == "name" and ea.keys == eb.keys:
            return f"'{a}' and '{b}' differ only in legal form or punctuation"
        for lang, ka, kb in zip(LANGUAGES, ea.keys, eb.keys, strict=False):
            if ka == kb:
                lang_words = "word endings" if lang == "english" else f"{lang.title()} word endings"
                return f"'{a}' and '{b}' differ only in {lang_words}"
        if ea.reason and eb.reason and ea.reason != eb.reason:
            if ea.label is not None:
                return f"'{a}' and '{b}' are synonyms (both mean {ea.label})"
            return f"{ea.reason}; {eb.reason}"
        if ea.label is not None and bool(ea.reason) != bool(eb.reason):
            x, y = (a, b) if ea.reason else (b, a)
            return f"'{x}' and '{y}' are synonyms"
        return str(ea.reason or eb.reason or f"'{a}' and '{b}' name the same thing")

    def _find(self, key: str) -> str:
        parent = self._parent.setdefault(key, key)
        while parent != key:
            key, parent = parent, self._parent[parent]
        return key

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb))
            self._parent[hi] = lo

    def _path(self, start: str, goal: str) -> list[str]:
        previous: dict[str, str] = {start: start}
        queue = [start]
        for node in queue:
            if node == goal:
                break
            for nxt in sorted(self._edges.get(node, {})):
                if nxt not in previous:
                    previous[nxt] = node
                    queue.append(nxt)
        path = [goal]
        while path[-1] != start:
            path.append(previous[path[-1]])
        return path[::-1]


def _fuzzy(a: _Entry, b: _Entry) -> str | None:
    sa, sb = a.words, b.words
    if min(len(sa.replace(" ", "")), len(sb.replace(" ", ""))) < FUZZY_MIN_LENGTH:
        return None
    if _DIGITS.findall(sa) != _DIGITS.findall(sb):
        return None
    words_a, words_b = sa.split(), sb.split()
    if len(words_a) != len(words_b) or any(
        x != y and min(len(x), len(y)) < FUZZY_MIN_WORD
        for x, y in zip(words_a, words_b, strict=True)
    ):
        return None  # "East Midlands" is not "West Midlands": a short word that differs
    from rapidfuzz.fuzz import ratio

    score = ratio(sa, sb, score_cutoff=FUZZY_THRESHOLD)
    if not score:
        return None
    return (
        f"'{a.text}' and '{b.text}' differ only in spelling "
        f"(similarity {score:.0f} of 100, threshold {FUZZY_THRESHOLD})"
    )


_DIGITS = re.compile(r"[0-9]+")
