"""Rule packs: declarative YAML rules, validated against the fact vocabulary.

A pack is a folder with a ``pack.yaml`` manifest and any number of rule files
(``*.yaml``), each holding ``rules: [...]``. Rules contain no Python: a
condition is a list of fact patterns with comparisons, membership, existence,
joins to earlier patterns and negation; a rule either raises a finding or
derives a new fact that other rules consume.

Everything a rule references is checked when the pack loads, with a "did you
mean" suggestion, and every error names the file and line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import functools
import hashlib
import itertools
import json
import os
import pickle
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .case import AllianceKind, Severity
from .documents import Document, join_path, read_document
from .errors import Location, PackError
from .facts import (
    ASKABLE,
    COMMON_FIELDS,
    IDENTITY_FIELDS,
    VOCABULARY,
    FactType,
    FieldKind,
    FieldSpec,
)
from .limits import (
    MAX_ABSENT_PER_FACT,
    MAX_ALTERNATIVES,
    MAX_DOCUMENT_BYTES,
    MAX_IN_ITEMS,
    MAX_NUMBER,
    MAX_PATTERNS,
    MAX_PATTERNS_PER_FACT,
    MAX_RULES,
    MAX_TESTS_PER_FACT,
    NUMBER_DECIMALS,
)
from .report import Ask
from .validation import located_error

_T = TypeVar("_T")

RULE_ID = r"^PF-[A-Z]{2,6}-[0-9]{3}$"
RULE_NAME = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
SLOT_NAME = r"^[a-z][a-z0-9_]{0,23}$"
MANIFEST = "pack.yaml"
PROMPTS = "prompts.yaml"
"""The file of a pack folder that holds its conversation prompts (``prompts: [...]``)."""


class Area(StrEnum):
    """The criteria areas of the catalogue; every rule belongs to one."""

    business_model = "business-model"
    common_market = "common-market"
    common_foe = "common-foe"
    alignment = "alignment"
    horizon = "horizon"
    personal_agendas = "personal-agendas"
    scope = "scope"
    structure = "structure"
    deadlock = "deadlock"
    early_conflict = "early-conflict"
    customer_value = "customer-value"
    customer_avatar = "customer-avatar"
    incentives = "incentives"
    exit = "exit"
    give_get = "give-get"
    exclusivity = "exclusivity"
    sponsorship = "sponsorship"
    metrics = "metrics"
    integrity = "integrity"
    control = "control"
    ip = "ip"
    economics = "economics"
    health = "health"
    culture = "culture"
    conflicts = "conflicts"
    agreement = "agreement"


class RuleKind(StrEnum):
    red_flag = "red_flag"
    strength = "strength"
    derived = "derived"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


Str = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Pattern(_Strict):
    """One fact pattern in a rule's condition."""

    fact: Str
    """Fact type, from the vocabulary or derived by a rule of the pack."""
    as_: Annotated[str | None, Field(alias="as", pattern=SLOT_NAME)] = None
    """Name by which later patterns, the message and the evidence refer to the fact."""
    where: dict[str, Any] = Field(default_factory=dict)
    """Field tests: a value (equality) or a mapping of operators to values."""


class Negation(_Strict):
    not_: Annotated[Pattern, Field(alias="not")]
    """There is no fact matching this pattern."""


class Derive(_Strict):
    fact: Annotated[str, Field(pattern=SLOT_NAME)]
    """Name of the derived fact type."""
    fields: dict[str, str]
    """Field name → ``slot.field`` reference (or a literal in quotes)."""
    value: str | None = None
    """Template for the derived fact's display value."""


class Example(_Strict):
    name: Str
    case: dict[str, Any]
    """A small case file, as a mapping."""
    expect: list[list[str]]
    """The exact findings of this rule: one list of evidence paths per finding; ``[]`` = none."""


class Rule(_Strict):
    id: Annotated[str, Field(pattern=RULE_ID)]
    name: Annotated[str, Field(pattern=RULE_NAME)]
    area: Area
    kind: RuleKind
    severity: Severity = Severity.info
    title: Str
    when: list[Pattern | Negation] = Field(min_length=1)
    message: Str
    """Template; ``{slot.field}`` is replaced by the matched fact's field."""
    why: str | None = None
    source: str | None = None
    remedy: str | None = None
    references: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    """Generic fields this rule needs; when any is unknown, an open question is raised."""
    question: str | None = None
    """What to ask the partner when the required data is missing."""
    derive: Derive | None = None
    examples: list[Example] = Field(default_factory=list)


class RuleFile(_Strict):
    rules: list[Rule]


class Prompt(_Strict):
    """A question no rule can judge, for the parties to talk through (``prompts.yaml``)."""

    id: Annotated[str, Field(pattern=RULE_NAME)]
    """Stable kebab-case id, e.g. ``personal-runway``."""
    topic: Str
    """A short heading, e.g. ``Personal finances and runway``."""
    text: Str
    """The question, in plain words: no field paths, no internal names."""
    ask: Ask
    """Whom to ask: ``each_party`` (each on its own) or ``both_together``."""
    kinds: list[AllianceKind] = Field(default_factory=list)
    """The alliance kinds it is for; empty: a general prompt, for every case (and the only
    ones a case of unknown kind gets)."""


class PromptFile(_Strict):
    prompts: list[Prompt]


class VerdictPolicy(_Strict):
    """Counts of findings that set the verdict. A critical red flag always means reconsider."""

    reconsider_high: int = Field(default=3, ge=1)
    """High red flags of this many rules mean ``reconsider`` (a rule counts once, however
    many segments or pairs it fires on)."""
    reconsider_score: int | None = Field(default=None, ge=1)
    """Red flags weighed together mean ``reconsider`` at this score: each rule counts once,
    at its worst severity, a high flag as 2 and a medium one as 1. Unset: only the counts."""
    conditions_medium: int = Field(default=1, ge=1)
    """This many medium red flags (or any high) mean ``proceed_with_conditions``."""
    conditions_open_questions: int = Field(default=3, ge=1)
    """This many distinct unknown fields behind open questions mean ``proceed_with_conditions``."""
    incomplete_below: Annotated[float, Field(strict=True, gt=0, le=1)] | None = None
    """A case that answers less than this share of the questions the pack asks is
    ``incomplete`` instead of ``proceed`` or ``proceed_with_conditions``; a ``reconsider``
    stands. Unset: no case is ``incomplete``."""


class Overrides(_Strict):
    disable: list[Annotated[str, Field(pattern=RULE_ID)]] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)


class Manifest(_Strict):
    name: Annotated[str, Field(pattern=RULE_NAME)]
    version: Str
    description: str | None = None
    verdict: VerdictPolicy | None = None
    overrides: Overrides = Field(default_factory=Overrides)


@dataclass(frozen=True)
class LoadedRule:
    """A rule as loaded, with where it came from."""

    rule: Rule
    file: str
    line: int | None
    severity: Severity
    """Effective severity, after any override by a later pack."""
    overridden_by: str | None = None


@dataclass(frozen=True)
class Layer:
    name: str
    version: str
    path: str


@dataclass(frozen=True)
class DeriveSpec:
    fact: str
    fields: tuple[tuple[str, str | None, str], ...]
    """(field, slot or None for a literal, source field or literal value)."""
    value: str | None


@dataclass(frozen=True)
class Compiled:
    """A pack compiled to durable_rules' JSON form, plus what the adapter needs."""

    ruleset: dict[str, Any]
    levels: dict[str, int]
    """Assertion stratum of every fact type: negated facts come before their positives."""
    slots: dict[str, tuple[str, ...]]
    """Engine rule name → positive slot names, in order."""
    derive: dict[str, DeriveSpec]
    asks: dict[str, tuple[str, ...]]
    """Engine rule name of an open-question rule → the ids of the rules that need its field."""
    cited: dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
    """Engine rule name → (slot, fields the rule tests on it), for citing evidence."""
    rule_of: dict[str, str] = field(default_factory=dict)
    """Engine rule name of a rule's further alternative (``PF-X-001$2``) → the rule id."""


@dataclass(frozen=True)
class RulePack:
    """A loaded, validated rule pack (possibly several layered folders)."""

    name: str
    version: str
    layers: tuple[Layer, ...]
    rules: tuple[LoadedRule, ...]
    disabled: tuple[str, ...]
    verdict: VerdictPolicy
    fact_types: Mapping[str, FactType]
    compiled: Compiled = field(repr=False)
    prompts: tuple[Prompt, ...] = ()
    """Conversation prompts of every layer, in load order (a later layer adds its own)."""

    @property
    def fingerprint(self) -> str:
        return "|".join(f"{layer.name}@{layer.version}:{layer.path}" for layer in self.layers)

    def rule(self, key: str) -> LoadedRule:
        """A rule by id or name."""
        found = self._by_key.get(key)
        if found is not None:
            return found
        names = [lr.rule.id for lr in self.rules] + [lr.rule.name for lr in self.rules]
        hint = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        raise PackError(
            f"no rule {key!r} in pack {self.name}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
        )

    def active(self) -> tuple[LoadedRule, ...]:
        """The rules not disabled, in pack order (computed once per pack)."""
        return self._active

    # A pack is immutable: what is derived from it is computed once, on first use, and
    # kept in the instance (``cached_property`` writes the instance dict directly, which a
    # frozen dataclass allows). A pack made with ``dataclasses.replace`` starts afresh.

    def derived(self, what: str, compute: Callable[[RulePack], _T]) -> _T:
        """``compute(self)``, computed once and kept with the pack under the name ``what``:
        what the evaluation derives from a pack for every case (its rules by id, its
        severities …) lives and dies with the pack, never in a module-level table."""
        memo = self._memo
        if what not in memo:  # two threads may both compute it: the same value either way
            memo[what] = compute(self)
        return cast(_T, memo[what])

    @functools.cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    @functools.cached_property
    def _active(self) -> tuple[LoadedRule, ...]:
        disabled = frozenset(self.disabled)
        return tuple(lr for lr in self.rules if lr.rule.id not in disabled)

    @functools.cached_property
    def _by_key(self) -> dict[str, LoadedRule]:
        """Id or name → the first rule, in pack order, with that id or name."""
        by_key: dict[str, LoadedRule] = {}
        for lr in self.rules:
            by_key.setdefault(lr.rule.id, lr)
            by_key.setdefault(lr.rule.name, lr)
        return by_key


def default_rules_dir() -> Path:
    """The default pack: shipped inside the package, or ``rules/`` in a source checkout."""
    shipped = resources.files("partnerfit") / "default_rules"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "rules"


_cache: dict[tuple[str, ...], RulePack] = {}


def load_pack(*dirs: str | Path) -> RulePack:
    """Load one pack, or layer several: later packs add rules and override earlier ones.

    With no argument, the default pack. Loaded packs are cached per process.
    """
    paths = [Path(d) for d in dirs] or [default_rules_dir()]
    key = tuple(str(p.resolve()) for p in paths)
    if key not in _cache:
        _cache[key] = _load_through_disk_cache(paths)
    return _cache[key]


def default_pack() -> RulePack:
    return load_pack()


NO_CACHE_VARIABLE = "PARTNERFIT_NO_CACHE"
"""Set to 1 in the environment to neither read nor write the compiled-pack cache."""

_CACHE_FORMAT = b"partnerfit compiled pack cache 1"


def _cache_dir() -> Path | None:
    """Where compiled packs are kept between processes, or None when the cache is off.

    ``$XDG_CACHE_HOME/partnerfit`` or ``~/.cache/partnerfit``. Off with
    PARTNERFIT_NO_CACHE=1, where there are no user ids (the folder could not be checked as
    private), and under pytest (while collecting too, and in the processes its tests
    start) unless a test asks for it with PARTNERFIT_CACHE_IN_TESTS=1.
    """
    env = os.environ
    if env.get(NO_CACHE_VARIABLE, "") not in ("", "0") or not hasattr(os, "getuid"):
        return None
    under_pytest = "PYTEST_CURRENT_TEST" in env or "_pytest" in sys.modules  # or collecting
    if under_pytest and env.get("PARTNERFIT_CACHE_IN_TESTS") != "1":
        return None
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "partnerfit"


def _cache_key(paths: Sequence[Path]) -> str | None:
    """A hash of everything a loaded pack depends on: the bytes of every file the loader
    may read in each folder, the folders as given (a pack records them), and the code
    that loads and compiles it (every module of this package, by name, size and
    modification time, so an edited checkout never reuses a stale pack) and the
    versions of Python and pydantic. None when a folder is not a plain readable pack:
    the loader then runs, and refuses it in its own words."""
    digest = hashlib.sha256(_CACHE_FORMAT)
    digest.update(f"{sys.version}|{pydantic.VERSION}".encode())
    code = Path(__file__).resolve().parent
    for module in sorted(code.rglob("*.py")):
        st = module.stat()
        digest.update(f"{module.relative_to(code)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for path in paths:
        if not (path / MANIFEST).is_file():
            return None
        digest.update(f"folder|{path}\n".encode())
        for file in sorted(path.glob("*.y*ml")):
            data = file.read_bytes()
            if len(data) > MAX_DOCUMENT_BYTES:
                return None
            digest.update(f"file|{file.name}|{len(data)}\n".encode())
            digest.update(data)
    return digest.hexdigest()


def _private_dir(folder: Path) -> bool:
    """Whether ``folder`` is a real folder owned by this user that no one else may use."""
    st = os.lstat(folder)
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


def _read_cached(file: Path) -> RulePack | None:
    """The pack this process's user wrote to ``file``, or None (missing, or not trusted)."""
    if not _private_dir(file.parent):
        return None
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as stream:
        st = os.fstat(stream.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
        # Only ever a file this user wrote into a folder only this user can write to.
        pack = pickle.load(stream)
    return pack if isinstance(pack, RulePack) else None


def _write_cached(file: Path, pack: RulePack) -> None:
    folder = file.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private_dir(folder):
        return
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".pack-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(pack, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, file)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _load_through_disk_cache(paths: Sequence[Path]) -> RulePack:
    """:func:`_load`, kept between processes in a private cache folder (see
    :func:`_cache_dir`). The cache can only save time: anything wrong with it (an
    unwritable or shared folder, a corrupt or foreign file) is ignored, and the pack is
    loaded from its files."""
    folder: Path | None = None
    key: str | None = None
    with contextlib.suppress(Exception):  # no home folder, an unreadable file …
        folder = _cache_dir()
        if folder is not None:
            key = _cache_key(paths)
    if folder is None or key is None:
        return _load(paths)
    file = folder / f"{key}.pickle"
    with contextlib.suppress(Exception):
        cached = _read_cached(file)
        if cached is not None:
            return cached
    pack = _load(paths)
    with contextlib.suppress(Exception):
        pack.active()  # kept with the pack
        if _cache_key(paths) == key:  # not changed while it was being loaded
            _write_cached(file, pack)
    return pack


def _load(paths: Sequence[Path]) -> RulePack:
    layers: list[Layer] = []
    rules: dict[str, LoadedRule] = {}
    names: dict[str, str] = {}
    disabled: list[str] = []
    verdict = VerdictPolicy()
    prompts: dict[str, tuple[Prompt, str]] = {}
    for path in paths:
        if not path.is_dir():
            raise PackError("rule pack folder not found", location=Location(file=str(path)))
        if not (path / MANIFEST).is_file():
            raise PackError(
                f"not a rule pack: the folder has no {MANIFEST} manifest (name, version)",
                location=Location(file=str(path)),
            )
        manifest_doc = _read(path / MANIFEST, path)
        manifest = _validate(Manifest, manifest_doc)
        assert isinstance(manifest, Manifest)
        layers.append(Layer(manifest.name, manifest.version, str(path)))
        if manifest.verdict is not None:
            verdict = manifest.verdict
        if (path / PROMPTS).is_file():
            _load_prompts(path / PROMPTS, path, prompts)
        files = sorted(p for p in path.glob("*.y*ml") if p.name not in (MANIFEST, PROMPTS))
        for file in files:
            doc = _read(file, path)
            parsed = _validate(RuleFile, doc)
            assert isinstance(parsed, RuleFile)
            for index, rule in enumerate(parsed.rules):
                where = doc.location(f"rules[{index}]")
                for other_key in (rule.id, rule.name):
                    if other_key in names:
                        raise PackError(
                            f"duplicate rule {other_key!r}, first defined at {names[other_key]}",
                            location=where,
                        )
                if rule.id not in rules and len(rules) >= MAX_RULES:
                    raise PackError(f"the pack has more than {MAX_RULES:,} rules", location=where)
                rules[rule.id] = LoadedRule(rule, str(file), where.line, rule.severity)
                names[rule.id] = names[rule.name] = f"{file}:{where.line}"
        manifest_where = manifest_doc.location("overrides")
        for rid in manifest.overrides.disable:
            _known(rid, rules, manifest_where)
            disabled.append(rid)
        for rid, severity in manifest.overrides.severity.items():
            _known(rid, rules, manifest_where)
            old = rules[rid]
            rules[rid] = LoadedRule(old.rule, old.file, old.line, severity, manifest.name)
    ordered = tuple(sorted(rules.values(), key=lambda lr: lr.rule.id))
    active = [lr for lr in ordered if lr.rule.id not in disabled]
    fact_types = _fact_types(active)
    compiled = compile_rules(active, fact_types)
    return RulePack(
        name="+".join(layer.name for layer in layers),
        version="+".join(layer.version for layer in layers),
        layers=tuple(layers),
        rules=ordered,
        disabled=tuple(sorted(set(disabled))),
        verdict=verdict,
        fact_types=fact_types,
        compiled=compiled,
        prompts=tuple(prompt for prompt, _ in prompts.values()),
    )


def _load_prompts(file: Path, folder: Path, prompts: dict[str, tuple[Prompt, str]]) -> None:
    """Add the prompts of one layer's ``prompts.yaml``; an id already used is refused."""
    doc = _read(file, folder)
    parsed = _validate(PromptFile, doc)
    assert isinstance(parsed, PromptFile)
    for index, prompt in enumerate(parsed.prompts):
        where = doc.location(f"prompts[{index}]")
        if prompt.id in prompts:
            raise PackError(
                f"duplicate prompt {prompt.id!r}, first defined at {prompts[prompt.id][1]}",
                location=where,
            )
        prompts[prompt.id] = (prompt, f"{file}:{where.line}")


def _read(path: Path, folder: Path) -> Document:
    """Read a pack file; a link that leads out of the pack folder is not followed."""
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a link loop
        inside = False
    if not inside:
        raise PackError(
            "is a link that leads out of the rule pack folder; copy the file into the pack",
            location=Location(file=str(path)),
        )
    return read_document(path, PackError)


def _validate(model: type[BaseModel], doc: Document) -> BaseModel:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise located_error(exc, doc, model, PackError) from None


def _known(rid: str, rules: Mapping[str, LoadedRule], where: Location) -> None:
    if rid not in rules:
        hint = difflib.get_close_matches(rid, list(rules), n=1, cutoff=0.6)
        raise PackError(
            f"override names unknown rule {rid!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else ""),
            location=where,
        )


# --- validation and compilation -------------------------------------------------------------

_OPS = {"eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "exists"}
_DURABLE_CMP = {"ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_TEMPLATE = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\}")
SINK = "partnerfit$sink"


class _RuleContext:
    """Locates errors inside one rule."""

    def __init__(self, lr: LoadedRule) -> None:
        self.lr = lr

    def error(self, message: str, path: str) -> PackError:
        rid = self.lr.rule.id
        return PackError(
            f"rule {rid}: {message}",
            location=Location(file=self.lr.file, line=self.lr.line, field=path),
        )


def _short(value: Any) -> str:
    """A value from a pack file, quoted and cut short for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(word: str, choices: Iterable[str]) -> str:
    hint = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def _fact_types(rules: Sequence[LoadedRule]) -> dict[str, FactType]:
    """The vocabulary plus the fact types derived by the pack's rules."""
    types: dict[str, FactType] = dict(VOCABULARY)
    for lr in rules:
        d = lr.rule.derive
        if d is None:
            continue
        ctx = _RuleContext(lr)
        if d.fact in VOCABULARY:
            raise ctx.error(
                f"derived fact {d.fact!r} clashes with a vocabulary fact", "derive.fact"
            )
        slot_facts = {
            item.as_ or item.fact: item.fact for item in lr.rule.when if isinstance(item, Pattern)
        }
        fields: dict[str, FieldSpec] = {}
        for name, ref in d.fields.items():
            kind: FieldKind = "text"
            if ref.count(".") == 1 and not ref.startswith("'"):
                slot, src = ref.split(".")
                source = types.get(slot_facts.get(slot, ""))
                spec = source.field(src) if source is not None else None
                kind = spec.kind if spec is not None else "text"
            fields[name] = FieldSpec(kind, f"Derived by {lr.rule.id} from `{ref}`.")
        if d.fact in types:
            fields = {**types[d.fact].fields, **fields}
        types[d.fact] = FactType(
            d.fact, f"Derived by rules of the pack ({lr.rule.id}).", fields, True
        )
    return types


@dataclass
class _Slot:
    name: str
    fact: str
    negated: bool
    tested: tuple[str, ...] = ()


def compile_rules(rules: Sequence[LoadedRule], types: Mapping[str, FactType]) -> Compiled:
    ruleset: dict[str, Any] = {}
    slots: dict[str, tuple[str, ...]] = {}
    derive: dict[str, DeriveSpec] = {}
    asks: dict[str, tuple[str, ...]] = {}
    positives: dict[str, set[str]] = {}
    negatives: dict[str, set[str]] = {}
    producers: dict[str, list[str]] = {}
    cited: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
    askers: dict[str, list[str]] = {}
    rule_of: dict[str, str] = {}

    for lr in rules:
        ctx = _RuleContext(lr)
        rule = lr.rule
        if (rule.kind == RuleKind.derived) != (rule.derive is not None):
            raise ctx.error(
                "a `derived` rule needs `derive`, and only a derived rule may have it", "derive"
            )
        alternatives, bound = _compile_when(rule.when, types, ctx)
        _check_template(rule.message, bound, types, ctx, "message")
        rule_slots = tuple(s.name for s in bound if not s.negated)
        rule_cited = tuple(
            (s.name, tuple(f for f in s.tested if f not in IDENTITY_FIELDS))
            for s in bound
            if not s.negated
        )
        names = [rule.id, *(f"{rule.id}${n}" for n in range(2, len(alternatives) + 1))]
        for name, conditions in zip(names, alternatives, strict=True):
            ruleset[name] = {"all": conditions, "run": name}
            slots[name] = rule_slots
            cited[name] = rule_cited
            if name != rule.id:
                rule_of[name] = rule.id
        positives[rule.id] = {s.fact for s in bound if not s.negated}
        negatives[rule.id] = {s.fact for s in bound if s.negated}
        if rule.derive is not None:
            spec = _compile_derive(rule.derive, bound, types, ctx)
            derive[rule.id] = spec
            producers.setdefault(spec.fact, []).append(rule.id)
        for i, generic in enumerate(rule.requires):
            if generic not in ASKABLE:
                raise ctx.error(
                    f"requires unknown field {generic!r}{_suggest(generic, ASKABLE)}",
                    f"requires[{i}]",
                )
        if rule.requires and rule.kind != RuleKind.derived:
            for generic in _with_ancestors(rule.requires):
                askers.setdefault(generic, []).append(rule.id)
        for i, example in enumerate(rule.examples):
            for j, finding in enumerate(example.expect):
                if not finding:
                    raise ctx.error(
                        "an expected finding lists no evidence path", f"examples[{i}].expect[{j}]"
                    )
    # One open-question rule per required field, not per rule: a missing field then fires
    # once, however many rules need it, and the report fans it out to those rules.
    for generic, rule_ids in sorted(askers.items()):
        name = f"ask${generic}"
        ruleset[name] = {
            "all": [{"u": {"$and": [{"t": "unknown"}, {"field": generic}]}}],
            "run": name,
        }
        slots[name] = ("u",)
        asks[name] = tuple(rule_ids)
        positives[name] = {"unknown"}
        negatives[name] = set()
    # A sink that accepts every fact and never fires: durable_rules drops the pending
    # firings of a whole batch when one fact in it matches no rule.
    ruleset[SINK] = {
        "all": [{"m": {"$ex": {"t": 1}}}, {"n": {"t": "partnerfit$never"}}],
        "run": SINK,
    }
    _refuse_derivation_cycles(rules, derive, positives, negatives, producers)
    _check_engine_capacity(ruleset, rules, rule_of)
    for name, rid in rule_of.items():
        if rid in derive:
            derive[name] = derive[rid]
    levels = _stratify(types, positives, negatives, producers)
    return Compiled(ruleset, levels, slots, derive, asks, cited, rule_of)


def _with_ancestors(generics: Sequence[str]) -> list[str]:
    """A required field is also unknown when a whole enclosing block is unknown."""
    out: list[str] = []
    for generic in generics:
        parts = generic.split(".")
        for n in range(1, len(parts) + 1):
            name = ".".join(parts[:n])
            if name in ASKABLE and name not in out:
                out.append(name)
    return out


@dataclass
class _Pattern:
    """One pattern of a rule, compiled but not yet written out as durable JSON."""

    name: str
    fact: str
    negated: bool
    constant: list[dict[str, Any]]
    """Tests against constants (``in:`` lists of a pattern that joins excepted)."""
    ins: list[tuple[str, list[Any]]]
    """``in:`` lists of a pattern that also joins: written out one value at a time."""
    cross_other: list[dict[str, Any]]
    cross_eq: list[dict[str, Any]]
    ordered_refs: list[tuple[str, str]]
    """(slot, field) of earlier facts this pattern compares with ne/lt/lte/gt/gte."""
    first_ref: str | None

    @property
    def joins(self) -> bool:
        return bool(self.cross_other or self.cross_eq)

    def durable(self) -> dict[str, Any]:
        cross_eq = list(self.cross_eq)
        if self.cross_other and not cross_eq:
            # durable_rules can crash the process when the last cross-fact test of a join
            # is not an equality and is false (upstream issue #381): end on a true one.
            assert self.first_ref is not None
            cross_eq.append({"one": {self.first_ref: "one"}})
        key = f"{self.name}$not" if self.negated else self.name
        tests = [{"t": self.fact}, *self.constant, *self.cross_other, *cross_eq]
        return {key: {"$and": tests}}


def _compile_when(
    when: Sequence[Pattern | Negation], types: Mapping[str, FactType], ctx: _RuleContext
) -> tuple[list[list[dict[str, Any]]], list[_Slot]]:
    """A rule's condition as one or more durable conditions (alternatives that never
    match the same facts), and its slots."""
    bound: list[_Slot] = []
    patterns: list[_Pattern] = []
    negations = 0
    if len(when) > MAX_PATTERNS:
        raise ctx.error(
            f"a condition has {len(when)} patterns; the limit is {MAX_PATTERNS}", "when"
        )
    # durable_rules never completes a rule that starts with a negation, and a negation
    # can only refer to earlier positive slots: positives go first, in order.
    order = sorted(range(len(when)), key=lambda i: isinstance(when[i], Negation))
    for index in order:
        item = when[index]
        negated = isinstance(item, Negation)
        pattern = item.not_ if isinstance(item, Negation) else item
        path = f"when[{index}]" + (".not" if negated else "")
        if pattern.fact not in types:
            raise ctx.error(
                f"unknown fact type {pattern.fact!r}{_suggest(pattern.fact, types)}", f"{path}.fact"
            )
        if negated:
            negations += 1
            name = pattern.as_ or f"not{negations}"
        else:
            name = pattern.as_ or pattern.fact
        if any(s.name == name for s in bound):
            raise ctx.error(f"slot name {name!r} is used twice; name one with `as`", f"{path}.as")
        if not re.match(SLOT_NAME, name):
            raise ctx.error(f"slot name {name!r} is not a simple lower-case name", f"{path}.as")
        ftype = types[pattern.fact]
        compiled = _compile_where(pattern.where, ftype, bound, types, ctx, f"{path}.where")
        patterns.append(_Pattern(name, pattern.fact, negated, *compiled))
        bound.append(_Slot(name, pattern.fact, negated, tuple(pattern.where)))
    if all(s.negated for s in bound):
        raise ctx.error("a condition needs at least one positive pattern", "when")
    variants = _alternatives(patterns, ctx)
    return [[p.durable() for p in variant] for variant in variants], bound


def _alternatives(patterns: list[_Pattern], ctx: _RuleContext) -> list[list[_Pattern]]:
    """Rewrite a condition around two gaps of durable_rules, keeping its meaning.

    - A join by ne/lt/lte/gt/gte raises an engine error when either fact lacks the
      field. A positive pattern needs both fields anyway: both get an `exists` test.
      A negated pattern holds outright when the earlier fact lacks the field: the
      condition splits into one alternative where the fields exist, with the
      negation, and one per missing field, without it.
    - An `in:` test in a pattern that also joins makes the engine drop the join: a
      positive pattern splits into one alternative per value; a negated one becomes
      one negation per value (no fact with the first value, nor the second …).
    """
    by_name = {p.name: p for p in patterns}
    for p in patterns:
        for own in sorted({f for t in p.cross_other for f in _tested_fields(t)}):
            p.constant.append({"$ex": {own: 1}})
        if not p.negated:
            for slot, ref_field in p.ordered_refs:
                _require(by_name[slot], ref_field, present=True)
    variants = [patterns]
    for p in patterns:
        if p.negated and p.ordered_refs:
            refs = sorted(set(p.ordered_refs))
            split: list[list[_Pattern]] = []
            for variant in variants:
                with_all = _copy(variant)
                for slot, ref_field in refs:
                    _require(_named(with_all, slot), ref_field, present=True)
                split.append(with_all)
                for i, (slot, ref_field) in enumerate(refs):
                    missing = _copy(variant)
                    for other, other_field in refs[:i]:
                        _require(_named(missing, other), other_field, present=True)
                    _require(_named(missing, slot), ref_field, present=False)
                    split.append([q for q in missing if q.name != p.name])
            variants = split
        if p.ins:
            variants = [alt for variant in variants for alt in _expand_ins(variant, p.name)]
        if len(variants) > MAX_ALTERNATIVES:
            raise ctx.error(
                f"the condition needs {len(variants)} alternatives in the engine; the limit "
                f"is {MAX_ALTERNATIVES} (shorten the `in:` lists of patterns that join)",
                "when",
            )
    for variant in variants:
        if len(variant) > _MAX_FRAMES:
            raise ctx.error(
                f"the condition needs {len(variant)} patterns in the engine; the limit is "
                f"{_MAX_FRAMES} (shorten the `in:` lists of negated patterns that join)",
                "when",
            )
    return variants


_MAX_FRAMES = 16
"""Facts durable_rules holds in one match."""


def _tested_fields(test: Mapping[str, Any]) -> list[str]:
    ((_, inner),) = test.items()
    return list(inner)


def _require(p: _Pattern, field: str, *, present: bool) -> None:
    test = {"$ex" if present else "$nex": {field: 1}}
    if test not in p.constant:
        p.constant.append(test)


def _named(variant: list[_Pattern], name: str) -> _Pattern:
    return next(p for p in variant if p.name == name)


def _copy(variant: list[_Pattern]) -> list[_Pattern]:
    return [dataclasses.replace(p, constant=list(p.constant), ins=list(p.ins)) for p in variant]


def _expand_ins(variant: list[_Pattern], name: str) -> list[list[_Pattern]]:
    p = next((q for q in variant if q.name == name), None)
    if p is None:  # a negation this alternative left out
        return [variant]
    choices = list(itertools.product(*[[(f, v) for v in values] for f, values in p.ins]))
    if not p.negated:
        out = []
        for choice in choices:
            alt = _copy(variant)
            q = _named(alt, name)
            q.ins = []
            q.constant.extend({f: v} for f, v in choice)
            out.append(alt)
        return out
    negations = [
        dataclasses.replace(
            p,
            name=f"{p.name}x{i}",
            ins=[],
            constant=[*p.constant, *({f: v} for f, v in choice)],
        )
        for i, choice in enumerate(choices, 1)
    ]
    at = variant.index(p)
    return [[*variant[:at], *negations, *variant[at + 1 :]]]


def _compile_where(
    where: Mapping[str, Any],
    ftype: FactType,
    bound: Sequence[_Slot],
    types: Mapping[str, FactType],
    ctx: _RuleContext,
    path: str,
) -> tuple[
    list[dict[str, Any]],
    list[tuple[str, list[Any]]],
    list[dict[str, Any]],
    list[dict[str, Any]],
    list[tuple[str, str]],
    str | None,
]:
    constant: list[dict[str, Any]] = []
    ins: list[tuple[str, list[Any]]] = []
    cross_other: list[dict[str, Any]] = []
    cross_eq: list[dict[str, Any]] = []
    ordered_refs: list[tuple[str, str]] = []
    first_ref: str | None = None
    for fname, spec in where.items():
        fpath = join_path(path, fname)
        fs = ftype.field(fname)
        if fs is None or fname == "t":
            raise ctx.error(
                f"fact {ftype.name!r} has no field {fname!r}{_suggest(fname, ftype.all_fields())}",
                fpath,
            )
        ops = spec if isinstance(spec, dict) and "ref" not in spec else {"eq": spec}
        if not ops:
            raise ctx.error("empty test", fpath)
        for op, value in ops.items():
            if op not in _OPS:
                raise ctx.error(f"unknown operator {op!r}{_suggest(op, _OPS)}", f"{fpath}.{op}")
            opath = f"{fpath}.{op}"
            if isinstance(value, dict) and set(value) == {"ref"}:
                slot, rfield = _resolve_ref(value["ref"], bound, types, ctx, opath)
                rspec = types[slot.fact].field(rfield)
                assert rspec is not None
                if rspec.kind != fs.kind:
                    raise ctx.error(
                        f"compares {fname} ({fs.kind}) with {value['ref']} ({rspec.kind})", opath
                    )
                if op not in ("eq", *_DURABLE_CMP):
                    raise ctx.error(f"operator {op!r} cannot take a ref", opath)
                first_ref = first_ref or slot.name
                ours, theirs = _engine_field(fname), _engine_field(rfield)
                if op == "eq":
                    cross_eq.append({ours: {slot.name: theirs}})
                else:
                    _check_order(op, fs, ctx, opath)
                    _check_order(op, rspec, ctx, opath)
                    cross_other.append({_DURABLE_CMP[op]: {ours: {slot.name: theirs}}})
                    ordered_refs.append((slot.name, theirs))
                continue
            if op == "in":
                ins.append((_engine_field(fname), _in_list(fs, op, value, ctx, opath)))
                continue
            constant.extend(_constant_tests_for(fname, fs, op, value, ctx, opath))
    if not (cross_other or cross_eq):
        # An `in:` list in a pattern that does not join is one engine test.
        constant.extend({"$or": [{f: v} for v in values]} for f, values in ins)
        ins = []
    return constant, ins, cross_other, cross_eq, ordered_refs, first_ref


def _engine_field(name: str) -> str:
    """durable_rules treats a fact's `id` as its identity: joins on it misbehave and can
    crash the process. Tests on `id` go to a copy the adapter adds to every fact."""
    return ENGINE_ID if name == "id" else name


ENGINE_ID = "pf_id"
"""The field holding a copy of each fact's id inside the engine."""


def _check_order(op: str, fs: FieldSpec, ctx: _RuleContext, path: str) -> None:
    if op not in ("lt", "lte", "gt", "gte"):
        return
    if fs.kind == "bool":
        raise ctx.error(f"operator {op!r} does not apply to a true/false field", path)
    if fs.kind == "text" and not fs.ordered:
        # The engine orders text byte by byte on its JSON form: 'Acme' would come after
        # 'Acme AB', and quotes compare as their escapes. Ids have no such characters.
        raise ctx.error(
            f"operator {op!r} orders numbers and ids only, not free text "
            "(use eq, ne, in or not_in)",
            path,
        )


def _in_list(fs: FieldSpec, op: str, value: Any, ctx: _RuleContext, path: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ctx.error(f"`{op}` takes a non-empty list", path)
    if len(value) > MAX_IN_ITEMS:
        raise ctx.error(
            f"`{op}` lists {len(value)} values; the limit is {MAX_IN_ITEMS} "
            "(split the rule, or derive a fact that groups the values)",
            path,
        )
    return [_literal(fs, v, ctx, f"{path}[{i}]") for i, v in enumerate(value)]


def _constant_tests_for(
    fname: str, fs: FieldSpec, op: str, value: Any, ctx: _RuleContext, path: str
) -> list[dict[str, Any]]:
    field = _engine_field(fname)
    if op == "exists":
        if not isinstance(value, bool):
            raise ctx.error("`exists` takes true or false", path)
        return [{"$ex" if value else "$nex": {field: 1}}]
    if op == "not_in":
        # One flat test per value: nested in its own `$and`, durable drops the joins of
        # the pattern.
        return [{"$neq": {field: v}} for v in _in_list(fs, op, value, ctx, path)]
    _check_order(op, fs, ctx, path)
    literal = _literal(fs, value, ctx, path)
    if op == "eq":
        return [{field: literal}]
    return [{_DURABLE_CMP[op]: {field: literal}}]


def _literal(fs: FieldSpec, value: Any, ctx: _RuleContext, path: str) -> str | float | bool:
    """Literals are type-checked: the engine would compare ``10 == "10"`` as true."""
    if fs.kind == "bool":
        if not isinstance(value, bool):
            raise ctx.error(f"expected true or false, got {_short(value)}", path)
        return value
    if fs.kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ctx.error(f"expected a number, got {_short(value)}", path)
        if not -MAX_NUMBER <= value <= MAX_NUMBER or round(value, NUMBER_DECIMALS) != value:
            raise ctx.error(
                f"numbers in rules lie within ±{MAX_NUMBER:.0e} and have at most "
                f"{NUMBER_DECIMALS} decimal places; got {_short(value)}",
                path,
            )
        return float(value)
    if not isinstance(value, str):
        raise ctx.error(f"expected text, got {_short(value)}", path)
    if fs.choices is not None and value not in fs.choices:
        raise ctx.error(
            f"{value!r} is not a possible value{_suggest(value, fs.choices)} "
            f"(one of: {', '.join(fs.choices)})",
            path,
        )
    return value


def _resolve_ref(
    ref: Any, bound: Sequence[_Slot], types: Mapping[str, FactType], ctx: _RuleContext, path: str
) -> tuple[_Slot, str]:
    if not isinstance(ref, str) or ref.count(".") != 1:
        raise ctx.error(f"a ref is `slot.field`, got {ref!r}", path)
    slot_name, rfield = ref.split(".")
    slot = next((s for s in bound if s.name == slot_name and not s.negated), None)
    if slot is None:
        names = [s.name for s in bound if not s.negated]
        raise ctx.error(
            f"ref {ref!r} names no earlier positive pattern{_suggest(slot_name, names)}", path
        )
    if types[slot.fact].field(rfield) is None:
        fields = types[slot.fact].all_fields()
        raise ctx.error(
            f"fact {slot.fact!r} has no field {rfield!r}{_suggest(rfield, fields)}", path
        )
    return slot, rfield


def _check_template(
    template: str,
    bound: Sequence[_Slot],
    types: Mapping[str, FactType],
    ctx: _RuleContext,
    path: str,
) -> None:
    positive = {s.name: s for s in bound if not s.negated}
    for m in _TEMPLATE.finditer(template):
        slot_name, fname = m.groups()
        if slot_name not in positive:
            raise ctx.error(
                f"template names {{{slot_name}.{fname}}} but no positive pattern is "
                f"{slot_name!r}{_suggest(slot_name, positive)}",
                path,
            )
        ftype = types[positive[slot_name].fact]
        if ftype.field(fname) is None:
            raise ctx.error(
                f"template names {{{slot_name}.{fname}}} but fact {ftype.name!r} has no such "
                f"field{_suggest(fname, ftype.all_fields())}",
                path,
            )
    stripped = _TEMPLATE.sub("", template)
    if "{" in stripped or "}" in stripped:
        raise ctx.error("a template may only use `{slot.field}` placeholders", path)


def _compile_derive(
    d: Derive, bound: Sequence[_Slot], types: Mapping[str, FactType], ctx: _RuleContext
) -> DeriveSpec:
    fields: list[tuple[str, str | None, str]] = []
    for fname, ref in d.fields.items():
        if fname in COMMON_FIELDS or fname == "t":
            raise ctx.error(f"derived field {fname!r} is reserved", f"derive.fields.{fname}")
        if ref.startswith("'") and ref.endswith("'"):
            fields.append((fname, None, ref[1:-1]))
            continue
        slot, rfield = _resolve_ref(ref, bound, types, ctx, f"derive.fields.{fname}")
        fields.append((fname, slot.name, rfield))
    if d.value is not None:
        _check_template(d.value, bound, types, ctx, "derive.value")
    return DeriveSpec(d.fact, tuple(fields), d.value)


def _check_engine_capacity(
    ruleset: Mapping[str, Any], rules: Sequence[LoadedRule], rule_of: Mapping[str, str]
) -> None:
    """Refuse a pack that would overflow the engine's fixed-size node tables.

    durable_rules gives each node of its match network 511 slots for the tests that
    follow it (a full table makes ruleset creation loop forever), 128 for `exists:
    false` tests and 256 for the patterns that end there. Every node under a fact
    type follows from that type's tests, so counting tests per type bounds them all;
    patterns end at the same node when they test the same fact the same way.
    """
    located = {lr.rule.id: lr for lr in rules}
    tests: dict[str, set[str]] = {}
    absent: dict[str, set[str]] = {}
    ends: dict[tuple[str, frozenset[str]], int] = {}
    for name, entry in ruleset.items():
        for slot in entry["all"]:
            ((_, pattern),) = slot.items()
            conditions = pattern.get("$and", [pattern])
            fact = next((c["t"] for c in conditions if "t" in c), "*")
            own = {json.dumps(test, sort_keys=True): test for test in _constant_tests(conditions)}
            for text, test in own.items():
                (absent if "$nex" in test else tests).setdefault(fact, set()).add(text)
            end = (fact, frozenset(own))
            ends[end] = ends.get(end, 0) + 1
            problem = None
            if len(tests.get(fact, ())) > MAX_TESTS_PER_FACT:
                problem = (
                    f"the pack makes {len(tests[fact])} different tests of fact {fact!r}; "
                    f"the engine holds at most {MAX_TESTS_PER_FACT} (shorten `in:` lists, "
                    "or derive a fact that groups the values)"
                )
            elif len(absent.get(fact, ())) > MAX_ABSENT_PER_FACT:
                problem = (
                    f"the pack makes {len(absent[fact])} different `exists: false` tests of "
                    f"fact {fact!r}; the engine holds at most {MAX_ABSENT_PER_FACT}"
                )
            elif ends[end] > MAX_PATTERNS_PER_FACT:
                problem = (
                    f"{ends[end]} patterns of the pack test fact {fact!r} the same way; the "
                    f"engine holds at most {MAX_PATTERNS_PER_FACT} (merge those rules)"
                )
            if problem is not None:
                lr = located.get(rule_of.get(name, name))
                if lr is None:  # an open-question rule: blame the pack as a whole
                    raise PackError(problem, location=Location(file=rules[0].file))
                raise _RuleContext(lr).error(problem, "when")


def _constant_tests(conditions: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """The tests of one pattern that compare a field with a constant, `in:` lists apart."""
    for test in conditions:
        ((key, value),) = test.items()
        if key in ("$or", "$and"):
            yield from _constant_tests(value)
        elif key == "t" or _references_a_slot(value):
            continue
        else:
            yield test


def _references_a_slot(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    return any(isinstance(v, Mapping) for v in value.values())


def _refuse_derivation_cycles(
    rules: Sequence[LoadedRule],
    derive: Mapping[str, DeriveSpec],
    positives: Mapping[str, set[str]],
    negatives: Mapping[str, set[str]],
    producers: Mapping[str, list[str]],
) -> None:
    """Refuse derived rules that feed themselves: each firing would derive a new fact
    that fires the chain again, forever."""
    # A derived rule depends on the derived rules that produce any of its inputs.
    needs = {
        rid: sorted({q for t in positives[rid] | negatives[rid] for q in producers.get(t, [])})
        for rid in derive
    }
    done: set[str] = set()

    def visit(rid: str, trail: list[str]) -> None:
        if rid in trail:
            cycle = [*trail[trail.index(rid) :], rid]
            chain = " → ".join(f"{r} ({derive[r].fact})" for r in cycle)
            lr = next(lr for lr in rules if lr.rule.id == rid)
            raise _RuleContext(lr).error(
                f"derived rules form a cycle that never ends: {chain}; "
                "a rule may not consume, directly or through other rules, what it derives",
                "derive",
            )
        if rid in done:
            return
        for q in needs[rid]:
            visit(q, [*trail, rid])
        done.add(rid)

    for rid in sorted(derive):
        visit(rid, [])


def _stratify(
    types: Mapping[str, FactType],
    positives: Mapping[str, set[str]],
    negatives: Mapping[str, set[str]],
    producers: Mapping[str, list[str]],
) -> dict[str, int]:
    """Order fact types so that every negated type is complete before its rule's positives.

    durable_rules judges a negation when the positive fact arrives and never
    revisits it, so facts are asserted in strata. A derived fact appears in the
    stratum of its producers' last input. A cycle through negation is refused.
    """
    base = {t for t in types if not types[t].derived}
    levels = dict.fromkeys(base, 0)

    def level(t: str, seen: frozenset[str] = frozenset()) -> int:
        if t in base:
            return levels[t]
        if t in seen:
            return 0
        return max(
            (level(x, seen | {t}) for r in producers.get(t, []) for x in positives[r]), default=0
        )

    def raise_to(t: str, value: int, seen: frozenset[str] = frozenset()) -> None:
        if t in base:
            levels[t] = max(levels[t], value)
            return
        if t in seen:
            return
        for r in producers.get(t, []):
            for x in positives[r]:
                if level(x) < value:
                    raise_to(x, value, seen | {t})

    limit = len(types) + 2
    for _ in range(limit):
        changed = False
        for rule, negs in negatives.items():
            for n in negs:
                ln = level(n)
                for p in positives[rule]:
                    if level(p) <= ln:
                        raise_to(p, ln + 1)
                        changed = True
        if not changed:
            break
    else:
        raise PackError("the pack's negations form a cycle: no order of facts can satisfy it")
    if max(levels.values(), default=0) > limit:
        raise PackError("the pack's negations form a cycle: no order of facts can satisfy it")
    return {t: level(t) for t in types}


def render(template: str, slots: Mapping[str, Mapping[str, Any]]) -> str:
    """Fill ``{slot.field}`` placeholders. No attribute access, no code: just lookups."""

    def sub(m: re.Match[str]) -> str:
        fact = slots.get(m.group(1), {})
        value = fact.get(m.group(2))
        if value is None:
            return "unknown"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return _TEMPLATE.sub(sub, template)
