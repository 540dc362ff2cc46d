"""Turning a file, a string or a mapping into a validated :class:`~partnerfit.case.Case`.

Every refusal of a case is a :class:`~partnerfit.errors.CaseError` that names
the file, the line and the field path, says what was expected and, for a misspelt
key, suggests the closest valid name. An argument :func:`load_case` cannot use at
all (a number, bytes) is a :class:`~partnerfit.errors.UsageError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .case import Case
from .documents import Document, join_path, parse_document, read_document
from .errors import CaseError, Location, UsageError
from .limits import MAX_DEPTH, MAX_DIGITS, MAX_NODES, MAX_NUMBER
from .text import path_text
from .validation import describe_kind, located_error

CASE_SUFFIXES = (".yaml", ".yml", ".json")

"""Integers of more digits are refused unexamined, as when a case file is read (Python
cannot even turn one of more than 4,300 digits into text for an error message)."""


def load_case(source: str | Path | os.PathLike[Any] | Mapping[str, Any]) -> Case:
    """Load and validate one case.

    ``source`` is a path to a ``.yaml``, ``.yml`` or ``.json`` file (a string, a
    :class:`~pathlib.Path` or another path-like object), a string holding YAML or
    JSON text, or an already parsed mapping. A string is taken as a path when it
    is one line and ends in a case suffix or names something that exists.

    Raises :class:`~partnerfit.errors.CaseError` for a case that cannot be read or
    is not valid, and :class:`~partnerfit.errors.UsageError` for a ``source`` of
    another type.
    """
    if isinstance(source, Mapping):
        check_plain_data(source)
        doc = Document(data=dict(source))
    elif isinstance(source, str) and not looks_like_path(source):
        doc = parse_document(source, error=CaseError)
    elif isinstance(source, str | os.PathLike):
        doc = read_document(path_argument(source, "source"), CaseError)
    else:
        raise UsageError(
            f"load_case() takes a path, YAML/JSON text or a mapping, got {type(source).__name__}"
        )
    return case_from_document(doc)


def looks_like_path(text: str) -> bool:
    """Whether the string ``text`` names a case file rather than holding YAML/JSON text."""
    # os.path.exists is False, not an error, for a name with a NUL, one too long for the
    # file system, or one in a folder that cannot be searched.
    return "\n" not in text and (text.endswith(CASE_SUFFIXES) or os.path.exists(text))


def path_argument(value: str | os.PathLike[Any], what: str) -> str:
    """A path given to the library as a string, or a :class:`UsageError` saying why not."""
    if isinstance(value, str):
        return value
    try:
        path: str | bytes = os.fspath(value)
    except TypeError as exc:  # __fspath__ returned something other than str or bytes
        raise UsageError(f"{what}: not a usable path: {exc}") from None
    if isinstance(path, bytes):
        return os.fsdecode(path)
    return path


def check_plain_data(data: Mapping[Any, Any]) -> None:
    """Refuse a mapping nested deeper than :data:`MAX_DEPTH`, holding more than
    :data:`MAX_NODES` values (a cycle is infinitely deep) or an integer of more than 40
    digits, before anything recurses into it or shows it. A case file meets the same
    limits when it is read."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    nodes = 0
    while stack:
        value, path, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise CaseError(
                f"the case holds more than {MAX_NODES:,} values; that is the limit",
                location=Location(field=path or None),
            )
        if isinstance(value, Mapping):
            children: list[tuple[Any, str]] = [
                (v, join_path(path, _key(k))) for k, v in value.items()
            ]
        elif isinstance(value, list | tuple):
            children = [(v, join_path(path, i)) for i, v in enumerate(value)]
        else:
            if isinstance(value, int) and abs(value) >= 10**MAX_DIGITS:
                raise CaseError(
                    f"a number with more than {MAX_DIGITS} digits is too large (numbers lie "
                    f"within ±{MAX_NUMBER:.0e})",
                    location=Location(field=path or None),
                )
            continue
        if depth > MAX_DEPTH:
            raise CaseError(
                f"nested too deeply; the limit is {MAX_DEPTH} levels",
                location=Location(field=path or None),
            )
        stack.extend((v, p, depth + 1) for v, p in children)


def _key(key: object) -> str:
    # Only for an error's field path: never call an unknown object's __str__ or __repr__.
    return str(key) if isinstance(key, str | int) else f"<{type(key).__name__}>"


def case_from_document(doc: Document) -> Case:
    if not isinstance(doc.data, dict):
        raise CaseError(
            f"expected a mapping of case fields at the top, got {describe_kind(doc.data)}",
            location=doc.location(""),
        )
    try:
        case = Case.model_validate(doc.data)
    except ValidationError as exc:
        raise located_error(exc, doc, Case, CaseError) from None
    # The report names its file (and so do its waivers and their messages): the name in
    # the form every output can hold, its undecodable bytes as escapes.
    case._file = path_text(doc.file) if doc.file is not None else None
    case._lines = doc.lines
    return case
