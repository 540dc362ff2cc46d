"""The folder a folder format (``batch --format html``) writes: pages and an index.

Everything is first written into a hidden staging folder inside the target
(``.partnerfit-XXXXXXXX``); only when the batch completes is each file moved into
place, the pages first and ``index.html`` last, each replacing the file of that
name in one step. On any failure, Ctrl-C, SIGTERM and SIGHUP included, the
staging folder is removed and the target keeps what it held: no half-written
batch. Files of the target that this batch does not write are left alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, cast

from partnerfit.errors import UsageError
from partnerfit.text import path_text

from . import GuardedOutput, OutputError

INDEX = "index.html"

_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFREG: "a file",
}


class FolderOutput(GuardedOutput):
    """The index as a text stream, with :meth:`write_page` for the pages beside it."""

    def __init__(self, staging: str, shown: str) -> None:
        self._staging = staging
        self._shown = shown
        self.names: list[str] = []
        """Pages written, in order."""
        try:
            raw = open(  # noqa: SIM115 - closed by close()
                os.path.join(staging, INDEX),
                "w",
                encoding="utf-8",
                errors="backslashreplace",
                newline="",
            )
        except OSError as exc:
            raise self._failed(exc) from None
        super().__init__(cast(TextIO, raw), os.path.join(shown, INDEX))
        self._raw = raw

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError(f"cannot write {self._shown}: {exc.strerror or exc}")

    def write_page(self, name: str, text: str) -> None:
        if os.sep in name or name in ("", ".", "..", INDEX) or name.startswith("."):
            raise ValueError(f"not a page name: {name!r}")
        try:
            target = os.path.join(self._staging, name)
            with open(target, "x", encoding="utf-8", errors="backslashreplace", newline="") as f:
                f.write(text)
        except OSError as exc:
            raise self._failed(exc) from None
        self.names.append(name)

    def close(self) -> None:
        """Write out the index; a failure is an :class:`OutputError`."""
        self.flush()
        try:
            self._raw.close()
        except OSError as exc:
            raise self._failed(exc) from None

    def discard(self) -> None:
        """Close the index file whatever state it is in (after a failure)."""
        with contextlib.suppress(OSError, ValueError):
            self._raw.close()


@contextlib.contextmanager
def folder_output(path: Path | None) -> Iterator[TextIO]:
    """The folder ``path`` (created if missing; its parent must exist), as a
    :class:`FolderOutput`; see the module docstring for what is written when."""
    if path is None:
        raise UsageError(
            "--format html writes one page per case and an index.html: name a folder with "
            "--output (a batch of one case prints its page)"
        )
    shown = path_text(str(path))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        try:
            os.mkdir(path)
        except OSError as exc:
            parent = os.path.dirname(os.path.abspath(path))
            reason = exc.strerror or str(exc)
            if not os.path.isdir(parent):
                reason = f"the folder {path_text(str(path.parent))} does not exist"
            raise OutputError(f"cannot write {shown}: {reason}") from None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    else:
        if not stat.S_ISDIR(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a folder")
            raise UsageError(f"--output {shown} is {kind}, not a folder: refusing to write there")
    try:
        staging = tempfile.mkdtemp(prefix=".partnerfit-", dir=path)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        out = FolderOutput(staging, shown)
        try:
            yield cast(TextIO, out)  # a text stream with write_page (a PageSink)
            out.close()
        finally:
            out.discard()
        try:
            for name in [*out.names, INDEX]:
                os.replace(os.path.join(staging, name), os.path.join(path, name))
        except OSError as exc:
            raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
