"""Conversation prompts for a case: the questions no rule can judge, chosen by alliance kind.

A pack keeps its prompts in ``prompts.yaml`` (see :class:`partnerfit.pack.Prompt`). A case
gets the general prompts (those that name no kind) and the ones for its alliance's kind, in
pack order; a case whose kind is unknown gets only the general ones.
"""

from __future__ import annotations

from .case import AllianceKind, Case
from .pack import RulePack
from .report import ConversationPrompt


def prompts_for(case: Case, pack: RulePack) -> tuple[ConversationPrompt, ...]:
    """The prompts of ``pack`` for ``case``: general ones, and those for its alliance kind."""
    return prompts_for_kind(case.alliance.kind if case.alliance is not None else None, pack)


def prompts_for_kind(kind: AllianceKind | None, pack: RulePack) -> tuple[ConversationPrompt, ...]:
    """The prompts of ``pack`` for an alliance of ``kind`` (``None``: kind unknown)."""
    by_kind: dict[AllianceKind | None, tuple[ConversationPrompt, ...]] = pack.derived(
        "prompts by kind", lambda p: {}
    )
    if kind not in by_kind:
        by_kind[kind] = tuple(
            ConversationPrompt(id=p.id, topic=p.topic, text=p.text, ask=p.ask)
            for p in pack.prompts
            if not p.kinds or (kind is not None and kind in p.kinds)
        )
    return by_kind[kind]
