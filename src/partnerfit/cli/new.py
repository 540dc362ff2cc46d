"""`partnerfit new`: a guided way to write a case file.

Without ``--interactive`` it writes a commented template (see
:mod:`partnerfit.template`). With it, it asks a short series of questions and
writes a case where every answered field is filled and everything else stays a
commented template line.

The rule for the mode: ``--interactive`` or ``--no-interactive`` decides when
given. Otherwise it is interactive when stdin is a terminal and none of
``--id``, ``--title``, ``--party`` and ``--kind`` is given. Prompts and hints go
to stderr, so stdout carries only the YAML.

The questions are plain questions. A choice (the alliance kind, what a party sells) is
listed with a one-line meaning for each value, and answered by number or in the
person's own words (``design``, ``SaaS``, ``JV``: see :mod:`partnerfit.choices`); a word
that was read as a choice is said back. A refused answer names every problem in it at
once, in words, and the question is asked again. Customer segments are asked once per
party. The questions are read line by line (``click.prompt``), so they work the same
on a terminal, in a pipe and in tests; a full-screen menu library was not added for
that reason: typing a number or a word is as quick as moving a cursor, and works where
a cursor menu cannot (a pipe, a dumb terminal, a screen reader).
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from partnerfit.case import (
    CASE_SCHEMA_ID,
    AllianceKind,
    Answers,
    Case,
    Market,
    Party,
)
from partnerfit.choices import (
    ALLIANCE_KINDS,
    OFFERING_CATEGORIES,
    ChoiceError,
    Menu,
    Picked,
    menu_lines,
    read_choice,
    read_choices,
    word_of,
)
from partnerfit.errors import UsageError
from partnerfit.template import case_template, check_value, template_from
from partnerfit.text import printable
from partnerfit.wording import possessive

from . import ExitCode, handles_errors, main, write_stdout

T = TypeVar("T")

DEFAULT_PARTIES: tuple[tuple[str, str], ...] = (("a", "Party A"), ("b", "Party B"))
DEFAULT_ID = "new-case"
NONE_WORD = "none"
"""The answer that means an explicit empty list (or, for the sponsor, nobody)."""
NONE_WORDS = frozenset({NONE_WORD, "nobody", "no one", "nothing", "n/a"})
SKIP = "Enter to skip"


@main.command("new")
@click.argument(
    "file", required=False, type=click.Path(path_type=Path, dir_okay=False, allow_dash=True)
)
@click.option(
    "--id", "case_id", metavar="ID", help=f"Case id. Default: FILE's name, or {DEFAULT_ID}."
)
@click.option("--title", help="Case title.")
@click.option(
    "--party",
    "party_specs",
    multiple=True,
    metavar="ID=NAME",
    help="A party, e.g. --party acme='Acme GmbH'; repeat for each (at least two).",
)
@click.option(
    "--kind",
    metavar="KIND",
    help="Alliance kind, in words: "
    + "; ".join(f"{o.word} ({o.meaning})" for o in ALLIANCE_KINDS.options)
    + ".",
)
@click.option(
    "--interactive/--no-interactive",
    default=None,
    help="Ask questions. Default: on when stdin is a terminal and no --id/--title/--party/--kind.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@handles_errors
def new(
    file: Path | None,
    case_id: str | None,
    title: str | None,
    party_specs: tuple[str, ...],
    kind: str | None,
    interactive: bool | None,
    force: bool,
) -> None:
    """Write a new case file: a commented template, or your answers to a few questions.

    Writes to FILE, or to stdout when FILE is `-` or left out; refuses to
    overwrite FILE unless --force. Every field not filled in stays commented
    out, so it is unknown (unknown is not false). The case is validated before
    anything is written; every problem found is named at once.
    """
    try:
        _new(file, case_id, title, party_specs, kind, interactive, force)
    except UsageError as exc:
        lines = str(exc).splitlines()
        if len(lines) < 2:
            raise
        # Several problems: one a line (the common error line would show the line breaks
        # as "\n"), each line made safe for the terminal on its own.
        for n, line in enumerate(lines):
            click.echo(("partnerfit: error: " if n == 0 else "") + printable(line), err=True)
        sys.exit(ExitCode.ERROR)


def _new(
    file: Path | None,
    case_id: str | None,
    title: str | None,
    party_specs: tuple[str, ...],
    kind: str | None,
    interactive: bool | None,
    force: bool,
) -> None:
    target = None if file is None or str(file) == "-" else file
    if target is not None and target.exists() and not force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    problems: list[str] = []
    parties: Sequence[tuple[str, str]] = DEFAULT_PARTIES
    if party_specs:
        parties = _parse_parties(party_specs, problems)
    alliance_kind = None
    if kind is not None:
        try:
            alliance_kind = AllianceKind(read_choice(ALLIANCE_KINDS, kind).value)
        except ChoiceError as exc:
            problems.append(f"--kind: {exc.message}")
    if case_id is not None:
        try:
            check_value(Case, "id", case_id)
        except UsageError as exc:
            problems.append(f"--id: {exc.message}")
    _refuse(problems)
    if interactive is None:
        flags = case_id is not None or title is not None or kind is not None or bool(party_specs)
        interactive = _stdin_is_a_terminal() and not flags
    case_id = case_id if case_id is not None else _id_from(target)
    if interactive:
        text = template_from(_ask(case_id, title, alliance_kind, parties))
    else:
        text = case_template(case_id=case_id, title=title, parties=parties, kind=alliance_kind)
    if target is None:
        write_stdout(text)
        click.echo("Next: save it as a .yaml file and run: partnerfit check FILE", err=True)
    else:
        _write(target, text, force=force)
        for line in _next_steps(target, text):
            click.echo(printable(line), err=True)


def _next_steps(target: Path, text: str) -> list[str]:
    """What a founder does next, as commands to copy: check the case now; send each party
    its own questions; merge the answers; write the report to forward."""
    import yaml

    case = shlex.quote(str(target))
    out = [f"Wrote {target}. Next: partnerfit check {case}"]
    parties = (yaml.safe_load(text) or {}).get("parties") or []
    ids = [str(p["id"]) for p in parties if isinstance(p, dict) and p.get("id")]
    if not ids:
        return out
    out.append("Then send each party its own questions, to answer without the other side:")
    answers = []
    for party in parties:
        pid = str(party.get("id"))
        name = str(party.get("name") or pid)
        file = shlex.quote(f"{target.stem}-{pid}.yaml")
        answers.append(file)
        out.append(
            f"  partnerfit questionnaire {case} --party {shlex.quote(pid)} -o {file}  # {name}"
        )
    out.append("When the answers come back, merge them and write a report to share:")
    out.append(f"  partnerfit merge {case} {' '.join(answers)} --in-place")
    html = shlex.quote(f"{target.stem}.html")
    out.append(f"  partnerfit check {case} --format html -o {html}")
    return out


def _refuse(problems: Sequence[str]) -> None:
    """Raise one :class:`UsageError` naming every problem, one a line; nothing if none."""
    lines = [line for problem in problems for line in problem.splitlines()]
    if len(lines) == 1:
        raise UsageError(lines[0])
    if lines:
        raise UsageError(f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines))


def parse_parties(specs: Sequence[str]) -> list[tuple[str, str]]:
    """``--party ID=NAME`` values as ``(id, name)`` pairs; one refusal naming every bad one."""
    problems: list[str] = []
    parties = _parse_parties(specs, problems)
    _refuse(problems)
    return parties


def _parse_parties(specs: Sequence[str], problems: list[str]) -> list[tuple[str, str]]:
    """The good ``--party`` values; a line in ``problems`` for each bad one."""
    parties: list[tuple[str, str]] = []
    for spec in specs:
        key, sep, name = spec.partition("=")
        key, name = key.strip(), name.strip()
        if not sep or not key or not name:
            problems.append(f"--party {spec!r}: expected ID=NAME, e.g. --party acme='Acme GmbH'")
            continue
        try:
            check_value(Party, "id", key)
        except UsageError as exc:
            problems.append(
                f"--party {spec!r}: the id must be letters, digits, '_', '.' or '-' "
                f"(no spaces): {exc.message}"
            )
            continue
        if key in {k for k, _ in parties}:
            problems.append(f"--party {spec!r}: party id {key!r} is given twice")
            continue
        parties.append((key, name))
    if len(specs) < 2:
        problems.append("--party was given once; a case needs at least two parties")
    return parties


def _stdin_is_a_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _id_from(target: Path | None) -> str:
    """FILE's name without its suffix, when that is a valid id; else ``new-case``."""
    if target is None:
        return DEFAULT_ID
    try:
        return str(check_value(Case, "id", target.stem))
    except UsageError:
        return DEFAULT_ID


def _slug(name: str) -> str:
    """A name as an id: ``Alpha Care GmbH`` → ``alpha-care-gmbh``; ``""`` when none fits."""
    slug = "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in name).split())
    return slug.lower()[:64]


def _write(target: Path, text: str, *, force: bool) -> None:
    try:
        with target.open("w" if force else "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; pass --force to overwrite it") from None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------
# The questions


def _say(text: str) -> None:
    click.echo(printable(text), err=True)


def _ask(
    case_id: str,
    title: str | None,
    kind: AllianceKind | None,
    parties: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """Ask the guided questions; the answers as case data (unknowns left out)."""
    _say(
        f"A few questions about the partnership. Press {SKIP} a question you cannot answer "
        "yet: it stays unknown, and the report will ask about it. 'none' means none."
    )
    data: dict[str, Any] = {"schema": CASE_SCHEMA_ID}
    data["id"] = _prompt(
        "A short id for this case (letters, digits, '-', no spaces)",
        _required(Case, "id"),
        default=case_id,
    )
    _put(
        data,
        "title",
        _prompt(f"A title for it, in a few words? ({SKIP})", _text(Case, "title"), title),
    )
    _menu(ALLIANCE_KINDS)
    chosen = _prompt(
        f"What kind of partnership is it? A number or your own words ({SKIP})",
        _one_of(ALLIANCE_KINDS),
        word_of(ALLIANCE_KINDS, kind.value) if kind else None,
    )
    if chosen is not None:
        data["alliance"] = {"kind": chosen}

    named: list[dict[str, Any]] = []
    for n, (key, name) in enumerate(parties, start=1):
        taken = {p["id"] for p in named}
        which = "first" if n == 1 else "second" if n == 2 else f"number {n}"
        party_name = _prompt(
            f"What is the {which} party called?", _required(Party, "name"), default=name
        )
        default_id = key if party_name == name else _slug(party_name)
        if default_id in taken:
            default_id = ""
        party_id = _prompt(
            f"A short id for {party_name} (letters, digits, '-', no spaces)",
            _required(Party, "id", taken=taken),
            default=default_id or None,
        )
        named.append({"id": party_id, "name": party_name})
    data["parties"] = [_ask_party(party) for party in named]
    return data


def _ask_party(party: dict[str, Any]) -> dict[str, Any]:
    name = party["name"]
    whose = possessive(name)
    click.echo(err=True)
    _say(f"About {name}. Ask {name} on its own, without the other side.")
    _menu(OFFERING_CATEGORIES)
    sold: list[str] | None = _prompt(
        f"What does {name} sell? Numbers or your own words, separated by commas ({SKIP}; "
        f"'{NONE_WORD}' if nothing)",
        _many_of(OFFERING_CATEGORIES),
    )
    segments: list[str] | None = _prompt(
        f"Who are {whose} customers? Kinds of customer, separated by commas, e.g. dental "
        f"clinics, dental labs ({SKIP})",
        _list(Market, "segments"),
    )
    markets: dict[str, Any] = {}
    _put(markets, "segments", segments)
    if sold is not None:
        party["offerings"] = []
        for category in sold:
            offering: dict[str, Any] = {"category": category}
            if segments and (len(sold) == 1 or len(segments) == 1):
                offering["segments"] = list(segments)  # every customer buys it: no question
            elif segments:
                word = word_of(OFFERING_CATEGORIES, category)
                listed = ", ".join(f"{i}. {s}" for i, s in enumerate(segments, start=1))
                bought = _prompt(
                    f"Which of {whose} customers buy from its {word} business? {listed}. Numbers, names "
                    f"or 'all' ({SKIP})",
                    _some_of(segments),
                )
                if bought is not None:
                    offering["segments"] = bought
                    segments.extend(s for s in bought if s not in segments)
            party["offerings"].append(offering)
    _put(
        markets,
        "regions",
        _prompt(
            f"Where does {name} sell? Regions or countries, separated by commas, e.g. DACH, "
            f"US Midwest ({SKIP})",
            _list(Market, "regions"),
        ),
    )
    _put(party, "markets", markets or None)
    _put(
        party,
        "competitors",
        _prompt(
            f"Which companies does {name} see as its competitors? Separated by commas "
            f"({SKIP}; '{NONE_WORD}' if none)",
            _list(Party, "competitors"),
        ),
    )
    _put(
        party,
        "executive_sponsor",
        _prompt(
            f"Which senior person at {name} backs this partnership? A name ({SKIP}; "
            "'nobody' if nobody)",
            _sponsor,
        ),
    )
    answers: dict[str, Any] = {}
    _put(
        answers,
        "vision",
        _prompt(
            f"In {whose} own words: what should the partnership become? ({SKIP})",
            _text(Answers, "vision"),
        ),
    )
    _put(
        answers,
        "three_year_goal",
        _prompt(
            f"In {whose} own words: where will the partnership be in about three years? ({SKIP})",
            _text(Answers, "three_year_goal"),
        ),
    )
    _put(party, "answers", answers or None)
    return party


def _menu(menu: Menu) -> None:
    for line in menu_lines(menu):
        _say(f"  {line}")


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only for a known answer: an unknown one is left out, not set to null."""
    if value is not None:
        data[key] = value


def _prompt(text: str, convert: Callable[[str], T], default: str | None = None) -> T:
    """Ask once; a refused answer is explained (every problem in it) and asked again."""

    def proc(raw: str) -> T:
        try:
            return convert(raw.strip())
        except UsageError as exc:
            lines = exc.message.splitlines()
            shown = lines[0]
            if len(lines) > 1:
                shown = f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines)
            # Refused values are quoted with repr(), which already shows control characters
            # as escapes; printable() would double their backslashes.
            safe = all(line.isprintable() for line in shown.splitlines())
            raise click.BadParameter(shown if safe else printable(shown, multiline=True)) from None

    result: T = click.prompt(
        printable(text),
        default=default or "",
        show_default=bool(default),
        value_proc=proc,
        err=True,
    )
    return result


def _required(
    model: type[Party] | type[Case], field: str, *, taken: set[str] | None = None
) -> Callable[[str], str]:
    def convert(raw: str) -> str:
        if not raw:
            raise UsageError("an answer is needed here")
        if taken and raw in taken:
            raise UsageError(f"{raw!r} is already used by another party")
        return str(check_value(model, field, raw))

    return convert


def _text(model: type[Any], field: str) -> Callable[[str], Any]:
    def convert(raw: str) -> Any:
        return check_value(model, field, raw) if raw else None

    return convert


def _items(raw: str) -> list[str] | None:
    """Empty: unknown (``None``); ``none``: ``[]``; else the comma-separated items."""
    if not raw:
        return None
    if raw.lower() in NONE_WORDS:
        return []
    return [item.strip() for item in raw.split(",") if item.strip()]


def _list(model: type[Any], field: str) -> Callable[[str], list[str] | None]:
    def convert(raw: str) -> list[str] | None:
        items = _items(raw)
        if items is None:
            return None
        problems: list[str] = []
        for item in items:
            try:
                check_value(model, field, [item])
            except UsageError as exc:
                problems.append(f"{item!r}: {exc.message}")
        if not problems:
            try:
                return list(check_value(model, field, items))
            except UsageError as exc:
                problems.append(exc.message)
        raise UsageError("\n".join(problems))

    return convert


def _tell(picked: Sequence[Picked], menu: Menu) -> None:
    """Say how words were read (``design`` → services), so nothing is mapped silently."""
    for p in picked:
        if p.mapped:
            _say(f"  (read {p.given!r} as {word_of(menu, p.value)})")


def _one_of(menu: Menu) -> Callable[[str], str | None]:
    def convert(raw: str) -> str | None:
        if not raw:
            return None
        picked = read_choice(menu, raw)
        _tell([picked], menu)
        return picked.value

    return convert


def _many_of(menu: Menu) -> Callable[[str], list[str] | None]:
    def convert(raw: str) -> list[str] | None:
        items = _items(raw)
        if items is None:
            return None
        picked = read_choices(menu, items)
        _tell(picked, menu)
        return [p.value for p in picked]

    return convert


def _some_of(segments: Sequence[str]) -> Callable[[str], list[str] | None]:
    """Segments picked from ``segments`` by number or name; ``all``; or new names."""

    def convert(raw: str) -> list[str] | None:
        if raw.lower() == "all":
            return list(segments)
        items = _items(raw)
        if items is None:
            return None
        chosen: list[str] = []
        problems: list[str] = []
        for item in items:
            if item.isdigit():
                n = int(item)
                if not 1 <= n <= len(segments):
                    problems.append(f"{item!r}: there is no customer number {n}")
                    continue
                item = segments[n - 1]
            else:
                known = {s.lower(): s for s in segments}
                item = known.get(item.lower(), item)
            if item not in chosen:
                chosen.append(item)
        if problems:
            raise UsageError("\n".join(problems))
        return _list(Market, "segments")(", ".join(chosen)) if chosen else []

    return convert


def _sponsor(raw: str) -> str | bool | None:
    if not raw:
        return None
    if raw.lower() in NONE_WORDS:
        return False
    return str(check_value(Party, "executive_sponsor", raw))
