"""The ``migstats indicators`` and ``migstats groups`` commands."""

from __future__ import annotations

import json

from migstats import cli


def test_indicators_json_has_every_figure_with_unit_and_source(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "-q", "indicators", "Belarus", "--year", "2020",
                     "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    figs = {f["name"]: f for f in out["figures"]}
    # undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, Table 1, Belarus, 2020 (both sexes): 1,067,090
    assert figs["immigrant_stock"]["value"] == 1067090
    assert figs["immigrant_stock"]["unit"] == "persons"
    assert "International Migrant Stock 2024" in figs["immigrant_stock"]["source"]
    # undesa_pd_2024_ims_stock_by_sex_and_origin.xlsx, Table 1, Belarus, 2020: 919,469
    assert figs["emigrant_stock"]["value"] == 919469
    assert all({"value", "unit", "source", "year"} <= set(f) for f in out["figures"])
    assert out["denominator"] == "population"


def test_indicators_table_and_csv_name_the_denominator(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "-q", "indicators", "TJK", "--denominator",
                     "residents_plus_emigrants"]) == 0
    text = capsys.readouterr().out
    assert "Emigrants as % of residents plus emigrants" in text
    assert cli.main(["--data-dir", str(data_dir), "-q", "indicators", "TJK", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("name,label,value,unit,year,source,note")


def test_indicators_unknown_country_exits_2_with_suggestions(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "-q", "indicators", "Tadjikistan"]) == 2
    assert "Tajikistan (TJK)" in capsys.readouterr().err


def test_groups_lists_partner_groups_and_regions(data_dir, capsys):
    assert cli.main(["--data-dir", str(data_dir), "groups"]) == 0
    text = capsys.readouterr().out
    assert "Eastern Partnership" in text and "Central Asia" in text and "World Bank region" in text


def test_cli_starts_without_heavy_imports():
    """`migstats profile` starts its kernel server before importing pandas: the package and
    the CLI module import only the exceptions; the public API still resolves on first use."""
    import subprocess
    import sys

    code = ("import sys\nimport migstats.cli\nassert 'pandas' not in sys.modules, 'pandas imported'\n"
            "from migstats import Country, resolve, MigstatsError\n"
            "print(isinstance(resolve('Belarus'), Country), 'pandas' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["True", "True"]
