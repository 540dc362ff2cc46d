"""Validation problems in plain words, for people who never read a schema.

pydantic says "Input should be a valid list"; a founder filling in a case should read
"expected a list of items". :func:`plain_problem` turns one pydantic error into such
words, with the value refused. It imports nothing of partnerfit at module level, so any
module (the case loader's :mod:`partnerfit.validation` too) can use it.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

__all__ = ["plain_problem"]


def plain_problem(error: ErrorDetails) -> str:
    """One validation problem in plain words, with the value refused: no pydantic phrasing
    ("Input should be a valid list")."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    got = f"; got {_show(error.get('input'))}" if "input" in error else ""
    if kind == "string_pattern_mismatch":
        from .validation import explain  # here: validation may import this module

        return f"{explain(error)}{got}"
    if kind == "string_too_short":
        return "an answer is needed here (it is empty)"
    if kind == "string_too_long":
        return f"too long: at most {ctx.get('max_length')} characters"
    if kind == "too_long":
        return f"too many: at most {ctx.get('max_length')} items"
    if kind == "list_type":
        return f"expected a list of items (in YAML: [first, second]){got}"
    if kind == "string_type":
        return f"expected words{got}"
    if kind in ("int_parsing", "int_type", "float_parsing", "float_type", "int_from_float"):
        return f"expected a number{got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false{got}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {_bound(ctx.get('ge', ctx.get('gt')))}{got}"
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {_bound(ctx.get('le', ctx.get('lt')))}{got}"
    if kind == "enum":
        return f"{_show(error.get('input'))} is not one of: {_expected(ctx)}"
    if kind == "literal_error":
        return f"expected {_expected(ctx)}{got}"
    if kind == "missing":
        return "this is needed"
    if kind == "extra_forbidden":
        return "not a field partnerfit knows"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a block of fields{got}"
    return str(error["msg"]).removeprefix("Value error, ")


def _bound(value: Any) -> str:
    """``100.0`` as ``100``: a bound as a person would write it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace("'", "")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
