"""`partnerfit diff`: what changed between two versions of a case."""

from __future__ import annotations
