"""One party's own questionnaire, and bringing its answers back into the case.

partnerfit's method is to ask each side *independently* and compare. :func:`questionnaire`
writes a YAML file with one party's own questions only (its view of the partnership, what
it brings and expects, how it works, its finances and its people), each question a comment
in plain words and every choice spelt out with what it means. The file names the case and
the party it belongs to. Nothing is filled in that the case does not already hold for that
party (what it holds is shown as the current answer).

:func:`merge` brings answered questionnaires back into the case file. It refuses a
questionnaire for another case or for a party the case does not have, never replaces a
different answer the case already holds unless ``force=True`` (each difference is a
:class:`Conflict`), and lists the questions still blank (:class:`Blank`). A YAML case file
keeps its comments and layout (it is edited with ruamel.yaml's round-trip mode, and new
fields go where the case model puts them, before the comments that follow); a JSON case
file is written again as JSON, which has no comments to keep.

The library never prints: every refusal is a :class:`QuestionnaireError` (a bad
questionnaire, with its file, line and field) or a :class:`~partnerfit.errors.CaseError`
(a bad case file).
"""

from __future__ import annotations

import copy
import io
import math
import os
import re
import textwrap
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.tokens import CommentToken

from .case import (
    Answers,
    Case,
    Contribution,
    Health,
    Party,
    Principal,
    Venture,
    WaysOfWorking,
)
from .choices import COMMITMENT, CONDITION, DECISIONS, PACE, RELATION, RISK, Option
from .documents import Document, join_path, parse_document, read_regular_file
from .errors import CaseError, Location, UsageError
from .loading import case_from_document, looks_like_path, path_argument
from .problems import plain_problem
from .text import printable

__all__ = [
    "HEADER_KEY",
    "Blank",
    "Conflict",
    "Merged",
    "QuestionnaireError",
    "merge",
    "questionnaire",
]

HEADER_KEY = "questionnaire"
"""The key of the line naming the case and the party a questionnaire belongs to."""
PEOPLE_KEY = "people"
NONE_WORDS = frozenset({"none", "nothing", "no", "nobody", "n/a", "-"})
"""Answers that mean "there is none" where a question allows it (never "not known")."""
WIDTH = 96
"""Comment lines are wrapped at this width."""

CaseSource = str | os.PathLike[str] | Case
AnswersSource = str | os.PathLike[str]


class QuestionnaireError(CaseError):
    """A questionnaire cannot be read, belongs to another case or party, or holds an
    answer that does not fit its question. Names the file, the line and the question."""


# ---------------------------------------------------------------------------------------
# The questions


Kind = Literal["text", "name", "names", "years", "amount", "percent", "choice", "text_or_none"]


@dataclass(frozen=True)
class Question:
    key: str
    """The key the answer is written under in the questionnaire."""
    path: tuple[str, ...]
    """Where the answer goes in the case, inside the party (or the person)."""
    ask: str
    """The question, in words."""
    kind: Kind | Literal["ventures"]
    how: str = ""
    """How to answer, when the kind of answer needs saying."""
    choices: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    questions: tuple[Question, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "The partnership as you see it",
        (
            Question(
                "vision",
                ("answers", "vision"),
                "Vision: what should the partnership become? Describe the end state you "
                "picture, in a sentence or two.",
                "text",
            ),
            Question(
                "mission",
                ("answers", "mission"),
                "Mission: what is the partnership for, for its customers, beyond making money?",
                "text",
            ),
            Question(
                "values",
                ("answers", "values"),
                "Values: which principles should guide how the partnership does business?",
                "names",
                "A few words each, separated by commas, e.g. honesty, low waste.",
            ),
            Question(
                "positioning",
                ("answers", "positioning"),
                "Positioning: what will lastingly set the partnership apart from what customers "
                "can buy elsewhere?",
                "text",
            ),
            Question(
                "three_year_goal",
                ("answers", "three_year_goal"),
                "Where do you expect the partnership to be in about three years? Numbers help: "
                "customers, revenue, places.",
                "text",
            ),
            Question(
                "horizon_years",
                ("answers", "horizon_years"),
                "For how many years do you intend the partnership to run?",
                "years",
                "A number of years, e.g. 5.",
            ),
            Question(
                "target_customer",
                ("answers", "target_customer"),
                "Who is the customer the partnership is for? Describe them as a person you could "
                "meet: who they are, what troubles them, what makes them buy.",
                "text",
            ),
        ),
    ),
    Section(
        "What you bring and what you expect",
        (
            Question(
                "what_you_bring",
                ("contribution", "description"),
                "What does your company put into the partnership? Money, people, products, "
                "customers or know-how.",
                "text",
            ),
            Question(
                "value_you_bring",
                ("contribution", "value"),
                "Roughly what is what your company puts in worth over the whole term, in money?",
                "amount",
                "A number in the currency of the deal, e.g. 400000 or 400k.",
            ),
            Question(
                "what_you_expect",
                ("expected_return", "description"),
                "What do you expect to get out of the partnership?",
                "text",
            ),
            Question(
                "value_you_expect",
                ("expected_return", "value"),
                "Roughly what is what you expect to get worth over the whole term, in money?",
                "amount",
                "A number in the currency of the deal, e.g. 2000000 or 2m.",
            ),
        ),
    ),
    Section(
        "How you work",
        (
            Question(
                "decision_style",
                ("ways_of_working", "decision_style"),
                "How does your company make its decisions?",
                "choice",
                choices=DECISIONS,
            ),
            Question(
                "pace",
                ("ways_of_working", "pace"),
                "How fast does your company move from an idea to a decision?",
                "choice",
                choices=PACE,
            ),
            Question(
                "risk_tolerance",
                ("ways_of_working", "risk_tolerance"),
                "How much risk is your company willing to take?",
                "choice",
                choices=RISK,
            ),
            Question(
                "working_language",
                ("ways_of_working", "language"),
                "In which language does your team work?",
                "name",
            ),
            Question(
                "team_location",
                ("ways_of_working", "location"),
                "Where does the team that will work on the partnership sit? A city or a country.",
                "name",
            ),
        ),
    ),
    Section(
        "Your company's finances",
        (
            Question(
                "financial_condition",
                ("health", "condition"),
                "How is your company doing financially today?",
                "choice",
                choices=CONDITION,
            ),
            Question(
                "revenue_share_percent",
                ("health", "alliance_share_percent"),
                "About what share of your company's revenue do you expect the partnership to be?",
                "percent",
                "A percentage, e.g. 20.",
            ),
            Question(
                "alternatives",
                ("health", "alternatives"),
                "What would your company do if this partnership did not happen?",
                "text_or_none",
                "Write none if there is no other option.",
            ),
        ),
    ),
)

PERSON_QUESTIONS: tuple[Question, ...] = (
    Question(
        "role", ("role",), "What is {person}'s role, e.g. founder, managing director?", "name"
    ),
    Question(
        "commitment",
        ("commitment",),
        "How much of {person}'s time will go to the partnership?",
        "choice",
        choices=COMMITMENT,
    ),
    Question(
        "other_ventures",
        ("other_ventures",),
        "Which other businesses, clients or projects does {person} work on besides the "
        "partnership?",
        "ventures",
    ),
    Question(
        "board_seats",
        ("board_seats",),
        "On which other companies' boards does {person} sit?",
        "ventures",
    ),
    Question(
        "personal_goals",
        ("personal_goals",),
        "What does {person} want personally, from the partnership and beyond it?",
        "text",
    ),
)
PERSON_NAME_QUESTION = "Who leads or owns part of your company and will work on the partnership?"

PARTY_QUESTIONS: dict[str, Question] = {q.key: q for s in SECTIONS for q in s.questions}
PERSON_BY_KEY: dict[str, Question] = {q.key: q for q in PERSON_QUESTIONS}
VENTURE_KEYS = ("name", "relation", "description")

HEADER_TEXT = """\
# partnerfit questionnaire: the questions for {party} alone.
# Partnership: {title}
#
# Please answer on your own, without asking the other side first. Each side gets its own
# questions, and the answers are compared afterwards: that is how differences show early.
#
# How to answer: write your answer after the colon. Leave it empty when you do not know yet:
# an empty answer is asked again later, never guessed. Write none only where a question
# says so. If an answer holds ": " or " #", or starts with a quote or a bracket, put the
# whole answer in double quotes, "like: this". An answer already shown is what the case
# holds for you today; correct it if it is wrong.
# Leave the next line as it is: it says which case and party this file belongs to.
"""


def questionnaire(case: CaseSource, party_id: str) -> str:
    """The YAML questionnaire for one party of ``case`` (a :class:`Case`, or what
    :func:`~partnerfit.loading.load_case` accepts): that party's own questions only.

    Raises :class:`~partnerfit.errors.UsageError` when the case has no party
    ``party_id``, and :class:`~partnerfit.errors.CaseError` for a bad case file.
    """
    loaded = case if isinstance(case, Case) else _load(case)[1]
    party = _party(loaded, party_id, UsageError, Location(file=loaded.source_file))
    title = loaded.title or loaded.id
    out = [
        HEADER_TEXT.format(party=_comment_text(party.name), title=_comment_text(title)).rstrip(
            "\n"
        ),
        f"{HEADER_KEY}: {{case: {_flow_scalar(loaded.id)}, party: {_flow_scalar(party.id)}}}",
    ]
    known = party.model_dump(mode="json", exclude_none=True)
    for section in SECTIONS:
        out += ["", f"# ── {section.title} ──", ""]
        for question in section.questions:
            out += _question_lines(question, _get(known, question.path), 0, {})
            out.append("")
        out.pop()
    out += ["", "# ── Your people ──", ""]
    out += _people_lines(party)
    return "\n".join(out) + "\n"


def _question_lines(
    question: Question, value: Any, indent: int, fill: Mapping[str, str]
) -> list[str]:
    pad = " " * indent
    ask = question.ask.format(**fill) if fill else question.ask
    lines = _comment(ask + (" " + question.how if question.how else ""), indent)
    if question.kind == "choice":
        lines += _comment("Write one of:", indent)
        width = max(len(c.word) for c in question.choices)
        lines += [f"{pad}#   {c.word.ljust(width)}  — {c.meaning}" for c in question.choices]
    if question.kind == "ventures":
        return lines + _venture_lines(question, value, indent)
    if question.kind == "names" and value is not None:
        if any("," in v or ";" in v or _is_none_word(v) for v in value):  # kept as a list
            shown = ", ".join(_flow_scalar(v) for v in value)
            return [*lines, f"{pad}{question.key}: [{shown}]"]
        shown = ", ".join(value) if value else "none"
        return [*lines, f"{pad}{question.key}: {_scalar(shown)}"]
    if value is None:
        return [*lines, f"{pad}{question.key}:"]
    return [*lines, f"{pad}{question.key}: {_scalar(_shown(question, value))}"]


def _venture_lines(question: Question, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    words = ", ".join(c.word for c in RELATION)
    lines = _comment(
        f"For each: its name, how it relates to the partnership ({words}: see above the "
        "first person) and a few words about it. Copy the three lines for each further one; "
        "write none if there are none.",
        indent,
    )
    if value == []:
        return [*lines, f"{pad}{question.key}: none"]
    lines.append(f"{pad}{question.key}:")
    for item in value or [{}]:
        first = True
        for key in VENTURE_KEYS:
            known = item.get(key)
            if key == "relation" and known is not None:
                known = _word(RELATION, known)
            lead = "  - " if first else "    "
            first = False
            lines.append(f"{pad}{lead}{key}:" + ("" if known is None else f" {_scalar(known)}"))
    return lines


def _people_lines(party: Party) -> list[str]:
    lines = _comment(
        PERSON_NAME_QUESTION
        + " One block per person, starting with '- name:'; copy a block for each further "
        "person. Write none if nobody does.",
        0,
    )
    lines += _comment("How another business of theirs relates to the partnership:", 0)
    width = max(len(c.word) for c in RELATION)
    lines += [f"#   {c.word.ljust(width)}  — {c.meaning}" for c in RELATION]
    principals = party.principals
    if principals == []:
        return [*lines, f"{PEOPLE_KEY}: none"]
    lines.append(f"{PEOPLE_KEY}:")
    people: list[Principal | None] = list(principals) if principals else [None]
    for person in people:
        known = person.model_dump(mode="json", exclude_none=True) if person else {}
        name = person.name if person else None
        lines.append("  - name:" + ("" if name is None else f" {_scalar(name)}"))
        fill = {"person": _comment_text(name) if name else "this person"}
        for question in PERSON_QUESTIONS:
            lines += _question_lines(question, _get(known, question.path), 4, fill)
    return lines


def _shown(question: Question, value: Any) -> Any:
    """A value the case holds, as the questionnaire shows it."""
    if question.kind == "choice":
        return _word(question.choices, value)
    if question.kind == "text_or_none" and value is False:
        return "none"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _word(choices: Sequence[Option], value: str) -> str:
    return next((c.word for c in choices if c.value == value), value)


def _comment(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return [
        f"{pad}# {line}" for line in textwrap.wrap(text, WIDTH - indent - 2, break_on_hyphens=False)
    ]


def _comment_text(text: str) -> str:
    """``text`` safe inside a ``#`` comment: no character that could end the line (or that
    a YAML reader refuses) is written as it is."""
    return printable(text)


def _scalar(value: Any) -> str:
    """``value`` as one line of YAML that reads back as the same value, after a key."""
    for style in (None, '"'):
        out = yaml.safe_dump(
            {"k": value},
            default_flow_style=False,
            default_style=style,
            width=2**31 - 1,
            allow_unicode=True,
        ).removesuffix("\n")
        if len(out.splitlines()) == 1:
            return out.split(": ", 1)[1]  # after the key, k: or "k":
    raise ValueError(f"cannot write {value!r} on one line")  # pragma: no cover


def _flow_scalar(value: Any) -> str:
    """``value`` as YAML that reads back as the same value inside ``{…}`` or ``[…]``."""
    for style in (None, '"'):
        out = yaml.safe_dump(
            [value],
            default_flow_style=True,
            default_style=style,
            width=2**31 - 1,
            allow_unicode=True,
        ).removesuffix("\n")
        if len(out.splitlines()) == 1:
            return out[1:-1]
    raise ValueError(f"cannot write {value!r} on one line")  # pragma: no cover


def _get(data: Mapping[str, Any], path: Sequence[str]) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


# ---------------------------------------------------------------------------------------
# Reading answers


@dataclass(frozen=True)
class _Answer:
    target: tuple[str | int, ...]
    """Where it goes, from the party (``("answers", "vision")``); a person's answers start
    with ``("principals", name)`` and are placed when merged."""
    value: Any
    question: Question
    person: str | None
    field: str
    """The questionnaire key path, for messages."""
    line: int | None


@dataclass(frozen=True)
class _Filled:
    file: str | None
    case_id: str
    party_id: str
    answers: tuple[_Answer, ...]
    people: tuple[tuple[str, int | None], ...] | None
    """The people named, with their lines; ``()`` for an explicit none; ``None`` if blank."""
    people_line: int | None
    header_line: int | None


def _read_answers(source: AnswersSource) -> _Filled:
    if isinstance(source, str) and not looks_like_path(source):
        name, text = None, source
    else:
        name = path_argument(source, "answers")
        raw = read_regular_file(name, QuestionnaireError)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise QuestionnaireError(
                f"is not UTF-8 text (byte {exc.start})", location=Location(file=name)
            ) from None
    text = _blank_template_after_none(text)
    doc = parse_document(text, file=name, error=QuestionnaireError)
    _check_cut_answers(doc, text)
    return _Reader(doc).read()


_NONE_ANSWER = re.compile(r"^(?P<indent> *)[A-Za-z_]+: *(?P<word>[A-Za-z]+) *(#.*)?$")
_EMPTY_TEMPLATE_LINE = re.compile(r"^ *(- )?[A-Za-z_]+: *(#.*)?$")


def _blank_template_after_none(text: str) -> str:
    """``other_ventures: none`` written above the questionnaire's empty ``- name:`` block
    would make the YAML invalid: the empty template lines under a *none* answer are
    blanked (not removed, so that every line keeps its number)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        match = _NONE_ANSWER.match(line)
        if match is None or not _is_none_word(match["word"]):
            continue
        indent = len(match["indent"])
        j = i + 1
        while j < len(lines):
            following = lines[j]
            if not following.strip() or following.lstrip().startswith("#"):
                j += 1
                continue
            at = len(following) - len(following.lstrip(" "))
            # Under the key: deeper, or a list item at the key's own indent.
            under = at > indent or (at == indent and following.lstrip(" ").startswith("- "))
            if not under or not _EMPTY_TEMPLATE_LINE.match(following):
                break
            lines[j] = ""
            j += 1
    return "\n".join(lines)


class _Reader:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.answers: list[_Answer] = []

    def fail(self, message: str, field: str) -> QuestionnaireError:
        return QuestionnaireError(message, location=self.doc.location(field))

    def read(self) -> _Filled:
        data = self.doc.data
        if not isinstance(data, dict) or HEADER_KEY not in data:
            raise QuestionnaireError(
                f"is not a partnerfit questionnaire: it has no '{HEADER_KEY}:' line naming "
                "its case and party (make one with: partnerfit questionnaire CASE --party ID)",
                location=Location(file=self.doc.file, line=1),
            )
        header = data[HEADER_KEY]
        if (
            not isinstance(header, dict)
            or set(header) != {"case", "party"}
            or not all(isinstance(v, str) for v in header.values())
        ):
            raise self.fail(
                "the questionnaire line must read {case: CASE-ID, party: PARTY-ID}, as written "
                "by partnerfit questionnaire",
                HEADER_KEY,
            )
        people: tuple[tuple[str, int | None], ...] | None = None
        for key, value in data.items():
            if key == HEADER_KEY:
                continue
            if key == PEOPLE_KEY:
                people = self._people(value)
                continue
            question = PARTY_QUESTIONS.get(str(key))
            if question is None:
                raise self._unknown(str(key), [*PARTY_QUESTIONS, PEOPLE_KEY], str(key))
            self._answer(question, value, str(key), None)
        return _Filled(
            self.doc.file,
            header["case"],
            header["party"],
            tuple(self.answers),
            people,
            self.doc.line_of(PEOPLE_KEY),
            self.doc.line_of(HEADER_KEY),
        )

    def _unknown(self, key: str, known: Sequence[str], field: str) -> QuestionnaireError:
        import difflib

        hint = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        message = f"{key!r} is not one of the questions"
        message += f"; did you mean {hint[0]!r}?" if hint else ""
        return self.fail(message + f" The questions are: {', '.join(known)}", field)

    def _people(self, value: Any) -> tuple[tuple[str, int | None], ...] | None:
        if _blank(value):
            return None
        if _is_none_word(value) or value == []:
            return ()
        if not isinstance(value, list):
            raise self.fail(
                "expected one block per person, each starting with '- name:' (or none)",
                PEOPLE_KEY,
            )
        named: list[tuple[str, int | None]] = []
        seen: dict[str, str] = {}
        for i, item in enumerate(value):
            field = join_path(PEOPLE_KEY, i)
            if item is None:
                continue
            if not isinstance(item, dict):
                raise self.fail("expected a person's block: name, role, commitment …", field)
            for key in item:
                if key != "name" and key not in PERSON_BY_KEY:
                    raise self._unknown(
                        str(key), ["name", *PERSON_BY_KEY], join_path(field, str(key))
                    )
            answered = {k: v for k, v in item.items() if not _blank(v)}
            if not answered:
                continue  # the empty block, left as it was
            if "name" not in answered:
                raise self.fail("give the person's name, after 'name:'", join_path(field, "name"))
            name = str(
                self._valid(Principal, "name", _as_text(answered["name"]), join_path(field, "name"))
            )
            if _person_key(name) in seen:
                raise self.fail(
                    f"{name!r} is named twice (also as {seen[_person_key(name)]!r})",
                    join_path(field, "name"),
                )
            seen[_person_key(name)] = name
            named.append((name, self.doc.line_of(join_path(field, "name"))))
            for key, answer in item.items():
                if key == "name":
                    continue
                question = PERSON_BY_KEY[str(key)]
                self._answer(question, answer, join_path(field, str(key)), name)
        return tuple(named) if named else None

    def _answer(self, question: Question, raw: Any, field: str, person: str | None) -> None:
        value = self._convert(question, raw, field)
        if value is None:
            return
        self.answers.append(
            _Answer(
                target=question.path,
                value=value,
                question=question,
                person=person,
                field=field,
                line=self.doc.line_of(field),
            )
        )

    def _convert(self, question: Question, raw: Any, field: str) -> Any:
        """The answer as the case file keeps it, or ``None`` when it is blank."""
        if _blank(raw):
            return None
        model, name = _field_of(question)
        kind = question.kind
        if kind == "ventures":
            return self._ventures(raw, field)
        if kind == "names":
            if _is_none_word(raw) or raw is False:
                return []
            items = _split(raw) if isinstance(raw, str) else raw
            if not isinstance(items, list):
                raise self.fail("expected a few words, separated by commas", field)
            cleaned = [_as_text(item) for item in items if not _blank(item)]
            return self._valid(model, name, cleaned, field)
        if kind == "choice":
            return self._choice(question.choices, raw, field)
        if kind in ("years", "amount", "percent"):
            number = _number(raw, kind)
            if number is None:
                example = {"years": "5", "amount": "400000", "percent": "20"}[kind]
                raise self.fail(f"expected a number, e.g. {example}; got {_show(raw)}", field)
            return _plain_number(self._valid(model, name, number, field))
        if kind == "text_or_none" and (raw is False or _is_none_word(raw)):
            return False
        if isinstance(raw, (bool, list | dict)):
            raise self.fail(
                "expected your answer in words; put it in double quotes if it is a single "
                "word such as yes or no",
                field,
            )
        return self._valid(model, name, _as_text(raw), field)

    def _ventures(self, raw: Any, field: str) -> list[dict[str, Any]] | None:
        if raw is False or _is_none_word(raw) or raw == []:
            return []
        if not isinstance(raw, list):
            raise self.fail(
                "expected one block per business, each starting with '- name:' (or none)", field
            )
        items: list[dict[str, Any]] = []
        for i, item in enumerate(raw):
            where = join_path(field, i)
            if item is None:
                continue
            if not isinstance(item, dict):
                raise self.fail("expected a business's name, relation and description", where)
            for key in item:
                if key not in VENTURE_KEYS:
                    raise self._unknown(str(key), VENTURE_KEYS, join_path(where, str(key)))
            answered = {k: v for k, v in item.items() if not _blank(v)}
            if not answered:
                continue
            if "name" not in answered:
                raise self.fail("give the business's name, after 'name:'", join_path(where, "name"))
            if "relation" not in answered:
                words = ", ".join(c.word for c in RELATION)
                raise self.fail(
                    f"say how it relates to the partnership: one of {words}",
                    join_path(where, "relation"),
                )
            venture: dict[str, Any] = {
                "name": self._valid(
                    Venture, "name", _as_text(answered["name"]), join_path(where, "name")
                ),
                "relation": self._choice(
                    RELATION, answered["relation"], join_path(where, "relation")
                ),
            }
            if "description" in answered:
                venture["description"] = self._valid(
                    Venture,
                    "description",
                    _as_text(answered["description"]),
                    join_path(where, "description"),
                )
            items.append(venture)
        return items or None

    def _choice(self, choices: Sequence[Option], raw: Any, field: str) -> str:
        value = _choose(choices, raw)
        if value is None:
            words = ", ".join(c.word for c in choices)
            raise self.fail(f"{_show(raw)} is not one of the choices: {words}", field)
        return value

    def _valid(self, model: type[BaseModel], name: str, value: Any, field: str) -> Any:
        try:
            checked = _adapter(model, name).validate_python(value)
        except ValidationError as exc:
            raise self.fail(plain_problem(exc.errors(include_url=False)[0]), field) from None
        return _adapter(model, name).dump_python(checked, mode="json")


_ADAPTERS: dict[tuple[type[BaseModel], str], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    key = (model, name)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(model.model_fields[name].rebuild_annotation())
    return _ADAPTERS[key]


_MODEL_AT: dict[str, type[BaseModel]] = {
    "answers": Answers,
    "contribution": Contribution,
    "expected_return": Contribution,
    "ways_of_working": WaysOfWorking,
    "health": Health,
}


def _field_of(question: Question) -> tuple[type[BaseModel], str]:
    """The model and field that validate an answer to ``question``."""
    if len(question.path) == 1:
        return Principal, question.path[0]
    return _MODEL_AT[question.path[0]], question.path[1]


def _blank(value: Any) -> bool:
    """Not answered: nothing, empty text, or a block (or list of blocks) left as it was.
    An empty list, ``[]``, is an answer: none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(isinstance(v, dict | type(None)) and _blank(v) for v in value)
    return False


def _is_none_word(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in NONE_WORDS


def _as_text(value: Any) -> Any:
    """A number or a date written where words were asked for, as the words written."""
    if isinstance(value, bool):
        return value  # refused by the field: 'yes' and 'no' read as true and false
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]


def _normal(word: str) -> str:
    return " ".join(re.split(r"[\s_\-]+", word.strip().lower())).strip()


def _choose(choices: Sequence[Option], raw: Any) -> str | None:
    """The value of the choice ``raw`` names (its word, its value or another usual word for
    it, in any case, with spaces, hyphens or underscores), or ``None``."""
    if isinstance(raw, str):
        given = _normal(raw)
        for choice in choices:
            names = (choice.value, choice.word, *choice.aliases)
            if given in {_normal(n) for n in names}:
                return choice.value
    return None


_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "bn": 1e9,
    "billion": 1e9,
}
_NUMBER = re.compile(r"^(?P<number>\d[\d.,]*)\s*(?P<unit>[a-z]+)?$")


def _number(raw: Any, kind: str) -> float | None:
    """A number written as a number or in common ways (``400,000``, ``400k``, ``2.5m``,
    ``€ 300 000``, ``20%``, ``5 years``); ``None`` when it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
        return value if math.isfinite(value) else None
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower().replace("\u00a0", " ")
    text = re.sub(r"^(?:[€$£¥]|eur|usd|gbp|sek|chf|nok|dkk)\s*", "", text)
    text = re.sub(r"\s*(?:[€$£¥]|eur|usd|gbp|sek|chf|nok|dkk)$", "", text)
    if kind == "percent":
        text = re.sub(r"\s*(?:%|percent|per cent)$", "", text)
    if kind == "years":
        text = re.sub(r"\s*(?:years?|yrs?)$", "", text)
    text = re.sub(r"(?<=\d)[ _'](?=\d)", "", text)
    match = _NUMBER.match(text)
    if match is None:
        return None
    unit = match["unit"]
    if unit is not None and (kind != "amount" or unit not in _MULTIPLIERS):
        return None
    digits = match["number"]
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        digits = digits.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", digits):
        digits = digits.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d+", digits):
        digits = digits.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", digits):
        return None
    value = float(digits) * (_MULTIPLIERS[unit] if unit else 1)
    return value if math.isfinite(value) else None


def _plain_number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _show(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - values here come from a YAML reader
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."


_CUT = re.compile(r"""^\s*(?:-\s+)?(?P<key>[A-Za-z_]+):[ \t]+(?P<rest>[^'"|>\[{#\s].*?)[ \t]+#""")


def _check_cut_answers(doc: Document, text: str) -> None:
    """Refuse an answer whose end YAML would read as a comment (``a #1 choice`` keeps only
    ``a``): the questionnaire never puts a comment on an answer's line, so a ``#`` there
    was typed as part of the answer."""
    answer_lines = {line: path for path, line in doc.lines.items() if path}
    for number, line in enumerate(text.splitlines(), start=1):
        if number not in answer_lines or "#" not in line:
            continue
        match = _CUT.match(line)
        if match is not None:
            raise QuestionnaireError(
                "the text after '#' would be dropped (YAML reads it as a comment); put the "
                'whole answer in double quotes, "like # this"',
                location=Location(file=doc.file, line=number, field=answer_lines[number]),
            )


def _person_key(name: str) -> str:
    return " ".join(name.casefold().split())


# ---------------------------------------------------------------------------------------
# Merging


@dataclass(frozen=True)
class Blank:
    """A question of a merged questionnaire that the case still has no answer to."""

    party: str
    """The party's id."""
    party_name: str
    key: str
    """The questionnaire key, e.g. ``vision`` or ``people[0].commitment``."""
    question: str
    """The question, in words."""


@dataclass(frozen=True)
class Conflict:
    """An answer that differs from the one the case already holds."""

    file: str | None
    line: int | None
    party: str
    key: str
    """The questionnaire key, e.g. ``vision`` or ``people[0].commitment``."""
    question: str
    case_value: str
    """What the case holds, in words."""
    answer: str
    """What the questionnaire says, in words."""
    replaced: bool
    """Whether the answer replaced the case's (``force=True``)."""

    @property
    def location(self) -> Location:
        return Location(file=self.file, line=self.line, field=self.key)

    def __str__(self) -> str:
        verb = "replaced" if self.replaced else "the case holds"
        return f"{self.location}: {verb} {self.case_value}; the answer is {self.answer}"


class Merged(NamedTuple):
    """The merged case file's text, the questions still blank, and the conflicts."""

    text: str
    blank: list[Blank]
    conflicts: list[Conflict]


def merge(case: CaseSource, *answers: AnswersSource, force: bool = False) -> Merged:
    """Bring answered questionnaires into ``case``; the merged case file's text.

    ``case`` is a case file's path, its YAML/JSON text, or a :class:`Case`;
    ``answers`` are questionnaire files (paths, or their YAML text), merged in order.
    Refuses (:class:`QuestionnaireError`) a questionnaire for another case or for a party
    the case does not have. An answer that differs from what the case already holds is
    a :class:`Conflict`: the case's answer is kept, unless ``force`` (then the answer
    replaces it and the conflict says so). A blank answer never removes anything.

    The text returned loads as a valid case (it is checked). A YAML case file keeps its
    comments and layout; a JSON one is written as JSON; a :class:`Case` without a source
    file is written as plain YAML.
    """
    text, loaded, json_file = _case_text(case)
    plain = loaded.model_dump(mode="json", by_alias=True, exclude_none=True)
    filled = [_read_answers(source) for source in answers]
    for f in filled:
        if f.case_id != loaded.id:
            raise QuestionnaireError(
                f"this questionnaire is for case {f.case_id!r}, not for {loaded.id!r}",
                location=Location(file=f.file, line=f.header_line, field=HEADER_KEY),
            )
        _party(
            loaded,
            f.party_id,
            QuestionnaireError,
            Location(file=f.file, line=f.header_line, field=f"{HEADER_KEY}.party"),
        )
    edits: list[_Edit] = []
    conflicts: list[Conflict] = []
    for f in filled:
        _plan(f, plain, edits, conflicts, force=force)
    expected = plain
    if json_file or text is None:
        merged_text = _dump_plain(expected, as_json=json_file)
    else:
        merged_text = _apply_round_trip(text, edits)
    source_name = loaded.source_file
    try:
        result = case_from_document(parse_document(merged_text, error=CaseError))
    except CaseError as exc:
        raise CaseError(
            f"the merged case is not valid: {exc.message}",
            location=Location(file=source_name, field=exc.location.field),
        ) from None
    got = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    if got != expected:
        if text is not None and re.search(r"(^|[\s\[{,])&[^\s]", text, re.MULTILINE):
            raise CaseError(
                "the case file shares a block between places with a YAML anchor (&name); "
                "write the block out in each place before merging answers into it",
                location=Location(file=source_name),
            )
        raise CaseError(  # pragma: no cover - a bug in this module, never input
            "the merged case differs from the answers merged (a partnerfit bug)",
            location=Location(file=source_name),
        )
    return Merged(merged_text, _blanks(filled, result), conflicts)


def _party(
    case: Case, party_id: str, error: type[CaseError | UsageError], where: Location
) -> Party:
    try:
        return case.party(party_id)
    except KeyError:
        known = ", ".join(p.id for p in case.parties)
        raise error(
            f"the case {case.id!r} has no party {party_id!r}; its parties are: {known}",
            location=where,
        ) from None


def _load(source: str | os.PathLike[str]) -> tuple[str | None, Case, bool]:
    """The text of a case file (or of case text), the validated case, and whether it is
    JSON."""
    if isinstance(source, str) and not looks_like_path(source):
        doc = parse_document(source, error=CaseError)
        return source, case_from_document(doc), source.lstrip().startswith("{")
    name = path_argument(source, "case")
    raw = read_regular_file(name, CaseError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError(
            f"is not UTF-8 text (byte {exc.start})", location=Location(file=name)
        ) from None
    loaded = case_from_document(parse_document(text, file=name, error=CaseError))
    is_json = name.endswith(".json") or text.lstrip().startswith("{")
    return text, loaded, is_json


def _case_text(case: CaseSource) -> tuple[str | None, Case, bool]:
    if not isinstance(case, Case):
        return _load(case)
    source = case.source_file
    if source is not None and os.path.isfile(source):
        try:
            text, again, is_json = _load(source)
        except CaseError:
            return None, case, False
        same = again.model_dump(mode="json", by_alias=True, exclude_none=True)
        if same == case.model_dump(mode="json", by_alias=True, exclude_none=True):
            return text, case, is_json
    return None, case, False


# --- Planning: what changes, decided on plain data -------------------------------------


@dataclass(frozen=True)
class _Edit:
    path: tuple[str | int, ...]
    """From the case root; an int one past a list's end appends to it."""
    value: Any


def _plan(
    f: _Filled,
    plain: dict[str, Any],
    edits: list[_Edit],
    conflicts: list[Conflict],
    *,
    force: bool,
) -> None:
    """Decide, on the case's plain data, what ``f`` changes; record the edits and conflicts
    (and apply them to ``plain``, so that a later questionnaire meets them)."""
    index = next(i for i, p in enumerate(plain["parties"]) if p["id"] == f.party_id)
    party: dict[str, Any] = plain["parties"][index]
    root: tuple[str | int, ...] = ("parties", index)

    def change(path: tuple[str | int, ...], value: Any) -> None:
        _set_plain(party, path, copy.deepcopy(value))
        edits.append(_Edit((*root, *path), copy.deepcopy(value)))

    def conflict(key: str, question: str, line: int | None, held: str, given: str) -> None:
        conflicts.append(Conflict(f.file, line, f.party_id, key, question, held, given, force))

    # The people first, so that each person's answers find their place.
    if f.people == ():
        held = party.get("principals")
        if held is None:
            change(("principals",), [])
        elif held:
            names = ", ".join(p["name"] for p in held)
            conflict(PEOPLE_KEY, PERSON_NAME_QUESTION, f.people_line, names, "none")
            if force:
                change(("principals",), [])
    elif f.people:
        if party.get("principals") == []:
            names = ", ".join(name for name, _ in f.people)
            conflict(PEOPLE_KEY, PERSON_NAME_QUESTION, f.people_line, "none", names)
            if force:
                del party["principals"]  # replaced below, person by person
        if party.get("principals") != []:
            for name, _line in f.people:
                held = party.get("principals")
                if held is None:
                    change(("principals",), [{"name": name}])
                elif not any(_person_key(p["name"]) == _person_key(name) for p in held):
                    change(("principals", len(held)), {"name": name})

    for answer in f.answers:
        path: tuple[str | int, ...] = answer.target
        question = answer.question.ask
        if answer.person is not None:
            held = party.get("principals") or []
            at = next(
                (
                    i
                    for i, p in enumerate(held)
                    if _person_key(p["name"]) == _person_key(answer.person)
                ),
                None,
            )
            if at is None:  # the case says there is nobody, and that was kept
                continue
            path = ("principals", at, *answer.target)
            question = question.format(person=answer.person)
        current = _get_plain(party, path)
        if current is None:
            change(path, answer.value)
        elif not _same(current, answer.value):
            conflict(
                answer.field,
                question,
                answer.line,
                _in_words(current, answer.question),
                _in_words(answer.value, answer.question),
            )
            if force:
                change(path, answer.value)


def _get_plain(data: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[key] if isinstance(key, int) else data.get(key)
    return data


def _set_plain(data: Any, path: Sequence[str | int], value: Any) -> None:
    for key in path[:-1]:
        data = data[key] if isinstance(key, int) else data.setdefault(key, {})
    last = path[-1]
    if isinstance(last, int) and last == len(data):
        data.append(value)
    else:
        data[last] = value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _in_words(value: Any, question: Question | None) -> str:
    if question is not None and question.kind == "choice" and isinstance(value, str):
        return repr(_word(question.choices, value))
    if value is False or value == []:
        return "none"
    if isinstance(value, list):
        return ", ".join(_in_words(v, None) for v in value)
    if isinstance(value, dict):
        name = value.get("name", "")
        relation = value.get("relation")
        return f"{name} ({_word(RELATION, relation)})" if relation else repr(name)
    if isinstance(value, float | int):
        return _number_text(value)
    text = str(value)
    return repr(text if len(text) <= 120 else text[:117] + "...")


def _blanks(filled: Sequence[_Filled], case: Case) -> list[Blank]:
    blanks: list[Blank] = []
    done: set[str] = set()
    for f in filled:
        if f.party_id in done:
            continue
        done.add(f.party_id)
        party = case.party(f.party_id)
        data = party.model_dump(mode="json", exclude_none=True)
        for section in SECTIONS:
            for question in section.questions:
                if _get(data, question.path) is None:
                    blanks.append(Blank(party.id, party.name, question.key, question.ask))
        if party.principals is None:
            blanks.append(Blank(party.id, party.name, PEOPLE_KEY, PERSON_NAME_QUESTION))
            continue
        for i, person in enumerate(party.principals):
            known = person.model_dump(mode="json", exclude_none=True)
            for question in PERSON_QUESTIONS:
                if _get(known, question.path) is None:
                    blanks.append(
                        Blank(
                            party.id,
                            party.name,
                            f"{PEOPLE_KEY}[{i}].{question.key}",
                            question.ask.format(person=person.name),
                        )
                    )
    return blanks


# --- Writing: the same edits on the case file's own text ------------------------------


def _dump_plain(data: dict[str, Any], *, as_json: bool) -> str:
    if as_json:
        import json

        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    out = io.StringIO()
    _yaml(*DEFAULT_STYLE).dump(_to_rt(data, False, Case), out)
    return out.getvalue()


DEFAULT_STYLE = (2, 4, 2)
"""(mapping, sequence, offset) indentation of the example cases and of ``partnerfit new``."""
_KEY_LINE = re.compile(r"^( *)(- +)?[^\s#\-][^:#]*:[ \t]*(#.*)?$")
_LINE = re.compile(r"^( *)(- +)?[^\s#]")


def _guess_style(text: str) -> tuple[int, int, int]:
    """The file's own (mapping, sequence, offset) indentation, from the first nested
    mapping and the first block list it holds (the example cases' where there is none)."""
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    parent: int | None = None
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue  # blank or a comment
        indent = len(match[1]) + (len(match[2]) if match[2] else 0)
        if parent is not None and match[2] and sequence is None and len(match[1]) >= parent:
            offset = len(match[1]) - parent
            sequence = (offset + len(match[2]), offset)
        elif parent is not None and not match[2] and mapping is None and indent > parent:
            mapping = indent - parent
        key = _KEY_LINE.match(line)
        parent = indent if key is not None else None
        if mapping is not None and sequence is not None:
            break
    return (
        mapping or DEFAULT_STYLE[0],
        (sequence or DEFAULT_STYLE[1:])[0],
        (sequence or DEFAULT_STYLE[1:])[1],
    )


def _round_trip(text: str) -> tuple[YAML, Any]:
    """A round-trip reader/writer set to the file's own indentation, and its data.

    When the file is written in none of the styles tried, its indentation is made
    regular; its comments, order, quotes and flow style are kept all the same."""
    first: tuple[YAML, Any] | None = None
    for style in dict.fromkeys((_guess_style(text), DEFAULT_STYLE)):
        rt = _yaml(*style)
        data = rt.load(text)
        out = io.StringIO()
        rt.dump(data, out)
        if out.getvalue() == text:
            return rt, data
        first = first or (rt, rt.load(text))
    assert first is not None
    return first


def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    return rt


def _apply_round_trip(text: str, edits: Sequence[_Edit]) -> str:
    rt, data = _round_trip(text)
    for edit in edits:
        _apply(data, edit)
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def _apply(root: Any, edit: _Edit) -> None:
    node: Any = root
    flow = False
    model: type[BaseModel] | None = Case
    for depth, key in enumerate(edit.path[:-1]):
        flow = flow or _is_flow(node)
        if isinstance(key, str):
            if node.get(key) is None:
                # The missing block is inserted whole, with the answer in it: an empty one
                # would take the comments that follow it, and the answer would come after them.
                value = edit.value
                for inner in reversed(edit.path[depth + 1 :]):
                    value = {inner: value}
                _insert(node, key, _to_rt(value, flow, _submodel(model, key)), model)
                return
            model = _submodel(model, key)
        node = node[key]
    flow = flow or _is_flow(node)
    last = edit.path[-1]
    if isinstance(last, int):  # a new item at the end of a list
        node.append(_to_rt(edit.value, flow, model))
        if len(node) > 1 and not _is_flow(node):
            rest = _take_trailing(node, len(node) - 2)
            if rest is not None:
                _put_trailing(node, len(node) - 1, rest)
        return
    new = _to_rt(edit.value, flow, _submodel(model, last))
    old = node.get(last)
    if old is None:
        _insert(node, last, new, model)
        return
    if isinstance(old, CommentedBase) and isinstance(new, CommentedBase) and old:
        if _is_flow(old):
            new.fa.set_flow_style()
        elif new:
            rest = _take_trailing_of(old)
            if rest is not None:
                _put_trailing_of(new, rest)
    node[last] = new


def _is_flow(node: Any) -> bool:
    return isinstance(node, CommentedBase) and bool(node.fa.flow_style())


def _submodel(model: type[BaseModel] | None, key: str) -> type[BaseModel] | None:
    if model is None:
        return None
    info = model.model_fields.get(key)
    if info is None:
        return None
    return _model_in(info.annotation)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _to_rt(value: Any, flow: bool, model: type[BaseModel] | None) -> Any:
    """Plain data as ruamel's round-trip nodes: lists of words and the items of lists of
    small records (other ventures, board seats) in flow style, as the example cases write
    them; a many-line text as a literal block where the file allows one."""
    if isinstance(value, dict):
        flow = flow or model in _FLOW_ITEMS
        mapping = CommentedMap()
        for k, v in value.items():
            mapping[k] = _to_rt(v, flow, _submodel(model, k))
        if flow:
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        flow = flow or all(not isinstance(v, dict | list) and "\n" not in str(v) for v in value)
        seq = CommentedSeq([_to_rt(v, flow, model) for v in value])
        if flow:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str):
        return _rt_text(value, flow)
    return value


def _rt_text(text: str, flow: bool) -> Any:
    """``text`` for ruamel to write so that the case file's reader (PyYAML, YAML 1.1) reads
    it back as the same text: ruamel writes YAML 1.2, where more may stay unquoted (``?x``
    inside ``[…]``, for one). Quoted wherever PyYAML itself would quote it."""
    if "\n" in text and not flow and _literal_ok(text):
        return LiteralScalarString(text)
    shown = _flow_scalar(text) if flow else _scalar(text)
    if shown == text:
        return text
    if shown.startswith("'"):
        return SingleQuotedScalarString(text)
    return DoubleQuotedScalarString(text)


_FLOW_ITEMS: frozenset[type[BaseModel]] = frozenset({Venture})


def _literal_ok(text: str) -> bool:
    lines = text.split("\n")
    return all(line == line.strip() for line in lines) and bool(lines[0]) and "\t" not in text


def _insert(node: CommentedMap, key: str, value: Any, model: type[BaseModel] | None) -> None:
    """Put ``key`` where the case model orders it, before the comments that follow the
    entry it comes after (they belong to what comes next)."""
    keys = list(node.keys())
    order = list(model.model_fields) if model is not None else []
    if model is Case:
        order = ["schema", *order[1:]] if order and order[0] == "schema_" else order
    rank = {k: i for i, k in enumerate(order)}
    position = len(keys)
    if key in rank:
        for i, existing in enumerate(keys):
            if rank.get(existing, -1) > rank[key]:
                position = i
                break
    if key in node:  # a key holding null: replaced in place
        node[key] = value
        return
    rest = _take_trailing(node, keys[position - 1]) if position > 0 and not _is_flow(node) else None
    node.insert(position, key, value)
    if rest is not None:
        _put_trailing(node, key, rest)


def _deepest(node: Any, key: Any) -> tuple[Any, Any]:
    """The container and key of the last scalar entry inside ``node[key]``: where the
    comments that follow that entry are attached."""
    while True:
        child = node[key]
        if isinstance(child, CommentedMap | CommentedSeq) and len(child) and not _is_flow(child):
            node, key = (
                child,
                (list(child.keys())[-1] if isinstance(child, dict) else len(child) - 1),
            )
            continue
        return node, key


def _slot(node: Any) -> int:
    return 2 if isinstance(node, dict) else 0


def _take_trailing(node: Any, key: Any) -> str | None:
    """Detach the whole-line comments (and blank lines) after the entry ``node[key]``;
    its end-of-line comment stays."""
    container, last = _deepest(node, key)
    entry = container.ca.items.get(last)
    slot = _slot(container)
    if not entry or len(entry) <= slot or entry[slot] is None:
        return None
    token = entry[slot]
    value = str(token.value)
    first, _, rest = value.partition("\n")
    if first.strip().startswith("#"):
        if not rest:
            return None
        token.value = first + "\n"
        return rest
    entry[slot] = None
    return value.removeprefix("\n") if value.startswith("\n") else value


def _take_trailing_of(collection: Any) -> str | None:
    if isinstance(collection, dict):
        return _take_trailing(collection, list(collection.keys())[-1])
    return _take_trailing(collection, len(collection) - 1)


def _put_trailing(node: Any, key: Any, rest: str) -> None:
    container, last = _deepest(node, key)
    if _is_flow(container):  # pragma: no cover - new entries are block style here
        return
    slot = _slot(container)
    entry = container.ca.items.setdefault(last, [None, None, None, None])
    while len(entry) <= slot:  # pragma: no cover - ruamel's entries have four slots
        entry.append(None)
    if entry[slot] is None:
        entry[slot] = CommentToken("\n" + rest, CommentMark(0), None)
    else:
        token = entry[slot]
        token.value = str(token.value).rstrip("\n") + "\n" + rest


def _put_trailing_of(collection: Any, rest: str) -> None:
    if isinstance(collection, dict):
        _put_trailing(collection, list(collection.keys())[-1], rest)
    else:
        _put_trailing(collection, len(collection) - 1, rest)


def iter_questions() -> Iterator[Question]:
    """Every question of a questionnaire, the people's last."""
    for section in SECTIONS:
        yield from section.questions
    yield from PERSON_QUESTIONS
