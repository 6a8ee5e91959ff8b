"""The documentation site (docs/) builds with warnings as errors, from the code and the data store.

The build executes the lessons (their solved copies) and the guides against the session's store
(``MIGSTATS_DATA_DIR``, exported by conftest.py), generates the data-sources table from the
registry and the API pages from the docstrings. A second, tiny project checks the build rules
themselves: a reference to a function that does not exist fails, and so does a notebook error.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from html import unescape
from pathlib import Path

import pytest

from migstats.registry import SOURCES

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
LESSONS = sorted(p.stem for p in (REPO / "notebooks" / "workshop").glob("[0-9][0-9]_*.ipynb"))


def _sphinx(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    # the command of the README, into a temporary folder (fresh doctrees: a full build)
    return subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
                           "-d", str(out / "doctrees"), *extra, str(src), str(out / "html")],
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def site(data_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    r = _sphinx(DOCS, out)
    assert r.returncode == 0, f"sphinx-build failed:\n{r.stderr[-6000:]}"
    return out / "html"


def _text(page: Path) -> str:
    """The page's text, tags removed (code blocks are split into highlighted spans), spaces collapsed."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</(p|li|td|th|h\d|div|pre|dt|dd)>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def test_every_page_is_built(site):
    for page in ("index", "getting-started", "data-sources", "indicators", "api/index", "api/indicators",
                 "api/explore", "guide/profile", "guide/batch", "guide/workshop", "guide/gravity",
                 "guide/explorer", "lessons/index", "lessons/instructor-notes", *(f"lessons/{n}" for n in LESSONS)):
        assert (site / f"{page}.html").is_file(), page
    assert (site / "_images").is_dir() and any((site / "_images").glob("explorer*.png"))


def test_getting_started_has_the_readme_commands(site):
    text = _text(site / "getting-started.html")
    for command in ('pip install -e ".[dev]" && migstats profile Belarus', "pytest",
                    "MIGSTATS_MIRROR=../shared/data/raw migstats profile Belarus",
                    "migstats data fetch --from sources.zip",
                    "python -m sphinx -W --keep-going -b html docs docs/_build/html"):
        assert command in text, command


def test_data_sources_page_is_the_registry(site):
    text = _text(site / "data-sources.html")
    html = unescape((site / "data-sources.html").read_text(encoding="utf-8"))
    for s in SOURCES.values():
        assert f'href="{s.url}"' in html, s.key
        assert s.edition in text and s.licence in text and s.path in text and s.publisher in text, s.key
        if s.sha256:
            assert s.sha256 in text, s.key
    # MANIFEST.md: undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, sha256 894fe063...ce82
    assert "894fe0637f649e9eb2555915e7f5d6e9818a913b7653c8d7b5e3803fc236ce82" in text


def test_indicator_definitions_come_from_the_docstrings(site):
    from migstats import indicators

    text = _text(site / "indicators.html")
    first = " ".join(indicators.__doc__.split("\n\n")[0].split()).replace("``", "")
    first = re.sub(r":\w+:`~?([\w.]+)`", lambda m: m.group(1).rsplit(".", 1)[-1] + "()", first)
    assert first.split(" returns ")[0].split(" in any form ")[0] in text
    assert "emigrant share — emigrant stock over a named denominator" in text and "residents_plus_emigrants" in text
    api = _text(site / "api" / "indicators.html")
    for name in ("corridors", "emigrant_share", "world_indicator", "Figure"):
        assert f"migstats.indicators.{name}" in api or name in api


def test_lessons_are_rendered_with_their_outputs(site):
    for name in LESSONS:
        page = (site / "lessons" / f"{name}.html").read_text(encoding="utf-8")
        assert 'class="cell_output' in page, name  # executed: outputs are there
        assert "Traceback" not in page and "NBVAL_" not in page, name
        assert "Exercise" in page and "Key points" in page, name
    # lesson 1 prints the world total of IMS 2024 (destination Table 1, Excel row 12, column M)
    assert "304,021,813" in _text(site / "lessons" / f"{LESSONS[0]}.html")


def _tiny_project(tmp_path: Path, page: str, notebook_source: str | None = None) -> Path:
    src = tmp_path / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(textwrap.dedent(f"""
        __file__ = {str(DOCS / 'conf.py')!r}  # the real configuration, its extension and settings
        exec(open(__file__).read())
        migstats_generate = False
        html_static_path = []
        html_css_files = []
        """))
    (src / "index.md").write_text(page)
    if notebook_source is not None:
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.v4.new_markdown_cell("# A notebook"), nbformat.v4.new_code_cell(notebook_source)]
        nbformat.write(nb, src / "nb.ipynb")
    return src


def test_a_broken_reference_fails_the_build(tmp_path):
    ok = _tiny_project(tmp_path / "ok", "# Page\n\nSee {func}`migstats.indicators.corridors`.\n")
    assert _sphinx(ok, tmp_path / "ok").returncode == 0
    bad = _tiny_project(tmp_path / "bad", "# Page\n\nSee {func}`migstats.indicators.no_such_function`.\n")
    r = _sphinx(bad, tmp_path / "bad")
    assert r.returncode != 0 and "broken reference to 'migstats.indicators.no_such_function'" in r.stderr


def test_a_notebook_error_fails_the_build(tmp_path):
    page = "# Page\n\n```{toctree}\nnb\n```\n"
    src = _tiny_project(tmp_path, page, "import migstats\nmigstats.resolve('Atlantis')")
    r = _sphinx(src, tmp_path)
    assert r.returncode != 0
    assert re.search(r"ExecutionError: \S*nb\.ipynb", r.stderr), r.stderr[-2000:]
