"""The README's commands as users run them, against what goes wrong in practice.

The matrix: every command of the README's "Set up" and "Everyday commands" blocks
× relative paths (run from another folder, ``--out``/``--data-dir`` or ``MIGSTATS_DATA_DIR``
relative) or absolute ones × a read-only output × a damaged store (a truncated Parquet
table) × an interrupted run (Ctrl-C, i.e. SIGINT to the whole process group). Each case
checks the exit code (``migstats --help`` lists them), that a failure is exactly one line
``migstats: error: ...`` (no traceback) and that no good output is lost or half-written.

``migstats render --all`` is run as ``render --countries BLR,TJK`` (same code path, two
profiles instead of 235). Commands run as the installed program would (``python -m
migstats.cli``, a new process); the session's store is reused (copied once for the damaged
case).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from readonly import read_only

from migstats import store

# name: (arguments, files expected under --out); None: the command takes no --out
README_COMMANDS = {
    "profile": (["profile", "Belarus"], ["BLR/2024/profile.html", "BLR/2024/profile.ipynb"]),
    "indicators": (["indicators", "Tajikistan", "--year", "2020", "--format", "json"], None),
    "profile-formats": (["profile", "Kyrgyz Republic", "--format", "html,png,csv"],
                        ["KGZ/2024/profile.html", "KGZ/2024/figures/diaspora_map.png",
                         "KGZ/2024/tables/key_figures.csv"]),
    "profile-group": (["profile", "--group", "Central Asia"], ["groups/central-asia/2024/profile.html"]),
    "render": (["render", "--countries", "BLR,TJK", "--jobs", "2"],
               ["BLR/2024/profile.html", "TJK/2024/profile.html", "index.html", "render-summary.csv"]),
    "data-status": (["data", "status"], None),
}
WRITES = [name for name, (_, files) in README_COMMANDS.items() if files is not None]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MIGSTATS_DATA_DIR", "MIGSTATS_MIRROR")}
    env.update(MPLBACKEND="Agg", **extra)
    return env


def _run(argv, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migstats.cli", "-q", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _one_error(stderr: str) -> str:
    """The failure's only output: one `migstats: error:` line."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("migstats: error: "), stderr
    return lines[0]


def _snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _no_litter(folder: Path) -> None:
    assert not [p for p in folder.rglob("*") if ".tmp-" in p.name or ".old-" in p.name or p.suffix == ".part"]


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working folder unrelated to the checkout and the data root."""
    cwd = tmp_path / "work" / "somewhere"
    cwd.mkdir(parents=True)
    return cwd


# -- the commands work from any folder, with relative or absolute paths ---------------------------------
# relative MIGSTATS_DATA_DIR: on the commands that start kernels and worker processes
CASES = [(name, paths) for name in README_COMMANDS for paths in ("relative", "absolute")]
CASES += [("profile-formats", "relative-env"), ("render", "relative-env")]


@pytest.mark.parametrize(("name", "paths"), CASES)
def test_readme_command(name, paths, data_dir, elsewhere):
    argv, files = README_COMMANDS[name]
    out = Path("reports") if paths != "absolute" else elsewhere / "reports"
    data = Path(os.path.relpath(data_dir, elsewhere)) if paths != "absolute" else data_dir
    env = _env(MIGSTATS_DATA_DIR=str(data)) if paths == "relative-env" else _env()
    args = [*argv] + ([] if paths == "relative-env" else ["--data-dir", str(data)])
    if files is not None:
        args += ["--out", str(out)]
    res = _run(args, elsewhere, env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "Traceback" not in res.stderr and "WARNING" not in res.stderr, res.stderr
    if name == "indicators":
        figs = {f["name"]: f for f in json.loads(res.stdout)["figures"]}
        # undesa_pd_2024_ims_stock_by_sex_and_destination.xlsx, Table 1, Tajikistan, 2020 (both sexes)
        assert figs["immigrant_stock"]["value"] == 276031
    if name == "data-status":
        assert "all readable and matching their schemas" in res.stdout
    if files is None:
        assert sorted(p.name for p in elsewhere.iterdir()) == []
        return
    root = elsewhere / "reports"
    for f in files:
        assert (root / f).is_file(), (f, sorted(_snapshot(root)))
    # nothing outside the profile folders, nothing nested, nothing hidden with a private mode
    assert sorted(p.name for p in elsewhere.iterdir()) == ["reports"]
    assert not list(root.rglob("reports")), "outputs landed inside the output folder"
    _no_litter(root)
    mode = 0o666 & ~_umask()
    for p in root.rglob("*"):
        if p.is_file() and not p.name.startswith("."):
            assert p.stat().st_mode & 0o777 == mode, (p, oct(p.stat().st_mode))
    if name.startswith("profile"):
        wrote = res.stdout.strip().splitlines()[-1]
        assert wrote.startswith(f"Wrote reports{os.sep}") or wrote.startswith(f"Wrote {root}"), wrote


def test_readme_offline_route_and_bundles_from_another_folder(data_dir, elsewhere):
    """`MIGSTATS_MIRROR=... migstats profile Belarus` (the first command block) on a fresh data
    root, and `migstats data bundle sources.zip` / `data fetch --from sources.zip`, all with
    relative paths."""
    mirror = os.path.relpath(data_dir / "raw", elsewhere)
    env = _env(MIGSTATS_MIRROR=mirror, MIGSTATS_DATA_DIR="fresh")
    res = _run(["profile", "Belarus"], elsewhere, env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert (elsewhere / "reports" / "BLR" / "2024" / "profile.html").is_file()
    assert store.is_built(elsewhere / "fresh")
    res = _run(["data", "bundle", "sources.zip", "--data-dir", "fresh"], elsewhere, _env())
    assert res.returncode == 0 and res.stdout.strip() == "Wrote sources.zip", res.stderr
    res = _run(["data", "fetch", "--from", "sources.zip", "--data-dir", "other"], elsewhere, _env())
    assert res.returncode == 0, res.stderr
    assert {line.split()[0] for line in res.stdout.splitlines()} <= {"copied", "missing"}
    assert (elsewhere / "other" / "raw" / "undesa_ims").is_dir()
    res = _run(["data", "bundle", "sources.zip", "--data-dir", "fresh"], elsewhere, _env())
    assert res.returncode == 4 and "--force" in _one_error(res.stderr)


# -- a read-only output: one line, exit 4, quickly, the good profile untouched ---------------------------
@pytest.fixture(scope="module")
def good_reports(data_dir, tmp_path_factory) -> Path:
    """Reports with a good BLR profile (rendered once for the failure cases)."""
    out = tmp_path_factory.mktemp("good") / "reports"
    res = _run(["profile", "BLR", "--out", str(out), "--data-dir", str(data_dir)], out.parent, _env())
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.parametrize("name", WRITES)
def test_read_only_output(name, data_dir, good_reports, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(good_reports, out)
    before = _snapshot(out)
    argv, _ = README_COMMANDS[name]
    # Belarus is written in <out>/BLR/ (it exists): that folder is read-only; the others create
    # a folder in <out>, and render checks <out> itself: then <out> is read-only
    locked = out / "BLR" if name == "profile" else out
    with read_only(locked):
        t = time.perf_counter()
        res = _run([*argv, "--out", str(out), "--data-dir", str(data_dir)], tmp_path, _env())
        elapsed = time.perf_counter() - t
    assert res.returncode == 4, res.stderr
    line = _one_error(res.stderr)
    assert "Cannot write to" in line and "--out" in line
    assert _snapshot(out) == before
    assert elapsed < 30, f"{elapsed:.1f} s: something was rendered before the check"


@pytest.mark.parametrize("name", WRITES)
def test_output_that_is_a_file(name, data_dir, tmp_path):
    out = tmp_path / "reports"
    out.write_text("a file, not a folder")
    argv, _ = README_COMMANDS[name]
    res = _run([*argv, "--out", str(out), "--data-dir", str(data_dir)], tmp_path, _env())
    assert res.returncode == 4, res.stderr
    assert "Cannot write to" in _one_error(res.stderr)
    assert out.read_text() == "a file, not a folder"


# -- a damaged store: one line naming the table and `migstats data build`, exit 3, nothing written ------
@pytest.fixture(scope="module")
def damaged_root(data_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("damaged") / "data"
    shutil.copytree(data_dir, root)
    with open(store.table_path("destination_stock", root), "r+b") as fh:
        fh.truncate(20_000)
    return root


@pytest.mark.parametrize("name", list(README_COMMANDS))
def test_damaged_store(name, damaged_root, tmp_path):
    argv, files = README_COMMANDS[name]
    out = tmp_path / "reports"
    args = [*argv, "--data-dir", str(damaged_root)] + (["--out", str(out)] if files is not None else [])
    res = _run(args, tmp_path, _env())
    assert res.returncode == 3, res.stderr
    line = _one_error(res.stderr)
    assert "destination_stock" in line and "`migstats data build`" in line
    assert not out.exists(), "a failed run must leave no output folder"


# -- interrupted: exit 130 within 2 s, one line, what finished kept, nothing half-written ----------------
def _interrupt_when(cmd, cwd, ready, *, timeout=180, how="ctrl-c"):
    proc = subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never reached the point to interrupt"
            time.sleep(0.02)
        t = time.monotonic()
        if how == "ctrl-c":  # the terminal signals the whole process group
            os.killpg(proc.pid, signal.SIGINT)
        else:  # `kill -INT PID`, `kill PID`: the migstats process only
            os.kill(proc.pid, signal.SIGINT if how == "sigint" else signal.SIGTERM)
        while proc.poll() is None and time.monotonic() - t < 30:
            time.sleep(0.02)
        elapsed = time.monotonic() - t
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, elapsed, stdout, stderr


@pytest.mark.parametrize(("how", "exit_code"), [("ctrl-c", 130), ("sigint", 130), ("sigterm", 143)])
def test_interrupted_profile_keeps_the_previous_one(data_dir, good_reports, tmp_path, how, exit_code):
    out = tmp_path / "reports"
    shutil.copytree(good_reports, out)
    before = _snapshot(out)
    cmd = [sys.executable, "-m", "migstats.cli", "-q", "profile", "BLR", "--out", str(out), "--data-dir",
           str(data_dir)]
    code, elapsed, _, stderr = _interrupt_when(cmd, tmp_path, lambda: list((out / "BLR").glob(".2024.tmp-*")),
                                               how=how)
    assert code == exit_code, stderr
    assert elapsed < 2.0, f"{elapsed:.1f} s to stop"
    assert "no profile was written" in _one_error(stderr)
    assert _snapshot(out) == before
    _no_litter(out)


@pytest.mark.parametrize(("how", "exit_code"), [("ctrl-c", 130), ("sigterm", 143)])
def test_interrupted_render_keeps_and_lists_what_finished(data_dir, tmp_path, how, exit_code):
    out = tmp_path / "reports"
    countries = ["BLR", "TJK", "AFG", "MEX", "DEU"]
    cmd = [sys.executable, "-m", "migstats.cli", "-q", "render", "--countries", ",".join(countries), "--jobs", "2",
           "--out", str(out), "--data-dir", str(data_dir)]
    code, elapsed, _, stderr = _interrupt_when(cmd, tmp_path, lambda: list(out.glob("*/2024/.migstats-stamp.json")),
                                               how=how)
    assert code == exit_code, stderr
    assert elapsed < 2.0, f"{elapsed:.1f} s to stop"
    line = _one_error(stderr)
    assert "Run the same command again" in line and "render-summary.csv" in line
    finished = {c for c in countries if (out / c / "2024" / ".migstats-stamp.json").is_file()}
    rows = (out / "render-summary.csv").read_text().splitlines()[1:]
    status = {r.split(",")[0]: r.split(",")[1] for r in rows}
    assert {c for c, s in status.items() if s == "ok"} == finished and finished
    assert set(status.values()) <= {"ok", "not run"}
    for c in finished:
        assert (out / c / "2024" / "profile.html").is_file() and (out / c / "2024" / "profile.ipynb").is_file()
    for c in set(countries) - finished:
        assert not (out / c / "2024").exists()
    _no_litter(out)


def test_no_warm_profile_prints_no_kernel_warning(data_dir, elsewhere):
    """A plain papermill kernel talks over Unix sockets: no "running over TCP without encryption"."""
    res = _run(["profile", "BLR", "--no-warm", "--out", "reports", "--data-dir",
                os.path.relpath(data_dir, elsewhere)], elsewhere, _env())
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", res.stderr
    assert (elsewhere / "reports" / "BLR" / "2024" / "profile.html").is_file()


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old
