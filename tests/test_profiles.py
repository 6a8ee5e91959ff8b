"""Country and group profiles: parameter validation, rendering, numbers, exports, atomic output.

The expensive part (executing the profile notebook) happens once per module: a batch of
diverse areas through :func:`migstats.render.render` (warm kernels, 2 jobs), one group and
one single profile with every format through :func:`migstats.profiles.render_profile`.
Every number the tests compare comes from :mod:`migstats.indicators` (itself tested against
the source files in ``test_indicators.py``): the point here is that the notebook shows those
numbers, not other ones.
"""

from __future__ import annotations

import html as html_lib
import math
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from migstats import cli, indicators, profiles, render
from migstats.exceptions import CountryNotFoundError, DataNotAvailableError

# Diverse areas: large diasporas (PHL, MEX), a conflict origin (AFG), remittance-dependent
# (TJK), major destinations (DEU, QAT), the reference case (BLR), small island states and
# micro-states with no polygon on the 1:110m map (TUV, MCO, TKL) and no World Bank remittance
# data (TKL, MCO: checked in test_sample_covers_missing_data).
SAMPLE = ["BLR", "TJK", "AFG", "TUV", "TKL", "MCO", "PHL", "MEX", "DEU", "QAT"]
GROUP = "Central Asia"


def _papermill_false() -> object:
    """What papermill's ``-y "country: NO"`` injects: YAML 1.1 reads NO as a boolean."""
    import yaml

    return yaml.safe_load("country: NO")["country"]


# -- parameter validation (nothing executes) ------------------------------------------------------
def test_unknown_country_suggests_close_matches(data_dir):
    with pytest.raises(CountryNotFoundError) as err:
        profiles.validate_parameters("Belarussia", data_dir=data_dir)
    assert any("Belarus" in s for s in err.value.suggestions)
    assert "Belarus" in str(err.value)


def test_unknown_country_via_cli_writes_nothing(data_dir, tmp_path, capsys):
    out = tmp_path / "reports"
    code = cli.main(["--data-dir", str(data_dir), "-q", "profile", "Belarussia", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    assert "Belarus (BLR)" in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists() or not any(out.rglob("*")), "an unknown country must write nothing"


def test_year_not_in_data_names_valid_years(data_dir, tmp_path, capsys):
    with pytest.raises(DataNotAvailableError) as err:
        profiles.validate_parameters("BLR", 2023, data_dir=data_dir)
    msg = str(err.value)
    for y in indicators.EDITION_YEARS:
        assert str(y) in msg
    out = tmp_path / "reports"
    assert cli.main(["--data-dir", str(data_dir), "-q", "profile", "BLR", "--year", "2023", "--out", str(out)]) == 2
    assert "2024" in capsys.readouterr().err
    assert not out.exists()


def test_boolean_country_hints_to_quote(data_dir):
    injected = _papermill_false()
    assert injected is False
    with pytest.raises(CountryNotFoundError) as err:
        profiles.validate_parameters(injected, data_dir=data_dir)
    assert "quoted" in str(err.value)


@pytest.mark.parametrize("query", ["NO", "Norway", "NOR", 578])
def test_norway_resolves(data_dir, query):
    assert profiles.validate_parameters(query, data_dir=data_dir).country == "NOR"


@pytest.mark.parametrize("kwargs", [{"top_n": 0}, {"top_n": 51}, {"top_n": True}, {"top_n": "10"},
                                    {"top_n": 2.5}, {"denominator": "households"}, {"denominator": None}])
def test_bad_top_n_or_denominator(data_dir, kwargs):
    with pytest.raises(ValueError):
        profiles.validate_parameters("BLR", data_dir=data_dir, **kwargs)


def test_country_and_group_are_exclusive(data_dir):
    with pytest.raises(ValueError):
        profiles.validate_parameters("BLR", group=GROUP, data_dir=data_dir)
    with pytest.raises(ValueError):
        profiles.validate_parameters(None, data_dir=data_dir)


def test_bad_format_rejected_before_execution(data_dir, tmp_path):
    with pytest.raises(ValueError, match="docx"):
        profiles.render_profile("BLR", out=tmp_path, formats=("html", "docx"), data_dir=data_dir)
    assert not any(tmp_path.iterdir())


# -- rendered profiles (module fixtures: each notebook runs once) ----------------------------------
@pytest.fixture(scope="module")
def batch(data_dir, tmp_path_factory):
    """The sample rendered by the batch renderer (warm kernels, 2 workers) + one group profile."""
    out = tmp_path_factory.mktemp("profiles-batch")
    results = render.render(countries=SAMPLE, jobs=2, out=out, data_dir=data_dir, progress=False)
    timings: dict = {}
    group_dir = profiles.render_profile(group=GROUP, out=out, data_dir=data_dir, timings=timings)
    print(f"\nbatch: {[(r.label, r.status, round(r.seconds, 1)) for r in results]}")
    print(f"group profile timings (s): { {k: round(v, 2) for k, v in timings.items()} }")
    return out, results, group_dir


def _folders(batch) -> dict[str, Path]:
    out, results, group_dir = batch
    d = {c: out / c / "2024" for c in SAMPLE}
    d[GROUP] = group_dir
    return d


def _published(nb_path: Path) -> dict:
    """The FIGURES_MIMETYPE JSON the executed notebook published (exactly one)."""
    nb = nbformat.read(str(nb_path), as_version=4)
    found = [o["data"][profiles.FIGURES_MIMETYPE] for c in nb.cells for o in c.get("outputs", [])
             if profiles.FIGURES_MIMETYPE in o.get("data", {})]
    assert len(found) == 1
    return found[0]


def test_sample_covers_missing_data(data_dir):
    """The sample really contains areas with no remittance data and no 1:110m polygon."""
    from migstats import countries, store

    for iso3 in ("TKL", "MCO"):
        p = indicators.profile(iso3, data_dir=data_dir)
        assert math.isnan(p.figure("remittances_received").value)
        assert indicators.remittance_series(iso3, data_dir=data_dir)["received_usd"].notna().sum() == 0
    codes = set(store.load_boundaries("110m", data_dir=data_dir)["location_code"].dropna().astype(int))
    for iso3 in ("TUV", "MCO", "TKL"):
        assert countries.resolve(iso3, data_dir=data_dir).location_code not in codes


def test_batch_all_ok(batch):
    out, results, group_dir = batch
    assert [r.label for r in results] == SAMPLE
    assert {r.label: r.status for r in results} == {c: "ok" for c in SAMPLE}, [r for r in results if r.error]
    assert group_dir == out / "groups" / "central-asia" / "2024"


@pytest.mark.parametrize("which", SAMPLE + [GROUP])
def test_profile_html(batch, which):
    folder = _folders(batch)[which]
    assert (folder / "profile.html").is_file() and (folder / "profile.ipynb").is_file()
    assert not list(folder.parent.glob(".*.tmp-*")), "staging folder left behind"
    text = (folder / "profile.html").read_text(encoding="utf-8")
    # code hidden (exclude_input): only markdown cells have an input area; no highlighted source
    nb = nbformat.read(str(folder / "profile.ipynb"), as_version=4)
    shown_md = [c for c in nb.cells if c.cell_type == "markdown"
                and profiles.REMOVE_TAG not in c.metadata.get("tags", [])]
    assert text.count('class="jp-InputArea') == len(shown_md)
    # the notebook's own instructions are not part of the page
    assert "run all cells" not in text and "parameters" not in text
    assert 'class="jp-CodeMirrorEditor' not in text and 'class="highlight' not in text
    assert "profiles.show_key_figures" not in text and "import migstats" not in text
    # no errors or warnings: none in the executed notebook, no traceback in the HTML
    bad = [o for c in nb.cells for o in c.get("outputs", [])
           if o["output_type"] == "error" or (o["output_type"] == "stream" and o["name"] == "stderr")]
    assert not bad, bad[:1]
    assert "Traceback" not in text and "Error:" not in text
    # every figure has its one-line alt text (not nbconvert's placeholder)
    imgs = re.findall(r"<img\b[^>]*>", text)
    assert len(imgs) >= (2 if which == GROUP else 5)
    for tag in imgs:
        alt = re.search(r'\balt="([^"]*)"', tag)
        assert alt and alt.group(1).strip(), tag[:120]
        assert "No description has been provided" not in alt.group(1)
    # source editions named
    assert "International Migrant Stock 2024" in text
    # no developer text, internal key or object repr anywhere on the page (visible text and
    # attributes: the stylesheet and image data left out)
    from migstats.publication import FORBIDDEN

    visible = re.sub(r"<style.*?</style>|data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text, flags=re.S)
    for word in FORBIDDEN:
        assert word not in visible, word
    # light: no JupyterLab stylesheet, no scripts
    assert "--jp-" not in text and "<script" not in text
    # the publication blocks are there
    for block in ('class="ms-title"', 'class="ms-glance"', 'class="ms-table ms-key-figures"', 'class="ms-notes"'):
        assert block in text, block


@pytest.mark.parametrize("iso3", SAMPLE)
def test_numbers_are_the_indicator_numbers(batch, data_dir, iso3):
    folder = _folders(batch)[iso3]
    shown = _published(folder / "profile.ipynb")
    p = indicators.profile(iso3, 2024, top_n=10, denominator="population", data_dir=data_dir)
    expected = p.to_dict()
    assert shown["country"]["iso3"] == iso3
    exp = {f["name"]: f["value"] for f in expected["figures"]}
    got = {f["name"]: f["value"] for f in shown["figures"]}
    assert got.keys() == exp.keys()
    for name, v in exp.items():
        g = got[name]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            assert g is None or (isinstance(g, float) and math.isnan(g)), name
        else:
            assert g == pytest.approx(v, rel=1e-9, abs=0), name
    # the key-figures panel shows these numbers, formatted
    text = html_lib.unescape((folder / "profile.html").read_text(encoding="utf-8"))
    table = profiles.key_figures_table(p)
    assert len(table) >= 8
    for row in table.itertuples():
        assert row.Value in text, (row.name, row.Value)


def test_group_numbers(batch, data_dir):
    import migstats

    shown = _published(_folders(batch)[GROUP] / "profile.ipynb")
    p = migstats.group_profile(GROUP, 2024, data_dir=data_dir)
    assert shown["country"]["members"] == ["KAZ", "KGZ", "TJK", "TKM", "UZB"]
    exp = {f["name"]: f["value"] for f in p.to_dict()["figures"]}
    got = {f["name"]: f["value"] for f in shown["figures"]}
    assert got.keys() == exp.keys()
    assert {k for k, v in got.items() if v is None} == {k for k, v in exp.items() if v is None}
    assert {k: v for k, v in got.items() if v is not None} == pytest.approx(
        {k: v for k, v in exp.items() if v is not None}, rel=1e-9)


def test_index_lists_the_batch(batch):
    out, results, _ = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    for c in SAMPLE:
        assert f'href="{c}/2024/profile.html"' in page
    assert not (out / "BLR" / "2024" / "thumb.png").exists()  # cards of figures, no shrunken maps
    # one stylesheet for the batch, linked by every page (not 262 KB of CSS in each)
    css = (out / "profile.css").read_text(encoding="utf-8")
    for c in SAMPLE:
        html = (out / c / "2024" / "profile.html").read_text(encoding="utf-8")
        assert re.search(r'<link [^>]*href="../../profile.css"', html) and "<style" not in html
        assert len(html.encode()) < 400_000, c
    assert len(css.encode()) < 10_000


# -- one profile with every format; atomic replacement -------------------------------------------
@pytest.fixture(scope="module")
def full_profile(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("profiles-single")
    timings: dict = {}
    folder = profiles.render_profile("Tajikistan", out=out, formats=("html", "ipynb", "png", "csv", "pdf"),
                                     data_dir=data_dir, timings=timings)
    print(f"\nsingle profile timings (s): { {k: round(v, 2) for k, v in timings.items()} }")
    assert set(timings) >= {"validate", "execute", "html", "total"}
    return folder


def test_all_formats(full_profile, data_dir):
    folder = full_profile
    assert folder.name == "2024" and folder.parent.name == "TJK"
    for f in ("profile.html", "profile.ipynb"):
        assert (folder / f).is_file()
    pngs = {p.stem for p in (folder / "figures").glob("*.png")}
    assert pngs == {"trend", "remittances", "diaspora_map", "origins_map", "corridor_map"}
    for png in (folder / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csvs = {p.stem for p in (folder / "tables").glob("*.csv")}
    assert {"key_figures", "top_destinations", "top_origins", "trend", "remittances"} <= csvs
    key = pd.read_csv(folder / "tables" / "key_figures.csv")
    p = indicators.profile("TJK", data_dir=data_dir)
    expected = p.figures_table()
    assert list(key["name"]) == list(expected["name"])
    for name, v in zip(key["name"], key["value"]):
        e = p.figure(name).value
        assert (math.isnan(v) and math.isnan(e)) or v == pytest.approx(e, rel=1e-9), name
    assert not list(folder.rglob("*.tmp")) and not list(folder.glob(".*"))
    # a single profile is self-contained (its stylesheet inline) and light
    html = (folder / "profile.html").read_text(encoding="utf-8")
    assert "<style" in html and "stylesheet" not in html and len(html.encode()) < 400_000
    # every CSV names the basis of its figures
    top = pd.read_csv(folder / "tables" / "top_destinations.csv")
    assert set(top["basis"]) == {"UN DESA International Migrant Stock 2024"}
    assert key["basis"].notna().all()


def test_pdf_prints_the_page_on_a4(full_profile):
    pdf = (full_profile / "profile.pdf").read_bytes()
    assert pdf[:5] == b"%PDF-"
    # A4 = 595 x 842 points (Chromium writes 594.96 x 841.92)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595) < 1.5 and abs(float(h) - 842) < 1.5 for w, h in boxes)
    assert len(boxes) >= 4  # title, figures and tables on several pages


def test_pdf_without_a_browser_says_how_to_get_one(data_dir, tmp_path, monkeypatch):
    from migstats.exceptions import OutputError

    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on this PATH
    monkeypatch.delenv(profiles.CHROMIUM_ENV, raising=False)
    page = tmp_path / "p.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(OutputError, match="apt install chromium"):
        profiles.export_pdf(page, tmp_path / "p.pdf")
    assert not list(tmp_path.glob("*.pdf*"))


def _broken_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('country = "BLR"\ngroup = None\nyear = 2024\ntop_n = 10\n'
                                       'denominator = "population"\ndata_dir = None\nfigures_dir = None\n'
                                       'tables_dir = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell('raise RuntimeError("broken profile notebook")')]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def test_failed_render_keeps_the_previous_profile(full_profile, data_dir, tmp_path):
    import papermill

    folder = full_profile
    before = {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
              for p in folder.rglob("*") if p.is_file()}
    broken = _broken_notebook(tmp_path / "broken.ipynb")
    with pytest.raises(papermill.PapermillExecutionError, match="broken profile notebook"):
        profiles.render_profile("TJK", out=folder.parents[1], formats=("html", "ipynb", "png", "csv"),
                                data_dir=data_dir, notebook=broken)
    after = {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
             for p in folder.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert all(after[k] == before[k] for k in before)
    assert not [p.name for p in folder.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


# -- the command line: first run on a fresh machine, warm kernel -----------------------------------
def test_cli_first_run_fetches_builds_and_renders(data_dir, tmp_path):
    """`migstats profile` on a data root with no sources: fetched from the mirror named by
    MIGSTATS_MIRROR, store built, profile rendered on a forked kernel; the numbers shown are the
    indicator module's."""
    import json
    import os
    import subprocess
    import sys

    root, out = tmp_path / "fresh", tmp_path / "reports"
    env = dict(os.environ, MIGSTATS_MIRROR=str(data_dir / "raw"), MIGSTATS_DATA_DIR=str(root), MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, "-m", "migstats.cli", "-q", "profile", "Belarus", "--out", str(out),
                          "--timings"], env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "No data store yet" in res.stderr
    assert "kernel_server_ready" in res.stderr  # the default: a forked, pre-loaded kernel
    assert json.loads((root / "processed" / "provenance.json").read_text())["tables"]
    folder = out / "BLR" / "2024"
    assert (folder / "profile.html").is_file()
    shown = {f["name"]: f["value"] for f in _published(folder / "profile.ipynb")["figures"]}
    p = indicators.profile("BLR", 2024, data_dir=data_dir)
    exp = {f["name"]: f["value"] for f in p.to_dict()["figures"]}
    assert shown.keys() == exp.keys()
    assert {k: v for k, v in shown.items() if v is not None} == pytest.approx(
        {k: v for k, v in exp.items() if v is not None and not math.isnan(v)}, rel=1e-9)


# -- figures drawn in parallel ---------------------------------------------------------------------
def _png_formatter(fig):
    import io
    import os

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return {"image/png": buf.getvalue()}, {"pid": os.getpid()}


@pytest.fixture(scope="module")
def three_figures(data_dir):
    from migstats import charts

    figs = [charts.top_corridors_chart("BLR", 2024, "emigrants", 10, data_dir=data_dir),
            charts.top_corridors_chart("TJK", 2024, "immigrants", 10, data_dir=data_dir),
            charts.remittance_chart("TJK", data_dir=data_dir)]
    yield figs
    profiles.close_figures(dict(enumerate(figs)))


def test_format_figures_in_parallel_gives_the_same_png(three_figures):
    import os

    if not profiles._can_fork_figures():
        pytest.skip("parallel figures need Linux and more than one core")
    parallel = profiles.format_figures(three_figures, _png_formatter)
    serial = [_png_formatter(f) for f in three_figures]
    assert [d["image/png"] for d, _ in parallel] == [d["image/png"] for d, _ in serial]
    pids = [md["pid"] for _, md in parallel]
    assert pids[1] == os.getpid() and pids[0] == pids[2] != os.getpid()  # every other one in the child


def test_format_figures_child_failure_leaves_its_share_to_the_caller(three_figures):
    import os

    if not profiles._can_fork_figures():
        pytest.skip("parallel figures need Linux and more than one core")
    parent = os.getpid()

    def fails_in_child(fig):
        if os.getpid() != parent:
            raise RuntimeError("child failure")
        return _png_formatter(fig)

    before = _children()
    out = profiles.format_figures(three_figures, fails_in_child)
    assert out[0] is None and out[2] is None and out[1][0]["image/png"][:4] == b"\x89PNG"
    assert _children() <= before  # the child was reaped (no zombie left)


def _children() -> set[int]:
    """PIDs of this process's children, zombies included (Linux /proc)."""
    import os

    me, kids = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            kids.add(int(stat.parent.name))
    return kids


def test_format_figures_switched_off_by_environment(three_figures, monkeypatch):
    monkeypatch.setenv(profiles.PARALLEL_FIGURES_ENV, "0")
    assert profiles.format_figures(three_figures, _png_formatter) == [None, None, None]


def test_format_figures_outside_ipython_does_nothing(three_figures):
    assert profiles.format_figures(three_figures) == [None, None, None]


def test_jupyter_imports_skip_the_iri_checker_only():
    """nbformat imported after migstats: no rfc3987_syntax (2 s), and notebook validation still
    rejects an invalid notebook."""
    import subprocess
    import sys

    code = ("import sys\nimport migstats\n"
            "import nbformat, papermill, nbconvert\n"
            "assert sys.modules.get('rfc3987_syntax') is None\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])\n"
            "nbformat.validate(nb)\n"
            "nb.cells[0]['cell_type'] = 'no such type'\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n    print('rejected')\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "rejected"


def test_cli_falls_back_to_a_plain_kernel_when_the_server_fails(data_dir, tmp_path, monkeypatch, capsys):
    from migstats.warm_kernels import ForkServer

    def broken(self):
        raise RuntimeError("The kernel fork server did not start (said '').")

    monkeypatch.setattr(ForkServer, "executor", broken)
    out = tmp_path / "reports"
    assert cli.main(["--data-dir", str(data_dir), "-q", "profile", "MDA", "--out", str(out)]) == 0
    assert "Using a plain kernel" in capsys.readouterr().err
    assert (out / "MDA" / "2024" / "profile.html").is_file()
