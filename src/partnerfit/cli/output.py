"""Output a command writes to a file: put in place whole, or not at all (``--output``)."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO, cast

from partnerfit.errors import UsageError
from partnerfit.text import path_text

from . import GuardedOutput, OutputError, stdout_stream

_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


@contextlib.contextmanager
def atomic_output(path: Path | None) -> Iterator[TextIO]:
    """Stdout, or a new file that replaces ``path`` only when the batch completes.

    On any failure, Ctrl-C, SIGTERM and SIGHUP included, the new file is removed and
    ``path`` is left as it was: never half written. ``path`` must be a regular file
    if it exists (a device, a link or a pipe is refused, never replaced). The new
    file gets the mode of the file it replaces, or the umask's mode when there is
    none, like any file the user creates. Every failure to write is an
    :class:`OutputError`: one line, exit 2.
    """
    if path is None:
        out = stdout_stream()
        yield out
        out.flush()
        return
    shown = path_text(str(path))
    mode = _replaced_mode(path, shown)
    folder = str(path.parent) if str(path.parent) else "."
    fd, temp = _create(folder, path.name, shown)
    raw: TextIO | None = None
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        raw = os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="")
        guarded = GuardedOutput(raw, shown)
        yield cast(TextIO, guarded)
        guarded.flush()
        try:
            os.fsync(raw.fileno())
            temp = _name(raw.fileno(), folder, path.name, temp)
            os.replace(temp, path)
        except OSError as exc:
            raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
        temp = None
    finally:
        if raw is None:
            os.close(fd)
        else:
            # After a failed write, closing tries to write the rest again, and fails again.
            with contextlib.suppress(OSError):
                raw.close()
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _replaced_mode(path: Path, shown: str) -> int | None:
    """The permission bits of the regular file at ``path``; None if there is none."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = _KINDS.get(stat.S_IFMT(st.st_mode), "not a regular file")
        raise UsageError(f"--output {shown} is {kind}, not a regular file: refusing to replace it")
    return stat.S_IMODE(st.st_mode)


def _create(folder: str, name: str, shown: str) -> tuple[int, str | None]:
    """A new file in ``folder`` for the output, and its temporary name.

    Where the system allows it the file has no name at all until it is complete
    (``O_TMPFILE``), so that nothing is left behind even if the process is killed
    outright; otherwise it is a hidden ``.NAME.XXXXXXXX.tmp`` beside the target.
    Created with mode 0666 less the umask, as the user's other files are.
    """
    flags = os.O_WRONLY | os.O_CLOEXEC
    try:
        if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
            try:
                return os.open(folder, flags | os.O_TMPFILE, 0o666), None
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
                    raise
        while True:
            temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
            try:
                return os.open(temp, flags | os.O_CREAT | os.O_EXCL, 0o666), temp
            except FileExistsError:
                continue
    except OSError as exc:
        if exc.errno == errno.ENOENT and not os.path.isdir(folder):
            reason = f"the folder {path_text(folder)} does not exist"
        else:
            reason = exc.strerror or str(exc)
        raise OutputError(f"cannot write {shown}: {reason}") from None


def _name(fd: int, folder: str, name: str, temp: str | None) -> str:
    """Give a nameless output file (see :func:`_create`) a temporary name beside the target."""
    if temp is not None:
        return temp
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            candidate = f".{name}.{secrets.token_hex(4)}.tmp"
            try:
                # linkat(AT_SYMLINK_FOLLOW) on the /proc link names the open file itself.
                os.link(
                    f"/proc/self/fd/{fd}", candidate, dst_dir_fd=folder_fd, follow_symlinks=True
                )
            except FileExistsError:
                continue
            return os.path.join(folder, candidate)
    finally:
        os.close(folder_fd)
