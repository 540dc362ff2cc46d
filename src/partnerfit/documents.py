"""Reading YAML and JSON documents safely, keeping the line of every field.

Case files and rule packs are both read here. YAML is parsed with PyYAML's
safe loader only (no tags that build Python objects); JSON is a subset of the
YAML we accept, so one reader serves both and gives line marks for both.
"""

from __future__ import annotations

import importlib
import os
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, PartnerfitError
from .limits import MAX_ALIASES, MAX_DEPTH, MAX_DIGITS, MAX_DOCUMENT_BYTES, MAX_NODES, MAX_NUMBER


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
    """Read a YAML or JSON file; raise ``error`` with file and line on failure.

    Only a regular file is read (a device, a pipe or a socket could block forever
    or never end), and never more than :data:`MAX_DOCUMENT_BYTES` plus one byte.
    """
    name = str(path)
    raw = read_regular_file(path, error)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"is not UTF-8 text (byte {exc.start})", location=Location(file=name)) from None
    return parse_document(text, file=name, error=error)


def read_regular_file(path: str | Path, error: type[PartnerfitError]) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_DOCUMENT_BYTES`, or ``error``."""
    name = str(path)
    where = Location(file=name)
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error("no such file", location=where) from None
    except ValueError:  # an embedded NUL character
        raise error(
            "is not a valid file name (it contains a NUL character)", location=where
        ) from None
    except OSError as exc:
        raise error(f"cannot be read: {_reason(exc)}", location=where) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error("is a folder, expected a YAML or JSON file", location=where)
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"is not a regular file (it is {_file_kind(info.st_mode)}); "
                "expected a YAML or JSON file",
                location=where,
            )
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise error(_too_big(info.st_size), location=where)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_DOCUMENT_BYTES:  # a file can grow while it is read
            chunk = os.read(fd, MAX_DOCUMENT_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise error(_too_big(None), location=where)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot be read: {_reason(exc)}", location=where) from None
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _too_big(size: int | None) -> str:
    what = f"file is {size:,} bytes" if size is not None else "file is larger than the limit"
    return f"{what}; the limit is {MAX_DOCUMENT_BYTES:,} bytes"


def _file_kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def parse_document(
    text: str,
    *,
    file: str | None = None,
    error: type[PartnerfitError] = PartnerfitError,
) -> Document:
    """Parse YAML (or JSON) text into a :class:`Document` with line marks.

    Besides the size limit, a document may nest at most :data:`MAX_DEPTH` levels, hold
    at most :data:`MAX_NODES` values (each use of an alias counted again, so an alias
    bomb is refused before it is expanded) and :data:`MAX_ALIASES` aliases.
    """
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8", "surrogatepass")) > (
        MAX_DOCUMENT_BYTES
    ):
        raise error(
            f"document is larger than {MAX_DOCUMENT_BYTES:,} bytes",
            location=Location(file=file),
        )
    if _FastLoader is not None:
        try:
            return _parse(text, file, error, _FastLoader, explain=False)
        except _Unexplained:
            pass  # parse again below: the pure-Python parser explains errors better
    return _parse(text, file, error, _PureLoader, explain=True)


class _Unexplained(Exception):
    """libyaml refused a document; the pure-Python parser will say why."""


class _Constructor(yaml.constructor.SafeConstructor):
    """The safe constructor, with located errors for values Python cannot hold."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a number with {digits:,} digits is too large (numbers lie within "
                f"±{MAX_NUMBER:.0e})",
                node.start_mark,
            )
        return int(super().construct_yaml_int(node))

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date: {exc}", node.start_mark
            ) from None


_Constructor.yaml_constructors = {
    **yaml.constructor.SafeConstructor.yaml_constructors,
    "tag:yaml.org,2002:int": _Constructor.construct_yaml_int,
    "tag:yaml.org,2002:timestamp": _Constructor.construct_yaml_timestamp,
}


class _PureLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _Constructor,
    yaml.resolver.Resolver,
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


def _fast_loader() -> Any:
    if not getattr(yaml, "__with_libyaml__", False):  # PyYAML built without libyaml
        return None
    # The C parser lives in yaml._yaml (the package exports only the loaders built on it).
    parser: Any = importlib.import_module("yaml._yaml").CParser

    class _CLoader(parser, _Constructor, yaml.resolver.Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            parser.__init__(self, stream)
            _Constructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    return _CLoader


# libyaml's parser, when PyYAML was built with it, parses about 8 times faster and gives
# the same nodes and line marks; its error messages are terser, so a document it refuses
# is parsed again by the pure-Python loader to explain why.
_FastLoader: Any = _fast_loader()


def _parse(
    text: str, file: str | None, error: type[PartnerfitError], loader_class: Any, *, explain: bool
) -> Document:
    """Parse with ``loader_class``; a refusal by the YAML parser is explained only if
    ``explain`` (otherwise :class:`_Unexplained`). Limits raise ``error`` either way."""
    loader = None
    try:
        loader = loader_class(text)
        node = loader.get_single_node()
        if node is None:
            raise error("document is empty", location=Location(file=file, line=1))
        lines: dict[str, int] = {}
        _Walk(lines, file, error).walk(node, "", 0)
        data = loader.construct_document(node)
    except (yaml.YAMLError, RecursionError) as exc:
        if not explain:
            raise _Unexplained from None
        raise _explain(exc, text, file, error) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data=data, file=file, lines=lines)


def _explain(
    exc: yaml.YAMLError | RecursionError, text: str, file: str | None, error: type[PartnerfitError]
) -> PartnerfitError:
    if isinstance(exc, RecursionError):
        # Only the pure-Python composer recurses this deep (libyaml stops at 1,000 levels).
        return error(
            f"nested too deeply; the limit is {MAX_DEPTH} levels", location=Location(file=file)
        )
    if isinstance(exc, yaml.reader.ReaderError):
        return _reader_error(exc, text, file, error)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        return error(f"not valid YAML/JSON: {problem}", location=Location(file=file, line=line))
    return error(f"not valid YAML/JSON: {exc}", location=Location(file=file))


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


class _Walk:
    """Records the line of every field path, enforcing depth, size and alias limits."""

    def __init__(
        self, lines: dict[str, int], file: str | None, error: type[PartnerfitError]
    ) -> None:
        self.lines = lines
        self.file = file
        self.error = error
        self.nodes = 0
        self.seen: set[int] = set()
        self.aliases = 0

    def fail(self, message: str, node: yaml.Node, path: str) -> PartnerfitError:
        where = Location(file=self.file, line=node.start_mark.line + 1, field=path or None)
        return self.error(message, location=where)

    def walk(self, node: yaml.Node, path: str, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                f"the document holds more than {MAX_NODES:,} values (counting each use of "
                "an alias)",
                node,
                path,
            )
        if not isinstance(node, yaml.ScalarNode):
            if depth >= MAX_DEPTH:
                raise self.fail(f"nested too deeply; the limit is {MAX_DEPTH} levels", node, path)
            # The composer hands every use of an anchor the same node object.
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise self.fail(f"more than {MAX_ALIASES} aliases (*name)", node, path)
            self.seen.add(id(node))
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(
                        "a key must be plain text, not a list or mapping", key_node, path
                    )
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key == "<<":
                    raise self.fail(
                        "YAML merge keys (<<) are not supported; write the fields out",
                        key_node,
                        path,
                    )
                if key in seen:
                    raise self.fail(
                        f"duplicate key {key!r} (first given on line {seen[key]})",
                        key_node,
                        join_path(path, key),
                    )
                seen[key] = line
                child = join_path(path, key)
                self.walk(value_node, child, depth + 1)
                self.lines[child] = line
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, join_path(path, index), depth + 1)


def iter_paths(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) in nested data, depth first."""
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, join_path(path, str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, join_path(path, index))
