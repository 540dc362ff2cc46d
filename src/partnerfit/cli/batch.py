"""`partnerfit batch`: screen folders of case files in parallel."""

from __future__ import annotations
