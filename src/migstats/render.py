"""Batch rendering of profiles: fast, failure-isolated, resumable, optionally on a Dask cluster.

``migstats render --all --jobs 2`` renders every profile with the same notebook and
:func:`migstats.profiles.render_profile` as ``migstats profile``, but:

* kernels come from a fork server (:mod:`migstats.warm_kernels`) — each notebook still
  runs in a new kernel process, forked from a warm parent instead of started cold;
* ``jobs`` worker processes render in parallel (each imports papermill/nbconvert once);
* one failing profile never stops the run: the summary table and ``render-summary.csv``
  list status, seconds, error and outputs of each, and the exit code is non-zero if any failed;
* a profile whose inputs (source file hashes, notebook, parameters, migstats version) are
  unchanged since it was rendered is skipped unless ``force``; outputs are swapped into
  place atomically, so an interrupted run restarted with the same command finishes the rest;
* ``index.html`` lists every profile, grouped by region, searchable, with thumbnails;
* ``scheduler="tcp://host:8786"`` sends the same work to a Dask distributed cluster
  (workers need migstats installed, the store built and the output folder shared).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .profiles import PARALLEL_FIGURES_ENV

__all__ = ["RenderResult", "render", "inputs_fingerprint", "write_index", "SUMMARY_FILE", "STAMP_FILE"]

SUMMARY_FILE = "render-summary.csv"
STAMP_FILE = ".migstats-stamp.json"
SUMMARY_JSON = "summary.json"


@dataclass
class RenderResult:
    """Outcome of one profile in a batch."""

    label: str
    status: str  # "ok", "skipped", "failed", "not run"
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)


def inputs_fingerprint(params, formats, notebook: Path, data_dir=None) -> str:
    """Hash of everything a profile depends on: source files, notebook, parameters, version."""
    from . import store

    prov = store.provenance(data_dir)
    h = hashlib.sha256()
    h.update(json.dumps({k: v["sha256"] for k, v in sorted(prov["sources"].items())}).encode())
    h.update(Path(notebook).read_bytes())
    h.update(json.dumps(params.as_papermill(), sort_keys=True).encode())
    h.update(json.dumps(sorted(formats)).encode())
    h.update(__version__.encode())
    return h.hexdigest()


def _is_current(folder: Path, fingerprint: str) -> bool:
    try:
        return json.loads((folder / STAMP_FILE).read_text())["fingerprint"] == fingerprint
    except (OSError, ValueError, KeyError):
        return False


# -- work done in a worker process --------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(socket_dirs, kernel_socket, data_dir, warm, local=False, parallel_figures=False):
    os.environ.setdefault("MPLBACKEND", "Agg")
    # kernels inherit this: a second process drawing figures only pays when a core is idle
    os.environ[PARALLEL_FIGURES_ENV] = "1" if parallel_figures else "0"
    if local:  # a killed batch must not leave its worker processes behind
        from .warm_kernels import exit_with_parent

        exit_with_parent()
    _WORKER.update(kernel_socket=kernel_socket, kernel_dirs=socket_dirs, data_dir=data_dir, warm=warm)
    import nbconvert  # noqa: F401  (import once per worker)
    import papermill  # noqa: F401


def _executor():
    if not _WORKER.get("warm"):
        return None
    from .warm_kernels import papermill_executor

    return papermill_executor(_WORKER["kernel_dirs"], _WORKER["kernel_socket"])


def _render_one(params_dict: dict, out: str, formats: tuple, notebook: str | None, fingerprint: str):
    """Render one profile; never raises (returns a :class:`RenderResult`)."""
    from . import profiles

    t0 = time.perf_counter()
    label = params_dict["label"]
    try:
        folder = profiles.render_profile(
            params_dict["country"], params_dict["year"], group=params_dict["group"],
            top_n=params_dict["top_n"], denominator=params_dict["denominator"], out=out, formats=formats,
            data_dir=_WORKER.get("data_dir"), execute=_executor(), notebook=notebook)
        _write_extras(folder, fingerprint)
        outputs = sorted(str(p) for p in folder.iterdir() if not p.name.startswith("."))
        return RenderResult(label, "ok", time.perf_counter() - t0, "", outputs)
    except Exception as exc:  # failure isolation: report, don't stop the batch
        msg = _short_error(exc)
        return RenderResult(label, "failed", time.perf_counter() - t0, msg, [])


def _short_error(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).strip().splitlines()
    # papermill's PapermillExecutionError carries the notebook's own exception
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    return f"{name}: {text[0] if text else ''}"[:500]


def _write_extras(folder: Path, fingerprint: str) -> None:
    """From the executed notebook: the headline JSON and a thumbnail for the index; then the stamp."""
    import nbformat

    from .profiles import FIGURES_MIMETYPE

    nb_path = folder / "profile.ipynb"
    summary, thumb = None, None
    if nb_path.exists():
        nb = nbformat.read(str(nb_path), as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                data = o.get("data", {})
                if FIGURES_MIMETYPE in data:
                    summary = data[FIGURES_MIMETYPE]
                if thumb is None and "image/png" in data and o.get("metadata", {}).get("migstats_figure") == "diaspora_map":
                    thumb = data["image/png"]
    if summary is not None:
        _atomic_write(folder / SUMMARY_JSON, json.dumps(summary).encode())
    if thumb is not None:
        _atomic_write(folder / "thumb.png", base64.b64decode(thumb))
    _atomic_write(folder / STAMP_FILE, json.dumps({"fingerprint": fingerprint, "migstats": __version__}).encode())


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _render_on_dask_worker(params_dict, out, formats, notebook, fingerprint, data_dir, warm):
    """Entry point on a Dask worker: one fork server per worker process, started on first use."""
    global _DASK_SERVER
    if warm and _DASK_SERVER is None:
        import atexit

        from .warm_kernels import ForkServer

        _DASK_SERVER = ForkServer(data_dir)
        atexit.register(_DASK_SERVER.close)
    if warm:
        _worker_init(_DASK_SERVER.kernel_dirs, _DASK_SERVER.socket_path, data_dir, True)
    else:
        _worker_init(None, None, data_dir, False)
    return asdict(_render_one(params_dict, out, formats, notebook, fingerprint))


_DASK_SERVER = None


# -- the batch ---------------------------------------------------------------------------------
def _items(countries, group, all_, year, top_n, denominator, data_dir):
    from .countries import country_table, resolve_many
    from .groups import resolve_group
    from .profiles import validate_parameters

    if all_:
        codes = list(country_table(data_dir=data_dir)["iso3"])
    elif group:
        g = resolve_group(group, data_dir=data_dir)
        codes = [c.iso3 for c in resolve_many(g.members, data_dir=data_dir)]
    else:
        codes = [c.iso3 for c in resolve_many(countries, data_dir=data_dir)]  # all unknowns at once
    return [validate_parameters(c, year, top_n, denominator, data_dir=data_dir) for c in dict.fromkeys(codes)]


def _clean_stale(out: Path) -> None:
    """Remove staging folders left by a killed run (``.<year>.tmp-*``)."""
    if out.is_dir():
        for p in out.glob("**/.*.tmp-*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)


def render(countries=None, *, group=None, all=False, year=2024, top_n=10, denominator="population",
           out="reports", formats=("html", "ipynb"), jobs=2, force=False, scheduler=None,
           notebook=None, warm=True, progress=True, data_dir=None, index=True) -> list[RenderResult]:
    """Render many profiles (see the module docstring).

    Parameters
    ----------
    countries : list, optional
        Country inputs (names or codes); or ``group=`` a group name; or ``all=True``.
    jobs : int
        Parallel worker processes (local runs).
    force : bool
        Render even when outputs are up to date.
    scheduler : str, optional
        Address of a Dask distributed scheduler (e.g. ``"tcp://10.0.0.5:8786"``).
    notebook : path, optional
        Another parameterised notebook to run (default: the country profile).
    warm : bool
        Use the kernel fork server (default, where the platform can fork); ``False`` starts a
        cold kernel per profile.

    Returns
    -------
    list of RenderResult
        Also written to ``<out>/render-summary.csv``.
    """
    from tqdm.auto import tqdm

    from . import store
    from .profiles import notebook_path, profile_dir
    from .warm_kernels import ForkServer

    warm = warm and ForkServer.available()
    store.ensure_built(data_dir, progress=progress)
    items = _items(countries, group, all, year, top_n, denominator, data_dir)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clean_stale(out)
    nb = Path(notebook) if notebook else notebook_path()
    formats = tuple(formats)
    results: dict[str, RenderResult] = {}
    todo = []
    for p in items:
        fp = inputs_fingerprint(p, formats, nb, data_dir)
        folder = profile_dir(p, out)
        if not force and _is_current(folder, fp):
            outputs = sorted(str(x) for x in folder.iterdir() if not x.name.startswith("."))
            results[p.label] = RenderResult(p.label, "skipped", 0.0, "", outputs)
        else:
            todo.append((p, fp))
            results[p.label] = RenderResult(p.label, "not run")
    bar = tqdm(total=len(todo), desc="migstats render", unit="profile", disable=not progress)
    counts = {"ok": 0, "failed": 0}

    def done(res: RenderResult):
        results[res.label] = res
        counts[res.status] = counts.get(res.status, 0) + 1
        bar.set_postfix(ok=counts["ok"], failed=counts["failed"], skipped=len(items) - len(todo))
        bar.update()

    args = [(asdict(p) | {"label": p.label}, str(out), formats, str(nb) if notebook else None, fp)
            for p, fp in todo]
    try:
        if not todo:
            pass
        elif scheduler:
            _run_dask(scheduler, args, data_dir, warm, done)
        else:
            _run_local(args, jobs, data_dir, warm, done)
    finally:
        bar.close()
        ordered = [results[p.label] for p in items]
        write_summary(out, ordered)
        if index:
            write_index(out)
    return ordered


def _run_local(args, jobs, data_dir, warm, done):
    from concurrent.futures import ProcessPoolExecutor, as_completed

    server = None
    if warm:
        from .warm_kernels import ForkServer

        server = ForkServer(data_dir)
    try:
        workers = max(1, min(int(jobs), len(args)))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        init = (server.kernel_dirs if server else None, server.socket_path if server else None,
                None if data_dir is None else str(data_dir), bool(server), True, workers < cores)
        import multiprocessing as mp

        ctx = mp.get_context("spawn")  # no fork of a process holding threads and event loops
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                 initargs=init) as pool:
            futures = [pool.submit(_render_one, *a) for a in args]
            try:
                for fut in as_completed(futures):
                    done(fut.result())
            except KeyboardInterrupt:
                for f in futures:
                    f.cancel()
                raise
    finally:
        if server:
            server.close()


def _run_dask(scheduler, args, data_dir, warm, done):
    try:
        from distributed import Client, as_completed
    except ImportError:
        from .exceptions import MigstatsError

        raise MigstatsError("--scheduler needs Dask distributed: pip install 'migstats[cluster]'") from None
    client = scheduler if hasattr(scheduler, "submit") else Client(scheduler)
    try:
        futures = [client.submit(_render_on_dask_worker, *a, None if data_dir is None else str(data_dir), warm,
                                 pure=False, key=f"migstats-render-{a[0]['label']}-{a[0]['year']}".replace("/", "-"))
                   for a in args]
        for fut in as_completed(futures):
            done(RenderResult(**fut.result()))
    finally:
        if not hasattr(scheduler, "submit"):
            client.close()


def write_summary(out: Path, results: list[RenderResult]) -> Path:
    """Write ``render-summary.csv`` (label, status, seconds, error, outputs) atomically."""
    path = Path(out) / SUMMARY_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["country", "status", "seconds", "error", "outputs"])
        for r in results:
            w.writerow([r.label, r.status, f"{r.seconds:.2f}", r.error, ";".join(r.outputs)])
    os.replace(tmp, path)
    return path


# -- the index page -----------------------------------------------------------------------------
def write_index(out) -> Path:
    """Write ``index.html``: every rendered profile under ``out``, by region, searchable.

    The page is static (no external resources), opens from disk, and filters the list as
    the user types in the search box.
    """
    out = Path(out)
    entries = []
    for summ in sorted(out.glob(f"*/*/{SUMMARY_JSON}")) + sorted(out.glob(f"groups/*/*/{SUMMARY_JSON}")):
        folder = summ.parent
        try:
            data = json.loads(summ.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        figs = {f["name"]: f for f in data.get("figures", [])}
        entries.append({"folder": folder, "data": data, "figs": figs})
    by_region: dict[str, list] = {}
    for e in entries:
        by_region.setdefault(e["data"]["country"].get("region") or "Other", []).append(e)

    def fmt(f, pct=False):
        if not f or f.get("value") is None:
            return "n/a"
        v = f["value"]
        return f"{v:.1f}%" if pct else (f"{v / 1e6:.2f} M" if v >= 1e6 else f"{v:,.0f}")

    parts = []
    for region in sorted(by_region):
        items = []
        for e in sorted(by_region[region], key=lambda e: e["data"]["country"]["name"]):
            c, f = e["data"]["country"], e["figs"]
            rel = e["folder"].relative_to(out).as_posix()
            thumb = (f'<img src="{html.escape(rel)}/thumb.png" alt="Map of emigrants from '
                     f'{html.escape(c["name"])} by destination" loading="lazy">'
                     if (e["folder"] / "thumb.png").exists() else '<span class="nothumb">no map</span>')
            text = f'{c["name"]} {c.get("iso3", "")} {region}'.lower()
            items.append(
                f'<li data-search="{html.escape(text)}"><a href="{html.escape(rel)}/profile.html">{thumb}'
                f'<span class="name">{html.escape(c["name"])}</span></a>'
                f'<span class="figs">Emigrants {fmt(f.get("emigrant_stock"))} '
                f'({fmt(f.get("emigrant_share_" + e["data"].get("denominator", "population")), True)}) · '
                f'immigrants {fmt(f.get("immigrant_stock"))} ({fmt(f.get("immigrant_share"), True)}) · '
                f'year {e["data"].get("year")}</span></li>')
        parts.append(f'<section><h2>{html.escape(region)}</h2><ul>{"".join(items)}</ul></section>')
    page = _INDEX_TEMPLATE.replace("{{count}}", str(len(entries))).replace("{{body}}", "\n".join(parts))
    path = out / "index.html"
    _atomic_write(path, page.encode("utf-8"))
    return path


_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Migration profiles</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#222}
h1{font-weight:600} h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;font-weight:600}
#search{font-size:1rem;padding:.4rem .6rem;width:22rem;max-width:90%}
ul{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}
li{border:1px solid #ddd;border-radius:6px;padding:.5rem}
li a{text-decoration:none;color:#1a4d7a;display:block}
li img{width:100%;height:auto;display:block}
.name{font-weight:600;display:block;margin-top:.3rem}
.figs{font-size:.8rem;color:#555}
.nothumb{display:block;height:4rem;background:#f2f2f2;color:#888;text-align:center;line-height:4rem}
.hidden{display:none}
</style></head>
<body>
<h1>Migration profiles</h1>
<p>{{count}} profiles. Built with migstats from UN DESA, World Bank/KNOMAD, WDI and UNHCR data;
each profile names its sources and editions.</p>
<p><label for="search">Search: </label><input id="search" type="search" placeholder="Country, ISO3 code or region"
 autocomplete="off"></p>
<p id="count" aria-live="polite"></p>
{{body}}
<script>
(function(){
  var box=document.getElementById('search');
  var items=Array.prototype.slice.call(document.querySelectorAll('li[data-search]'));
  var sections=Array.prototype.slice.call(document.querySelectorAll('section'));
  var count=document.getElementById('count');
  function update(){
    var q=box.value.trim().toLowerCase(); var shown=0;
    items.forEach(function(li){var ok=!q||li.getAttribute('data-search').indexOf(q)>=0;
      li.classList.toggle('hidden',!ok); if(ok){shown++;}});
    sections.forEach(function(s){s.classList.toggle('hidden',!s.querySelector('li:not(.hidden)'));});
    count.textContent=shown+' shown';
  }
  box.addEventListener('input',update); update();
})();
</script>
</body></html>
"""
