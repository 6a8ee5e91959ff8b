"""The bilateral (origin x destination) datasets in the store, by the names their publishers use.

Functions such as :func:`migstats.indicators.corridors` take a ``source=`` argument: the registry
key of a bilateral dataset (``"knomad_migration_2021"``). Those keys are internal names (one per
*file*: an official workbook and a reshaped copy of it have different keys). This module lets a
user name the dataset as it is cited — "UN DESA International Migrant Stock 2019", "World
Bank/KNOMAD Bilateral Migration Matrix 2021", or a unique part of it such as ``"KNOMAD 2021"`` —
and get the key of the file that the store holds:

>>> from migstats.datasets import bilateral_datasets, bilateral_dataset
>>> bilateral_datasets()                                        # doctest: +SKIP
>>> indicators.corridors("Tajikistan", 2019, source=bilateral_dataset("UN DESA 2019"))  # doctest: +SKIP
"""

from __future__ import annotations

import re

import pandas as pd

from .exceptions import DataNotAvailableError

__all__ = ["bilateral_datasets", "bilateral_dataset"]


def bilateral_datasets(*, data_dir=None) -> pd.DataFrame:
    """The bilateral datasets in the data store, one row per publication and edition.

    Returns
    -------
    DataFrame
        ``name`` (the publication and edition, as :func:`migstats.indicators.basis_of` names
        it, e.g. "UN DESA International Migrant Stock 2019"), ``years`` (tuple of the
        reference years the store holds), ``key`` (the registry key to pass as ``source=``;
        where the store holds both the official file and a reshaped copy of the same edition,
        the official one), ``official`` (``False`` when that file is a third party's reshaping
        of the publisher's data), ``citation``. Sorted by name.
    """
    from .indicators import bilateral_sources
    from .registry import SOURCES

    src = bilateral_sources(data_dir=data_dir)
    rows = []
    for name, part in src.groupby("basis", sort=True):
        keys = list(dict.fromkeys(part["dataset"]))
        official = [k for k in keys if k in SOURCES and SOURCES[k].official_bytes]
        key = (official or keys)[0]
        years = tuple(sorted(int(y) for y in part.loc[part["dataset"] == key, "year"]))
        rows.append({"name": name, "years": years, "key": key,
                     "official": bool(key in SOURCES and SOURCES[key].official_bytes),
                     "citation": part.loc[part["dataset"] == key, "source"].iloc[0]})
    return pd.DataFrame(rows, columns=["name", "years", "key", "official", "citation"])


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def bilateral_dataset(name: str, *, data_dir=None) -> str:
    """The registry key of the bilateral dataset called ``name`` (for ``source=`` arguments).

    Parameters
    ----------
    name : str
        The dataset's name as :func:`bilateral_datasets` lists it, or any words that pick out
        exactly one of them, in any case and order: ``"UN DESA 2019"``, ``"knomad 2021"``.

    Raises
    ------
    DataNotAvailableError
        When no dataset or more than one matches; the message lists the names available.
    """
    table = bilateral_datasets(data_dir=data_dir)
    names = table["name"].tolist()
    listed = "; ".join(f"{n} (years {', '.join(map(str, y))})" for n, y in zip(names, table["years"]))
    wanted = _words(name or "")
    exact = [i for i, n in enumerate(names) if _words(n) == wanted]
    hits = exact or [i for i, n in enumerate(names) if wanted and set(wanted) <= set(_words(n))]
    if len(hits) == 1:
        return str(table["key"].iloc[hits[0]])
    if not hits:
        raise DataNotAvailableError(
            f"No bilateral dataset in the data store is called {name!r}. Available: {listed}. "
            "Use a name from `migstats.datasets.bilateral_datasets()` or words that pick out one of them.")
    raise DataNotAvailableError(
        f"{name!r} matches several bilateral datasets: {'; '.join(names[i] for i in hits)}. "
        "Add a word that tells them apart (e.g. the year).")
