"""One error hierarchy for everything partnerfit refuses.

Every error carries a :class:`Location` so that a user is told *which file*,
*which line* and *which field* is wrong, and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Location:
    """Where a problem is: a file, a 1-based line and a field path."""

    file: str | None = None
    """The file the problem is in, as given by the caller."""
    line: int | None = None
    """The 1-based line in that file, when known."""
    field: str | None = None
    """The field path inside the document, e.g. ``parties[1].competitors``."""

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One of several problems found at once (every validation problem of a file)."""

    message: str
    location: Location

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


class PartnerfitError(Exception):
    """Base class of every error partnerfit raises on purpose.

    ``message`` and ``location`` name the first problem (``str()`` gives both, and how
    many more there are); ``problems`` holds every problem found, in file order, when
    more than one was (a case file with several mistakes names them all at once)."""

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location or Location()
        self.problems = problems

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message

    def lines(self) -> list[str]:
        """The error for a person: one line, or, for several problems, a heading line then
        one line per problem, each with its line and field."""
        if len(self.problems) < 2:
            return [str(self)]
        file = self.location.file
        head = (
            f"{file}: {len(self.problems)} problems" if file else f"{len(self.problems)} problems"
        )
        return [f"{head}:", *(f"  {p}" for p in self.problems)]


class CaseError(PartnerfitError):
    """A case file cannot be read or does not follow the case schema."""


class PackError(PartnerfitError):
    """A rule pack cannot be loaded: bad YAML, an unknown field, a bad rule."""


class EngineError(PartnerfitError):
    """The rule engine failed while evaluating a case (a bug, never bad input)."""


class UsageError(PartnerfitError):
    """The library was called with arguments it cannot use."""
