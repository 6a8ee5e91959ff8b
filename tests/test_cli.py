"""The ``migstats`` command: indicators, groups, options, help, exit codes, quiet ends.

The README's commands against failures (paths, read-only output, damaged store, interrupts)
are in ``test_cli_matrix.py``.
"""

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


# -- issue 17: options, help, tables, exit codes -------------------------------------------------------
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("argv", [
    ["-q", "--data-dir", "{d}", "indicators", "BLR", "--format", "json"],
    ["indicators", "BLR", "--format", "json", "-q", "--data-dir", "{d}"],
    ["-q", "indicators", "--data-dir", "{d}", "BLR", "--format", "json"],
    ["data", "status", "--data-dir", "{d}", "-q"],
    ["groups", "--data-dir", "{d}"],
])
def test_global_options_before_or_after_the_command(data_dir, tmp_path, monkeypatch, capsys, argv):
    monkeypatch.setenv("MIGSTATS_DATA_DIR", str(tmp_path / "nothing-here"))  # the option must win
    assert cli.main([a.format(d=data_dir) for a in argv]) == 0, capsys.readouterr().err
    assert capsys.readouterr().out


def _help(argv) -> str:
    res = subprocess.run([sys.executable, "-m", "migstats.cli", *argv, "--help"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.mark.parametrize("argv", [[], ["data"], ["data", "fetch"], ["data", "bundle"], ["indicators"],
                                  ["profile"], ["render"]])
def test_help_has_no_raw_restructuredtext(argv):
    text = _help(argv)
    assert "``" not in text and "::" not in text and ":func:" not in text, text
    assert "--data-dir" in text and "-q" in text  # global options are listed everywhere


def test_exit_codes_are_documented_in_help():
    text = _help([])
    for code in cli.EXIT_CODES:
        assert re.search(rf"^\s+{code}\s", text, re.M), code


def test_readme_first_command_block_shows_the_offline_route():
    readme = README.read_text(encoding="utf-8")
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "migstats profile Belarus" in first_block
    assert re.search(r"^MIGSTATS_MIRROR=\S+ migstats profile Belarus", first_block, re.M)


def test_indicators_table_fits_100_columns(data_dir, mirror_dir, capsys):
    assert cli.main(["-q", "indicators", "Tajikistan", "--year", "2020", "--data-dir", str(data_dir)]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "<NA>" not in text and "yes=1/no=0" not in text and "1.00" not in text
    # undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, Table 1, Tajikistan: type of data "B R"
    # (refugees included in the stock)
    assert re.search(r"^Refugees included in the migrant stock \(type of data R\)\s+yes\s+2020\s", text, re.M)
    # the same file, Table 1, Tajikistan, 2020 (both sexes): 276,031 persons
    assert re.search(r"^International migrant stock\s+276,031\s+2020\s+1$", text, re.M)
    # remittances paid come from the IOM GDI extract (wdi.rda, remout, TJK 2020); net = the extract's
    # own remin - remout of 2020 (one vintage), not the July 2025 received minus the extract's paid
    import pyreadr

    from migstats.narrative import format_money

    x = pyreadr.read_r(mirror_dir / "worldbank_wdi" / "iom-gdidata" / "wdi.rda")["wdi"]
    x = x[(x["geo"] == "TJK") & (x["t"] == 2020)].set_index("var")["v"]
    assert re.search(rf"^Personal remittances paid\s+{re.escape(format_money(x['remout']))} \(current\)\s+2020\s",
                     text, re.M)
    net = format_money(x["remin"] - x["remout"])
    assert re.search(rf"^Net remittances \(received - paid\)\s+{re.escape(net)} \(current\)\s+2020\s", text, re.M)
    assert "sources:" in text and "[1] UN DESA, International Migrant Stock 2024 (by destination), Table 1" in text


@pytest.mark.parametrize("command", [["indicators", "BLR"], ["profile", "BLR"], ["render", "--countries", "BLR"]])
@pytest.mark.parametrize("top_n", ["0", "51", "ten"])
def test_top_n_is_checked_the_same_by_every_command(data_dir, tmp_path, capsys, command, top_n):
    with pytest.raises(SystemExit) as info:
        cli.main([*command, "--top-n", top_n, "--out" if command[0] != "indicators" else "--year",
                  str(tmp_path / "reports") if command[0] != "indicators" else "2024", "--data-dir", str(data_dir)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "argument --top-n:" in err and ("between 1 and 50" in err or "whole number" in err)
    assert not (tmp_path / "reports").exists()


def test_render_summary_line_says_1_profile(data_dir, tmp_path, monkeypatch, capsys):
    from migstats import render
    from migstats.render import RenderResult

    monkeypatch.setattr(render, "render", lambda countries, **kw: [RenderResult("BLR", "ok", 1.0)])
    assert cli.main(["-q", "render", "--countries", "BLR", "--out", str(tmp_path), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 profile in ") and "1 profiles" not in out


@pytest.mark.parametrize("fmt", ["", ",", "pdf", "html,pdf"])
def test_profile_format_is_checked_before_anything_runs(data_dir, tmp_path, capsys, fmt):
    out = tmp_path / "reports"
    assert cli.main(["-q", "profile", "BLR", "--format", fmt, "--out", str(out), "--data-dir", str(data_dir)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("migstats: error:") and "html" in err[0]
    assert not out.exists()


def test_closed_output_pipe_ends_quietly():
    """`migstats countries | head`: the reader stops early; no traceback, exit 141 (128 + SIGPIPE)."""
    proc = subprocess.Popen([sys.executable, "-m", "migstats.cli", "countries"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader has gone before the first line
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141, err
    assert err == b""


def test_data_bundle_refuses_a_folder_and_an_existing_zip(data_dir, tmp_path, capsys):
    folder = tmp_path / "usb"
    folder.mkdir()
    assert cli.main(["data", "bundle", str(folder), "--data-dir", str(data_dir)]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is a folder" in err[0]
    zip_path = folder / "sources.zip"
    assert cli.main(["data", "bundle", str(zip_path), "--data-dir", str(data_dir)]) == 0
    before = zip_path.read_bytes()
    capsys.readouterr()
    assert cli.main(["data", "bundle", str(zip_path), "--data-dir", str(data_dir)]) == 4
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--force" in err[0] and zip_path.read_bytes() == before
    assert cli.main(["data", "bundle", str(zip_path), "--force", "--data-dir", str(data_dir)]) == 0
    assert oct(zip_path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old
