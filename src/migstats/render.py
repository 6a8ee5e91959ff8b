"""Batch rendering of profiles: fast, failure-isolated, resumable, optionally on a Dask cluster.

``migstats render --all --jobs 2`` renders every profile with the same notebook and
:func:`migstats.profiles.render_profile` as ``migstats profile``, but:

* kernels come from a fork server (:mod:`migstats.warm_kernels`) — each notebook still
  runs in a new kernel process, forked from a warm parent instead of started cold;
* ``jobs`` worker processes render in parallel (each imports papermill/nbconvert once);
* one failing profile never stops the run: the summary table and ``render-summary.csv``
  list status, seconds, error and outputs of each, and the exit code is non-zero if any failed;
* a profile whose inputs (source file hashes, notebook, parameters, migstats version) are
  unchanged since it was rendered, and whose stamped outputs are all still there, is skipped
  unless ``force``; outputs are swapped into place atomically together with their stamp, so
  an interrupted run restarted with the same command finishes the rest;
* Ctrl-C (SIGINT) stops the workers at once; what finished is kept and listed, and the
  run ends with :class:`~migstats.exceptions.RenderInterrupted`;
* ``index.html`` lists the profiles of the run, grouped by region, searchable, with thumbnails;
* ``scheduler="tcp://host:8786"`` sends the same work to a Dask distributed cluster
  (workers need migstats installed, the store built and the output folder shared).

Everything that leaves the calling process — the output folder, the data root, the
notebook — is an absolute path, resolved once at the start.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import html
import json
import os
import shutil
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .profiles import PARALLEL_FIGURES_ENV

__all__ = ["RenderResult", "render", "inputs_fingerprint", "write_index", "write_summary", "SUMMARY_FILE",
           "STAMP_FILE", "SCHEDULER_TIMEOUT"]

SUMMARY_FILE = "render-summary.csv"
STAMP_FILE = ".migstats-stamp.json"
SUMMARY_JSON = "summary.json"
#: Seconds to wait for a Dask scheduler to answer before giving up.
SCHEDULER_TIMEOUT = 10.0


@dataclass
class RenderResult:
    """Outcome of one profile in a batch."""

    label: str
    status: str  # "ok", "skipped", "failed", "not run"
    seconds: float = 0.0
    error: str = ""
    outputs: list[str] = field(default_factory=list)
    folder: str = ""


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
    """The stamp matches and every output it lists is still there."""
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text())
        if stamp["fingerprint"] != fingerprint:
            return False
        return all((folder / name).exists() for name in stamp["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _outputs(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.iterdir() if not p.name.startswith("."))


# -- work done in a worker process --------------------------------------------------------------
_WORKER: dict = {}


def _worker_init(socket_dirs, kernel_socket, data_dir, warm, local=False, parallel_figures=False):
    os.environ.setdefault("MPLBACKEND", "Agg")
    # kernels inherit this: a second process drawing figures only pays when a core is idle
    os.environ[PARALLEL_FIGURES_ENV] = "1" if parallel_figures else "0"
    if local:
        # Ctrl-C reaches every process of the terminal's group: the batch process stops the
        # workers itself (no traceback from each); a killed batch must not leave them behind
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
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
            data_dir=_WORKER.get("data_dir"), execute=_executor(), notebook=notebook,
            before_publish=lambda staging, nb: _write_extras(staging, nb, fingerprint))
        return RenderResult(label, "ok", time.perf_counter() - t0, "", _outputs(folder), str(folder))
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


def _write_extras(staging: Path, nb, fingerprint: str) -> None:
    """From the executed notebook (in memory: ``--format html`` keeps no .ipynb), the headline
    JSON and a thumbnail for the index; then the stamp, listing every output. Written into the
    staging folder, so they are published together with the profile."""
    from . import atomic
    from .profiles import FIGURES_MIMETYPE

    summary, thumb = None, None
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if FIGURES_MIMETYPE in data:
                summary = data[FIGURES_MIMETYPE]
            if thumb is None and "image/png" in data and o.get("metadata", {}).get("migstats_figure") == "diaspora_map":
                thumb = data["image/png"]
    if summary is not None:
        atomic.write_bytes(staging / SUMMARY_JSON, json.dumps(summary).encode())
    if thumb is not None:
        atomic.write_bytes(staging / "thumb.png", base64.b64decode(thumb))
    outputs = sorted(p.name for p in staging.iterdir() if not p.name.startswith("."))
    stamp = {"fingerprint": fingerprint, "migstats": __version__, "outputs": outputs}
    atomic.write_bytes(staging / STAMP_FILE, json.dumps(stamp).encode())


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
    """Remove staging folders left by a killed run (``.<year>.tmp-*``) and put back any profile
    whose swap into place was cut short (``.<year>.old-<pid>``)."""
    from .profiles import _OLD, _recover_swap

    if out.is_dir():
        for p in out.glob("**/.*.tmp-*"):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
        for p in out.glob(f"**/.*{_OLD}*"):
            if p.is_dir():
                _recover_swap(p.parent / p.name[1:].rsplit(_OLD, 1)[0])


def _writable_output(out: Path) -> list[Path]:
    """Create ``out`` if needed and check that a file can be written in it, before any work.

    Returns the folders created (removed again if the run fails before writing anything).
    """
    from . import atomic
    from .profiles import _make_folder, _output_error, _remove_if_empty

    try:
        created = _make_folder(out)
    except OSError as exc:
        raise _output_error(exc, out) from None
    try:
        atomic.temp_file_beside(out / ".migstats-write-test").unlink()
    except OSError as exc:
        _remove_if_empty(created)
        raise _output_error(exc, out) from None
    return created


@contextlib.contextmanager
def _sigint_ignored():
    """Ignore SIGINT for a moment: processes started meanwhile inherit that (a Ctrl-C then
    reaches only this process, which stops them itself), and bookkeeping is not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def render(countries=None, *, group=None, all=False, year=2024, top_n=10, denominator="population",
           out="reports", formats=("html", "ipynb"), jobs=2, force=False, scheduler=None,
           notebook=None, warm=True, progress=True, data_dir=None, index=True,
           scheduler_timeout: float | None = None) -> list[RenderResult]:
    """Render many profiles (see the module docstring).

    Parameters
    ----------
    countries : list, optional
        Country inputs (names or codes); or ``group=`` a group name; or ``all=True``.
    out : path
        Output root; relative to the current folder (resolved once, here).
    formats : str or iterable of {"html", "ipynb", "png", "csv"}
        At least one (see :func:`migstats.profiles.check_formats`).
    jobs : int
        Parallel worker processes (local runs).
    force : bool
        Render even when outputs are up to date.
    scheduler : str or distributed.Client, optional
        Address of a Dask distributed scheduler (e.g. ``"tcp://10.0.0.5:8786"``), or a client.
    notebook : path, optional
        Another parameterised notebook to run (default: the country profile).
    warm : bool
        Use the kernel fork server (default, where the platform can fork); ``False`` starts a
        cold kernel per profile.
    index : bool
        Write ``<out>/index.html`` listing the profiles of this run (rendered or up to date).
    scheduler_timeout : float, optional
        Seconds to wait for the scheduler to answer (default :data:`SCHEDULER_TIMEOUT`).

    Returns
    -------
    list of RenderResult
        Also written to ``<out>/render-summary.csv``.

    Raises
    ------
    ValueError, CountryNotFoundError, GroupNotFoundError, DataNotAvailableError
        Bad parameters (nothing is written).
    StoreDamagedError
        A table of the store cannot be read (run ``migstats data build``); nothing is written.
    OutputError
        ``out`` cannot be created or written; checked before anything is rendered.
    SchedulerUnreachableError
        The scheduler did not answer within ``scheduler_timeout``; nothing is written.
    RenderInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``): workers are stopped at once, what finished is
        kept and listed in the summary (``err.results``).
    """
    from tqdm.auto import tqdm

    from . import locations, store
    from .profiles import _remove_if_empty, check_formats, notebook_path, profile_dir
    from .warm_kernels import ForkServer

    formats = check_formats(formats)
    out = locations.absolute(out)
    data_dir = locations.data_dir(data_dir)
    nb = locations.absolute(notebook) if notebook else notebook_path()
    warm = warm and ForkServer.available()
    store.ensure_built(data_dir, progress=progress)
    store.verify(data_dir, read=False, strict=True)  # a damaged table: one message, nothing rendered
    items = _items(countries, group, all, year, top_n, denominator, data_dir)
    timeout = SCHEDULER_TIMEOUT if scheduler_timeout is None else scheduler_timeout
    client, own_client = _connect(scheduler, timeout) if scheduler else (None, False)
    try:
        created = _writable_output(out)
        try:
            _clean_stale(out)
            results: dict[str, RenderResult] = {}
            todo = []
            for p in items:
                fp = inputs_fingerprint(p, formats, nb, data_dir)
                folder = profile_dir(p, out)
                if not force and _is_current(folder, fp):
                    results[p.label] = RenderResult(p.label, "skipped", 0.0, "", _outputs(folder), str(folder))
                else:
                    todo.append((p, fp))
                    results[p.label] = RenderResult(p.label, "not run")
        except BaseException:
            _remove_if_empty(created)
            raise
        bar = tqdm(total=len(todo), desc="migstats render", unit="profile", disable=not progress)
        counts = {"ok": 0, "failed": 0}

        def done(res: RenderResult):
            results[res.label] = res
            counts[res.status] = counts.get(res.status, 0) + 1
            # the counts and the bar move together (one refresh, in update)
            bar.set_postfix(ok=counts["ok"], failed=counts["failed"], skipped=len(items) - len(todo), refresh=False)
            bar.update()

        args = [(asdict(p) | {"label": p.label}, str(out), formats, str(nb) if notebook else None, fp)
                for p, fp in todo]
        interrupted = False
        try:
            if not todo:
                pass
            elif client is not None:
                _run_dask(client, args, str(data_dir), warm, done)
            else:
                _run_local(args, jobs, str(data_dir), warm, done)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            with _sigint_ignored():
                bar.close()
                for p, fp in todo:
                    folder = profile_dir(p, out)
                    if results[p.label].status != "not run":
                        continue
                    if _is_current(folder, fp):  # finished and published, but the result never came back
                        results[p.label] = RenderResult(p.label, "ok", 0.0, "", _outputs(folder), str(folder))
                    elif interrupted:  # its worker was stopped: no staging folder, no empty folder left
                        for staging in folder.parent.glob(f".{folder.name}.tmp-*"):
                            shutil.rmtree(staging, ignore_errors=True)
                        _remove_if_empty([q for q in folder.parents if out in q.parents])
                ordered = [results[p.label] for p in items]
                summary = write_summary(out, ordered)
                if index:
                    write_index(out, ordered)
    finally:
        if own_client:
            client.close()
    if interrupted:
        from .exceptions import RenderInterrupted

        raise RenderInterrupted(ordered, summary)
    return ordered


def _stop_workers(pool) -> None:
    """Stop a process pool now: pending work cancelled, running workers terminated."""
    if hasattr(pool, "terminate_workers"):  # Python >= 3.14
        pool.terminate_workers()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(1)


def _run_local(args, jobs, data_dir, warm, done):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    server = pool = None
    try:
        if warm:
            from .warm_kernels import ForkServer

            with _sigint_ignored():  # the server must not see the terminal's Ctrl-C
                server = ForkServer(data_dir, wait=False)
            server.wait()
        workers = max(1, min(int(jobs), len(args)))
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        init = (server.kernel_dirs if server else None, server.socket_path if server else None,
                data_dir, bool(server), True, workers < cores)
        ctx = mp.get_context("spawn")  # no fork of a process holding threads and event loops
        with _sigint_ignored():  # workers are spawned at submission: they inherit SIG_IGN
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                       initargs=init)
            futures = {pool.submit(_render_one, *a): a[0]["label"] for a in args}
        try:
            for fut in as_completed(futures):
                try:
                    done(fut.result())
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                    done(RenderResult(futures[fut], "failed", 0.0, f"worker process died: {exc}"))
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)
    finally:
        if server:
            server.close()


def _connect(scheduler, timeout: float):
    """``(client, owned)`` for a scheduler address (connected here, with a short timeout) or a client."""
    from .exceptions import MigstatsError, SchedulerUnreachableError

    if hasattr(scheduler, "submit"):
        return scheduler, False
    try:
        from distributed import Client
    except ImportError:
        raise MigstatsError("--scheduler needs Dask distributed: pip install 'migstats[cluster]'") from None
    try:
        return Client(scheduler, timeout=timeout, set_as_default=False), True
    except (OSError, TimeoutError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SchedulerUnreachableError(
            f"Cannot reach the Dask scheduler at {scheduler} within {timeout:g} s ({reason}). Check the "
            f"address, or start the scheduler (`dask scheduler`) and workers (`dask worker {scheduler}`); "
            "without --scheduler the batch runs on this machine.") from None


def _run_dask(client, args, data_dir, warm, done):
    from distributed import as_completed

    futures = [client.submit(_render_on_dask_worker, *a, data_dir, warm,
                             pure=False, key=f"migstats-render-{a[0]['label']}-{a[0]['year']}".replace("/", "-"))
               for a in args]
    try:
        for fut in as_completed(futures):
            done(RenderResult(**fut.result()))
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(futures)
        raise


def write_summary(out: Path, results: list[RenderResult]) -> Path:
    """Write ``render-summary.csv`` (label, status, seconds, error, outputs) atomically."""
    import io

    from . import atomic

    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["country", "status", "seconds", "error", "outputs"])
    for r in results:
        w.writerow([r.label, r.status, f"{r.seconds:.2f}", r.error, ";".join(r.outputs)])
    return atomic.write_bytes(Path(out) / SUMMARY_FILE, buf.getvalue().encode("utf-8"))


# -- the index page -----------------------------------------------------------------------------
def write_index(out, results=None) -> Path:
    """Write ``index.html``: rendered profiles under ``out``, by region, searchable.

    Parameters
    ----------
    out : path
        Output root.
    results : list of RenderResult, optional
        The profiles to list: those of a run that are rendered or up to date (their folders'
        ``summary.json``). Default: every profile folder under ``out`` that has one.

    The page is static (no external resources), opens from disk, and filters the list as
    the user types in the search box.
    """
    out = Path(out)
    if results is None:
        summaries = sorted(out.glob(f"*/*/{SUMMARY_JSON}")) + sorted(out.glob(f"groups/*/*/{SUMMARY_JSON}"))
    else:
        summaries = [Path(r.folder) / SUMMARY_JSON for r in results if r.status in ("ok", "skipped") and r.folder]
    entries = []
    for summ in summaries:
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
    count = f"{len(entries)} profile" + ("" if len(entries) == 1 else "s")
    page = _INDEX_TEMPLATE.replace("{{count}}", count).replace("{{body}}", "\n".join(parts))
    from . import atomic

    return atomic.write_bytes(out / "index.html", page.encode("utf-8"))


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
<p>{{count}}. Built with migstats from UN DESA, World Bank/KNOMAD, WDI and UNHCR data;
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
