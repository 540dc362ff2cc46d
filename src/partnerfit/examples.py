"""Running every rule's embedded examples: library code, used by pytest and the CLI.

Each example is a small case and the *exact* findings the rule must raise on
it, as lists of evidence paths; an empty list means the rule must not fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import PartnerfitError
from .evaluation import evaluate_case, trace
from .loading import load_case
from .pack import LoadedRule, RuleKind, RulePack
from .report import FindingKind


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    example: str
    expected: tuple[tuple[str, ...], ...]
    actual: tuple[tuple[str, ...], ...]
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.expected == self.actual

    def explain(self) -> str:
        if self.error:
            return f"{self.rule_id} / {self.example}: error: {self.error}"
        if self.passed:
            return f"{self.rule_id} / {self.example}: ok"
        return (
            f"{self.rule_id} / {self.example}: expected {list(map(list, self.expected))}, "
            f"got {list(map(list, self.actual))}"
        )


def _canon(findings: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(tuple(sorted(f)) for f in findings))


def run_rule_examples(pack: RulePack, lr: LoadedRule) -> Iterator[ExampleResult]:
    """Evaluate each example of one rule with the whole pack; compare exact findings."""
    rid = lr.rule.id
    for example in lr.rule.examples:
        expected = _canon(example.expect)
        try:
            case = load_case(example.case)
            report = evaluate_case(case, pack)
        except PartnerfitError as exc:
            yield ExampleResult(rid, example.name, expected, (), error=str(exc))
            continue
        if lr.rule.kind == RuleKind.derived:
            actual = _canon([list(t.paths) for t in trace(case, pack) if t.rule == rid])
        else:
            actual = _canon(
                [
                    [e.path for e in f.evidence]
                    for f in report.findings
                    if f.rule_id == rid and f.kind != FindingKind.open_question
                ]
            )
        yield ExampleResult(rid, example.name, expected, actual)


def run_examples(pack: RulePack) -> Iterator[ExampleResult]:
    for lr in pack.active():
        yield from run_rule_examples(pack, lr)
