"""Commented case templates, generated from the case model.

A template is a case file that loads as it is. Every field of every model
reachable from :class:`~partnerfit.case.Case` is in it, with its docstring (and,
for choices, the allowed values) as a ``#`` comment. A field with a known value
is written out; every other field is *commented out*, so it stays unknown
(**unknown is not false**) until someone removes the ``# `` in front of it and
answers. Nothing here lists fields by hand: a field added to the model shows up
in the next template.

The ``#`` of a commented-out block sits at the block's own indentation, so an
editor's "toggle comment" on the block's lines restores valid YAML.
"""

from __future__ import annotations

import textwrap
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from .case import CASE_SCHEMA_ID, AllianceKind, Case, Key
from .choices import ALLIANCE_KINDS, OFFERING_CATEGORIES
from .documents import format_loc
from .errors import CaseError, PartnerfitError, UsageError
from .loading import load_case
from .problems import plain_problem

__all__ = ["case_template", "case_to_template", "check_value", "template_from"]

WIDTH = 100
"""Lines longer than this get their comment on the line(s) above instead of inline."""

_KEY_PATTERN: str | None = getattr(typing.get_args(Key)[1], "pattern", None)

HEADER = """\
# A partnerfit case file: one proposed alliance.
#
# Unknown is not false. A field left commented out is unknown: the report asks about it.
# An explicit false, none or [] is an answer, and the rules judge it.
# To answer, remove the "# " in front of the field (and of the blocks around it) and fill
# it in. The choices are explained at the end of the file. Check it with: partnerfit check FILE
"""


def case_template(
    *,
    case_id: str,
    title: str | None = None,
    parties: Sequence[tuple[str, str]] = (("a", "Party A"), ("b", "Party B")),
    kind: AllianceKind | None = None,
) -> str:
    """A commented YAML template for a new case, with every other field commented out.

    ``parties`` are ``(id, name)`` pairs, at least two. Raises
    :class:`~partnerfit.errors.UsageError` when the values do not make a valid
    case (a bad id, repeated party ids, too few parties…).
    """
    data: dict[str, Any] = {"schema": CASE_SCHEMA_ID, "id": case_id}
    if title is not None:
        data["title"] = title
    if kind is not None:
        data["alliance"] = {"kind": kind.value}
    data["parties"] = [{"id": key, "name": name} for key, name in parties]
    return template_from(data)


def template_from(data: Mapping[str, Any]) -> str:
    """The case in ``data`` as a commented template: known fields filled, the rest commented.

    ``data`` is validated first (:class:`~partnerfit.errors.UsageError` when it is
    not a valid case); the text returned is checked to load back as the same case.
    """
    try:
        case = load_case(data)
    except CaseError as exc:
        raise _every_problem(data) or UsageError(exc.message, location=exc.location) from None
    text = case_to_template(case)
    again = load_case(text)
    if _dump(again) != _dump(case):  # pragma: no cover - a bug in this module, never input
        raise PartnerfitError("the template does not load back as the same case (a partnerfit bug)")
    return text


def case_to_template(case: Case) -> str:
    """Render a validated case as a commented template (see the module docstring)."""
    blocks: list[list[_Line]] = [
        _field_lines(field.alias or name, field, _known(case, name), 0, None)
        for name, field in Case.model_fields.items()
    ]
    out = [HEADER]
    for block in blocks:
        if len(block) > 1:
            out.append("")
        out.extend(line.render() for line in block)
    out += ["", *GLOSSARY]
    return "\n".join(out) + "\n"


def _glossary() -> list[str]:
    lines = ["# ── The choices, explained ──"]
    for title, menu in (
        ("The alliance's kind (alliance.kind), one of:", ALLIANCE_KINDS),
        (
            "What a party sells, the offering categories (an offering's category, the "
            "alliance's scope, carve-outs), each one of:",
            OFFERING_CATEGORIES,
        ),
    ):
        lines.append("#")
        lines += [f"# {chunk}" for chunk in textwrap.wrap(title, WIDTH - 2, break_on_hyphens=False)]
        width = max(len(o.value) for o in menu.options)
        lines += [f"#   {o.value:<{width}}  {o.meaning}" for o in menu.options]
    return lines


GLOSSARY: tuple[str, ...] = tuple(_glossary())
"""The values of the choices a founder meets first, each with its meaning, closing the
template: the comments beside the fields list the values only."""


def check_value(model: type[BaseModel], name: str, value: object) -> Any:
    """Validate one value for field ``name`` of ``model``; the value as the model keeps it.

    Raises :class:`~partnerfit.errors.UsageError` with pydantic's reason. Used to
    check answers one at a time, before a whole case exists.
    """
    field = model.model_fields[name]
    adapter: TypeAdapter[Any] = TypeAdapter(field.rebuild_annotation())
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        problems = _unique(plain_problem(e) for e in exc.errors(include_url=False))
        raise UsageError("; ".join(problems)) from None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _every_problem(data: Mapping[str, Any]) -> UsageError | None:
    """Every validation problem of ``data`` at once, one a line, each with its field;
    ``None`` when the case model finds none (the refusal came from elsewhere)."""
    try:
        Case.model_validate(dict(data))
    except ValidationError as exc:
        lines = _unique(
            f"{format_loc(_loc(e['loc'])) or 'the case'}: {plain_problem(e)}"
            for e in exc.errors(include_url=False)
        )
        if len(lines) == 1:
            return UsageError(lines[0])
        return UsageError(f"{len(lines)} problems:\n" + "\n".join(f"  {line}" for line in lines))
    return None


def _loc(loc: Sequence[str | int]) -> list[str | int]:
    return [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]


# ---------------------------------------------------------------------------------------
# The shape of a field


@dataclass(frozen=True)
class _Shape:
    base: Any
    """The scalar type, the enum class or the model class (for a list: of each item)."""
    many: bool = False
    allows_false: bool = False
    pattern: str | None = None

    @property
    def model(self) -> type[BaseModel] | None:
        base = self.base
        return base if isinstance(base, type) and issubclass(base, BaseModel) else None


def _shape(field: FieldInfo) -> _Shape:
    shape = _shape_of(field.annotation)
    for meta in field.metadata:
        pattern = getattr(meta, "pattern", None)
        if pattern:
            shape = replace(shape, pattern=pattern)
    return shape


def _shape_of(annotation: Any) -> _Shape:
    allows_false = False
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        rest = []
        for arg in typing.get_args(annotation):
            if arg is type(None):
                continue
            if typing.get_origin(arg) is Literal and typing.get_args(arg) == (False,):
                allows_false = True
                continue
            rest.append(arg)
        if len(rest) != 1:  # pragma: no cover - the case model has no such field
            raise TypeError(f"cannot describe {annotation!r}")
        return replace(_shape_of(rest[0]), allows_false=allows_false)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        shape = _shape_of(inner)
        pattern = next(
            (getattr(m, "pattern", None) for m in meta if getattr(m, "pattern", None)), None
        )
        return replace(shape, pattern=pattern or shape.pattern)
    if origin is list:
        (item,) = typing.get_args(annotation)
        return replace(_shape_of(item), many=True)
    return _Shape(base=annotation)


def _clean(doc: str | None) -> str:
    if not doc:
        return ""
    first = doc.strip().split("\n\n")[0]
    return " ".join(first.replace("``", "`").split())


def _comment(field: FieldInfo, shape: _Shape) -> str:
    model = shape.model
    parts = [_clean(field.description) or (_clean(model.__doc__) if model else "")]
    base = shape.base
    if isinstance(base, type) and issubclass(base, Enum):
        choices = ", ".join(str(m.value) for m in base)
        parts.append(f"{'Each one' if shape.many else 'One'} of: {choices}.")
    elif base is bool:
        parts.append("true or false.")
    elif base in (int, float):
        parts.append(_number(field, whole=base is int))
    elif base is not None and getattr(base, "__name__", "") == "date":
        parts.append("A date, YYYY-MM-DD.")
    elif base is str and shape.pattern is not None and shape.pattern == _KEY_PATTERN:
        parts.append("Letters, digits, `_`, `.`, `-`; no spaces.")
    elif base is str and shape.allows_false:
        parts.append("A name, or false.")
    elif base is str and not parts[0]:
        parts.append("A list of text." if shape.many else "Text.")
    if field.is_required():
        parts.append("Required.")
    elif field.default is not None:
        parts.append(f"Default: {_scalar(field.default)}.")
    return " ".join(p for p in parts if p)


def _number(field: FieldInfo, *, whole: bool) -> str:
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), None)
    noun = "A whole number" if whole else "A number"
    if low is not None and high is not None:
        return f"{noun}, {low} to {high}."
    if low is not None:
        return f"{noun}, at least {low}."
    return f"{noun}."


# ---------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class _Line:
    indent: int
    text: str
    hash_at: int | None = None
    """Column of the ``#`` that comments this line out; ``None`` for a live line."""
    entry: bool = True
    """A field (``key: value``); ``False`` for a comment-only line."""

    def render(self) -> str:
        if self.hash_at is None:
            return " " * self.indent + self.text
        return " " * self.hash_at + "# " + " " * (self.indent - self.hash_at) + self.text


def _known(model: BaseModel, name: str) -> Any:
    """The field's value when it was given and is not ``None``; else ``None`` (unknown)."""
    return getattr(model, name) if name in model.model_fields_set else None


def _entry(text: str, comment: str, indent: int, hash_at: int | None) -> list[_Line]:
    line = _Line(indent, text, hash_at)
    if not comment:
        return [line]
    inline = f"{text}  # {comment}"
    used = indent + (2 if hash_at is not None else 0)
    if used + len(inline) <= WIDTH:
        return [replace(line, text=inline)]
    width = max(WIDTH - used - 2, 40)
    notes = [_Line(indent, f"# {chunk}", hash_at, False) for chunk in textwrap.wrap(comment, width)]
    return [*notes, line]


def _model_lines(
    model: type[BaseModel], value: BaseModel | None, indent: int, hash_at: int | None
) -> list[_Line]:
    lines: list[_Line] = []
    for name, field in model.model_fields.items():
        known = _known(value, name) if value is not None else None
        lines += _field_lines(field.alias or name, field, known, indent, hash_at)
    return lines


def _item_lines(
    model: type[BaseModel], value: BaseModel | None, indent: int, hash_at: int | None
) -> list[_Line]:
    """One list item: its fields two columns in, the first live field carrying the ``- ``."""
    lines = _model_lines(model, value, indent + 2, hash_at)
    for i, line in enumerate(lines):
        if line.entry and line.indent == indent + 2 and line.hash_at == hash_at:
            lines[i] = replace(line, indent=indent, text=f"- {line.text}")
            # Its own notes go above the dash, at the item's indentation.
            j = i
            while j > 0 and not lines[j - 1].entry and lines[j - 1].indent == indent + 2:
                j -= 1
                lines[j] = replace(lines[j], indent=indent)
            return lines
    return [_Line(indent, "- {}", hash_at), *lines]


def _field_lines(
    key: str, field: FieldInfo, value: Any, indent: int, hash_at: int | None
) -> list[_Line]:
    shape = _shape(field)
    comment = _comment(field, shape)
    model = shape.model
    if value is None:  # unknown: commented out
        at = indent if hash_at is None else hash_at
        if model is None:
            return _entry(f"{key}: []" if shape.many else f"{key}:", comment, indent, at)
        head = _entry(f"{key}:", comment, indent, at)
        if shape.many:
            return head + _item_lines(model, None, indent + 2, at)
        return head + _model_lines(model, None, indent + 2, at)
    if model is None:
        return _entry(f"{key}: {_yaml(value)}", comment, indent, hash_at)
    if shape.many:
        if not value:  # an explicit "none"; the commented item still documents the fields
            head = _entry(f"{key}: []", comment, indent, hash_at)
            return head + _item_lines(model, None, indent + 2, indent + 2)
        head = _entry(f"{key}:", comment, indent, hash_at)
        for item in value:
            head += _item_lines(model, item, indent + 2, hash_at)
        return head
    if not any(getattr(value, n) is not None for n in value.model_fields_set):
        return _entry(f"{key}: {{}}", comment, indent, hash_at) + _model_lines(
            model, None, indent + 2, indent + 2
        )
    return _entry(f"{key}:", comment, indent, hash_at) + _model_lines(
        model, value, indent + 2, hash_at
    )


# ---------------------------------------------------------------------------------------
# Values


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _flow(value: Any) -> str:
    """``value`` as one line of flow YAML that loads back as the same value."""
    for style in (None, '"'):
        out = yaml.safe_dump(
            value,
            default_flow_style=True,
            default_style=style,
            width=2**31 - 1,
            allow_unicode=True,
        ).removesuffix("\n")
        if "\n" not in out:
            return out
    raise ValueError(f"cannot write {value!r} on one line")  # pragma: no cover


def _scalar(value: Any) -> str:
    return _flow([_plain(value)])[1:-1]


def _yaml(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _dump(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json", by_alias=True, exclude_none=True)
