"""`partnerfit rules …` and `partnerfit explain`: inspect and test rule packs.

Everything printed here comes from the rule's own metadata in the pack, so the
text of `rules list`, `explain` and the reports cannot drift apart. A pack is
input like a case: every string from it is shown through
:func:`~partnerfit.text.printable` in the text outputs (JSON keeps it exact).
"""

from __future__ import annotations

import json
import sys
import textwrap
from enum import StrEnum
from pathlib import Path

import click
from tabulate import tabulate

from partnerfit.examples import run_examples
from partnerfit.pack import LoadedRule, Negation, Pattern, RuleKind
from partnerfit.text import printable

from . import (
    ExitCode,
    _pack,
    format_option,
    handles_errors,
    main,
    rules_option,
    stdout_stream,
    write_stdout,
)


class ListFormat(StrEnum):
    table = "table"
    json = "json"


_LIST_FIELDS = ("id", "name", "area", "kind", "severity")


def _row(lr: LoadedRule) -> dict[str, str]:
    rule = lr.rule
    return {
        "id": rule.id,
        "name": rule.name,
        "area": rule.area.value,
        "kind": rule.kind.value,
        # Strengths and derived rules carry no severity of their own.
        "severity": lr.severity.value if rule.kind == RuleKind.red_flag else "",
    }


@main.group()
def rules() -> None:
    """Inspect and test rule packs."""


@rules.command("list")
@rules_option
@format_option([f.value for f in ListFormat], ListFormat.table.value)
@handles_errors
def rules_list(rules: tuple[Path, ...], fmt: str) -> None:
    """List the rules of the pack: id, name, area, kind and severity."""
    pack = _pack(rules)
    rows = [_row(lr) for lr in pack.active()]
    if fmt == ListFormat.json:
        data = {"pack": pack.name, "version": pack.version, "rules": rows}
        write_stdout(json.dumps(data, indent=2) + "\n")
        return
    table = [[printable(r[k]) for k in _LIST_FIELDS] for r in rows]
    write_stdout(
        tabulate(table, headers=_LIST_FIELDS, disable_numparse=True)
        + f"\n\n{len(rows)} rules in {printable(pack.name)} {printable(pack.version)}\n"
    )


@rules.command("test")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("-v", "--verbose", is_flag=True, help="Show passing examples too.")
@handles_errors
def rules_test(dirs: tuple[Path, ...], verbose: bool) -> None:
    """Run every rule's embedded examples and check the exact expected findings."""
    out = stdout_stream()  # a closed stdout is refused before any work
    pack = _pack(dirs)
    passed = failed = 0
    for result in run_examples(pack):
        if result.passed:
            passed += 1
            if verbose:
                out.write(printable(result.explain()) + "\n")
        else:
            failed += 1
            out.write(printable(result.explain()) + "\n")
    out.write(f"rule examples: {passed} passed, {failed} failed\n")
    out.flush()
    sys.exit(ExitCode.RED_FLAGS if failed else ExitCode.OK)


def _para(label: str, text: str | None) -> list[str]:
    if not text:
        return []
    body = textwrap.fill(printable(" ".join(text.split())), width=92, subsequent_indent="  ")
    return [f"{label}: {body}", ""]


def explanation(lr: LoadedRule) -> str:
    """The full documentation of one rule, as plain text (every string from the pack escaped)."""
    rule = lr.rule
    p = printable
    head = f"{p(rule.id)} {p(rule.name)}"
    kind = rule.kind.value.replace("_", " ")
    if rule.kind == RuleKind.red_flag:
        kind += f", severity {lr.severity.value}"
        if lr.overridden_by:
            kind += f" (set by {p(lr.overridden_by)}; the rule says {rule.severity.value})"
    out = [head, "=" * len(head), "", p(rule.title), f"Area: {rule.area.value}; {kind}.", ""]
    out += _para("Reports", rule.message)
    out += _para("Why", rule.why)
    out += _para("Source", rule.source)
    out += [f"References: {p(ref)}" for ref in rule.references]
    out += _para("Remedy", rule.remedy)
    if rule.requires:
        out += [f"Requires: {p(', '.join(rule.requires))}"]
        out += _para("Asks when unknown", rule.question)
        if not rule.question:
            out.append("")
    out += ["Condition (all must hold):", *(f"  {_pattern(item)}" for item in rule.when), ""]
    if rule.derive is not None:
        fields = p(", ".join(f"{k}={v}" for k, v in rule.derive.fields.items()))
        out += [f"Derives: a `{p(rule.derive.fact)}` fact ({fields})", ""]
    out.append(f"Examples ({len(rule.examples)}):")
    for example in rule.examples:
        if example.expect:
            shown = p("; ".join(", ".join(paths) for paths in example.expect))
            out.append(f"  fires:     {p(example.name)} -> {shown}")
        else:
            out.append(f"  no firing: {p(example.name)}")
    out += ["", f"Defined in {p(str(lr.file))}" + (f", line {lr.line}" if lr.line else "")]
    return "\n".join(out) + "\n"


def _pattern(item: Pattern | Negation) -> str:
    negated = isinstance(item, Negation)
    pattern = item.not_ if isinstance(item, Negation) else item
    text = ("no " if negated else "") + pattern.fact
    if pattern.as_:
        text += f" as {pattern.as_}"
    if pattern.where:
        text += " where " + json.dumps(pattern.where, ensure_ascii=False)
    return printable(text)


@main.command()
@click.argument("rule")
@rules_option
@handles_errors
def explain(rule: str, rules: tuple[Path, ...]) -> None:
    """Explain one rule (by id or name): what it checks, why, the remedy and its examples."""
    pack = _pack(rules)
    write_stdout(explanation(pack.rule(rule)))
