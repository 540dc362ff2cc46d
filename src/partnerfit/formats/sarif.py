"""Batch results as SARIF 2.1.0, for code-scanning dashboards and review tools.

* ``tool.driver.rules``: every rule of the pack, with its id, name, title, help
  (why it matters, its source and the remedy) and properties (area, kind, severity);
  a disabled rule is listed with ``enabled: false``.
* One result per red flag (``kind: fail``; level ``error`` for critical and high,
  ``warning`` for medium, ``note`` for low and info) and per open question
  (``kind: open``, level ``none``: SARIF's "not enough information to decide").
  Strengths are not results. Each result's ``message.text`` is whole in itself: the
  case id, the rule's title and the finding's full message (:func:`result_text`).
* Each result points to the case file and the evidence's line; the evidence's
  field path is its logical location. Further evidence is in ``relatedLocations``.
* Files that could not be checked are ``toolExecutionNotifications`` of the one
  invocation, with their file and line.
* A file name that is not valid UTF-8 keeps its bytes in URIs (``%FF``) and shows
  them as ``\\udcff`` escapes in text (:func:`~partnerfit.batch.path_text`).
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from partnerfit import __version__
from partnerfit.batch import BatchItem, Summary, path_text
from partnerfit.case import Severity
from partnerfit.pack import LoadedRule
from partnerfit.report import Evidence, Finding, FindingKind

from .stream import BatchWriter, item_error

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"

LEVELS = {
    Severity.critical: "error",
    Severity.high: "error",
    Severity.medium: "warning",
    Severity.low: "note",
    Severity.info: "note",
}


def file_uri(path: str) -> str:
    """A URI reference for a case file: ``file:`` for absolute paths, else relative.

    The name's bytes are percent-encoded, so a name that is not valid UTF-8 keeps
    its exact bytes (``bad%FF.yaml``).
    """
    p = PurePath(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(os.fsencode(p.as_posix()))


def rule_descriptor(lr: LoadedRule, enabled: bool) -> dict[str, Any]:
    rule = lr.rule
    why = " ".join(rule.why.split()) if rule.why else None
    help_parts = [
        why and f"Why it matters: {why}",
        rule.source and f"Source: {' '.join(rule.source.split())}",
        rule.remedy and f"What to do: {' '.join(rule.remedy.split())}",
    ]
    help_text = "\n\n".join(p for p in help_parts if p) or rule.title
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": why or rule.title},
        "help": {"text": help_text},
        "defaultConfiguration": {
            "enabled": enabled,
            "level": LEVELS[lr.severity] if rule.kind.value == "red_flag" else "note",
        },
        "properties": {
            "area": rule.area.value,
            "kind": rule.kind.value,
            "severity": lr.severity.value,
            "tags": [rule.area.value, rule.kind.value],
        },
    }
    return descriptor


def _location(uri: str, e: Evidence, index: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if e.line is not None and e.line >= 1:
        physical["region"] = {"startLine": e.line}
    loc: dict[str, Any] = {
        "physicalLocation": physical,
        "logicalLocations": [{"fullyQualifiedName": e.path, "kind": "member"}],
        "properties": {"evidencePath": e.path},
    }
    if index is not None:
        loc["id"] = index
        shown = "missing" if e.value is None else e.value
        loc["message"] = {"text": f"{e.path}: {shown}"}
    return loc


def result_text(f: Finding, case_id: str) -> str:
    """A result's message, whole in itself: the case, the rule's title and the finding's
    message (``clash: Same offering to the same segment. Alpha and Beta both …``). Tools
    that group results (by rule, by file) show each result's text alone; it must still say
    which case and what was found."""
    title = " ".join(f.title.split()).rstrip(".")
    return f"{case_id}: {title}. {' '.join(f.message.split())}"


class SarifWriter(BatchWriter):
    """One SARIF log with one run; results are streamed, one compact line each."""

    _first = True

    def start(self) -> None:
        disabled = set(self.pack.disabled)
        rules = [rule_descriptor(lr, lr.rule.id not in disabled) for lr in self.pack.rules]
        self._rule_index = {lr.rule.id: i for i, lr in enumerate(self.pack.rules)}
        self._notifications: list[dict[str, Any]] = []
        driver = {
            "name": "partnerfit",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": rules,
            "properties": {"pack": self.pack.name, "packVersion": self.pack.version},
        }
        head = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION}
        text = json.dumps(head, indent=2)[:-2]  # drop the closing "\n}"
        tool = json.dumps({"driver": driver}, indent=2, ensure_ascii=False)
        self.out.write(
            text + ',\n  "runs": [\n    {\n      "tool": ' + tool.replace("\n", "\n      ")
        )
        self.out.write(',\n      "columnKind": "unicodeCodePoints",\n      "results": [')

    def add(self, item: BatchItem) -> None:
        if item.report is None:
            self._notify(item)
            return
        uri = file_uri(item.file)
        for f in item.report.findings:
            if f.kind == FindingKind.strength:
                continue
            result = self._result(f, uri, item.report.case_id)
            line = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
            self.out.write(("\n        " if self._first else ",\n        ") + line)
            self._first = False

    def _result(self, f: Finding, uri: str, case_id: str) -> dict[str, Any]:
        is_flag = f.kind == FindingKind.red_flag
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "kind": "fail" if is_flag else "open",
            "level": LEVELS[f.severity] if is_flag else "none",
            "message": {"text": result_text(f, case_id)},
        }
        if f.rule_id in self._rule_index:
            result["ruleIndex"] = self._rule_index[f.rule_id]
        if f.evidence:
            result["locations"] = [_location(uri, f.evidence[0])]
            if len(f.evidence) > 1:
                result["relatedLocations"] = [
                    _location(uri, e, i) for i, e in enumerate(f.evidence[1:], start=1)
                ]
        else:
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
        paths = "|".join(sorted(e.path for e in f.evidence))
        result["partialFingerprints"] = {"partnerfitFinding/v1": f"{case_id}|{f.rule_id}|{paths}"}
        result["properties"] = {
            "caseId": case_id,
            "findingKind": f.kind.value,
            "severity": f.severity.value,
            "area": f.area,
            "title": f.title,
            "evidence": [e.model_dump(mode="json") for e in f.evidence],
        }
        return result

    def _notify(self, item: BatchItem) -> None:
        error = item_error(item)
        physical: dict[str, Any] = {"artifactLocation": {"uri": file_uri(item.file)}}
        if error.location.line is not None and error.location.line >= 1:
            physical["region"] = {"startLine": error.location.line}
        notification: dict[str, Any] = {
            "level": "error",
            "message": {"text": error.message},
            "locations": [{"physicalLocation": physical}],
            "properties": {"errorKind": type(error).__name__, "file": path_text(item.file)},
        }
        if error.location.field:
            notification["locations"][0]["logicalLocations"] = [
                {"fullyQualifiedName": error.location.field, "kind": "member"}
            ]
            notification["properties"]["field"] = error.location.field
        self._notifications.append(notification)

    def finish(self, summary: Summary) -> None:
        invocation = {
            "executionSuccessful": not self._notifications,
            "toolExecutionNotifications": self._notifications,
            "properties": {"summary": summary.line()},
        }
        text = json.dumps([invocation], indent=2, ensure_ascii=False).replace("\n", "\n      ")
        close = "]" if self._first else "\n      ]"
        self.out.write(close + ',\n      "invocations": ' + text + "\n    }\n  ]\n}\n")
