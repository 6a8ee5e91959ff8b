"""Bilateral datasets by their publishers' names (so that lessons and users need no registry keys)."""

from __future__ import annotations

import pytest

from migstats import indicators
from migstats.datasets import bilateral_dataset, bilateral_datasets
from migstats.exceptions import DataNotAvailableError


def test_one_row_per_publication_with_its_years(data_dir):
    t = bilateral_datasets()
    assert t["name"].is_unique
    assert set(t["name"]) == set(indicators.bilateral_sources()["basis"])
    for row in t.itertuples():
        held = indicators.bilateral_sources().query("dataset == @row.key")["year"].tolist()
        assert list(row.years) == sorted(held)
    # the UN DESA 2019 origin x destination table covers 1990-2019 (IMS 2019, Table 1 years)
    un2019 = t.set_index("name").loc["UN DESA International Migrant Stock 2019"]
    assert un2019["years"] == (1990, 1995, 2000, 2005, 2010, 2015, 2019)


@pytest.mark.parametrize("query", ["UN DESA International Migrant Stock 2019", "un desa 2019", "2019 UN DESA"])
def test_name_or_unique_words_give_the_key(data_dir, query):
    key = bilateral_dataset(query)
    assert indicators.basis_of(key) == "UN DESA International Migrant Stock 2019"
    # the key works where a source= argument is expected
    cor = indicators.corridors("Tajikistan", 2019, source=key, top_n=3)
    assert cor.attrs["basis"] == "UN DESA International Migrant Stock 2019" and cor.attrs["year"] == 2019


def test_ambiguous_or_unknown_names_list_the_choices(data_dir):
    with pytest.raises(DataNotAvailableError, match="matches several") as e:
        bilateral_dataset("KNOMAD")
    assert "2017" in str(e.value) and "2021" in str(e.value)
    with pytest.raises(DataNotAvailableError, match="No bilateral dataset .* 'Eurostat'") as e:
        bilateral_dataset("Eurostat")
    assert "UN DESA International Migrant Stock 2019 (years 1990" in str(e.value)
    assert bilateral_dataset("knomad 2021") == "knomad_migration_2021"
