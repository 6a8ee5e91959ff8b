"""The small sources (20-210 kB) the fetch tests serve from 127.0.0.1: two required, two optional."""

from __future__ import annotations

import shutil
from pathlib import Path

from migstats import registry

KEYS = ["undesa_annex", "unsd_m49", "wdi_remittances_received", "wdi_remittances_received_meta"]
SOURCES = {k: registry.SOURCES[k] for k in KEYS}


def copy_sources(mirror_dir: Path, root: Path) -> Path:
    """A copy of the small sources under ``root``, laid out like ``raw/``."""
    for src in SOURCES.values():
        (root / src.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / src.path, root / src.path)
    return root
