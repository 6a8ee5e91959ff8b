"""Tests of migstats.fetch: mirrors (http, folder, zip bundle), the publishers' URLs,
verification, trust-on-first-use pins, status and offline bundles.

No test touches the internet: a ``ThreadingHTTPServer`` on 127.0.0.1 serves a
temporary copy of a few small files of the verified mirror (``mirror_dir``).
Expected SHA-256 values are the registry's, which equal the mirror's ``SHA256SUMS``.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import json
import shutil
import threading
import zipfile
from pathlib import Path

import pooch
import pytest

from migstats import fetch as mf
from migstats import locations, registry
from migstats.exceptions import SourceMissingError, SourceVerificationError

from small_sources import KEYS, SOURCES, copy_sources
WDI = registry.SOURCES["wdi_remittances_received"]
WDI_META = registry.SOURCES["wdi_remittances_received_meta"]
ANNEX = registry.SOURCES["undesa_annex"]
M49 = registry.SOURCES["unsd_m49"]  # "m49/UNSD — Methodology.csv": spaces and an em dash


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch):
    """No mirror or data folder from the developer's environment; never use a proxy for 127.0.0.1."""
    monkeypatch.delenv(locations.MIRROR_ENV, raising=False)
    monkeypatch.delenv(locations.DATA_DIR_ENV, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def served(tmp_path, mirror_dir) -> Path:
    """A temporary copy of the small mirror files, laid out like raw/."""
    return copy_sources(mirror_dir, tmp_path / "served")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the ``served`` folder; records request headers; can cut responses short."""

    def log_message(self, *args):  # keep pytest output quiet
        pass

    def do_GET(self):
        self.server.requests.append((self.path, dict(self.headers)))
        if self.server.truncate:
            file = Path(self.translate_path(self.path))
            data = file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def server(served):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(served)))
    httpd.requests = []
    httpd.truncate = False
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def _raw(tmp_path, name="data") -> Path:
    return locations.raw_dir(tmp_path / name)


def _files(folder: Path) -> list[str]:
    """Every file below ``folder`` (relative, sorted): catches partial files and temp litter."""
    if not folder.exists():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _flip_byte(path: Path, offset: int = 1000) -> None:
    """Change one byte in place (same size, so only the SHA-256 can tell)."""
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- http mirror


def test_http_mirror_download_verifies_and_lands_in_raw(tmp_path, server):
    results = mf.fetch(mirror=server.url, data_dir=tmp_path / "data", progress=False,
                       sources=SOURCES)
    raw = _raw(tmp_path)
    assert [r.key for r in results] == KEYS
    for r in results:
        src = SOURCES[r.key]
        assert r.state == "downloaded", r.message
        assert r.path == raw / src.path
        assert r.sha256 == src.sha256 == _sha(r.path)  # registry == SHA256SUMS of the mirror
        assert r.path.stat().st_size == src.size
    # The M49 file name is URL-quoted (spaces, em dash U+2014 = E2 80 94 in UTF-8).
    assert "/m49/UNSD%20%E2%80%94%20Methodology.csv" in [p for p, _ in server.requests]
    assert _files(raw) == sorted(s.path for s in SOURCES.values())  # no temp litter

    # A second fetch transfers nothing: verified files are skipped ...
    n_requests = len(server.requests)
    again = mf.fetch(mirror=server.url, data_dir=tmp_path / "data", progress=False,
                     sources=SOURCES)
    assert {r.state for r in again} == {"present"}
    assert len(server.requests) == n_requests
    # ... unless forced.
    forced = mf.fetch(["undesa_annex"], mirror=server.url, data_dir=tmp_path / "data",
                      progress=False, force=True, sources=SOURCES)
    assert forced[0].state == "downloaded"


def test_changed_file_on_mirror_is_refused_and_not_kept(tmp_path, served, server):
    _flip_byte(served / WDI.path)
    with pytest.raises(SourceVerificationError) as info:
        mf.fetch(mirror=server.url, data_dir=tmp_path / "data", progress=False, sources=SOURCES)
    msg = str(info.value)
    assert WDI.filename in msg and WDI.key in msg
    assert WDI.sha256 in msg and _sha(served / WDI.path) in msg  # expected and actual
    assert "new edition" in msg and "migstats data fetch --force" in msg
    raw = _raw(tmp_path)
    assert not (raw / WDI.path).exists()
    # The other sources were still fetched; nothing else (no .part file) is left behind.
    assert _files(raw) == sorted(s.path for s in SOURCES.values() if s is not WDI)
    by_key = {r.key: r for r in info.value.results}
    assert by_key[WDI.key].state == "missing"
    assert by_key["undesa_annex"].state == "downloaded"


def test_forced_refetch_of_changed_file_keeps_the_verified_copy(tmp_path, served, server):
    mf.fetch([WDI.key], mirror=server.url, data_dir=tmp_path / "data", progress=False,
             sources=SOURCES)
    _flip_byte(served / WDI.path)
    with pytest.raises(SourceVerificationError):
        mf.fetch([WDI.key], mirror=server.url, data_dir=tmp_path / "data", progress=False,
                 force=True, sources=SOURCES)
    local = _raw(tmp_path) / WDI.path
    assert _sha(local) == WDI.sha256
    assert _files(local.parent) == [WDI.filename]


def test_interrupted_download_leaves_nothing(tmp_path, server):
    server.truncate = True  # Content-Length N, then N/2 bytes and the connection closes
    with pytest.raises(SourceMissingError) as info:
        mf.fetch([ANNEX.key, M49.key], mirror=server.url, data_dir=tmp_path / "data",
                 progress=False, sources=SOURCES)
    by_key = {r.key: r for r in info.value.results}
    assert by_key[ANNEX.key].state == "missing"  # required -> the error
    assert by_key[M49.key].state == "missing"    # optional -> reported only
    assert "cut off" in by_key[ANNEX.key].message
    assert ANNEX.key in str(info.value)
    assert _files(_raw(tmp_path)) == []  # no partial file at the final path, no temp litter


def test_keyboard_interrupt_during_download_leaves_nothing(tmp_path, server, monkeypatch):
    def half_then_interrupt(self, url, output_file, pooch_, check_only=False):
        Path(output_file).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(pooch.HTTPDownloader, "__call__", half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        mf.fetch([ANNEX.key], mirror=server.url, data_dir=tmp_path / "data", progress=False,
                 sources=SOURCES)
    assert _files(_raw(tmp_path)) == []


# --------------------------------------------------------------------------- folder mirror


def test_folder_mirror_copy_via_environment(tmp_path, served, monkeypatch):
    monkeypatch.setenv(locations.MIRROR_ENV, str(served))
    results = mf.fetch(data_dir=tmp_path / "data", progress=False, sources=SOURCES)
    assert {r.state for r in results} == {"copied"}
    for r in results:
        assert r.sha256 == SOURCES[r.key].sha256 == _sha(r.path)


def test_interrupted_copy_leaves_nothing(tmp_path, served, monkeypatch):
    def copy_half_then_interrupt(src, dst, *args, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:100])
        raise KeyboardInterrupt

    monkeypatch.setattr(mf.shutil, "copyfile", copy_half_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        mf.fetch([ANNEX.key], mirror=served, data_dir=tmp_path / "data", progress=False,
                 sources=SOURCES)
    assert _files(_raw(tmp_path)) == []


def test_missing_required_source_names_the_fix(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    with pytest.raises(SourceMissingError) as info:
        mf.fetch(mirror=empty, data_dir=tmp_path / "data", progress=False, sources=SOURCES)
    msg = str(info.value)
    assert "MIGSTATS_MIRROR" in msg and "--from" in msg and "network" in msg
    assert ANNEX.key in msg and ANNEX.path in msg and WDI.key in msg
    assert M49.key not in msg  # optional: reported in the results, not an error
    assert set(info.value.keys) == {ANNEX.key, WDI.key, WDI_META.key}


def test_missing_optional_source_is_not_fatal(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    (result,) = mf.fetch([M49.key], mirror=empty, data_dir=tmp_path / "data", progress=False,
                         sources=SOURCES)
    assert result.state == "missing" and "not in the mirror" in result.message


# --------------------------------------------------------------------------- bundles


def test_bundle_round_trip(tmp_path, served):
    mf.fetch(mirror=served, data_dir=tmp_path / "a", progress=False, sources=SOURCES)
    out = mf.bundle(tmp_path / "workshop.zip", data_dir=tmp_path / "a", sources=SOURCES)
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read(mf.BUNDLE_MANIFEST))
        assert sorted(zf.namelist()) == sorted([mf.BUNDLE_MANIFEST, *(s.path for s in SOURCES.values())])
    entries = {e["key"]: e for e in manifest["files"]}
    assert set(entries) == set(KEYS)
    for key, entry in entries.items():
        src = SOURCES[key]
        assert (entry["path"], entry["sha256"], entry["edition"], entry["url"]) == (
            src.path, src.sha256, src.edition, src.url)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []

    results = mf.fetch(mirror=out, data_dir=tmp_path / "b", progress=False, sources=SOURCES)
    assert {r.state for r in results} == {"copied"}
    for src in SOURCES.values():
        assert (_raw(tmp_path, "b") / src.path).read_bytes() == (served / src.path).read_bytes()


def _rewrite_zip(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            zout.writestr(name, change.get(name, zin.read(name)))


def test_tampered_bundle_is_refused_naming_the_file(tmp_path, served):
    mf.fetch(mirror=served, data_dir=tmp_path / "a", progress=False, sources=SOURCES)
    good = mf.bundle(tmp_path / "good.zip", data_dir=tmp_path / "a", sources=SOURCES)
    tampered_bytes = (served / WDI_META.path).read_bytes().replace(b"Upper middle income",
                                                                   b"High income", 1)
    _rewrite_zip(good, tmp_path / "bad.zip", {WDI_META.path: tampered_bytes})
    with pytest.raises(SourceVerificationError) as info:
        mf.fetch(mirror=tmp_path / "bad.zip", data_dir=tmp_path / "b", progress=False,
                 sources=SOURCES)
    msg = str(info.value)
    assert WDI_META.filename in msg and WDI_META.sha256 in msg
    assert not (_raw(tmp_path, "b") / WDI_META.path).exists()
    assert WDI_META.path not in _files(_raw(tmp_path, "b"))


@pytest.mark.parametrize("evil", ["../evil.csv", "worldbank_wdi/../../evil.csv", "/tmp/evil.csv",
                                  "C:/evil.csv"])
def test_zip_slip_member_is_refused(tmp_path, served, evil):
    bad = tmp_path / "slip.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.write(served / WDI.path, arcname=WDI.path)
        zf.writestr(evil, b"x")
    with pytest.raises(SourceVerificationError) as info:
        mf.fetch(mirror=bad, data_dir=tmp_path / "data", progress=False, sources=SOURCES)
    assert repr(evil) in str(info.value) and "outside the data folder" in str(info.value)
    assert _files(tmp_path / "data") == []  # nothing extracted, not even the good member
    assert not (tmp_path / "evil.csv").exists()


# --------------------------------------------------------------------------- trust on first use


def test_tofu_pin_then_refuse_changed_file(tmp_path, served, server):
    fake = dataclasses.replace(WDI_META, key="fake_tofu", sha256=None, size=None, required=False)
    sources = {"fake_tofu": fake}
    (first,) = mf.fetch(mirror=server.url, data_dir=tmp_path / "data", progress=False,
                        sources=sources)
    assert first.state == "downloaded" and "pinned" in first.message
    pins = json.loads((_raw(tmp_path) / mf.PINS_FILE).read_text())["pins"]
    # The pinned hash is the served file's: WDI_META's SHA256SUMS entry (same bytes).
    assert pins["fake_tofu"]["sha256"] == WDI_META.sha256
    assert pins["fake_tofu"]["size"] == WDI_META.size
    assert mf.status(data_dir=tmp_path / "data", sources=sources)["state"].tolist() == ["pinned"]

    _flip_byte(served / WDI_META.path)
    with pytest.raises(SourceVerificationError) as info:
        mf.fetch(mirror=server.url, data_dir=tmp_path / "data", progress=False, force=True,
                 sources=sources)
    msg = str(info.value)
    assert "fake_tofu" in msg and mf.PINS_FILE in msg and WDI_META.sha256 in msg
    assert _sha(_raw(tmp_path) / fake.path) == WDI_META.sha256  # verified copy kept

    # A bundle carries the pin in its manifest; a tampered member of such a source is refused.
    good = mf.bundle(tmp_path / "good.zip", data_dir=tmp_path / "data", sources=sources)
    _rewrite_zip(good, tmp_path / "bad.zip", {fake.path: (served / fake.path).read_bytes()})
    with pytest.raises(SourceVerificationError, match="bundle manifest"):
        mf.fetch(mirror=tmp_path / "bad.zip", data_dir=tmp_path / "other", progress=False,
                 sources=sources)
    assert _files(_raw(tmp_path, "other")) == []


# --------------------------------------------------------------------------- status / verify


def test_status_shows_verified_missing_changed_and_mirror_only(tmp_path, served):
    unhcr = registry.SOURCES["unhcr_refugees"]  # official_bytes=False
    sources = {**SOURCES, unhcr.key: unhcr}
    mf.fetch([ANNEX.key, WDI.key], mirror=served, data_dir=tmp_path / "data", progress=False,
             sources=sources)
    _flip_byte(_raw(tmp_path) / WDI.path)
    table = mf.status(data_dir=tmp_path / "data", sources=sources)
    assert list(table.columns) == ["key", "edition", "publisher", "required", "form", "state", "used",
                                   "path", "size"]
    state = dict(zip(table["key"], table["state"]))
    form = dict(zip(table["key"], table["form"]))
    assert form == {ANNEX.key: "official file", M49.key: "official file", WDI.key: "official file",
                    WDI_META.key: "official file", unhcr.key: "third-party"}
    used = dict(zip(table["key"], table["used"]))
    assert used == {ANNEX.key: "yes", M49.key: "", WDI.key: "", WDI_META.key: "", unhcr.key: ""}
    assert state == {ANNEX.key: "verified", M49.key: "missing", WDI.key: "changed",
                     WDI_META.key: "missing", unhcr.key: "mirror only"}
    size = dict(zip(table["key"], table["size"]))
    assert size[ANNEX.key] == ANNEX.size and size[WDI.key] == WDI.size
    assert table["size"].isna().sum() == 3
    assert table["required"].dtype == bool and str(table["size"].dtype) == "Int64"

    report = {r.key: r for r in mf.verify(data_dir=tmp_path / "data", strict=False,
                                          sources=sources)}
    assert report[WDI.key].expected_sha256 == WDI.sha256
    assert report[WDI.key].sha256 == _sha(_raw(tmp_path) / WDI.path) != WDI.sha256
    # strict (the default): a changed file is an error naming it, with both hashes.
    with pytest.raises(SourceVerificationError) as info:
        mf.verify([ANNEX.key, WDI.key, M49.key], data_dir=tmp_path / "data", sources=sources)
    msg = str(info.value)
    assert WDI.filename in msg and WDI.sha256 in msg and report[WDI.key].sha256 in msg
    assert "--force" in msg and ANNEX.filename not in msg
    assert info.value.keys == [WDI.key]

    # fetch repairs the changed file from the mirror.
    (repaired,) = mf.fetch([WDI.key], mirror=served, data_dir=tmp_path / "data", progress=False,
                           sources=sources)
    assert repaired.state == "copied" and "replaced" in repaired.message
    assert mf.verify(WDI.key, data_dir=tmp_path / "data", sources=sources)[0].state == "verified"


# --------------------------------------------------------------------------- publishers' URLs


def test_official_urls_with_headers_zip_members_and_mirror_only(tmp_path, served, server):
    # A World-Bank-style zip: data CSV and country metadata side by side.
    with zipfile.ZipFile(served / "wdi.zip", "w") as zf:
        for src in (WDI, WDI_META):
            zf.write(served / src.path, arcname=src.archive_member)
    (served / "page.html").write_text("<!DOCTYPE html><html><body>Download page</body></html>")
    unhcr = registry.SOURCES["unhcr_refugees"]
    sources = {
        ANNEX.key: dataclasses.replace(ANNEX, url=f"{server.url}/{ANNEX.path}"),
        WDI.key: dataclasses.replace(WDI, url=f"{server.url}/wdi.zip?downloadformat=csv"),
        WDI_META.key: dataclasses.replace(WDI_META, url=f"{server.url}/wdi.zip?downloadformat=csv"),
        M49.key: dataclasses.replace(M49, url=f"{server.url}/page.html"),
        unhcr.key: unhcr,
    }
    results = {r.key: r for r in mf.fetch(data_dir=tmp_path / "data", progress=True,
                                          sources=sources)}
    assert results[ANNEX.key].state == "downloaded"
    assert results[WDI.key].state == results[WDI_META.key].state == "downloaded"
    assert results[WDI.key].sha256 == WDI.sha256 and results[WDI_META.key].sha256 == WDI_META.sha256
    assert results[M49.key].state == "missing" and "web page" in results[M49.key].message
    assert results[unhcr.key].state == "mirror only" and "MIGSTATS_MIRROR" in results[unhcr.key].message

    headers = {path: h for path, h in server.requests}
    assert headers[f"/{ANNEX.path}"]["User-Agent"] == registry.BROWSER_USER_AGENT
    assert [p for p, _ in server.requests].count("/wdi.zip?downloadformat=csv") == 1  # one zip, two files
    assert _files(_raw(tmp_path)) == sorted([ANNEX.path, WDI.path, WDI_META.path])


def test_official_zip_unpinned_wdi_member_with_vintage_number(tmp_path, served, server):
    # wdi_remittances_pct_gdp has sha256=None and archive_member
    # "API_BX.TRF.PWKR.DT.GD.ZS_DS2_en_csv_v2.csv"; the World Bank names the member with a
    # vintage number, next to a metadata file.
    pop = registry.SOURCES["wdi_remittances_pct_gdp"]
    assert pop.sha256 is None
    with zipfile.ZipFile(served / "pop.zip", "w") as zf:
        zf.write(served / WDI.path, arcname="API_BX.TRF.PWKR.DT.GD.ZS_DS2_en_csv_v2_12345.csv")
        zf.write(served / WDI_META.path, arcname="Metadata_Country_API_BX.TRF.PWKR.DT.GD.ZS_DS2_en_csv_v2_12345.csv")
    sources = {pop.key: dataclasses.replace(pop, url=f"{server.url}/pop.zip")}
    (result,) = mf.fetch(data_dir=tmp_path / "data", progress=False, sources=sources)
    assert result.state == "downloaded" and "pinned" in result.message
    assert result.sha256 == WDI.sha256  # the data member's bytes (a copy of the WDI CSV here)
    assert mf.verify(data_dir=tmp_path / "data", sources=sources)[0].state == "pinned"
    assert _files(_raw(tmp_path)) == sorted([mf.PINS_FILE, pop.path])  # work dir removed


# --------------------------------------------------------------------------- repository files, stand-ins


def test_repository_files_are_downloaded_and_named_as_such(tmp_path, served, server, mirror_dir):
    # IOM GDI's reshape (third-party) and UNHCR's package file (publisher's own) have no publisher
    # download URL: the registry names the repository and commit, and fetch downloads the raw file.
    gdi = registry.SOURCES["undesa_2024_od_gdidata"]
    pkg = registry.SOURCES["unhcr_countries"]
    assert gdi.url == ("https://raw.githubusercontent.com/iom/gdidata/"
                       "c9e4cc69cebd91d6cfca5f4107e2406e4de2c6ff/data/undesa_stocks.rda")
    assert gdi.repository == "iom/gdidata@c9e4cc69cebd91d6cfca5f4107e2406e4de2c6ff:data/undesa_stocks.rda"
    assert (gdi.form, pkg.form, ANNEX.form) == ("third-party", "publisher's package", "official file")
    assert not gdi.mirror_only and registry.SOURCES["unhcr_refugees"].mirror_only
    sources = {}
    for src in (gdi, pkg):
        (served / src.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / src.path, served / src.path)
        sources[src.key] = dataclasses.replace(src, url=f"{server.url}/{src.path}")
    results = {r.key: r for r in mf.fetch(data_dir=tmp_path / "data", progress=False, sources=sources)}
    for src in (gdi, pkg):
        assert results[src.key].state == "downloaded" and results[src.key].sha256 == src.sha256
    table = mf.status(data_dir=tmp_path / "data", sources=sources).set_index("key")
    assert table.loc[gdi.key, "form"] == "third-party" and table.loc[gdi.key, "state"] == "verified"
    # the official workbook is not in this table: the reshape is used as its stand-in
    assert table.loc[gdi.key, "used"] == "yes, stand-in for undesa_2024_od"
    assert table.loc[pkg.key, "form"] == "publisher's package" and table.loc[pkg.key, "used"] == "yes"


def test_preferred_source_and_stand_ins(tmp_path, mirror_dir):
    # registry.preferred: the primary (official file, newest vintage) first, then stand-ins
    assert registry.alternatives("wdi_gdp") == ["wdi_gdp", "wdi_gdp_2024_10"]
    assert registry.alternatives("undesa_2024_od_gdidata") == ["undesa_2024_od", "undesa_2024_od_gdidata"]
    assert registry.preferred("undesa_2024_od_gdidata", {"undesa_2024_od", "undesa_2024_od_gdidata"}) \
        == "undesa_2024_od"
    assert registry.preferred("unhcr_population", {"unhcr_refugees"}) == "unhcr_refugees"
    assert registry.preferred("wdi_remittances_paid", set()) is None
    # a required source whose stand-in is cached is not missing: fetch does not raise ...
    new, old = registry.SOURCES["wdi_gdp"], registry.SOURCES["wdi_gdp_2024_10"]
    assert new.required and not old.required
    sources = {new.key: new, old.key: old}
    mirror = tmp_path / "mirror"
    (mirror / old.path).parent.mkdir(parents=True)
    shutil.copyfile(mirror_dir / old.path, mirror / old.path)
    results = {r.key: r.state for r in mf.fetch(mirror=mirror, data_dir=tmp_path / "data", progress=False,
                                                sources=sources)}
    assert results == {new.key: "missing", old.key: "copied"}
    # ... but without either it is
    (tmp_path / "data" / "raw" / old.path).unlink()
    (mirror / old.path).unlink()
    with pytest.raises(SourceMissingError, match="wdi_gdp"):
        mf.fetch(mirror=mirror, data_dir=tmp_path / "data", progress=False, sources=sources)
