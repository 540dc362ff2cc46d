"""`partnerfit new`: a guided way to write a case file.

Without ``--interactive`` it writes a commented template (see
:mod:`partnerfit.template`). With it, it asks a short series of questions and
writes a case where every answered field is filled and everything else stays a
commented template line.

The rule for the mode: ``--interactive`` or ``--no-interactive`` decides when
given. Otherwise it is interactive when stdin is a terminal and none of
``--id``, ``--title``, ``--party`` and ``--kind`` is given. Prompts and hints go
to stderr, so stdout carries only the YAML.
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
    Alliance,
    AllianceKind,
    Answers,
    Case,
    Market,
    Offering,
    OfferingCategory,
    Party,
)
from partnerfit.errors import UsageError
from partnerfit.template import case_template, check_value, template_from
from partnerfit.text import printable

from . import handles_errors, main, write_stdout

T = TypeVar("T")

DEFAULT_PARTIES: tuple[tuple[str, str], ...] = (("a", "Party A"), ("b", "Party B"))
DEFAULT_ID = "new-case"
NONE_WORD = "none"
"""The answer that means an explicit empty list (or, for the sponsor, nobody)."""


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
@click.option("--kind", type=click.Choice([k.value for k in AllianceKind]), help="Alliance kind.")
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
    anything is written.
    """
    target = None if file is None or str(file) == "-" else file
    if target is not None and target.exists() and not force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it")
    parties = parse_parties(party_specs) if party_specs else DEFAULT_PARTIES
    alliance_kind = AllianceKind(kind) if kind else None
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
        shown = printable(f"Wrote {target}. Next: partnerfit check {shlex.quote(str(target))}")
        click.echo(shown, err=True)


def parse_parties(specs: Sequence[str]) -> list[tuple[str, str]]:
    """``--party ID=NAME`` values as ``(id, name)`` pairs; a clear refusal for a bad one."""
    parties: list[tuple[str, str]] = []
    for spec in specs:
        key, sep, name = spec.partition("=")
        key, name = key.strip(), name.strip()
        if not sep or not key or not name:
            raise UsageError(f"--party {spec!r}: expected ID=NAME, e.g. --party acme='Acme GmbH'")
        try:
            check_value(Party, "id", key)
        except UsageError as exc:
            raise UsageError(
                f"--party {spec!r}: the id must be letters, digits, '_', '.' or '-' "
                f"(no spaces): {exc.message}"
            ) from None
        if key in {k for k, _ in parties}:
            raise UsageError(f"--party {spec!r}: party id {key!r} is given twice")
        parties.append((key, name))
    if len(parties) < 2:
        raise UsageError("--party was given once; a case needs at least two parties")
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


def _ask(
    case_id: str,
    title: str | None,
    kind: AllianceKind | None,
    parties: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """Ask the guided questions; the answers as case data (unknowns left out)."""
    say = "Answer each question; leave it empty if unknown."
    click.echo(f"{say} '{NONE_WORD}' means an explicit none.", err=True)
    data: dict[str, Any] = {"schema": CASE_SCHEMA_ID}
    data["id"] = _prompt("Case id", _required(Case, "id"), default=case_id)
    _put(data, "title", _prompt("Title (leave empty if unknown)", _text(Case, "title"), title))
    kinds = ", ".join(k.value for k in AllianceKind)
    chosen = _prompt(
        f"Alliance kind, one of: {kinds} (leave empty if unknown)",
        _text(Alliance, "kind"),
        kind.value if kind else None,
    )
    if chosen is not None:
        data["alliance"] = {"kind": chosen}

    named: list[dict[str, Any]] = []
    for n, (key, name) in enumerate(parties, start=1):
        taken = {p["id"] for p in named}
        named.append(
            {
                "id": _prompt(f"Party {n} id", _required(Party, "id", taken=taken), default=key),
                "name": _prompt(f"Party {n} name", _required(Party, "name"), default=name),
            }
        )
    data["parties"] = [_ask_party(party) for party in named]
    return data


def _ask_party(party: dict[str, Any]) -> dict[str, Any]:
    name = party["name"]
    about = printable(f"About {name}; ask {name} on its own, without the other side.")
    click.echo(f"\n{about}", err=True)
    categories = ", ".join(c.value for c in OfferingCategory)
    sold: list[OfferingCategory] | None = _prompt(
        f"What does {name} sell? Categories, comma-separated, from: {categories} "
        f"(leave empty if unknown; '{NONE_WORD}' if nothing)",
        _categories,
    )
    if sold is not None:
        party["offerings"] = []
        for category in sold:
            offering: dict[str, Any] = {"category": category.value}
            _put(
                offering,
                "segments",
                _prompt(
                    f"To which customer segments does {name} sell {category.value}? "
                    "Comma-separated (leave empty if unknown)",
                    _list(Offering, "segments"),
                ),
            )
            party["offerings"].append(offering)
    markets: dict[str, Any] = {}
    _put(
        markets,
        "segments",
        _prompt(
            f"Which customer segments does {name} serve? Comma-separated (leave empty if unknown)",
            _list(Market, "segments"),
        ),
    )
    _put(
        markets,
        "regions",
        _prompt(
            f"In which regions or countries does {name} sell? Comma-separated "
            "(leave empty if unknown)",
            _list(Market, "regions"),
        ),
    )
    _put(party, "markets", markets or None)
    _put(
        party,
        "competitors",
        _prompt(
            f"Which companies does {name} name as competitors? Comma-separated "
            f"(leave empty if unknown; '{NONE_WORD}' if none)",
            _list(Party, "competitors"),
        ),
    )
    _put(
        party,
        "executive_sponsor",
        _prompt(
            f"Which executive at {name} sponsors the alliance? "
            f"(leave empty if unknown; '{NONE_WORD}' if nobody)",
            _sponsor,
        ),
    )
    answers: dict[str, Any] = {}
    _put(
        answers,
        "vision",
        _prompt(
            f"{name}'s own answer: what should the alliance become? (leave empty if unknown)",
            _text(Answers, "vision"),
        ),
    )
    _put(
        answers,
        "three_year_goal",
        _prompt(
            f"{name}'s own answer: where will the alliance be in about three years? "
            "(leave empty if unknown)",
            _text(Answers, "three_year_goal"),
        ),
    )
    _put(party, "answers", answers or None)
    return party


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only for a known answer: an unknown one is left out, not set to null."""
    if value is not None:
        data[key] = value


def _prompt(text: str, convert: Callable[[str], T], default: str | None = None) -> T:
    """Ask once; a refused answer is explained and the question asked again."""

    def proc(raw: str) -> T:
        try:
            return convert(raw.strip())
        except UsageError as exc:
            raise click.BadParameter(printable(exc.message)) from None

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
    if raw.lower() == NONE_WORD:
        return []
    return [item.strip() for item in raw.split(",") if item.strip()]


def _list(model: type[Any], field: str) -> Callable[[str], list[str] | None]:
    def convert(raw: str) -> list[str] | None:
        items = _items(raw)
        return None if items is None else list(check_value(model, field, items))

    return convert


def _categories(raw: str) -> list[OfferingCategory] | None:
    items = _items(raw)
    if items is None:
        return None
    chosen: list[OfferingCategory] = []
    for item in items:
        category = OfferingCategory(check_value(Offering, "category", item))
        if category not in chosen:
            chosen.append(category)
    return chosen


def _sponsor(raw: str) -> str | bool | None:
    if not raw:
        return None
    if raw.lower() == NONE_WORD:
        return False
    return str(check_value(Party, "executive_sponsor", raw))
