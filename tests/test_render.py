"""Batch rendering: failure isolation, skip/force, resume after a kill, kernel isolation, Dask.

These tests run cheap parameterised notebooks built in ``tmp_path`` (``render(notebook=...)``)
so that they exercise the batch machinery — worker processes, the kernel fork server,
stamps, atomic swaps, the summary and the index — in seconds; the real profile notebook is
rendered in ``test_profiles.py``.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from migstats import cli, render
from migstats.profiles import FIGURES_MIMETYPE
from migstats.render import STAMP_FILE, SUMMARY_FILE, RenderResult

PARAMETERS = ('country = "BLR"\ngroup = None\nyear = 2024\ntop_n = 10\ndenominator = "population"\n'
              'data_dir = None\nfigures_dir = None\ntables_dir = None')

# publishes the minimum the index page needs (a real profile publishes Profile.to_dict())
PUBLISH = f'''from IPython.display import display
display({{{FIGURES_MIMETYPE!r}: {{"country": {{"name": "Test " + country, "iso3": country, "region": "Test region"}},
          "year": year, "denominator": denominator, "figures": []}}, "text/plain": country}}, raw=True)'''

FAILING = "TUV"


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def _cheap(path: Path, *extra: str) -> Path:
    # "preloaded": a forked warm kernel starts with the fork server's imports (geopandas...)
    # "exit status": a forked kernel must reap its own children (the fork server ignores SIGCHLD)
    return _notebook(path, 'import subprocess, sys\nprint("preloaded", "geopandas" in sys.modules)\n'
                           'print("exit status", subprocess.run(["sh", "-c", "exit 3"]).returncode)\n'
                           'import os\nprint("parallel figures", os.environ.get("MIGSTATS_PARALLEL_FIGURES"))\n'
                           f'if country == "{FAILING}":\n    raise RuntimeError("deliberate failure")\n'
                           'print("rendered", country, top_n)', PUBLISH, *extra)


def _stdout(nb_path: Path) -> str:
    nb = nbformat.read(str(nb_path), as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o["output_type"] == "stream" and o["name"] == "stdout")


def _summary_csv(out: Path) -> dict[str, dict]:
    with open(out / SUMMARY_FILE, newline="", encoding="utf-8") as fh:
        return {row["country"]: row for row in csv.DictReader(fh)}


# -- failure isolation, skip, force, parameter change ---------------------------------------------
BATCH = ["BLR", "TJK", FAILING, "AFG"]


@pytest.fixture(scope="module")
def batch(data_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render-batch")
    nb = _cheap(tmp / "cheap.ipynb")
    out = tmp / "reports"
    t = time.perf_counter()
    results = render.render(BATCH, out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False)
    print(f"\nwarm batch of {len(BATCH)} cheap notebooks, 2 jobs: {time.perf_counter() - t:.1f} s")
    return out, nb, results


def test_one_failure_is_isolated(batch):
    out, nb, results = batch
    assert [r.label for r in results] == BATCH
    status = {r.label: r.status for r in results}
    assert status == {"BLR": "ok", "TJK": "ok", FAILING: "failed", "AFG": "ok"}
    failed = results[BATCH.index(FAILING)]
    assert failed.error == "RuntimeError: deliberate failure"
    assert failed.outputs == []
    rows = _summary_csv(out)
    assert list(rows) == BATCH
    assert rows[FAILING]["status"] == "failed" and rows[FAILING]["error"] == "RuntimeError: deliberate failure"
    for c in ("BLR", "TJK", "AFG"):
        assert rows[c]["status"] == "ok" and rows[c]["error"] == ""
        folder = out / c / "2024"
        assert {"profile.html", "profile.ipynb", STAMP_FILE, "summary.json"} <= {p.name for p in folder.iterdir()}
        assert f"rendered {c} 10" in _stdout(folder / "profile.ipynb")
        assert str(folder / "profile.html") in rows[c]["outputs"].split(";")
    assert not (out / FAILING).exists() or not any((out / FAILING).rglob("profile.*"))
    assert not list(out.rglob(".*.tmp-*"))


def test_index_links_every_profile(batch):
    out, nb, results = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    import re

    links = re.findall(r'<a href="([^"]+)"', page)
    ok = [r.label for r in results if r.status == "ok"]
    assert sorted(links) == sorted(f"{c}/2024/profile.html" for c in ok)
    for link in links:
        assert (out / link).is_file()
    assert f"{len(ok)} profiles" in page
    assert "Test region" in page


def test_rerun_skips_force_rerenders_and_parameters_count(batch, data_dir):
    out, nb, _ = batch
    stamp = out / "BLR" / "2024" / STAMP_FILE
    mtime = stamp.stat().st_mtime_ns
    again = {r.label: r for r in render.render(BATCH, out=out, notebook=nb, jobs=2, data_dir=data_dir,
                                               progress=False)}
    assert {k: r.status for k, r in again.items()} == {"BLR": "skipped", "TJK": "skipped", FAILING: "failed",
                                                       "AFG": "skipped"}
    assert again["BLR"].outputs and stamp.stat().st_mtime_ns == mtime
    assert _summary_csv(out)["BLR"]["status"] == "skipped"

    forced = render.render(["BLR", "TJK"], out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False,
                           force=True)
    assert [r.status for r in forced] == ["ok", "ok"]
    assert stamp.stat().st_mtime_ns != mtime

    # a changed parameter changes the fingerprint: rendered again, with the new value
    changed = render.render(["BLR"], out=out, notebook=nb, top_n=5, jobs=1, data_dir=data_dir, progress=False)
    assert [r.status for r in changed] == ["ok"]
    assert "rendered BLR 5" in _stdout(out / "BLR" / "2024" / "profile.ipynb")
    # and the same command again is up to date
    assert [r.status for r in render.render(["BLR"], out=out, notebook=nb, top_n=5, jobs=1, data_dir=data_dir,
                                            progress=False)] == ["skipped"]


def test_cli_exit_code_reflects_failures(data_dir, tmp_path, monkeypatch, capsys):
    calls = []

    def fake_render(countries, **kw):
        calls.append((countries, kw))
        return [RenderResult("BLR", "ok", 1.0), RenderResult(FAILING, "failed", 0.5,
                                                             "RuntimeError: deliberate failure")]

    monkeypatch.setattr(render, "render", fake_render)
    argv = ["--data-dir", str(data_dir), "-q", "render", "--countries", f"BLR,{FAILING}", "--out", str(tmp_path)]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert f"FAILED {FAILING}: RuntimeError: deliberate failure" in err
    assert calls[0][0] == ["BLR", FAILING] and calls[0][1]["out"] == str(tmp_path)

    monkeypatch.setattr(render, "render", lambda countries, **kw: [RenderResult("BLR", "ok"),
                                                                   RenderResult("TJK", "skipped")])
    assert cli.main(argv) == 0


def test_cli_rejects_unknown_countries_before_rendering(data_dir, tmp_path, capsys):
    out = tmp_path / "reports"
    code = cli.main(["--data-dir", str(data_dir), "-q", "render", "--countries", "BLR,Belarussia", "--out", str(out)])
    assert code == 2
    assert "Belarussia" in capsys.readouterr().err
    assert not out.exists()


# -- a killed run resumes ---------------------------------------------------------------------------
_RUNNER = """
import json, sys
from migstats import render
res = render.render(sys.argv[1].split(","), out=sys.argv[2], notebook=sys.argv[3], jobs=1,
                    data_dir=sys.argv[4], progress=False)
print(json.dumps({r.label: r.status for r in res}))
"""


def _live_in_group(pgid: int) -> list[str]:
    """Command lines of the processes (not zombies) in process group ``pgid`` (Linux /proc)."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(text.split(" ", 2)[1])
    return live


def test_killed_run_resumes(data_dir, tmp_path):
    countries = ["BLR", "TJK", "AFG", "MEX"]
    nb = _cheap(tmp_path / "slow.ipynb", "import time\ntime.sleep(1.5)")
    out = tmp_path / "reports"
    cmd = [sys.executable, "-c", _RUNNER, ",".join(countries), str(out), str(nb), str(data_dir)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(f"*/2024/{STAMP_FILE}")):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no profile appeared within 120 s"
            time.sleep(0.05)
        proc.kill()  # SIGKILL: no cleanup code runs in the batch process
        proc.communicate()
        # its worker and fork server notice and exit (forked kernels exit with their relay)
        deadline = time.monotonic() + 15
        while _live_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _live_in_group(proc.pid), "processes of the killed batch left running"
    finally:
        # all of them are in the session created for the run
        if _live_in_group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    # nothing half-written in a final location: a profile folder is complete or absent
    finished = set()
    for c in countries:
        folder = out / c / "2024"
        if folder.exists():
            assert (folder / "profile.html").is_file() and (folder / "profile.ipynb").is_file(), c
            if (folder / STAMP_FILE).is_file():
                finished.add(c)
    assert finished and len(finished) < len(countries)
    rerun = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=180, check=True)
    status = json.loads(rerun.stdout.decode().strip().splitlines()[-1])
    assert status == {c: "skipped" if c in finished else "ok" for c in countries}
    for c in countries:
        assert (out / c / "2024" / STAMP_FILE).is_file()
    assert not list(out.rglob(".*.tmp-*")), "stale staging folders must be cleaned"
    assert not list(out.rglob(".*.old-*"))


# -- isolation between profiles -------------------------------------------------------------------
_CHECK_AND_LEAK = """
import json, pandas, matplotlib, migstats.indicators
seen = {"LEAK": globals().get("LEAK"), "dataframe_patched": "leaked" in pandas.DataFrame.__dict__,
        "module_patched": hasattr(migstats.indicators, "LEAKED"),
        "rc_linewidth": matplotlib.rcParams["lines.linewidth"]}
print("SEEN " + json.dumps(seen))
LEAK = country
pandas.DataFrame.leaked = True
migstats.indicators.LEAKED = True
matplotlib.rcParams["lines.linewidth"] = 42.0
"""


def _seen(nb_path: Path) -> dict:
    line = next(x for x in _stdout(nb_path).splitlines() if x.startswith("SEEN "))
    return json.loads(line[5:])


def test_no_leak_between_profiles(data_dir, tmp_path):
    nb = _notebook(tmp_path / "leak.ipynb", _CHECK_AND_LEAK)
    countries = ["BLR", "TJK", "AFG", "MEX"]
    results = render.render(countries, out=tmp_path / "reports", notebook=nb, jobs=1, formats=("ipynb",),
                            data_dir=data_dir, progress=False, index=False)
    assert [r.status for r in results] == ["ok"] * 4, [r.error for r in results]
    for c in countries:
        seen = _seen(tmp_path / "reports" / c / "2024" / "profile.ipynb")
        assert seen["LEAK"] is None, c
        assert not seen["dataframe_patched"] and not seen["module_patched"], c
        assert seen["rc_linewidth"] != 42.0, c


# -- warm and cold kernels --------------------------------------------------------------------------
def test_cold_kernels(data_dir, tmp_path):
    nb = _cheap(tmp_path / "cheap.ipynb")
    results = render.render(["BLR", FAILING], out=tmp_path / "reports", notebook=nb, jobs=2, warm=False,
                            data_dir=data_dir, progress=False)
    assert {r.label: r.status for r in results} == {"BLR": "ok", FAILING: "failed"}
    printed = _stdout(tmp_path / "reports" / "BLR" / "2024" / "profile.ipynb")
    assert "rendered BLR 10" in printed and "preloaded False" in printed  # a plain papermill kernel


def test_warm_kernels_are_forked(batch):
    out, _, results = batch
    for r in results:
        if r.status == "ok":
            printed = _stdout(out / r.label / "2024" / "profile.ipynb")
            assert "preloaded True" in printed and "exit status 3" in printed, r.label


def test_kernels_draw_figures_in_parallel_only_with_an_idle_core(data_dir, tmp_path):
    nb = _cheap(tmp_path / "cheap.ipynb")
    cores = len(os.sched_getaffinity(0))
    for countries in (["BLR"], ["BLR", "TJK", "AFG"]):
        out = tmp_path / f"reports-{len(countries)}"
        results = render.render(countries, out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False)
        assert [r.status for r in results] == ["ok"] * len(countries)
        idle = min(2, len(countries)) < cores  # one worker, or more cores than the two workers
        for c in countries:
            assert f"parallel figures {int(idle)}" in _stdout(out / c / "2024" / "profile.ipynb"), (countries, c)


# -- Dask distributed -----------------------------------------------------------------------------
def test_dask_scheduler(data_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    nb = _cheap(tmp_path / "cheap.ipynb")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster, distributed.Client(cluster) as client:
        results = render.render(["BLR", "TJK"], out=tmp_path / "reports", notebook=nb, scheduler=client,
                                data_dir=data_dir, progress=False)
        assert {r.label: r.status for r in results} == {"BLR": "ok", "TJK": "ok"}, [r.error for r in results]
        # an address works as well as a client (and is closed by render)
        again = render.render(["BLR", "TJK"], out=tmp_path / "reports", notebook=nb,
                              scheduler=cluster.scheduler_address, data_dir=data_dir, progress=False, force=True)
        assert [r.status for r in again] == ["ok", "ok"]
    for c in ("BLR", "TJK"):
        assert (tmp_path / "reports" / c / "2024" / STAMP_FILE).is_file()


# -- issue 17: formats, the index of an HTML-only run, resume, progress, output and cluster errors ---
def test_html_only_run_indexes_its_profiles(data_dir, tmp_path):
    """`render --format html` keeps no notebook: the index and the summary JSON come from the
    executed notebook in memory."""
    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    results = render.render(["BLR", "TJK"], out=out, notebook=nb, formats="html", jobs=2, data_dir=data_dir,
                            progress=False)
    assert [r.status for r in results] == ["ok", "ok"]
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "2 profiles" in page and "BLR/2024/profile.html" in page and "TJK/2024/profile.html" in page
    for c in ("BLR", "TJK"):
        names = {p.name for p in (out / c / "2024").iterdir()}
        assert "profile.ipynb" not in names and {"profile.html", "summary.json", STAMP_FILE} <= names
        assert json.loads((out / c / "2024" / STAMP_FILE).read_text())["outputs"] == ["profile.html", "summary.json"]


def test_index_lists_the_runs_profiles_with_singular(data_dir, tmp_path):
    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    render.render(["BLR"], out=out, notebook=nb, formats="html", jobs=1, data_dir=data_dir, progress=False)
    assert "<p>1 profile." in (out / "index.html").read_text(encoding="utf-8")


def test_resume_renders_again_when_a_stamped_output_is_gone(data_dir, tmp_path):
    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    render.render(["BLR", "TJK"], out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False)
    (out / "BLR" / "2024" / "profile.html").unlink()
    again = render.render(["BLR", "TJK"], out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False)
    assert [r.status for r in again] == ["ok", "skipped"]
    assert (out / "BLR" / "2024" / "profile.html").is_file()


@pytest.mark.parametrize("formats", ["", ",", " , ", ()])
def test_no_format_is_refused_and_touches_nothing(data_dir, tmp_path, formats, capsys):
    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    render.render(["BLR"], out=out, notebook=nb, jobs=1, data_dir=data_dir, progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(ValueError, match="No output format"):
        render.render(["BLR"], out=out, notebook=nb, formats=formats, force=True, data_dir=data_dir, progress=False)
    if isinstance(formats, str):
        code = cli.main(["-q", "render", "--countries", "BLR", "--format", formats, "--out", str(out),
                         "--data-dir", str(data_dir)])
        assert code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("migstats: error: No output format")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_progress_counts_move_with_the_bar(data_dir, tmp_path, capsys):
    nb = _cheap(tmp_path / "cheap.ipynb")
    render.render(["BLR", "TJK", FAILING], out=tmp_path / "reports", notebook=nb, jobs=2, data_dir=data_dir,
                  progress=True)
    frames = [f for f in capsys.readouterr().err.replace("\n", "\r").split("\r") if "migstats render" in f]
    import re

    checked = 0
    for frame in frames:
        bar = re.search(r"\| (\d+)/3 ", frame)
        counts = dict(re.findall(r"(ok|failed)=(\d+)", frame))
        if bar and counts:
            assert int(counts["ok"]) + int(counts["failed"]) == int(bar.group(1)), frame
            checked += 1
    assert checked >= 1 and re.search(r"3/3 .*failed=1, ok=2", frames[-1]), frames[-1]


def test_read_only_output_fails_before_rendering(data_dir, tmp_path, capsys):
    from readonly import read_only

    from migstats.exceptions import OutputError

    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    out.mkdir()
    with read_only(out):
        t = time.perf_counter()
        with pytest.raises(OutputError, match="Cannot write to"):
            render.render(["BLR", "TJK"], out=out, notebook=nb, jobs=2, data_dir=data_dir, progress=False)
        assert time.perf_counter() - t < 10  # no worker or kernel was started
        code = cli.main(["-q", "render", "--countries", "BLR,TJK", "--out", str(out), "--data-dir", str(data_dir)])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 4 and len(err) == 1 and err[0].startswith("migstats: error: Cannot write to")
        sub = out / "deeper"
        with pytest.raises(OutputError):
            render.render(["BLR"], out=sub, notebook=nb, data_dir=data_dir, progress=False)
    assert list(out.iterdir()) == []


def test_output_that_is_a_file(data_dir, tmp_path, capsys):
    out = tmp_path / "reports"
    out.write_text("not a folder")
    code = cli.main(["-q", "render", "--countries", "BLR", "--out", str(out), "--data-dir", str(data_dir)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 4 and len(err) == 1 and "Cannot write to" in err[0]
    assert out.read_text() == "not a folder"


def test_unreachable_scheduler_fails_fast_writing_nothing(data_dir, tmp_path, monkeypatch, capsys):
    pytest.importorskip("distributed")
    import socket

    from migstats.exceptions import SchedulerUnreachableError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"  # nothing listens there
    out = tmp_path / "reports"
    t = time.perf_counter()
    with pytest.raises(SchedulerUnreachableError, match="dask scheduler"):
        render.render(["BLR"], out=out, scheduler=address, scheduler_timeout=2, data_dir=data_dir, progress=False)
    assert time.perf_counter() - t < 15
    monkeypatch.setattr(render, "SCHEDULER_TIMEOUT", 2.0)
    code = cli.main(["-q", "render", "--countries", "BLR", "--scheduler", address, "--out", str(out),
                     "--data-dir", str(data_dir)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 5 and len(err) == 1 and err[0].startswith(f"migstats: error: Cannot reach the Dask scheduler at {address}")
    assert not out.exists()


def test_a_swap_cut_short_is_undone(data_dir, tmp_path):
    """Killed between its two renames, a render leaves the old profile at .<year>.old-<pid>:
    the next run puts it back (and, being up to date, skips it)."""
    nb = _cheap(tmp_path / "cheap.ipynb")
    out = tmp_path / "reports"
    render.render(["BLR"], out=out, notebook=nb, jobs=1, data_dir=data_dir, progress=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    folder = out / "BLR" / "2024"
    os.replace(folder, folder.with_name(f".2024.old-{dead}"))
    again = render.render(["BLR"], out=out, notebook=nb, jobs=1, data_dir=data_dir, progress=False)
    assert [r.status for r in again] == ["skipped"]
    assert (folder / "profile.html").is_file() and not list(folder.parent.glob(".2024.old-*"))


# -- interrupted runs: Ctrl-C (the whole process group) or SIGINT to the batch process only ---------
_INTERRUPTIBLE = """
import json, sys
from migstats import render
from migstats.exceptions import RenderInterrupted
try:
    res = render.render(sys.argv[1].split(","), out=sys.argv[2], notebook=sys.argv[3], jobs=int(sys.argv[5]),
                        data_dir=sys.argv[4], progress=False)
    code = 0
except RenderInterrupted as exc:
    res, code = exc.results, 130
print(json.dumps({r.label: r.status for r in res}))
sys.exit(code)
"""


@pytest.mark.parametrize("target", ["group", "main"])
def test_interrupted_batch_stops_within_two_seconds_and_keeps_what_finished(data_dir, tmp_path, target):
    countries = ["BLR", "TJK", "AFG", "MEX", "DEU"]
    nb = _cheap(tmp_path / "slow.ipynb", "import time\ntime.sleep(2)")
    out = tmp_path / "reports"
    cmd = [sys.executable, "-c", _INTERRUPTIBLE, ",".join(countries), str(out), str(nb), str(data_dir), "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(f"*/2024/{STAMP_FILE}")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no profile appeared within 120 s"
            time.sleep(0.05)
        time.sleep(0.3)
        t = time.monotonic()
        if target == "group":  # what the terminal does on Ctrl-C
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        while proc.poll() is None and time.monotonic() - t < 30:
            time.sleep(0.02)
        elapsed = time.monotonic() - t
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None or _live_in_group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert elapsed < 2.0, f"took {elapsed:.1f} s to stop"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    status = json.loads(stdout.strip().splitlines()[-1])
    stamped = {c for c in countries if (out / c / "2024" / STAMP_FILE).is_file()}
    assert stamped and {c for c, s in status.items() if s == "ok"} == stamped
    assert {s for c, s in status.items() if c not in stamped} <= {"not run"}
    rows = _summary_csv(out)
    assert {c for c, r in rows.items() if r["status"] == "ok"} == stamped
    deadline = time.monotonic() + 15  # workers, fork server and kernels go too
    while _live_in_group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _live_in_group(proc.pid)
    # the same command finishes the rest
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    status = json.loads(rerun.stdout.strip().splitlines()[-1])
    assert status == {c: "skipped" if c in stamped else "ok" for c in countries}
