"""Every limit partnerfit enforces on what it is given, in one place.

A real case file is a few kilobytes and a real rule pack a few hundred rules.
The limits sit far above that, and far below what could hang a process, exhaust
its memory or crash the rule engine. Each is refused with its own error, which
names the file, the line and the field where it can, and the limit.
The README's "Limits" table lists them; a test keeps the two in step.
"""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 1_048_576
"""A case file, rule file or saved report above 1 MiB is refused unread."""

MAX_DEPTH = 32
"""Collections nested deeper than this in one document are refused (a case needs 5)."""

MAX_NODES = 100_000
"""Values in one document, counting each use of a YAML alias again (alias bombs)."""

MAX_ALIASES = 100
"""YAML aliases (``*name``) in one document."""

MAX_ITEMS = 200
"""Items in any one list of a case file (segments, competitors, offerings …)."""

MAX_DIGITS = 40
"""Digits in one integer of a case or pack (Python needs seconds for 100,000)."""

MAX_FACTS = 1_000
"""Facts one case makes for the rules to check (a real deal makes 50 to 150): rules
that join facts match pairs of them, so thousands of repeated items would take
minutes and gigabytes."""

MAX_PARTIES = 12
"""Parties in one case."""

MAX_NUMBER = 1e15
"""Numbers in a case or a rule pack lie within ±10^15 (money, counts, years …)."""

NUMBER_DECIMALS = 4
"""Numbers reach the rule engine rounded to 4 decimal places (the engine's number
parser reads only plain decimals); a rule pack literal may carry no more."""

MAX_RULES = 1_000
"""Rules in one pack, counting every layer."""

MAX_PATTERNS = 8
"""Patterns (facts and negations) in one rule's condition."""

MAX_ALTERNATIVES = 64
"""Alternatives one rule compiles to (an `in:` list in a pattern that also joins is
matched one value at a time)."""

MAX_IN_ITEMS = 100
"""Values in one ``in:`` or ``not_in:`` list of a rule (the engine slows down
with their number, and hangs building a ruleset with more than 512)."""

MAX_JOBS = 256
"""Worker processes of one batch."""

MAX_TESTS_PER_FACT = 400
"""Different field tests (each `in:` value counted) on one fact type across a pack:
the engine's node tables hold 511, and ruleset creation hangs past that."""

MAX_ABSENT_PER_FACT = 100
"""Different `exists: false` tests on one fact type across a pack (the engine holds 128)."""

MAX_PATTERNS_PER_FACT = 200
"""Patterns across a pack that test one fact type the same way (the engine holds 256)."""

MAX_FIRINGS = 20_000
"""Rule firings in one evaluation; a pack that goes past it is looping."""

FILE_TIMEOUT_SECONDS = 60
"""Seconds a batch may spend checking one file (``batch --timeout``, ``evaluate_many(...,
timeout=)``): a worker still on it then is killed and replaced, and the file gets an
``EngineError``. A real case takes milliseconds."""
