"""`partnerfit questionnaire` and `partnerfit merge`: each party answers on its own.

``questionnaire CASE --party ID`` writes one party's own questions as a YAML file to
send to that party; ``merge CASE ANSWERS...`` brings the answered files back into the
case. Exit codes as everywhere: 0 when the job is done, 2 when it could not be (a bad
case or questionnaire, a questionnaire for another case or party, answers that differ
from the case's without ``--force``, output that cannot be written).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from partnerfit.errors import UsageError
from partnerfit.loading import load_case
from partnerfit.questionnaire import Blank, QuestionnaireError, merge, questionnaire
from partnerfit.text import path_text, printable

from . import handles_errors, main
from .batch import atomic_output


def _say(text: str) -> None:
    click.echo(printable(text), err=True)


@main.command("questionnaire")
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--party", "party_id", metavar="ID", help="The id of the party to ask.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the questionnaire to FILE instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@handles_errors
def questionnaire_command(
    case: Path, party_id: str | None, output: Path | None, force: bool
) -> None:
    """Write one party's own questions, to send to that party alone.

    Only that party's questions: its view of the partnership (vision, mission, values,
    positioning, three-year goal and horizon, target customer), what it brings and
    expects, how it works, its finances and its people. Each question is explained in
    plain words; what the case already holds for the party is shown as the current
    answer. Bring the answers back with `partnerfit merge CASE FILE`.
    """
    loaded = load_case(case)
    if party_id is None:
        parties = ", ".join(f"{p.id} ({p.name})" for p in loaded.parties)
        raise UsageError(
            f"name the party to ask with --party ID; the case's parties are: {parties}"
        )
    text = questionnaire(loaded, party_id)
    name = loaded.party(party_id).name
    if output is None:
        with atomic_output(None) as out:
            out.write(text)
        return
    if output.exists() and not force:
        raise UsageError(f"{path_text(str(output))} already exists; pass --force to overwrite it")
    with atomic_output(output) as out:
        out.write(text)
    command = shlex.join(["partnerfit", "merge", str(case), str(output)])
    _say(f"Wrote {path_text(str(output))}: the questions for {name} alone.")
    _say(f"Send it to {name}; bring the answers back with: {command}")


@main.command("merge")
@click.argument("case", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("answers", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--force",
    is_flag=True,
    help="Where an answer differs from what the case holds, take the answer.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the merged case to FILE instead of standard output.",
)
@click.option("--in-place", is_flag=True, help="Write the merged case back to CASE.")
@handles_errors
def merge_command(
    case: Path, answers: tuple[Path, ...], force: bool, output: Path | None, in_place: bool
) -> None:
    """Bring answered questionnaires (ANSWERS) back into the case file CASE.

    Refuses a questionnaire for another case or for a party the case does not have.
    An answer that differs from what the case already holds is not taken unless
    --force: then nothing is written and each difference is listed. The case file
    keeps its comments and layout. Lists the questions still blank.
    """
    if output is not None and in_place:
        raise UsageError("give either -o FILE or --in-place, not both")
    result = merge(case, *answers, force=force)
    conflicts = result.conflicts
    if conflicts and not force:
        for c in conflicts:
            _say(
                f"partnerfit: {c.location}: the case holds {c.case_value}; the answer is {c.answer}"
            )
        count = f"{len(conflicts)} answer{'s' if len(conflicts) > 1 else ''}"
        raise QuestionnaireError(
            f"{count} differ{'s' if len(conflicts) == 1 else ''} from what the case holds "
            "(listed above); nothing was written. Correct the questionnaire, or pass --force "
            "to take the answers"
        )
    target = case if in_place else output
    with atomic_output(target) as out:
        out.write(result.text)
    for c in conflicts:
        _say(f"{c.location}: replaced {c.case_value} with {c.answer}")
    where = "standard output" if target is None else path_text(str(target))
    files = f"{len(answers)} questionnaire{'s' if len(answers) > 1 else ''}"
    _say(f"Merged {files} into {where}.")
    _report_blanks(result.blank)


def _report_blanks(blanks: list[Blank]) -> None:
    if not blanks:
        _say("Every question is answered.")
        return
    by_party: dict[str, list[Blank]] = {}
    for blank in blanks:
        by_party.setdefault(blank.party_name, []).append(blank)
    for name, items in by_party.items():
        count = f"{len(items)} question{'s' if len(items) > 1 else ''}"
        _say(f"Still blank for {name}: {count}")
        for blank in items:
            _say(f"  - {blank.question}")
