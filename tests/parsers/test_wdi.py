"""WDI bulk CSV parser: values checked against the staged files (line numbers are 1-based file lines)."""

from __future__ import annotations

import pytest

from migstats.exceptions import SourceLayoutError
from migstats.parsers import wdi

BX = "worldbank_wdi/API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv"
BX_META = "worldbank_wdi/Metadata_Country_API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv"
GDP = "worldbank_wdi/API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv"
GDP_META = "worldbank_wdi/Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_9865.csv"


@pytest.fixture(scope="module")
def remittances(mirror_dir):
    return wdi.read_indicator(mirror_dir / BX)


@pytest.fixture(scope="module")
def gdp(mirror_dir):
    return wdi.read_indicator(mirror_dir / GDP)


def _value(df, code, year):
    hit = df[(df.wb_code == code) & (df.year == year)]
    assert len(hit) == 1
    return hit.value.iloc[0]


def test_columns_and_dtypes(remittances):
    assert list(remittances.columns) == ["indicator", "wb_code", "year", "value", "unit", "vintage"]
    assert remittances.dtypes.to_dict() == {"indicator": "str", "wb_code": "str", "year": "int16",
                                            "value": "float64", "unit": "str", "vintage": "str"}
    assert remittances.value.notna().all()
    assert set(remittances.indicator) == {"BX.TRF.PWKR.CD.DT"}
    # Line 3: "Last Updated Date","2025-07-01"; Indicator Name "... (current US$)"
    assert set(remittances.vintage) == {"2025-07-01"}
    assert set(remittances.unit) == {"current US$"}
    assert not remittances.duplicated(["wb_code", "year"]).any()


def test_india_and_world_remittances(remittances):
    # Line 115 ("India","IND",...), column "2023": "119526055008.102"; "2024": "137674533895.686"
    assert _value(remittances, "IND", 2023) == 119526055008.102
    assert _value(remittances, "IND", 2024) == 137674533895.686
    # Line 265 ("World","WLD",...), column "2023": "822679556005.535" (MANIFEST: $822.7 bn)
    assert _value(remittances, "WLD", 2023) == 822679556005.535


def test_gdp_vintage_and_coverage(gdp):
    # GDP file line 3: "Last Updated Date","2024-10-24"; last year column is "2023"
    assert set(gdp.vintage) == {"2024-10-24"}
    assert gdp.year.max() == 2023 and gdp.year.min() == 1960
    assert set(gdp.unit) == {"current US$"}
    # Line 115 (India), column "2023": "3549918918777.53"
    assert _value(gdp, "IND", 2023) == 3549918918777.53


def test_country_metadata(mirror_dir):
    m = wdi.read_country_metadata(mirror_dir / BX_META)
    assert list(m.columns) == ["wb_code", "wb_name", "table_name", "region", "income_group", "is_aggregate"]
    assert m.dtypes.to_dict() == {"wb_code": "str", "wb_name": "str", "table_name": "str", "region": "str",
                                  "income_group": "str", "is_aggregate": "bool"}
    assert len(m) == 265
    # MANIFEST: 48 aggregates (empty Region) and 217 economies in the 2025-07-01 metadata
    assert m.is_aggregate.sum() == 48 and (~m.is_aggregate).sum() == 217
    assert {"WLD", "LMY", "LIC", "MIC", "HIC"} <= set(m.loc[m.is_aggregate, "wb_code"])
    # IncomeGroup counts (2025-07): High 86, Upper-middle 54, Lower-middle 50, Low 25, blank 50
    assert m.income_group.isna().sum() == 50
    assert m.income_group.value_counts().to_dict() == {
        "High income": 86, "Upper middle income": 54, "Lower middle income": 50, "Low income": 25}
    # Economies without an income group: "ETH" and "VEN" rows have IncomeGroup ""
    assert sorted(m.loc[~m.is_aggregate & m.income_group.isna(), "wb_code"]) == ["ETH", "VEN"]
    row = m.set_index("wb_code").loc["IND"]
    assert (row.region, row.income_group, row.table_name) == ("South Asia", "Lower middle income", "India")
    # Without the data file, wb_name is TableName ("Côte d'Ivoire" with the accent)
    assert m.set_index("wb_code").loc["CIV", "wb_name"] == "Côte d'Ivoire"


def test_country_metadata_names_from_data_file(mirror_dir):
    m = wdi.read_country_metadata(mirror_dir / BX_META, mirror_dir / BX).set_index("wb_code")
    # Data file spells "Cote d'Ivoire" and "Turkiye"; TableName "Côte d'Ivoire" and "Türkiye"
    assert m.loc["CIV", "wb_name"] == "Cote d'Ivoire" and m.loc["CIV", "table_name"] == "Côte d'Ivoire"
    assert m.loc["TUR", "wb_name"] == "Turkiye" and m.loc["TUR", "table_name"] == "Türkiye"
    assert "INX" not in m.index  # only in the data file


def test_gdp_metadata_vintage_differs(mirror_dir):
    # 2024-10-24 metadata: High 85, Upper-middle 54, Lower-middle 51, Low 26; 48 aggregates
    m = wdi.read_country_metadata(mirror_dir / GDP_META)
    assert m.is_aggregate.sum() == 48
    assert m.income_group.value_counts().to_dict() == {
        "High income": 85, "Upper middle income": 54, "Lower middle income": 51, "Low income": 26}


def test_unit_from_name():
    assert wdi.unit_from_indicator_name("Personal remittances, received (% of GDP)") == "% of GDP"
    assert wdi.unit_from_indicator_name("Population, total") == "persons"
    assert wdi.unit_from_indicator_name("International migrant stock, total") == "persons"


def test_bad_preamble(tmp_path):
    bad = tmp_path / "API_X_DS2_en_csv_v2_1.csv"
    bad.write_text('"Country Name","Country Code","Indicator Name","Indicator Code","2020",\n', encoding="utf-8")
    with pytest.raises(SourceLayoutError, match="Last Updated Date"):
        wdi.read_indicator(bad)


def test_synthetic_file(tmp_path):
    f = tmp_path / "API_SP.POP.TOTL_DS2_en_csv_v2_1.csv"
    f.write_text(
        '\ufeff"Data Source","World Development Indicators",\n\n"Last Updated Date","2025-01-28",\n\n'
        '"Country Name","Country Code","Indicator Name","Indicator Code","2020","2021",\n'
        '"Namibia","NAM","Population, total","SP.POP.TOTL","2489098","",\n', encoding="utf-8")
    d = wdi.read_indicator(f)
    assert d.values.tolist() == [["SP.POP.TOTL", "NAM", 2020, 2489098.0, "persons", "2025-01-28"]]
