"""`partnerfit new`: a guided way to write a case file."""

from __future__ import annotations
