"""The package and the command line import what they need when it is needed (issue 12).

``import partnerfit`` and ``partnerfit --version`` / ``--help`` must not import the case
models, the rule engine or the report formats; every public name and every command still
works, with the same help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import partnerfit
from partnerfit.cli import _LAZY_COMMANDS, FAIL_ON_CHOICES, main

CASE = Path(__file__).resolve().parents[1] / "cases" / "licensing-outdoor-brand.yaml"
HEAVY = [
    "partnerfit.case",
    "partnerfit.pack",
    "partnerfit.engine",
    "partnerfit.report",
    "partnerfit.formats",
    "partnerfit.evaluation",
    "partnerfit.text",
    "durable",
    "importlib.metadata",
]


def _modules_after(code: str, names: list[str]) -> list[str]:
    """Which of ``names`` a fresh interpreter has imported after running ``code``."""
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return [name for name in names if name in loaded]


def _imported_after(code: str) -> list[str]:
    """The HEAVY modules a fresh interpreter has imported after running ``code``."""
    return _modules_after(code, HEAVY)


def test_import_partnerfit_imports_nothing_heavy() -> None:
    assert _imported_after("import partnerfit") == []


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_version_and_help_import_nothing_heavy(args: list[str]) -> None:
    code = (
        "from partnerfit.cli import main\n"
        "try:\n"
        f"    main({args!r}, prog_name='partnerfit')\n"
        "except SystemExit:\n"
        "    pass"
    )
    heavy = _imported_after(code)
    if args == ["--version"]:
        assert heavy == ["importlib.metadata"]
    else:
        assert heavy == []


def test_every_public_name_resolves_to_its_module_object() -> None:
    from partnerfit import api, case, diff, errors, loading, pack, report

    modules = [api, case, diff, errors, loading, pack, report]
    for name in partnerfit.__all__:
        value = getattr(partnerfit, name)
        if name == "__version__":
            assert value == "0.1.0"
            continue
        homes = [m for m in modules if getattr(m, name, None) is value]
        assert homes, name
    assert set(partnerfit.__all__) <= set(dir(partnerfit))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        partnerfit.nope  # noqa: B018
    with pytest.raises(ImportError):
        from partnerfit import nope  # noqa: F401


def test_lazy_commands_list_their_own_help() -> None:
    # What ``partnerfit --help`` lists for a command not imported yet is the first
    # paragraph of that command's own help, so the listing is the one click would make.
    commands = main.commands  # imports every command
    assert set(_LAZY_COMMANDS) <= set(commands)
    assert sorted(commands) == main.list_commands(click.Context(main))
    for name, (module, first) in _LAZY_COMMANDS.items():
        command = commands[name]
        assert command.callback is not None
        assert command.callback.__module__ in (
            f"partnerfit.cli.{module}",
            "partnerfit.cli",  # wrapped in handles_errors, which keeps __module__
        )
        assert command.help is not None
        assert click.Command(name, help=first).help is not None
        for limit in (20, 45, 60, 200):
            placeholder = click.Command(name, help=first)
            assert placeholder.get_short_help_str(limit) == command.get_short_help_str(limit)
        assert not command.hidden
        assert not command.deprecated


def test_help_lists_every_command_as_click_would() -> None:
    listed = CliRunner().invoke(main, ["--help"], terminal_width=80, prog_name="pf").output
    # The same listing made by click's own Group from the real commands.
    plain = click.Group("partnerfit", commands=main.commands, help=main.help)
    plain.context_settings = main.context_settings
    plain.params = main.params
    expected = CliRunner().invoke(plain, ["--help"], terminal_width=80, prog_name="pf").output
    assert listed == expected
    assert (
        "  questionnaire  Write one party's own questions, to send to that party alone.\n" in listed
    )


def test_fail_on_choices() -> None:
    assert list(FAIL_ON_CHOICES) == ["info", "low", "medium", "high", "critical", "never"]


STEMMING = ["snowballstemmer", "rapidfuzz"]
RENDERERS = [
    "partnerfit.formats.html",
    "partnerfit.formats.markdown",
    "partnerfit.formats.table",
]


def test_the_pack_and_the_text_helpers_import_no_stemmer_until_a_word_is_stemmed() -> None:
    assert _modules_after("import partnerfit.pack, partnerfit.text", STEMMING) == []
    stemmed = "from partnerfit.text import stem\nassert stem('partners') == 'partner'"
    assert _modules_after(stemmed, STEMMING) == ["snowballstemmer"]
    matched = (
        "from partnerfit.text import Matcher\n"
        "assert Matcher('name', ['Planmeca Oy', 'Plameca']).same('Planmeca Oy', 'Plameca')"
    )
    assert _modules_after(matched, STEMMING) == STEMMING


def test_the_formats_import_no_renderer_until_a_report_is_rendered() -> None:
    assert _modules_after("import partnerfit.formats", ["partnerfit.report", *RENDERERS]) == []


@pytest.mark.parametrize(
    ("fmt", "rendered"),
    [
        ("table", ["partnerfit.formats.table"]),
        ("json", []),
        ("markdown", ["partnerfit.formats.markdown"]),
    ],
)
def test_check_imports_only_the_renderer_of_its_format(fmt: str, rendered: list[str]) -> None:
    code = (
        "from partnerfit.cli import main\n"
        "try:\n"
        f"    main(['check', {str(CASE)!r}, '--format', {fmt!r},"
        " '--no-advise', '-q'], prog_name='partnerfit')\n"
        "except SystemExit:\n"
        "    pass"
    )
    assert _modules_after(code, RENDERERS) == rendered
