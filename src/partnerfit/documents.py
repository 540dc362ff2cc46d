"""Reading YAML and JSON documents safely, keeping the line of every field.

Case files and rule packs are both read here. YAML is parsed with PyYAML's
safe loader only (no tags that build Python objects); JSON is a subset of the
YAML we accept, so one reader serves both and gives line marks for both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, PartnerfitError

# libyaml's safe loader, when PyYAML was built with it, parses about 8 times faster and
# gives the same nodes and line marks; its error messages are terser, so a document it
# refuses is parsed again by the pure-Python loader to explain why.
_FastLoader: Any = getattr(yaml, "CSafeLoader", None)

MAX_DOCUMENT_BYTES = 1_048_576
"""Files above 1 MiB are refused: a real case file is a few kilobytes."""


@dataclass(frozen=True)
class Document:
    """Parsed data plus the 1-based line where each field path starts."""

    data: Any
    file: str | None = None
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        return nearest_line(self.lines, path)

    def location(self, path: str) -> Location:
        return Location(file=self.file, line=self.line_of(path), field=path or None)


def join_path(base: str, key: str | int) -> str:
    """``join_path("parties", 1)`` is ``parties[1]``; ``join_path("a", "b")`` is ``a.b``."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def format_loc(loc: Sequence[str | int]) -> str:
    """Turn a pydantic ``loc`` tuple into a field path."""
    path = ""
    for key in loc:
        path = join_path(path, key)
    return path


def nearest_line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of ``path`` in ``lines``, or of its nearest ancestor that has one."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = parent_path(path)


def parent_path(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else ""


def read_document(path: str | Path, error: type[PartnerfitError]) -> Document:
    """Read a YAML or JSON file; raise ``error`` with file and line on failure."""
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise error(
                f"file is {size:,} bytes; the limit is {MAX_DOCUMENT_BYTES:,} bytes",
                location=Location(file=name),
            )
        raw = p.read_bytes()
    except IsADirectoryError:
        raise error(
            "is a folder, expected a YAML or JSON file", location=Location(file=name)
        ) from None
    except FileNotFoundError:
        raise error("no such file", location=Location(file=name)) from None
    except OSError as exc:
        raise error(f"cannot be read: {exc.strerror}", location=Location(file=name)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text (byte {exc.start})", location=Location(file=name)) from None
    return parse_document(text, file=name, error=error)


def parse_document(
    text: str,
    *,
    file: str | None = None,
    error: type[PartnerfitError] = PartnerfitError,
) -> Document:
    """Parse YAML (or JSON) text into a :class:`Document` with line marks."""
    if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raise error(
            f"document is larger than {MAX_DOCUMENT_BYTES:,} bytes",
            location=Location(file=file),
        )
    if _FastLoader is not None:
        try:
            return _parse(text, file, error, _FastLoader)
        except PartnerfitError:
            pass  # parse again below: the pure-Python parser explains errors better
    return _parse(text, file, error, yaml.SafeLoader)


def _parse(
    text: str, file: str | None, error: type[PartnerfitError], loader_class: Any
) -> Document:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file, error) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise error("document is empty", location=Location(file=file, line=1))
        lines: dict[str, int] = {}
        _walk(node, "", lines, file, error)
        data = loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file, error) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(
            f"not valid YAML/JSON: {problem}", location=Location(file=file, line=line)
        ) from None
    except yaml.YAMLError as exc:
        raise error(f"not valid YAML/JSON: {exc}", location=Location(file=file)) from None
    finally:
        loader.dispose()
    return Document(data=data, file=file, lines=lines)


def _reader_error(
    exc: yaml.reader.ReaderError, text: str, file: str | None, error: type[PartnerfitError]
) -> PartnerfitError:
    line = text.count("\n", 0, max(exc.position, 0)) + 1
    return error(
        f"not valid YAML/JSON: character {chr(exc.character)!r} is not allowed"
        if isinstance(exc.character, int)
        else f"not valid YAML/JSON: {exc.reason}",
        location=Location(file=file, line=line),
    )


def _walk(
    node: yaml.Node,
    path: str,
    lines: dict[str, int],
    file: str | None,
    error: type[PartnerfitError],
) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key == "<<":
                raise error(
                    "YAML merge keys (<<) are not supported; write the fields out",
                    location=Location(file=file, line=line, field=path or None),
                )
            if key in seen:
                raise error(
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    location=Location(file=file, line=line, field=join_path(path, key)),
                )
            seen[key] = line
            child = join_path(path, key)
            _walk(value_node, child, lines, file, error)
            lines[child] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, join_path(path, index), lines, file, error)


def iter_paths(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) in nested data, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, join_path(path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, join_path(path, index))
