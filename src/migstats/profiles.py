"""Country and group profiles: the parameterised notebook, executed and exported.

``notebooks/country_profile.ipynb`` holds the narrative; this module holds everything
around it:

* :func:`validate_parameters` — resolve the country or group and check year, top-N and
  denominator *before* anything runs (an unknown country writes nothing);
* :func:`render_profile` — execute the notebook with papermill, export HTML (code hidden,
  self-contained) with nbconvert, figures as PNG and tables as CSV, into
  ``reports/<ISO3>/<year>/`` — written in a temporary folder and swapped in at the end,
  so an interrupted run never leaves a half-written profile in place of a good one;
* helpers the notebook calls to display figures with alt text and captions, and the
  machine-readable record of every figure (:data:`FIGURES_MIMETYPE`) that tests read back.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .exceptions import DataNotAvailableError

__all__ = ["ProfileParameters", "validate_parameters", "render_profile", "profile_dir", "notebook_path",
           "check_formats",
           "FIGURES_MIMETYPE", "FORMATS", "show_figure", "show_figures", "format_figures", "setup_notebook",
           "figure_display_data",
           "show_table", "publish_profile", "make_figures", "save_figures", "save_tables", "export_html"]

#: Custom output type carrying the profile's figures as JSON (read back by tests and the index page).
FIGURES_MIMETYPE = "application/vnd.migstats.profile+json"
FORMATS = ("html", "ipynb", "png", "csv", "pdf")


def notebook_path() -> Path:
    """The profile notebook shipped with migstats (``notebooks/country_profile.ipynb``)."""
    here = Path(__file__).resolve()
    for cand in (here.parents[2] / "notebooks" / "country_profile.ipynb",
                 here.parent / "notebooks" / "country_profile.ipynb"):
        if cand.is_file():
            return cand
    raise FileNotFoundError("country_profile.ipynb not found next to the migstats package")


@dataclass(frozen=True)
class ProfileParameters:
    """Validated notebook parameters (what papermill injects)."""

    country: str | None
    group: str | None
    year: int
    top_n: int
    denominator: str
    label: str  # ISO3 or group slug, used in output paths
    title: str
    members: tuple[str, ...] = field(default_factory=tuple)

    def as_papermill(self, **extra) -> dict:
        d = {"country": self.country, "group": self.group, "year": self.year, "top_n": self.top_n,
             "denominator": self.denominator}
        d.update(extra)
        return d


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def validate_parameters(country=None, year=2024, top_n=10, denominator="population", *, group=None,
                        data_dir=None) -> ProfileParameters:
    """Check profile parameters before any execution.

    Raises
    ------
    CountryNotFoundError, AmbiguousCountryError, GroupNotFoundError
        With close matches (nothing is written).
    DataNotAvailableError
        For a year that is not a UN DESA reference year.
    ValueError
        For a bad ``top_n`` or denominator.
    """
    from .countries import resolve
    from .groups import resolve_group
    from .indicators import DENOMINATORS, EDITION_YEARS

    if (country is None) == (group is None):
        raise ValueError("Give exactly one of a country or a group (--group NAME).")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DataNotAvailableError(f"Year {year!r} is not a number; use one of {EDITION_YEARS}.") from None
    if year not in EDITION_YEARS:
        raise DataNotAvailableError(
            f"Year {year} is not a UN DESA International Migrant Stock 2024 reference year; use one of "
            f"{', '.join(map(str, EDITION_YEARS))}.")
    if isinstance(top_n, bool) or not isinstance(top_n, int) or not 1 <= top_n <= 50:
        raise ValueError(f"top_n must be an integer between 1 and 50, not {top_n!r}")
    if denominator not in DENOMINATORS:
        raise ValueError(f"denominator must be one of {list(DENOMINATORS)}, not {denominator!r}")
    if country is not None:
        c = resolve(country, data_dir=data_dir)
        return ProfileParameters(c.iso3, None, year, top_n, denominator, c.iso3, c.name)
    g = resolve_group(group, data_dir=data_dir)
    members = tuple(resolve(m, data_dir=data_dir).iso3 for m in g.members)
    return ProfileParameters(None, g.name if g.kind != "User-defined" else ",".join(members), year, top_n,
                             denominator, f"groups/{_slug(g.name)}", g.name, members)


def profile_dir(params: ProfileParameters, out: str | os.PathLike = "reports") -> Path:
    """Where a profile's files go: ``<out>/<ISO3>/<year>/`` or ``<out>/groups/<slug>/<year>/``."""
    return Path(out) / params.label / str(params.year)


# -- inside the notebook ----------------------------------------------------------------------
def figure_display_data(fig) -> tuple[dict, dict]:
    """IPython display data of a migstats figure: a screen-resolution palette PNG and its alt text.

    The PNG is drawn at the figure's own resolution (:data:`migstats.style.SCREEN_DPI`, 100
    dpi: 960 px for a full-width figure) by :func:`migstats.style.png_bytes`, about a third of
    the bytes of matplotlib's full-colour PNG; the 300 dpi files are written by
    :func:`save_figures` only.

    Returns
    -------
    (data, metadata)
        ``{"image/png": base64 str, "text/plain": alt text}`` and
        ``{"image/png": {"alt": ..., "width": px, "height": px}}``.
    """
    import base64

    from .style import png_bytes

    png = png_bytes(fig)
    alt = getattr(fig, "migstats_alt", "") or ""
    w, h = (round(v * fig.dpi) for v in fig.get_size_inches())
    return ({"image/png": base64.b64encode(png).decode("ascii"), "text/plain": alt or "<figure>"},
            {"image/png": {"alt": alt, "width": w, "height": h}})


def show_figure(fig, name: str = "", *, close: bool = True, formatted: tuple | None = None):
    """Display a migstats figure with its one-line alt text (nbconvert puts it in the HTML).

    The image is :func:`figure_display_data`'s screen PNG. The output's metadata also
    carries ``{"migstats_figure": name}`` so that tools (the batch index page, tests) can
    find a given figure in an executed notebook. ``formatted`` is the ``(data, metadata)``
    of the figure when already drawn (see :func:`show_figures`).
    """
    from IPython.display import display

    data, md = formatted if formatted is not None else figure_display_data(fig)
    alt = getattr(fig, "migstats_alt", "") or ""
    metadata = {**(md or {}), "migstats_figure": name}
    metadata["image/png"] = {**(metadata.get("image/png") or {}), "alt": alt}
    display(data, raw=True, metadata=metadata)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)


def show_figures(figs: dict, names) -> None:
    """Display several figures of :func:`make_figures` by name, closing each (absent names skipped).

    Drawing figures to PNG is a large part of a profile's run time and matplotlib draws on
    one core: on a Linux machine with more than one, every other figure is drawn in a forked
    copy of the kernel (:func:`format_figures`). The output is the same, byte for byte.
    """
    chosen = [(name, figs[name]) for name in names if name in figs]
    for (name, fig), formatted in zip(chosen, format_figures([fig for _, fig in chosen])):
        show_figure(fig, name, formatted=formatted)


#: Environment variable: ``0`` draws every figure in the kernel process itself. The batch
#: renderer sets it when its workers already keep every core busy (a second drawing process
#: then costs 5 %).
PARALLEL_FIGURES_ENV = "MIGSTATS_PARALLEL_FIGURES"


def _can_fork_figures() -> bool:
    if os.environ.get(PARALLEL_FIGURES_ENV) == "0":
        return False
    if not sys.platform.startswith("linux"):  # fork without exec: safe enough only on Linux
        return False
    return len(os.sched_getaffinity(0)) > 1


def format_figures(figs: list, formatter=None, *, timeout: float = 60.0) -> list:
    """IPython's display data of each figure, every other one drawn in a forked child process.

    Parameters
    ----------
    figs : list of matplotlib Figure
    formatter : callable, optional
        ``formatter(fig) -> (data, metadata)``; default :func:`figure_display_data` (inside
        IPython only).
    timeout : float
        Seconds to wait for the child; then it is killed and its figures are left to the
        caller.

    Returns
    -------
    list
        ``(data, metadata)`` per figure, or ``None`` for a figure not formatted here (all of
        them outside IPython, with fewer than two figures, on one core, off Linux or with
        ``MIGSTATS_PARALLEL_FIGURES=0``; the child's share if it failed): :func:`show_figure`
        then draws it as usual.
    """
    import pickle
    import select
    import signal
    import warnings

    out: list = [None] * len(figs)
    ip = None
    if formatter is None:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is None:
            return out
        formatter = figure_display_data
    if len(figs) < 2 or not _can_fork_figures():
        return out
    theirs, mine = range(0, len(figs), 2), range(1, len(figs), 2)
    r, w = os.pipe()
    with warnings.catch_warnings():
        # Python >= 3.12 warns about forking a process with threads (the kernel's I/O threads);
        # the child only draws, writes to its pipe and leaves with os._exit
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: nothing here may touch the kernel's sockets or streams
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            sys.stdout = sys.stderr = open(os.devnull, "w")
            warnings.simplefilter("ignore")
            if ip is not None:  # IPython reports a formatter's error on the kernel's IOPub socket
                ip.showtraceback = lambda *args, **kwargs: None
            payload = pickle.dumps([formatter(figs[i]) for i in theirs])
            with os.fdopen(w, "wb") as fh:
                fh.write(payload)
        finally:
            os._exit(0)
    os.close(w)
    try:
        for i in mine:
            out[i] = formatter(figs[i])
        chunks, deadline = [], time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0 and select.select([r], [], [], left)[0]:
            chunk = os.read(r, 1 << 20)
            if not chunk:
                for i, formatted in zip(theirs, pickle.loads(b"".join(chunks))):
                    out[i] = formatted
                break
            chunks.append(chunk)
    except (pickle.UnpicklingError, EOFError, ValueError):
        pass  # the child failed: its figures are drawn by the caller
    finally:
        os.close(r)
        try:
            os.kill(pid, signal.SIGKILL)  # done already (a zombie until reaped), unless it hangs
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):  # reaped already (SIGCHLD ignored)
            pass
    return out


def setup_notebook() -> None:
    """Inline figures without the tight-bbox second draw (migstats figures are laid out already).

    migstats figures shown with :func:`show_figure` are drawn by :func:`figure_display_data`;
    this only concerns figures a user displays otherwise.
    """
    try:
        from IPython import get_ipython

        ip = get_ipython()
        if ip is not None:
            ip.run_line_magic("matplotlib", "inline")
            ip.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")
    except Exception:  # pragma: no cover - outside IPython nothing to set up
        pass


def show_table(df, columns: dict[str, str] | None = None, caption: str | None = None):
    """Display a table with readable headers and number formats (no index)."""
    from IPython.display import display

    t = df.rename(columns=columns) if columns else df
    fmt = {}
    for col in t.columns:
        if "%" in str(col) or "share" in str(col).lower():
            fmt[col] = "{:.1f}"
        elif t[col].dtype.kind == "f":
            fmt[col] = "{:,.0f}"
    styler = t.style.format(fmt, na_rep="n/a").hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    display(styler)


def publish_profile(p) -> None:
    """Emit every figure of the profile as machine-readable JSON output (read back by tests/index)."""
    from IPython.display import display

    # no text/plain part: nothing of this output shows on the page (HTML export skips the mimetype)
    display({FIGURES_MIMETYPE: p.to_dict()}, raw=True)


def make_figures(p, *, data_dir=None) -> dict:
    """All figures of a country or group profile (name -> matplotlib Figure).

    The stock trend, the corridor map (a group: a regional map of its members' emigrant
    share, ``members_map``), the diaspora and origins maps and the remittance chart. The
    ranked corridors are tables on the page (:func:`migstats.publication.corridor_tables`);
    :func:`migstats.charts.top_corridors_chart` draws them as bars for other uses.
    """
    from . import charts, maps

    c, y = p.country, p.year
    figs = {
        "trend": charts.stock_trend_chart(c, denominator=p.denominator, data_dir=data_dir),
        "diaspora_map": maps.diaspora_map(c, y, top_n=p.top_n, data_dir=data_dir),
        "origins_map": maps.origins_map(c, y, top_n=p.top_n, data_dir=data_dir),
    }
    if hasattr(c, "members"):
        figs["members_map"] = maps.world_map("emigrant_share", y, denominator=p.denominator,
                                             region=c, data_dir=data_dir)
    else:
        figs["corridor_map"] = maps.corridor_map(c, y, top_n=p.top_n, data_dir=data_dir)
    figs["remittances"] = charts.remittance_chart(c, data_dir=data_dir)
    return figs


def save_figures(figs: dict, folder) -> list[Path]:
    """Save figures as full-colour PNG at 300 dpi (:data:`migstats.style.PRINT_DPI`) into ``folder``.

    The print files of ``--format png``; the notebook and HTML show screen PNGs
    (:func:`figure_display_data`).
    """
    from .maps import save_figure

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, fig in figs.items():
        save_figure(fig, folder / f"{name}.png", formats=("png",))
        out.append(folder / f"{name}.png")
    return out


def save_tables(p, folder) -> list[Path]:
    """Save the profile's tables as CSV into ``folder`` (key figures, corridors, trend, remittances…).

    Every file names its basis and source: the key figures per row, the other tables in a
    ``basis`` and a ``source`` column (from the table's ``attrs``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"key_figures": p.figures_table(), **p.tables()}
    out = []
    for name, df in tables.items():
        if df is None:
            continue
        if name != "key_figures":
            df = df.assign(basis=df.attrs.get("basis", ""), source=df.attrs.get("source", ""))
        path = folder / f"{name}.csv"
        tmp = path.with_suffix(".csv.tmp")
        df.to_csv(tmp, index=False)
        os.replace(tmp, path)
        out.append(path)
    return out


# -- executing and exporting ----------------------------------------------------------------------
_HTML_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{#- The publication template: the lab page without JupyterLab's CSS (262 KB), its scripts or
    the pygments styles; migstats' own stylesheet (screen and A4 print), inline for a single
    page or one shared file for a batch (resources.migstats_css_href). Self-contained: no
    require.js, MathJax or mermaid from a CDN (MathJax would also typeset the text between two
    "US$" as mathematics). -#}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
{%- if resources.migstats_css_href -%}
<link rel="stylesheet" href="{{ resources.migstats_css_href | escape_html }}">
{%- else -%}
<style type="text/css">
{{ resources.migstats_css }}
</style>
{%- endif -%}
{%- endblock notebook_css -%}
{%- block body_header -%}
<body class="ms-profile">
<main>
{%- endblock body_header -%}
{#- code cells without output (parameters, imports) leave no trace on the page -#}
{% block codecell %}{%- if cell.outputs -%}{{ super() }}{%- endif -%}{% endblock codecell %}
{#- the machine-readable record of the profile's figures is for tools, not for readers -#}
{% block output %}
{%- if output.data is defined and 'application/vnd.migstats.profile+json' in output.data -%}
{%- else -%}{{ super() }}{%- endif -%}
{% endblock output %}
{% block data_png scoped %}
{%- set alt = output | get_metadata('alt', 'image/png') -%}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}"
{%- if alt %} alt="{{ alt | escape_html }}"{% endif %}>
</div>
{%- endblock data_png %}
"""

#: Tag of notebook cells left out of the published page (the notebook's own instructions).
REMOVE_TAG = "remove_cell"


def profile_css() -> str:
    """The profile pages' stylesheet (screen and A4 print)."""
    return (Path(__file__).with_name("profile.css")).read_text(encoding="utf-8")


def _preload_jupyter(formats=("html",)) -> None:
    """Import papermill and warm the HTML exporter now rather than when first needed.

    ``migstats profile`` calls this while its kernel server starts on the other core. The
    exporter compiles its Jinja templates at its first export (0.3 s), so it exports a
    one-cell notebook here.
    """
    import papermill  # noqa: F401

    if "html" in formats:
        import nbformat.v4 as nbf

        nb = nbf.new_notebook(cells=[nbf.new_markdown_cell("# warm-up"), nbf.new_code_cell(
            "1", outputs=[nbf.new_output("display_data", data={"text/html": "<b>1</b>"})])])
        _html_exporter().from_notebook_node(nb)


@functools.lru_cache(maxsize=1)
def _html_exporter():
    """One configured exporter per process (building its Jinja environment is the slow part)."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    from traitlets.config import Config

    config = Config()
    config.CSSHTMLHeaderPreprocessor.enabled = False  # pygments CSS: no code is shown
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {REMOVE_TAG}
    # the lab template ignores the alt text in an output's metadata (nbconvert then writes a
    # placeholder): the data_png block puts show_figure's alt text into the <img> tag
    return HTMLExporter(config=config, template_name="lab", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, template_file="migstats_profile.html.j2",
                        extra_loaders=[DictLoader({"migstats_profile.html.j2": _HTML_TEMPLATE})])


def export_html(ipynb_path, html_path, title: str | None = None, *, notebook=None,
                stylesheet: str | None = None) -> Path:
    """Export an executed notebook to HTML with the code hidden (nbconvert, publication template).

    ``title`` becomes the page's ``<title>`` (default: the notebook's file name).
    ``notebook``: the notebook already in memory (then ``ipynb_path`` is not read again).
    ``stylesheet``: a URL (relative to the page) of a shared copy of :func:`profile_css`, as a
    batch writes once; default: the stylesheet inline, so the page is self-contained.
    """
    import nbformat

    from . import atomic

    nb = notebook if notebook is not None else nbformat.read(str(ipynb_path), as_version=4)
    exporter = _html_exporter()
    if title:
        nb.metadata["title"] = title
    resources = {"metadata": {"name": Path(ipynb_path).stem}, "migstats_css_href": stylesheet,
                 "migstats_css": "" if stylesheet else profile_css()}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return atomic.write_bytes(html_path, body.encode("utf-8"))


#: Environment variable naming the Chromium (or Chrome) executable that prints PDFs.
CHROMIUM_ENV = "MIGSTATS_CHROMIUM"


def export_pdf(html_path, pdf_path, *, timeout: float = 120.0) -> Path:
    """Print an HTML profile to an A4 PDF with headless Chromium (the page's print stylesheet).

    Chromium is found as ``$MIGSTATS_CHROMIUM``, ``chromium``, ``chromium-browser`` or
    ``google-chrome`` on the PATH; it runs with a fresh profile folder and no network
    services, and reads only the local page (self-contained: no downloads).

    Raises
    ------
    OutputError
        When no Chromium is installed (with how to install one), or printing fails.
    """
    import subprocess

    from . import atomic
    from .exceptions import OutputError

    exe = os.environ.get(CHROMIUM_ENV) or next(
        (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if not exe:
        raise OutputError("--format pdf prints the page with headless Chromium, which is not installed. Install "
                          f"it (Debian/Ubuntu: `apt install chromium`) or set {CHROMIUM_ENV} to a Chromium or "
                          "Chrome executable; the other formats need no browser.")
    pdf_path = Path(pdf_path)
    tmp = pdf_path.with_name(f".{pdf_path.name}.tmp")
    with tempfile.TemporaryDirectory(prefix="migstats-chromium-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={tmp}",
               Path(html_path).resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"Chromium did not print {html_path} within {timeout:.0f} s.") from None
    if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise OutputError(f"Chromium could not print {html_path} to PDF ({last[0]}).")
    data = tmp.read_bytes()
    tmp.unlink()
    return atomic.write_bytes(pdf_path, data)


def check_formats(formats) -> tuple[str, ...]:
    """Output formats as a tuple, checked: ``"html,png"`` or an iterable of names.

    Raises
    ------
    ValueError
        For no format at all (``""``, ``","``) or an unknown one, naming the choices.
    """
    if isinstance(formats, str):
        formats = formats.split(",")
    chosen = tuple(dict.fromkeys(str(f).strip().lower() for f in formats if str(f).strip()))
    if not chosen:
        raise ValueError(f"No output format given; choose one or more of {', '.join(FORMATS)} "
                         "(comma-separated, e.g. --format html,png).")
    bad = [f for f in chosen if f not in FORMATS]
    if bad:
        raise ValueError(f"Unknown format(s) {', '.join(map(repr, bad))}; choose from {', '.join(FORMATS)}.")
    return chosen


def _make_folder(folder: Path) -> list[Path]:
    """``mkdir -p folder``; returns the folders it created, deepest first (to undo it)."""
    created = []
    for p in [folder, *folder.parents]:
        if p.exists():
            break
        created.append(p)
    folder.mkdir(parents=True, exist_ok=True)
    return created


def _remove_if_empty(folders) -> None:
    """Remove folders a failed run created, deepest first, as long as they are empty."""
    for p in folders:
        try:
            p.rmdir()
        except OSError:
            break


def _output_error(exc: OSError, folder: Path):
    """The :class:`~migstats.exceptions.OutputError` for an OS error on the output folder."""
    from .exceptions import OutputError

    existing = next((p for p in [folder, *folder.parents] if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return OutputError(f"Cannot write to {folder}: {existing} is a file, not a folder. Choose another "
                           "--out.")
    return OutputError(f"Cannot write to {folder}: {exc.strerror or exc}. Choose another --out, or "
                       "make that folder writable.")


def render_profile(country=None, year=2024, *, group=None, top_n=10, denominator="population",
                   out="reports", formats=("html", "ipynb"), data_dir=None, kernel_name="python3",
                   execute=None, timings: dict | None = None, notebook=None, before_publish=None,
                   stylesheet=None) -> Path:
    """Render one profile: execute the notebook, export HTML (and PDF), PNG figures and CSV tables.

    Parameters
    ----------
    country, group : str, optional
        Exactly one of them (any accepted country input; a group name).
    out : path
        Root output folder; the profile goes to :func:`profile_dir`. A relative path is taken
        relative to the current folder (the kernel runs elsewhere: every path it gets is absolute).
    formats : str or iterable of {"html", "ipynb", "png", "csv", "pdf"}
        At least one (see :func:`check_formats`). ``"pdf"`` prints the HTML page to A4 with
        headless Chromium (:func:`export_pdf`).
    data_dir : path, optional
        Data root (see :mod:`migstats.locations`); resolved here and passed to the kernel.
    execute : callable, optional
        ``execute(input_nb, output_nb, parameters, cwd, kernel_name)`` to run the notebook,
        returning the executed notebook or ``None`` (``migstats profile`` and the batch
        renderer pass :meth:`~migstats.warm_kernels.ForkServer.executor`); default papermill
        with a fresh kernel.
    timings : dict, optional
        Filled with seconds per stage (validate, execute, html, total).
    notebook : path, optional
        Another parameterised notebook (default :func:`notebook_path`).
    before_publish : callable, optional
        ``before_publish(staging_folder, executed_notebook)``, called when every format is
        written, before the profile is published, to add files that must appear together with
        it (the batch renderer's summary and stamp).
    stylesheet : path, optional
        A shared copy of :func:`profile_css` (a batch writes one for all its pages): the page
        links to it by a relative URL instead of carrying the stylesheet inline.

    Returns
    -------
    Path
        The profile folder (absolute).

    Raises
    ------
    OutputError
        When the output folder cannot be created or written (nothing is executed then).

    Notes
    -----
    The profile is written into a hidden staging folder beside its final place and swapped
    in when complete: a failure or an interrupt leaves the previous profile (if any) as it
    was, and removes the folders this call created.
    """
    from . import atomic, locations

    t0 = time.perf_counter()
    timings = timings if timings is not None else {}
    formats = check_formats(formats)
    out = locations.absolute(out)
    data_dir = locations.data_dir(data_dir)
    params = validate_parameters(country, year, top_n, denominator, group=group, data_dir=data_dir)
    timings["validate"] = time.perf_counter() - t0
    final = profile_dir(params, out)
    try:
        created = _make_folder(final.parent)
    except OSError as exc:
        raise _output_error(exc, final.parent) from None
    before = set(final.parent.glob(f".{final.name}.tmp-*"))
    try:
        _recover_swap(final)
        staging = atomic.temp_folder_beside(final)
    except BaseException as exc:
        # an interrupt can land between the folder's creation and this frame knowing it
        for leftover in set(final.parent.glob(f".{final.name}.tmp-*")) - before:
            shutil.rmtree(leftover, ignore_errors=True)
        _remove_if_empty(created)
        if isinstance(exc, OSError):
            raise _output_error(exc, final.parent) from None
        raise
    try:
        nb_out = staging / "profile.ipynb"
        extra = {"data_dir": str(data_dir),
                 "figures_dir": str(staging / "figures") if "png" in formats else None,
                 "tables_dir": str(staging / "tables") if "csv" in formats else None}
        t = time.perf_counter()
        executed = (execute or _papermill_execute)(Path(notebook) if notebook else notebook_path(), nb_out,
                                                   params.as_papermill(**extra), staging, kernel_name)
        timings["execute"] = time.perf_counter() - t
        if executed is None:
            import nbformat

            executed = nbformat.read(str(nb_out), as_version=4)
        if "html" in formats or "pdf" in formats:
            t = time.perf_counter()
            href = (Path(os.path.relpath(locations.absolute(stylesheet), final)).as_posix()
                    if stylesheet and "html" in formats else None)
            page = export_html(nb_out, staging / "profile.html",
                               title=f"{params.title}, {params.year}: migration profile", notebook=executed,
                               stylesheet=href)
            timings["html"] = time.perf_counter() - t
            if "pdf" in formats:
                t = time.perf_counter()
                if href:  # the printer needs the stylesheet inline
                    page = export_html(nb_out, staging / ".print.html", notebook=executed,
                                       title=f"{params.title}, {params.year}: migration profile")
                export_pdf(page, staging / "profile.pdf")
                timings["pdf"] = time.perf_counter() - t
                if page.name == ".print.html":
                    page.unlink()
            if "html" not in formats:
                page.unlink()
        if "ipynb" not in formats:
            nb_out.unlink()
        if before_publish is not None:
            before_publish(staging, executed)
        atomic.publishable(staging)  # figures written through mkstemp are 0600
        try:
            _swap_into_place(staging, final)
        except OSError as exc:
            raise _output_error(exc, final.parent) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        _remove_if_empty(created)
        raise
    timings["total"] = time.perf_counter() - t0
    return final


def _ipc_kernel_manager_class(ipc_dir: str, kernel_name: str):
    """A kernel manager whose kernel talks over Unix sockets in ``ipc_dir`` instead of TCP.

    No ports to clash (papermill issue #511), and no "Kernel is running over TCP without
    encryption" warning from ipykernel.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("transport", "ipc")
            super().__init__(*args, **kwargs)
            self.ip = os.path.join(ipc_dir, "kernel")

    return IpcKernelManager


def _papermill_execute(input_nb, output_nb, parameters, cwd, kernel_name="python3", kernel_manager_class=None):
    """Run the notebook with papermill; returns the executed notebook (also written to ``output_nb``).

    ``kernel_manager_class``: e.g. :func:`migstats.warm_kernels.kernel_manager_class` for
    forked kernels (``kernel_name`` then does not matter); default a fresh ``kernel_name``
    kernel, over Unix sockets where the platform has them.
    """
    import papermill as pm

    # the output notebook is written once at the end, not after every cell (it is swapped
    # into place only when complete anyway)
    ipc_dir = None
    if kernel_manager_class is None and os.name == "posix":
        ipc_dir = tempfile.mkdtemp(prefix="migstats-kernel-")  # short path: socket names are limited
        kernel_manager_class = _ipc_kernel_manager_class(ipc_dir, kernel_name)
    extra = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}
    try:
        return pm.execute_notebook(str(input_nb), str(output_nb), parameters=parameters, kernel_name=kernel_name,
                                   progress_bar=False, cwd=str(cwd), log_output=False,
                                   request_save_on_cell_execute=False, **extra)
    finally:
        if ipc_dir:
            shutil.rmtree(ipc_dir, ignore_errors=True)


_OLD = ".old-"


def _swap_into_place(staging: Path, final: Path) -> None:
    """Replace ``final`` by ``staging`` with two renames (the old profile survives a failure).

    Between the renames the old profile is at ``.<name>.old-<pid>``; if the process is killed
    right there, :func:`_recover_swap` (run before the next render of that profile, and by the
    batch renderer at start) puts it back.
    """
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}{_OLD}{os.getpid()}")
        os.replace(final, old)
    try:
        os.replace(staging, final)
    except BaseException:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover_swap(final: Path) -> None:
    """Undo a swap cut short by a kill: restore ``final`` from ``.<name>.old-<pid>`` if it is gone,
    else remove the leftover (only for processes that are no longer running)."""
    from .warm_kernels import _alive

    for old in final.parent.glob(f".{final.name}{_OLD}*"):
        try:
            pid = int(old.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _alive(pid):
            continue  # a render still running
        if not final.exists():
            os.replace(old, final)
        else:
            shutil.rmtree(old, ignore_errors=True)


# -- notebook sections (display only; every number comes from the Profile) -------------------------
def _html(fragment: str) -> None:
    from IPython.display import HTML, display

    display(HTML(fragment))


def key_figures_table(p):
    """The key figures as a DataFrame (indicator, value, year, basis), figures with data only."""
    import pandas as pd

    from .narrative import format_value
    from .publication import KEY_FIGURES

    shown = {f.name: f for f in p.figures if f.available}
    rows = [{"Indicator": f.label, "Value": format_value(f.value, f.unit),
             "Year": "" if f.year is None else str(f.year), "Basis": f.basis, "name": f.name}
            for f in (shown[n] for n in KEY_FIGURES if n in shown)]
    return pd.DataFrame(rows, columns=["Indicator", "Value", "Year", "Basis", "name"])


def show_title(p) -> None:
    """Title block: the country or group, its classification, the editions used and the date."""
    from . import publication

    _html(publication.title_block(p))


def show_at_a_glance(p) -> None:
    from . import publication

    _html(publication.at_a_glance(p))


def show_key_figures(p) -> None:
    from . import publication

    _html(publication.key_figures(p))


def show_summary(p) -> None:
    from . import publication

    _html(publication.summary(p))


def show_corridor_tables(p) -> None:
    from . import publication

    _html(publication.corridor_tables(p))


def show_context_tables(p) -> None:
    """Remittances, refugees and the comparison of editions."""
    from . import publication

    _html(publication.remittance_tables(p) + publication.refugee_table(p) + publication.editions_table(p))


def show_notes(p) -> None:
    from . import publication

    _html(publication.data_notes(p))


def show_provenance(p, *, data_dir=None) -> None:
    """Sources cited, with edition and SHA-256 of each file of the data store."""
    from . import publication, store

    _html(publication.sources(p, store.provenance(data_dir)))


def close_figures(figs: dict) -> None:
    import matplotlib.pyplot as plt

    for fig in figs.values():
        plt.close(fig)
