"""A read-only folder for tests, also when the tests run as root.

``chmod 555`` does not stop root from writing, so as root the folder is made immutable
(``chattr +i``, ext4/xfs/btrfs); nobody, root included, can then create, rename or delete
anything directly in it until the flag is removed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

import pytest


def _writable(folder: Path) -> bool:
    try:
        fd, name = tempfile.mkstemp(dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(name)
    return True


@contextlib.contextmanager
def read_only(folder: Path):
    """Make ``folder`` (which must exist) read-only for the duration of the ``with`` block."""
    folder = Path(folder)
    as_root = os.geteuid() == 0
    mode = folder.stat().st_mode
    if as_root:
        res = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot make a read-only folder as root here (chattr: {res.stderr.strip()})")
    else:
        os.chmod(folder, 0o555)
    try:
        assert not _writable(folder), f"{folder} is still writable"
        yield folder
    finally:
        if as_root:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        else:
            os.chmod(folder, mode)
