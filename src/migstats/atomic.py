"""Atomic file output with ordinary permissions.

migstats writes every output (raw source files, hash pins, bundles, profiles, figures) to
a temporary file or folder beside its target and moves it into place with
:func:`os.replace`, so a reader never sees half a file. :func:`tempfile.mkstemp` and
:func:`tempfile.mkdtemp` create those with mode ``0600``/``0700`` (private), which would
then be the mode of the published file: a colleague or a web server could not read a
shared data folder or report. The helpers here give temporary files and folders the mode
an ordinary ``open()``/``mkdir()`` would give under the user's umask (normally ``0644``
and ``0755``), before anything is written into them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["umask", "file_mode", "folder_mode", "temp_file_beside", "temp_folder_beside", "write_bytes",
           "publishable"]


def umask() -> int:
    """The process's umask (read from ``/proc/self/status`` on Linux, without changing it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)  # elsewhere: set and restore (the only portable way to read it)
    os.umask(old)
    return old


def file_mode() -> int:
    """Mode of a new regular file under the current umask (``0o644`` for umask ``022``)."""
    return 0o666 & ~umask()


def folder_mode() -> int:
    """Mode of a new folder under the current umask (``0o755`` for umask ``022``)."""
    return 0o777 & ~umask()


def temp_file_beside(target: str | os.PathLike, suffix: str = ".part") -> Path:
    """Create an empty temporary file in ``target``'s folder (same file system, so
    :func:`os.replace` onto ``target`` is atomic), with :func:`file_mode`.

    The folder is created if needed. The caller removes the file on failure.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        os.fchmod(fd, file_mode())
    finally:
        os.close(fd)
    return Path(name)


def temp_folder_beside(target: str | os.PathLike, prefix: str | None = None) -> Path:
    """Create an empty temporary folder in ``target``'s parent folder, with :func:`folder_mode`."""
    target = Path(target)
    path = Path(tempfile.mkdtemp(prefix=prefix or f".{target.name}.tmp-", dir=target.parent))
    os.chmod(path, folder_mode())
    return path


def write_bytes(path: str | os.PathLike, data: bytes, *, fsync: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file beside it, then :func:`os.replace`)."""
    path = Path(path)
    tmp = temp_file_beside(path, suffix=".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def publishable(folder: str | os.PathLike) -> None:
    """Give every file and folder below ``folder`` (and ``folder`` itself) the umask's modes.

    For a staging folder about to be published: libraries that write through
    :func:`tempfile.mkstemp` (matplotlib's callers, say) leave ``0600`` files behind.
    """
    folder = Path(folder)
    fmode, dmode = file_mode(), folder_mode()
    os.chmod(folder, dmode)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), dmode)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, fmode)
