"""Formatters: each turns a report into a string. One enum lists them."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from partnerfit.report import Report

from . import markdown, table


class Format(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


def _json(report: Report) -> str:
    return report.to_json() + "\n"


_RENDERERS: dict[Format, Callable[[Report], str]] = {
    Format.table: table.render,
    Format.json: _json,
    Format.markdown: markdown.render,
}


def render(report: Report, fmt: Format | str) -> str:
    """The report in the given format, as a string ending in a newline."""
    return _RENDERERS[Format(fmt)](report)


__all__ = ["Format", "render"]
