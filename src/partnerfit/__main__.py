"""``python -m partnerfit``: the command line, as the ``partnerfit`` command runs it."""

from __future__ import annotations

from partnerfit.cli import main

if __name__ == "__main__":
    main(prog_name="partnerfit")
