"""Where migstats keeps data: the raw-file cache, the processed store and the mirror.

Resolution order for the data root (holding ``raw/`` and ``processed/``):

1. the ``data_dir`` argument of the function you call (CLI: ``--data-dir``);
2. the environment variable ``MIGSTATS_DATA_DIR``;
3. ``data/`` of the source checkout when migstats runs from one (``pip install -e .``);
4. otherwise the user cache folder (``pooch.os_cache("migstats")``, e.g. ``~/.cache/migstats``).

A *mirror* is a folder or ``.zip`` laid out like ``raw/`` (e.g. a USB stick in a
workshop, or ``../shared/data/raw``) or an ``http(s)://`` URL of such a folder. Set
``MIGSTATS_MIRROR`` (CLI: ``--from``) and ``migstats data fetch`` copies from it
instead of downloading from the publishers.

Every path these functions return is absolute: a relative ``data_dir``, ``MIGSTATS_DATA_DIR``
or mirror is taken relative to the current folder *when it is resolved*. Kernels run with
their own working folder (the profile's staging folder) and batch workers may run anywhere,
so paths are resolved once, in the calling process, before anything is handed to them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["data_dir", "raw_dir", "processed_dir", "mirror", "absolute", "DATA_DIR_ENV", "MIRROR_ENV"]

DATA_DIR_ENV = "MIGSTATS_DATA_DIR"
MIRROR_ENV = "MIGSTATS_MIRROR"


def absolute(path: str | os.PathLike) -> Path:
    """``path`` as an absolute path: ``~`` expanded, relative to the current folder, ``..``
    folded (symbolic links are kept, unlike :meth:`pathlib.Path.resolve`)."""
    return Path(os.path.abspath(os.path.expanduser(os.fspath(path))))


def _checkout_data_dir() -> Path | None:
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "data").is_dir():
        return root / "data"
    return None


def data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Return the data root folder (absolute; not created)."""
    if data_dir is not None:
        return absolute(data_dir)
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return absolute(env)
    checkout = _checkout_data_dir()
    if checkout is not None:
        return checkout
    import pooch

    return Path(pooch.os_cache("migstats"))


def raw_dir(data_dir_: str | os.PathLike | None = None) -> Path:
    """Folder of the verified raw source files (``<data root>/raw``)."""
    return data_dir(data_dir_) / "raw"


def processed_dir(data_dir_: str | os.PathLike | None = None) -> Path:
    """Folder of the processed Parquet store (``<data root>/processed``)."""
    return data_dir(data_dir_) / "processed"


def mirror(mirror_: str | os.PathLike | None = None) -> str | None:
    """The mirror to fetch from (argument, else ``MIGSTATS_MIRROR``), or ``None``.

    A folder or zip comes back as an absolute path; an ``http(s)://`` URL unchanged.
    """
    value = os.fspath(mirror_) if mirror_ is not None else (os.environ.get(MIRROR_ENV) or None)
    if value is None or re.match(r"^https?://", str(value), flags=re.IGNORECASE):
        return value
    return str(absolute(value))
