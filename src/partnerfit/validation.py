"""Pydantic validation errors, translated into located, helpful messages."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .documents import Document, format_loc
from .errors import Location, PartnerfitError, Problem
from .problems import plain_problem

PATTERN_HELP: dict[str, str] = {}
"""Regex patterns of the models → what they mean, in words, for error messages."""


def describe_kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {
        list: "a list",
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }.get(type(value), type(value).__name__)


def explain(error: ErrorDetails) -> str:
    """One pydantic error in words: a model's pattern is described, not shown as a regex."""
    pattern = error.get("ctx", {}).get("pattern")
    if error["type"] == "string_pattern_mismatch" and pattern in PATTERN_HELP:
        return PATTERN_HELP[pattern]
    return str(error["msg"])


def located_error(
    exc: ValidationError,
    doc: Document,
    root: type[BaseModel],
    error: type[PartnerfitError],
) -> PartnerfitError:
    """Every validation problem, located and explained in plain words: the error names the
    first (a misspelt key first: it also shows up as a missing field; else the first in
    the file) and the count of the others, and carries them all in file order
    (:attr:`PartnerfitError.problems`)."""
    errors = exc.errors(include_url=False)
    if len(errors) == 1:
        message, location = _problem(errors[0], doc, root)
        return error(message, location=location)
    found = [
        (e["type"] == "extra_forbidden", Problem(message=m, location=at))
        for e in errors
        for m, at in (_problem(e, doc, root),)
    ]
    unique = list({str(p): (misspelt, p) for misspelt, p in found}.values())
    unique.sort(key=lambda item: item[1].location.line or 0)  # stable: pydantic's order ties
    problems = tuple(p for _, p in unique)
    first = next((p for misspelt, p in unique if misspelt), problems[0])
    if len(problems) == 1:  # pydantic's errors were one problem, told twice
        return error(first.message, location=first.location)
    more = len(problems) - 1
    message = f"{first.message} (and {more} more problem{'s' if more > 1 else ''})"
    return error(message, location=first.location, problems=problems)


def _problem(error: ErrorDetails, doc: Document, root: type[BaseModel]) -> tuple[str, Location]:
    """One validation problem: what is wrong, in plain words, and where."""
    loc = [
        part
        for part in error["loc"]
        if not (isinstance(part, str) and part.startswith("function-"))
    ]
    path = format_loc(loc)
    if error["type"] == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(root, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown field {key!r}"
        message += f"; did you mean {hint[0]!r}?" if hint else ""
        if allowed:
            message += f" Expected one of: {', '.join(sorted(allowed))}"
    elif error["type"] == "missing":
        message = f"required field {str(loc[-1])!r} is missing"
    elif error["type"] == "reference":  # the case model's own cross-field checks
        message = str(error["msg"])
    else:
        message = plain_problem(error)
        if error["type"] == "enum":
            expected = error.get("ctx", {}).get("expected")
            if expected:
                given = str(error.get("input"))
                choices = [
                    c.strip().strip("'") for c in str(expected).replace(" or ", ", ").split(",")
                ]
                hint = difflib.get_close_matches(given, choices, n=1, cutoff=0.6)
                if hint:
                    message += f"; did you mean {hint[0]!r}?"
    if error["type"] == "missing":
        location = doc.location(format_loc(loc[:-1]))
        return message, Location(file=location.file, line=location.line, field=path)
    return message, doc.location(path)


def _show(value: Any) -> str:
    """A short excerpt of a refused value, for an error message."""
    try:
        text = repr(value)
    except Exception:  # an int of thousands of digits, or a __repr__ that fails
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(root: type[BaseModel], loc: list[str | int]) -> list[str]:
    """The field names (aliases) allowed in the mapping at ``loc``."""
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        info = next(
            (f for name, f in model.model_fields.items() if (f.alias or name) == part),
            None,
        )
        model = _model_in(info.annotation) if info is not None else None
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
