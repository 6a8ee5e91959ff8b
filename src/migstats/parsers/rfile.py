"""R data files (``.rda``/``.RData``) as pandas DataFrames, read with :mod:`pyreadr`.

Several sources are distributed as data of R packages (UNHCR's ``refugees``, IOM GDI's
``gdidata``). :mod:`pyreadr` (a wheel around the C library librdata) reads them without R:
measured on the mirror's four ``.rda`` files it takes 1.3 s in all, against 28 s for the
pure-Python ``rdata`` package (``benchmarks``-style best-of-one, same machine, same run).

This module only reads one named data frame and checks its columns; the source modules
(:mod:`.gdidata`, :mod:`.unhcr`) turn it into tidy tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import pandas as pd

from ..exceptions import SourceLayoutError

__all__ = ["read_data_frame"]

_REFETCH = "Re-fetch the file with `migstats data fetch --force`, or report the changed layout."


def read_data_frame(path: str | PathLike, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """Read the data frame ``name`` from an R data file and check its columns.

    Parameters
    ----------
    path : str or path-like
        An ``.rda`` file (any compression R writes: bzip2, gzip, xz).
    name : str
        Name of the R object holding the data frame (e.g. ``"population"``).
    columns : sequence of str
        Columns that must be present (others are kept).

    Returns
    -------
    pandas.DataFrame
        As pyreadr returns it: R character vectors become ``str`` columns (R ``NA`` is
        missing), integers ``int32``, doubles ``float64`` (R ``NA`` is NaN).

    Raises
    ------
    migstats.exceptions.SourceLayoutError
        If the file is not a readable R data file, lacks the object ``name`` or a column;
        the message names the file and what was found.
    """
    import warnings

    import pyreadr

    file = Path(path).name
    try:
        with warnings.catch_warnings():  # a missing object is reported below, not warned about
            warnings.simplefilter("ignore", UserWarning)
            objects = pyreadr.read_r(str(path), use_objects=[name])
    except (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError) as exc:
        raise SourceLayoutError(f"{file}: not a readable R data file ({exc}). {_REFETCH}") from exc
    if name not in objects:
        found = list(pyreadr.list_objects(str(path)))
        raise SourceLayoutError(f"{file}: expected an R object {name!r}, found "
                                f"{[o.get('object_name') for o in found]}. {_REFETCH}")
    frame = objects[name].reset_index(drop=True)  # files written by pyreadr carry row names
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceLayoutError(f"{file}: the data frame {name!r} lacks the columns {missing}; it has "
                                f"{list(frame.columns)}. {_REFETCH}")
    return frame
