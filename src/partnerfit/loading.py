"""Turning a file, a string or a mapping into a validated :class:`~partnerfit.case.Case`.

Every refusal is a :class:`~partnerfit.errors.CaseError` that names the file,
the line and the field path, says what was expected and, for a misspelt key,
suggests the closest valid name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .case import Case
from .documents import Document, parse_document, read_document
from .errors import CaseError
from .validation import describe_kind, located_error

CASE_SUFFIXES = (".yaml", ".yml", ".json")


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load and validate one case.

    ``source`` is a path to a ``.yaml``, ``.yml`` or ``.json`` file, a string
    holding YAML or JSON text, or an already parsed mapping.
    """
    if isinstance(source, Mapping):
        doc = Document(data=dict(source))
    elif isinstance(source, Path) or (isinstance(source, str) and _looks_like_path(source)):
        doc = read_document(source, CaseError)
    elif isinstance(source, str):
        doc = parse_document(source, error=CaseError)
    else:
        raise CaseError(
            f"expected a path, YAML/JSON text or a mapping, got {type(source).__name__}"
        )
    return case_from_document(doc)


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and (text.endswith(CASE_SUFFIXES) or Path(text).exists())


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
    case._file = doc.file
    case._lines = doc.lines
    return case
