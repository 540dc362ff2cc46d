"""Pydantic validation errors, translated into located, helpful messages."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from .documents import Document, format_loc
from .errors import Location, PartnerfitError

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
    """The first validation problem, located and explained; the count of the others."""
    errors = exc.errors(include_url=False)
    # A misspelt key also shows up as a missing field: name the misspelling first.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [
        part
        for part in first["loc"]
        if not (isinstance(part, str) and part.startswith("function-"))
    ]
    path = format_loc(loc)
    if first["type"] == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(root, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown field {key!r}"
        message += f"; did you mean {hint[0]!r}?" if hint else ""
        if allowed:
            message += f" Expected one of: {', '.join(sorted(allowed))}"
    elif first["type"] == "missing":
        message = f"required field {str(loc[-1])!r} is missing"
    elif first["type"] == "string_pattern_mismatch":
        message = f"{explain(first)}; got {_show(first.get('input'))}"
    elif first["type"] == "reference":  # the case model's own cross-field checks
        message = str(first["msg"])
    elif first["type"] == "value_error":
        message = str(first["msg"]).removeprefix("Value error, ")
    else:
        message = f"{first['msg']}; got {_show(first.get('input'))}"
        if first["type"] == "enum":
            expected = first.get("ctx", {}).get("expected")
            if expected:
                given = str(first.get("input"))
                choices = [
                    c.strip().strip("'") for c in str(expected).replace(" or ", ", ").split(",")
                ]
                hint = difflib.get_close_matches(given, choices, n=1, cutoff=0.6)
                if hint:
                    message += f"; did you mean {hint[0]!r}?"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    if first["type"] == "missing":
        location = doc.location(format_loc(loc[:-1]))
        location = Location(file=location.file, line=location.line, field=path)
    else:
        location = doc.location(path)
    return error(message, location=location)


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
