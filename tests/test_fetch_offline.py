"""migstats.fetch for users without internet and for files others read: permissions (the
user's umask), bundles used all or nothing with messages that fit bundles, ``bundle``
refusing to overwrite, a corrupt cached file reported as corrupt, and one short message
when neither a mirror nor the publishers can be reached.

No test touches the internet: "the publishers" are addresses on 127.0.0.1 where nothing
listens (connection refused at once), and small files come from the verified mirror.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from migstats import fetch as mf
from migstats import locations, registry
from migstats.exceptions import OutputError, SourceMissingError, SourceVerificationError

from small_sources import KEYS, SOURCES, copy_sources
ANNEX = registry.SOURCES["undesa_annex"]
WDI = registry.SOURCES["wdi_remittances_received"]
WDI_META = registry.SOURCES["wdi_remittances_received_meta"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    monkeypatch.delenv(locations.MIRROR_ENV, raising=False)
    monkeypatch.delenv(locations.DATA_DIR_ENV, raising=False)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def served(tmp_path, mirror_dir) -> Path:
    """A temporary copy of the small mirror files, laid out like raw/."""
    return copy_sources(mirror_dir, tmp_path / "served")


def _closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- permissions ---------------------------------------------------------------------------------
def test_cached_files_pins_and_bundles_follow_the_umask(tmp_path, served, umask_022):
    data = tmp_path / "data"
    # a source without a registry hash: its first copy writes the pins file
    sources = dict(SOURCES, unsd_m49=dataclasses.replace(SOURCES["unsd_m49"], sha256=None, size=None))
    mf.fetch(mirror=served, data_dir=data, progress=False, sources=sources)
    raw = locations.raw_dir(data)
    assert (raw / mf.PINS_FILE).is_file()
    for name in [*(s.path for s in SOURCES.values()), mf.PINS_FILE]:
        assert _mode(raw / name) == 0o644, name
    out = mf.bundle(tmp_path / "sources.zip", data_dir=data, sources=sources)
    assert _mode(out) == 0o644


def test_a_stricter_umask_is_respected(tmp_path, served):
    old = os.umask(0o077)
    try:
        mf.fetch([ANNEX.key], mirror=served, data_dir=tmp_path / "data", progress=False, sources=SOURCES)
    finally:
        os.umask(old)
    assert _mode(locations.raw_dir(tmp_path / "data") / ANNEX.path) == 0o600


# -- bundles: all or nothing, messages for bundles, no silent overwrite --------------------------
def _bundle(tmp_path, served) -> Path:
    mf.fetch(mirror=served, data_dir=tmp_path / "a", progress=False, sources=SOURCES)
    return mf.bundle(tmp_path / "good.zip", data_dir=tmp_path / "a", sources=SOURCES)


def test_tampered_bundle_copies_nothing_and_says_what_to_do(tmp_path, served):
    good = _bundle(tmp_path, served)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():  # the last file of the registry order is altered
            data = zin.read(name)
            if name == WDI_META.path:
                data = data.replace(b"Upper middle income", b"High income", 1)
            zout.writestr(name, data)
    with pytest.raises(SourceVerificationError) as info:
        mf.fetch(mirror=bad, data_dir=tmp_path / "b", progress=False, sources=SOURCES)
    msg = str(info.value)
    assert WDI_META.filename in msg and "bundle" in msg and "nothing was copied" in msg
    assert "--force" not in msg  # re-downloading the same bundle cannot help
    # the three good files before it were not copied either
    assert _files(locations.raw_dir(tmp_path / "b")) == []
    states = {r.key: r.state for r in info.value.results}
    assert states == {k: "missing" for k in KEYS}


def test_bundle_refuses_to_overwrite_without_force(tmp_path, served):
    good = _bundle(tmp_path, served)
    before = good.read_bytes()
    with pytest.raises(OutputError, match="--force"):
        mf.bundle(good, data_dir=tmp_path / "a", sources=SOURCES)
    assert good.read_bytes() == before
    time.sleep(1.1)  # the zip's entries carry timestamps: a new zip differs
    assert mf.bundle(good, data_dir=tmp_path / "a", sources=SOURCES, force=True) == good


def test_bundle_onto_a_folder_is_refused(tmp_path, served):
    _bundle(tmp_path, served)
    folder = tmp_path / "usb"
    folder.mkdir()
    with pytest.raises(OutputError, match="is a folder"):
        mf.bundle(folder, data_dir=tmp_path / "a", sources=SOURCES)
    assert list(folder.iterdir()) == []


# -- offline -----------------------------------------------------------------------------------------
def _offline_sources() -> dict:
    """The small sources with publisher URLs on two hosts that refuse connections."""
    hosts = [f"127.0.0.1:{_closed_port()}", f"127.0.0.1:{_closed_port()}"]
    return {k: dataclasses.replace(s, url=f"http://{hosts[i % 2]}/{s.filename}") for i, (k, s) in
            enumerate(SOURCES.items())}


def test_offline_without_mirror_gives_one_short_message(tmp_path):
    sources = _offline_sources()
    t = time.perf_counter()
    with pytest.raises(SourceMissingError) as info:
        mf.fetch(data_dir=tmp_path / "data", progress=False, sources=sources)
    assert time.perf_counter() - t < 5
    msg = str(info.value)
    assert "\n" not in msg and len(msg) < 600
    assert msg.startswith("Cannot get the source files: no mirror is set")
    assert "MIGSTATS_MIRROR" in msg and "--from" in msg
    assert "HTTPConnectionPool" not in msg and "Max retries" not in msg
    assert _files(tmp_path / "data") == []


def test_corrupt_cached_file_offline_is_reported_corrupt(tmp_path, served):
    data = tmp_path / "data"
    mf.fetch(mirror=served, data_dir=data, progress=False, sources=SOURCES)
    target = locations.raw_dir(data) / ANNEX.path
    target.write_bytes(target.read_bytes()[:-100])  # truncated
    with pytest.raises(SourceMissingError) as info:
        mf.fetch(data_dir=data, progress=False, sources=_offline_sources())
    states = {r.key: r.state for r in info.value.results}
    assert states[ANNEX.key] == "corrupt"
    assert states[WDI.key] == "present"
    assert "corrupt" in str(info.value) and ANNEX.key in str(info.value)


def test_first_profile_offline_prints_one_short_line(tmp_path):
    """`migstats profile Belarus` on a fresh machine with no mirror and no network: the whole
    output is one line that tells how to use a mirror. The "network" is a proxy on a closed
    local port, so nothing leaves the machine."""
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", locations.MIRROR_ENV.lower())}
    env.pop(locations.MIRROR_ENV, None)
    env.update(MIGSTATS_DATA_DIR=str(tmp_path / "fresh"), HTTP_PROXY=proxy, HTTPS_PROXY=proxy,
               http_proxy=proxy, https_proxy=proxy, MPLBACKEND="Agg")
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "migstats.cli", "-q", "profile", "Belarus", "--out",
                          str(tmp_path / "reports")], env=env, capture_output=True, text=True, timeout=300)
    assert time.perf_counter() - t < 60
    assert res.returncode == 3, res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("migstats: error:")]
    assert len(errors) == 1, res.stderr
    assert "MIGSTATS_MIRROR" in errors[0] and "Traceback" not in res.stderr
    assert len(res.stderr.splitlines()) <= 2, res.stderr  # the "first run" notice and the error
    assert not (tmp_path / "reports").exists()
    raw = tmp_path / "fresh" / "raw"
    assert _files(raw) == []
