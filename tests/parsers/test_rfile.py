"""R data files read through migstats.parsers.rfile (tiny .rda files written here with pyreadr)."""

from __future__ import annotations

import pandas as pd
import pyreadr
import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers.rfile import read_data_frame


@pytest.fixture
def rda(tmp_path):
    path = tmp_path / "tiny.rda"
    pyreadr.write_rdata(str(path), pd.DataFrame({"geo": ["RUS", "TUR"], "n": [1.5, 0.0]}), df_name="stocks",
                        compress="gzip")
    return path


def test_reads_the_named_data_frame(rda):
    df = read_data_frame(rda, "stocks", ["geo", "n"])
    assert df["geo"].tolist() == ["RUS", "TUR"] and df["n"].tolist() == [1.5, 0.0]
    assert isinstance(df.index, pd.RangeIndex)  # pyreadr's row names are dropped


def test_missing_object_or_column_is_named(rda):
    with pytest.raises(SourceLayoutError, match=r"tiny.rda: expected an R object 'population', found \['stocks'\]"):
        read_data_frame(rda, "population", [])
    with pytest.raises(SourceLayoutError, match=r"lacks the columns \['year'\]"):
        read_data_frame(rda, "stocks", ["geo", "year"])


def test_not_an_r_file(tmp_path):
    bad = tmp_path / "bad.rda"
    bad.write_bytes(b"<!DOCTYPE html><html>not found</html>" * 4)
    with pytest.raises(SourceLayoutError, match="bad.rda: not a readable R data file.*migstats data fetch --force"):
        read_data_frame(bad, "stocks", [])
