"""Fetch, verify and bundle the official source files listed in :mod:`migstats.registry`.

Every source file ends up at ``locations.raw_dir(data_dir) / source.path``. It is
checked before it gets there:

* its size (bytes) and SHA-256 must match the registry; or
* when the registry has no SHA-256 (``sha256=None``), the hash is recorded on
  first download in ``raw/registry-pins.json`` ("trust on first use") and later
  copies must match that *pin*.

A file that fails the check is **refused**. Downloads and copies are written to a
temporary file in the target folder, checked, and only then moved into place with
:func:`os.replace`. On any failure, including :class:`KeyboardInterrupt`, the
temporary file is deleted. An interrupted or refused transfer therefore never
leaves a partial or unverified file at the final path.

Where files come from
---------------------
* A *mirror* (argument ``mirror``, else the ``MIGSTATS_MIRROR`` environment
  variable; CLI ``--from``). It can be a folder laid out like ``raw/``, a ``.zip``
  laid out like ``raw/`` (e.g. a workshop bundle made by :func:`bundle`), or the
  ``http(s)://`` URL of such a folder. Files are fetched from
  ``<url>/<source.path>``, URL-quoted.
* Otherwise the publisher's URL (``source.url``), sent with ``source.headers``
  (un.org refuses the default User-Agent). For zip-served files (World Bank WDI),
  ``source.archive_member`` is taken from the zip. Files the publisher does not serve
  itself come from the public repository the registry names (``source.repository``;
  ``source.url`` is the raw file at a fixed commit). Third-party files without such a
  repository exist only in mirrors and are reported as ``"mirror only"``.

HTTP downloads use :class:`pooch.HTTPDownloader` (``requests``, streaming, optional
tqdm progress bar).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

from . import __version__, atomic, locations, registry
from .exceptions import OutputError, SourceMissingError, SourceVerificationError
from .registry import Source

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FetchResult",
    "VerifyResult",
    "fetch",
    "verify",
    "status",
    "bundle",
    "PINS_FILE",
    "BUNDLE_MANIFEST",
    "HTTP_TIMEOUT",
]

#: File (in the raw folder) recording the SHA-256 of sources with ``sha256=None``.
PINS_FILE = "registry-pins.json"
#: Name of the JSON manifest inside a bundle made by :func:`bundle`.
BUNDLE_MANIFEST = "MANIFEST.json"
#: Seconds to wait for an HTTP server to send the next bytes.
HTTP_TIMEOUT = 60
#: Seconds to wait for an HTTP server to accept the connection (offline: fail fast).
CONNECT_TIMEOUT = 10

_BUNDLE_FORMAT = "migstats-bundle"
_MIRROR_HINT = (
    "set MIGSTATS_MIRROR to a mirror (a folder or .zip laid out like data/raw, or an "
    "http(s):// URL of such a folder), or run `migstats data fetch --from DIR`"
)
_NEW_EDITION_HINT = (
    "The publisher may have released a new edition; re-download with "
    "`migstats data fetch --force`, or report it to the migstats maintainers "
    "(include this message)."
)
_MIRROR_REFUSAL_HINT = (
    "The mirror's copy is damaged or another edition: replace it with a verified copy (see the "
    "mirror's SHA256SUMS), or fetch from the publishers (unset MIGSTATS_MIRROR / drop --from). "
    + _NEW_EDITION_HINT
)
_BUNDLE_REFUSAL_HINT = (
    "The bundle is damaged or was altered, so nothing was copied from it: get a fresh bundle "
    "from whoever made it (`migstats data bundle` on a machine with verified sources), or fetch "
    "from the publishers (unset MIGSTATS_MIRROR / drop --from)."
)
_COMPRESSED_SUFFIXES = (".xlsx", ".zip", ".gz", ".parquet")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class FetchResult:
    """What :func:`fetch` did for one source.

    Attributes
    ----------
    key : str
        Source key (see :data:`migstats.registry.SOURCES`).
    path : pathlib.Path
        Final location of the file (``raw_dir / source.path``), whether or not it exists.
    state : str
        ``"downloaded"`` (over HTTP, from the publisher or an http mirror),
        ``"copied"`` (from a mirror folder or zip), ``"present"`` (already in the
        cache and verified; nothing transferred), ``"missing"`` (not available, or
        refused), ``"corrupt"`` (a cached copy that does not verify, and no good copy
        could be fetched) or ``"mirror only"`` (third-party file without a repository URL, no
        mirror given).
    sha256 : str or None
        SHA-256 (hex) of the verified file at ``path``; ``None`` when there is none.
    message : str
        Human-readable detail: where the file came from, or why it is missing.
    """

    key: str
    path: Path
    state: str
    sha256: str | None
    message: str = ""


@dataclass(frozen=True)
class VerifyResult:
    """The check of one cached source file (see :func:`verify`).

    Attributes
    ----------
    key : str
        Source key.
    path : pathlib.Path
        Location of the file in the raw folder.
    state : str
        ``"verified"`` (matches the registry's size and SHA-256), ``"pinned"``
        (registry has no SHA-256; matches the pin recorded on first download),
        ``"unpinned"`` (registry has no SHA-256 and no pin was recorded yet, e.g. a
        file placed by hand; :func:`fetch` pins it), ``"changed"`` (size or SHA-256
        differs), ``"missing"`` (no file) or ``"mirror only"`` (no file, and it can
        only come from a mirror: a third-party file without a repository URL).
    sha256 : str or None
        SHA-256 of the file on disk (``None`` when missing).
    expected_sha256 : str or None
        SHA-256 from the registry, else from the pin; ``None`` when neither exists.
    size : int or None
        Size of the file on disk, in bytes.
    message : str
        Detail for the user.
    """

    key: str
    path: Path
    state: str
    sha256: str | None
    expected_sha256: str | None
    size: int | None
    message: str = ""


class _Unavailable(Exception):
    """Internal: this source cannot be obtained from this provider (not fatal by itself)."""


class _Unreachable(_Unavailable):
    """Internal: the server did not accept a connection (offline, DNS, proxy, firewall)."""

    def __init__(self, message: str, host: str):
        super().__init__(message)
        self.host = host


# --------------------------------------------------------------------------- hashing

_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, cached in memory by (path, size, mtime)."""
    st = os.stat(path)
    cache_key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    cached = _HASH_CACHE.get(cache_key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    _HASH_CACHE[cache_key] = value
    return value


# --------------------------------------------------------------------------- small file helpers


def _temp_beside(target: Path) -> Path:
    """Create an empty temporary file in ``target``'s folder (same file system as the target),
    readable as the user's umask says (not mkstemp's 0600: the file is published as is)."""
    return atomic.temp_file_beside(target)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and :func:`os.replace`."""
    tmp = _temp_beside(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _looks_like_html(path: Path) -> bool:
    """True when a file starts like an HTML page (a landing page instead of the data file)."""
    with open(path, "rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _is_unsafe_member(name: str) -> bool:
    """True when a zip member name would escape the folder it is extracted to."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
        return True
    return ".." in PurePosixPath(norm).parts


def _target(raw: Path, source: Source) -> Path:
    if _is_unsafe_member(source.path):
        raise ValueError(f"Source {source.key!r} has an unsafe path {source.path!r}.")
    return raw / source.path


# --------------------------------------------------------------------------- pins (trust on first use)


def _load_pins(raw: Path) -> dict[str, dict]:
    path = raw / PINS_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceVerificationError(
            f"Cannot read the hash pins {path}: {exc}. It records the SHA-256 of sources the "
            "registry has no hash for; fix or delete it (deleting it means the next fetch "
            "trusts whatever it downloads) and run `migstats data fetch` again."
        ) from exc
    return dict(data.get("pins", {}))


def _save_pins(raw: Path, pins: Mapping[str, dict]) -> None:
    payload = {
        "about": "SHA-256 of migstats sources whose hash the registry does not know, recorded on "
        "first download (trust on first use). Delete an entry to accept a new edition.",
        "pins": dict(sorted(pins.items())),
    }
    _atomic_write_bytes(raw / PINS_FILE, (json.dumps(payload, indent=2) + "\n").encode("utf-8"))


def _pin_for(source: Source, pins: Mapping[str, dict]) -> dict | None:
    """The pin of a ``sha256=None`` source, if one was recorded for the same path."""
    if source.sha256 is not None:
        return None
    pin = pins.get(source.key)
    if pin and pin.get("path") == source.path and pin.get("sha256"):
        return pin
    return None


def _make_pin(source: Source, sha: str, size: int, origin: str) -> dict:
    return {
        "sha256": sha,
        "size": size,
        "path": source.path,
        "edition": source.edition,
        "origin": origin,
        "pinned_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


# --------------------------------------------------------------------------- local state


def _local_state(source: Source, path: Path, pins: Mapping[str, dict]) -> VerifyResult:
    pin = _pin_for(source, pins)
    expected = source.sha256 or (pin["sha256"] if pin else None)
    if not path.is_file():
        if source.mirror_only:
            return VerifyResult(source.key, path, "mirror only", None, expected, None,
                                "not in the cache; a third-party file available from a mirror only")
        return VerifyResult(source.key, path, "missing", None, expected, None, "not in the cache")
    size = path.stat().st_size
    sha = _sha256(path)
    if source.size is not None and size != source.size:
        return VerifyResult(source.key, path, "changed", sha, expected, size,
                            f"size is {size:,} bytes, the registry says {source.size:,}")
    if source.sha256 is not None:
        if sha == source.sha256:
            return VerifyResult(source.key, path, "verified", sha, expected, size,
                                "matches the registry's SHA-256")
        return VerifyResult(source.key, path, "changed", sha, expected, size,
                            f"SHA-256 is {sha}, the registry says {source.sha256}")
    if pin is not None:
        if sha == pin["sha256"]:
            return VerifyResult(source.key, path, "pinned", sha, expected, size,
                                f"matches the SHA-256 pinned in {PINS_FILE}")
        return VerifyResult(source.key, path, "changed", sha, expected, size,
                            f"SHA-256 is {sha}, the pin in {PINS_FILE} says {pin['sha256']}")
    return VerifyResult(source.key, path, "unpinned", sha, None, size,
                        "the registry has no SHA-256 and none is pinned yet; "
                        "`migstats data fetch` pins it")


# --------------------------------------------------------------------------- providers


def _http_download(url: str, tmp: Path, *, headers: Mapping[str, str], progress: bool) -> None:
    """Download ``url`` into ``tmp`` with pooch; turn network failures into :class:`_Unavailable`."""
    import pooch
    import requests

    downloader = pooch.HTTPDownloader(progressbar=bool(progress), headers=dict(headers),
                                      timeout=(CONNECT_TIMEOUT, HTTP_TIMEOUT))
    try:
        downloader(url, str(tmp), None)
    except requests.exceptions.HTTPError as exc:
        code = exc.response.status_code if exc.response is not None else "error"
        raise _Unavailable(f"{url} answered HTTP {code}") from exc
    except requests.exceptions.ConnectionError as exc:
        if not tmp.exists() or tmp.stat().st_size == 0:  # no byte came: the server is out of reach
            host = requests.utils.urlparse(url).netloc
            raise _Unreachable(f"{host} could not be reached", host) from exc
        raise _Unavailable(f"download from {url} was cut off ({exc})") from exc
    except requests.exceptions.RequestException as exc:
        raise _Unavailable(f"download from {url} failed or was cut off ({exc})") from exc
    if _looks_like_html(tmp):
        raise _Unavailable(f"{url} served a web page, not the file")


class _Provider:
    """Where files come from. ``get`` fills a temporary file or raises :class:`_Unavailable`."""

    is_mirror = True
    transfer_state = "copied"
    refusal_hint = _MIRROR_REFUSAL_HINT

    def origin(self, source: Source) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def get(self, source: Source, tmp: Path, progress: bool) -> str | None:
        """Write the file to ``tmp``; return the SHA-256 a bundle manifest claims, if any."""
        raise NotImplementedError  # pragma: no cover

    def close(self) -> None:
        pass


class _FolderMirror(_Provider):
    def __init__(self, folder: Path):
        self.folder = folder

    def origin(self, source: Source) -> str:
        return str(self.folder / source.path)

    def get(self, source: Source, tmp: Path, progress: bool) -> str | None:
        src = self.folder / source.path
        if not src.is_file():
            raise _Unavailable(f"not in the mirror folder {self.folder}")
        shutil.copyfile(src, tmp)
        return None


class _URLMirror(_Provider):
    transfer_state = "downloaded"

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def origin(self, source: Source) -> str:
        return f"{self.url}/{quote(source.path, safe='/')}"

    def get(self, source: Source, tmp: Path, progress: bool) -> str | None:
        try:
            _http_download(self.origin(source), tmp,
                           headers={"User-Agent": f"migstats/{__version__}"}, progress=progress)
        except _Unavailable as exc:
            raise _Unavailable(f"not available from the mirror: {exc}") from exc
        return None


class _ZipMirror(_Provider):
    """A zip laid out like ``raw/``, usually a bundle made by :func:`bundle`.

    Used all or nothing: no file is copied from it unless every file taken verifies.
    """

    refusal_hint = _BUNDLE_REFUSAL_HINT

    def __init__(self, zip_path: Path):
        self.zip_path = zip_path
        try:
            self.zf = zipfile.ZipFile(zip_path)
        except zipfile.BadZipFile as exc:
            raise SourceVerificationError(
                f"The mirror {zip_path} is not a valid zip file ({exc}). Get a fresh copy of "
                "the bundle, or fetch from the publishers (unset MIGSTATS_MIRROR / drop --from)."
            ) from exc
        try:
            self.names = self.zf.namelist()
            unsafe = [n for n in self.names if _is_unsafe_member(n)]
            if unsafe:
                raise SourceVerificationError(
                    f"Refused the bundle {zip_path}: member(s) {', '.join(map(repr, unsafe))} "
                    "would be written outside the data folder (absolute path or '..'). "
                    "Nothing was extracted. The zip is damaged or was made to overwrite other "
                    "files; get a fresh bundle from whoever made it, or fetch from the publishers."
                )
            self.claims = self._read_manifest()
        except BaseException:
            self.zf.close()
            raise

    def _read_manifest(self) -> dict[str, str]:
        if BUNDLE_MANIFEST not in self.names:
            return {}
        try:
            manifest = json.loads(self.zf.read(BUNDLE_MANIFEST).decode("utf-8"))
            return {e["key"]: e["sha256"] for e in manifest["files"] if e.get("sha256")}
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceVerificationError(
                f"The manifest {BUNDLE_MANIFEST} in the bundle {self.zip_path} is unreadable "
                f"({exc}). Get a fresh bundle, or fetch from the publishers."
            ) from exc

    def _member(self, source: Source) -> str:
        if source.path in self.names:
            return source.path
        nested = [n for n in self.names if n.endswith("/" + source.path)]
        if len(nested) == 1:  # a zip of the raw/ folder itself (raw/<path>)
            return nested[0]
        raise _Unavailable(f"not in the mirror zip {self.zip_path}")

    def origin(self, source: Source) -> str:
        return f"{self.zip_path}!{source.path}"

    def get(self, source: Source, tmp: Path, progress: bool) -> str | None:
        member = self._member(source)
        try:
            with self.zf.open(member) as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except zipfile.BadZipFile as exc:
            raise SourceVerificationError(
                f"Refused {source.filename!r} (source {source.key!r}) from the bundle "
                f"{self.zip_path}: the zip member is corrupt ({exc}). The file was not saved. "
                "Get a fresh copy of the bundle, or fetch from the publishers."
            ) from exc
        return self.claims.get(source.key)

    def close(self) -> None:
        self.zf.close()


class _Official(_Provider):
    """The publishers' URLs (``source.url``); zip-served files are extracted."""

    is_mirror = False
    transfer_state = "downloaded"
    refusal_hint = _NEW_EDITION_HINT

    def __init__(self, raw: Path):
        self.raw = raw
        self._workdir: Path | None = None
        self._zips: dict[str, Path | _Unavailable] = {}
        self.unreachable: dict[str, _Unreachable] = {}  # host -> first failure (not retried)

    def _download(self, url: str, tmp: Path, headers, progress: bool) -> None:
        from urllib.parse import urlparse

        host = urlparse(url).netloc
        if host in self.unreachable:
            raise _Unreachable(f"{host} could not be reached", host)
        try:
            _http_download(url, tmp, headers=headers, progress=progress)
        except _Unreachable as exc:
            self.unreachable[exc.host] = exc
            raise

    def origin(self, source: Source) -> str:
        if source.archive_member:
            return f"{source.url} (member {source.archive_member})"
        return source.url

    def _zip(self, source: Source, progress: bool) -> Path:
        """Download a zip once per URL per fetch (WDI data and metadata share one zip)."""
        known = self._zips.get(source.url)
        if isinstance(known, _Unavailable):
            raise known
        if known is not None:
            return known
        if self._workdir is None:
            self.raw.mkdir(parents=True, exist_ok=True)
            self._workdir = Path(tempfile.mkdtemp(dir=self.raw, prefix=".migstats-download-"))
        path = self._workdir / f"{len(self._zips)}.zip"
        try:
            self._download(source.url, path, source.headers, progress)
            if not zipfile.is_zipfile(path):
                raise _Unavailable(f"{source.url} did not serve a zip file")
        except _Unavailable as exc:
            path.unlink(missing_ok=True)
            self._zips[source.url] = exc
            raise
        self._zips[source.url] = path
        return path

    @staticmethod
    def _find_member(names: list[str], source: Source, url: str) -> str:
        wanted = source.archive_member
        for name in names:
            if name == wanted or name.rsplit("/", 1)[-1] == wanted:
                return name
        if source.sha256 is None:
            # Unpinned WDI series: the member carries a vintage number (…_csv_v2_12345.csv).
            stem, dot, ext = wanted.rpartition(".")
            pattern = re.compile(re.escape(stem) + r"(_\d+)?" + re.escape(dot + ext) + "$")
            found = [n for n in names if pattern.fullmatch(n.rsplit("/", 1)[-1])]
            if len(found) == 1:
                return found[0]
        raise _Unavailable(
            f"the zip from {url} has no member {wanted!r} (it has: {', '.join(names)}); "
            "the publisher has probably released a newer vintage"
        )

    def get(self, source: Source, tmp: Path, progress: bool) -> str | None:
        if source.archive_member:
            zpath = self._zip(source, progress)
            with zipfile.ZipFile(zpath) as zf:
                member = self._find_member(zf.namelist(), source, source.url)
                with zf.open(member) as src, open(tmp, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        else:
            self._download(source.url, tmp, source.headers, progress)
        return None

    def close(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


def _provider(mirror: str | None, raw: Path) -> _Provider:
    if mirror is None:
        return _Official(raw)
    if re.match(r"^https?://", mirror, flags=re.IGNORECASE):
        return _URLMirror(mirror)
    path = Path(mirror).expanduser()
    if path.is_dir():
        return _FolderMirror(path)
    if path.is_file():
        return _ZipMirror(path)
    raise SourceMissingError(
        f"The mirror {mirror!r} does not exist. A mirror is a folder or .zip laid out like "
        "data/raw, or an http(s):// URL of such a folder; check MIGSTATS_MIRROR / --from."
    )


# --------------------------------------------------------------------------- selection


def _sources_table(sources: Mapping[str, Source] | None) -> Mapping[str, Source]:
    return registry.SOURCES if sources is None else sources


def _select(table: Mapping[str, Source], keys: str | Iterable[str] | None,
            include_optional: bool = True) -> list[Source]:
    if keys is None:
        return [s for s in table.values() if include_optional or s.required]
    if isinstance(keys, str):
        keys = [keys]
    chosen = []
    for key in keys:
        if key not in table:
            raise KeyError(f"Unknown source {key!r}. Known sources: {', '.join(table)}")
        chosen.append(table[key])
    return chosen


# --------------------------------------------------------------------------- verification of a new file


def _refusal(source: Source, *, origin: str, target: Path, reference: str,
             expected_sha: str | None, expected_size: int | None,
             actual_sha: str, actual_size: int, extra: str = "",
             hint: str = _NEW_EDITION_HINT) -> SourceVerificationError:
    exp_sha = expected_sha or "not known in advance"
    exp_size = f"{expected_size:,} bytes" if expected_size is not None else "size not known"
    kept = ("the existing verified file there was kept" if target.exists()
            else "nothing was written there")
    msg = (
        f"Refused {source.filename!r} (source {source.key!r}, {source.edition}) from {origin}: "
        f"it does not match {reference}.\n"
        f"  expected SHA-256 {exp_sha} ({exp_size})\n"
        f"  actual   SHA-256 {actual_sha} ({actual_size:,} bytes)\n"
        f"The file was not saved to {target}; {kept}. " + (f"{extra} " if extra else "") + hint
    )
    err = SourceVerificationError(msg)
    err.key = source.key
    err.path = target
    err.expected_sha256 = expected_sha
    err.actual_sha256 = actual_sha
    return err


def _check_new_file(source: Source, tmp: Path, *, pin: dict | None, claimed: str | None,
                    origin: str, target: Path, raw: Path, hint: str = _NEW_EDITION_HINT) -> tuple[str, int]:
    """Verify a freshly transferred temporary file; return (sha256, size) or raise."""
    size = tmp.stat().st_size
    sha = _sha256(tmp)
    common = dict(origin=origin, target=target, actual_sha=sha, actual_size=size, hint=hint)
    if source.sha256 is not None or source.size is not None:
        size_bad = source.size is not None and size != source.size
        sha_bad = source.sha256 is not None and sha != source.sha256
        if size_bad or sha_bad:
            raise _refusal(source, reference="the migstats registry",
                           expected_sha=source.sha256, expected_size=source.size, **common)
    if source.sha256 is None:
        if pin is not None and sha != pin["sha256"]:
            raise _refusal(
                source, reference=f"the SHA-256 pinned on first download in {raw / PINS_FILE}",
                expected_sha=pin["sha256"], expected_size=pin.get("size"),
                extra=f"If you trust the new file, delete the {source.key!r} entry in "
                      f"{raw / PINS_FILE} and fetch again.", **common)
        if claimed is not None and sha != claimed:
            raise _refusal(
                source, reference=f"the bundle manifest ({BUNDLE_MANIFEST})",
                expected_sha=claimed, expected_size=None, **common)
    return sha, size


# --------------------------------------------------------------------------- fetch


def fetch(
    keys: str | Iterable[str] | None = None,
    *,
    mirror: str | os.PathLike | None = None,
    data_dir: str | os.PathLike | None = None,
    force: bool = False,
    progress: bool = True,
    include_optional: bool = True,
    sources: Mapping[str, Source] | None = None,
) -> list[FetchResult]:
    """Put verified copies of the source files into the raw data folder.

    Parameters
    ----------
    keys : str or iterable of str, optional
        Source keys to fetch. Default: every source (see ``include_optional``).
    mirror : str or path-like, optional
        Folder, ``.zip`` or ``http(s)://`` URL laid out like ``raw/``. Default: the
        ``MIGSTATS_MIRROR`` environment variable; when neither is set, files are
        downloaded from the publishers.
    data_dir : str or path-like, optional
        Data root (holding ``raw/``); see :func:`migstats.locations.data_dir`.
    force : bool, default False
        Transfer files again even when a verified copy is present. A refused
        transfer never replaces the present copy.
    progress : bool, default True
        Show a tqdm progress bar (on stderr) for each HTTP download.
    include_optional : bool, default True
        With ``keys=None``, also fetch sources with ``required=False``.
    sources : mapping of str to Source, optional
        Source table to use instead of :data:`migstats.registry.SOURCES`.

    Returns
    -------
    list of FetchResult
        One per selected source, in registry order.

    Raises
    ------
    SourceVerificationError
        A transferred file did not match the registry, its pin or the bundle
        manifest (it was deleted; the error names the file, the expected and
        actual SHA-256 and what to do), or a mirror zip is malformed (e.g. a member
        path escaping the data folder). Raised after all other sources were
        processed; ``err.results`` holds the list of :class:`FetchResult`.
    SourceMissingError
        A required source could not be obtained. The message names the files and
        the fix (a mirror via ``MIGSTATS_MIRROR`` / ``--from``, or the network).
        ``err.results`` holds the list of :class:`FetchResult`.
    KeyError
        An unknown key.

    Notes
    -----
    Missing optional sources are reported in the results, never raised. Sources
    with ``sha256=None`` are pinned on first use in ``raw/registry-pins.json``.
    From a ``.zip`` bundle nothing is copied unless every file taken from it verifies.
    Without a mirror, a publisher's server that refuses the connection is tried once;
    when none can be reached the error is one short message on how to use a mirror.
    """
    table = _sources_table(sources)
    selected = _select(table, keys, include_optional)
    raw = locations.raw_dir(data_dir)
    raw.mkdir(parents=True, exist_ok=True)
    pins = _load_pins(raw)
    provider = _provider(locations.mirror(mirror), raw)

    results: list[FetchResult] = []
    refused: list[SourceVerificationError] = []
    # from a bundle, all or nothing: verified files wait beside their targets until every one
    # has verified
    held: list | None = [] if isinstance(provider, _ZipMirror) else None
    try:
        for source in selected:
            before = len(held) if held is not None else 0
            result, error = _fetch_one(source, raw, pins, provider, force=force, progress=progress,
                                       hold=held)
            results.append(result)
            if held is not None and len(held) > before:
                held[-1] = (len(results) - 1, *held[-1])
            if error is not None:
                refused.append(error)
        if held:
            for i, tmp, commit, fallback in held:
                if refused:
                    tmp.unlink(missing_ok=True)
                    results[i] = fallback
                else:
                    results[i] = commit()
    finally:
        for _, tmp, _, _ in held or ():
            tmp.unlink(missing_ok=True)
        provider.close()

    if refused:
        err = refused[0] if len(refused) == 1 else SourceVerificationError(
            f"{len(refused)} files were refused:\n\n" + "\n\n".join(str(e) for e in refused))
        err.results = results
        err.refused = refused
        raise err
    missing_required = [
        (r, table[r.key]) for r in results
        if table[r.key].required and r.state in ("missing", "mirror only", "corrupt")
    ]
    if missing_required:  # a required source may be replaced by a verified stand-in
        have = {r.key for r in results if r.state in ("present", "copied", "downloaded")}
        have |= {k for k, s in table.items() if k not in have and (raw / s.path).is_file()
                 and _local_state(s, raw / s.path, pins).state in ("verified", "pinned")}
        missing_required = [(r, s) for r, s in missing_required
                            if registry.preferred(r.key, have, table) is None]
    unreachable = getattr(provider, "unreachable", {})
    if missing_required and unreachable and all(
            table[r.key].official_bytes is False or "could not be reached" in r.message
            for r, _ in missing_required):
        # offline: one short message, not a page of connection errors
        corrupt = [r.key for r, _ in missing_required if r.state == "corrupt"]
        err = SourceMissingError(
            f"Cannot get the source files: no mirror is set and the publishers' servers "
            f"({', '.join(sorted(unreachable))}) cannot be reached (offline?). Without internet, "
            "point migstats at a folder or .zip of the source files: set MIGSTATS_MIRROR (e.g. "
            "`MIGSTATS_MIRROR=../shared/data/raw migstats profile Belarus`) or run "
            "`migstats data fetch --from DIR|ZIP` (make the zip with `migstats data bundle "
            "sources.zip` where there is internet)."
            + (f" Cached copies that do not verify (corrupt): {', '.join(corrupt)}." if corrupt else "")
        )
        err.results = results
        err.keys = [s.key for _, s in missing_required]
        raise err
    if missing_required:
        listed = "\n".join(f"  - {s.key}: {r.path} ({r.state}: {r.message})" for r, s in missing_required)
        err = SourceMissingError(
            f"Required source file(s) missing:\n{listed}\n"
            "migstats cannot build its store without them. To fix: "
            f"{_MIRROR_HINT}; or, to download from the publishers, check the network "
            "connection (and any proxy) and run `migstats data fetch` again."
        )
        err.results = results
        err.keys = [s.key for _, s in missing_required]
        raise err
    return results


def _fetch_one(source: Source, raw: Path, pins: dict[str, dict], provider: _Provider, *,
               force: bool, progress: bool,
               hold: list | None = None) -> tuple[FetchResult, SourceVerificationError | None]:
    """Fetch one source. With ``hold`` (a list), a verified file is not moved into place: its
    temporary file, a ``commit()`` that moves it and a fallback result are appended instead."""
    target = _target(raw, source)
    local = _local_state(source, target, pins)
    if local.state == "unpinned":
        pins[source.key] = _make_pin(source, local.sha256, local.size, "existing local file")
        _save_pins(raw, pins)
        local = _local_state(source, target, pins)
    good_local = local.state in ("verified", "pinned")
    if good_local and not force:
        return FetchResult(source.key, target, "present", local.sha256,
                           f"already present; {local.message}"), None

    def keep_or(state: str, message: str) -> FetchResult:
        if good_local:
            return FetchResult(source.key, target, "present", local.sha256,
                               f"kept the verified local copy; {message}")
        if local.state == "changed":  # a damaged cached copy is corrupt, not missing
            state = "corrupt"
            message = f"the cached copy does not verify ({local.message}); {message}"
        return FetchResult(source.key, target, state, None, message)

    if not provider.is_mirror and source.mirror_only:
        return keep_or("mirror only", "a third-party file available from a mirror only: "
                       + _MIRROR_HINT), None

    origin = provider.origin(source)
    tmp = _temp_beside(target)
    try:
        try:
            claimed = provider.get(source, tmp, progress)
        except _Unavailable as exc:
            tmp.unlink(missing_ok=True)
            message = str(exc)
            if source.notes and not provider.is_mirror:
                message += f". {source.notes}"
            return keep_or("missing", message), None
        sha, size = _check_new_file(source, tmp, pin=_pin_for(source, pins), claimed=claimed,
                                    origin=origin, target=target, raw=raw, hint=provider.refusal_hint)
        if hold is None:
            os.replace(tmp, target)
    except SourceVerificationError as err:
        tmp.unlink(missing_ok=True)
        return keep_or("missing", f"refused: SHA-256 or size mismatch from {origin}"), err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

    def commit() -> FetchResult:
        os.replace(tmp, target)
        return _fetched(source, target, sha, size, pins, raw, provider, origin, local)

    if hold is not None:
        hold.append((tmp, commit, keep_or("missing", "not copied: other files of the bundle did not verify")))
        return FetchResult(source.key, target, "held", sha, "verified; waiting for the rest of the bundle"), None
    return _fetched(source, target, sha, size, pins, raw, provider, origin, local), None


def _fetched(source, target, sha, size, pins, raw, provider, origin, local) -> FetchResult:
    """Record a file just moved into place: hash cache, trust-on-first-use pin, result."""
    st = os.stat(target)  # os.replace keeps the temp file's mtime: carry its hash over
    _HASH_CACHE[(os.path.abspath(target), st.st_size, st.st_mtime_ns)] = sha
    message = f"from {origin}"
    if source.sha256 is None and _pin_for(source, pins) is None:
        pins[source.key] = _make_pin(source, sha, size, origin)
        _save_pins(raw, pins)
        message += f"; SHA-256 pinned in {PINS_FILE} (trust on first use)"
    if local.state == "changed":
        message += "; replaced a local copy that did not verify"
    return FetchResult(source.key, target, provider.transfer_state, sha, message)


# --------------------------------------------------------------------------- verify / status


def verify(
    keys: str | Iterable[str] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    strict: bool = True,
    sources: Mapping[str, Source] | None = None,
) -> list[VerifyResult]:
    """Re-hash the cached source files and compare them with the registry or their pins.

    Parameters
    ----------
    keys : str or iterable of str, optional
        Source keys to check. Default: every source.
    data_dir : str or path-like, optional
        Data root (holding ``raw/``).
    strict : bool, default True
        Raise :class:`SourceVerificationError` when a file is ``"changed"``. With
        ``False`` only report (as :func:`status` does). Missing files are never
        raised here; see :func:`fetch`.
    sources : mapping of str to Source, optional
        Source table to use instead of :data:`migstats.registry.SOURCES`.

    Returns
    -------
    list of VerifyResult
        One per selected source, in registry order. Hashes are cached in memory by
        (path, size, modification time), so repeated checks are cheap.

    Raises
    ------
    SourceVerificationError
        With ``strict=True``, when a cached file's size or SHA-256 does not match
        the registry or its pin. The message names each file, the expected and
        actual SHA-256 and what to do; ``err.results`` holds the results.
    """
    table = _sources_table(sources)
    raw = locations.raw_dir(data_dir)
    pins = _load_pins(raw)
    results = [_local_state(s, _target(raw, s), pins) for s in _select(table, keys)]
    changed = [r for r in results if r.state == "changed"]
    if strict and changed:
        lines = "\n".join(
            f"  - {table[r.key].filename!r} (source {r.key!r}) at {r.path}: {r.message}\n"
            f"      expected SHA-256 {r.expected_sha256 or 'not known'}\n"
            f"      actual   SHA-256 {r.sha256}"
            for r in changed
        )
        err = SourceVerificationError(
            f"{len(changed)} cached source file(s) do not match the registry or their pin:\n"
            f"{lines}\nThey were edited or damaged, or replaced by another edition. Re-fetch "
            f"them with `migstats data fetch --force` (verified copies replace them). "
            "If the publisher released a new edition, a fresh download is refused too: "
            "then report it to the migstats maintainers (include this message)."
        )
        err.results = results
        err.keys = [r.key for r in changed]
        raise err
    return results


def status(
    *,
    data_dir: str | os.PathLike | None = None,
    sources: Mapping[str, Source] | None = None,
) -> pd.DataFrame:
    """One row per source: what it is and whether a verified copy is cached.

    Parameters
    ----------
    data_dir : str or path-like, optional
        Data root (holding ``raw/``).
    sources : mapping of str to Source, optional
        Source table to use instead of :data:`migstats.registry.SOURCES`.

    Returns
    -------
    pandas.DataFrame
        Columns ``key``, ``edition``, ``publisher`` (str), ``required`` (bool),
        ``form`` (str: ``"official file"``, ``"publisher's package"`` or
        ``"third-party"``; see :attr:`migstats.registry.Source.form`), ``state`` (str:
        ``"verified"``, ``"pinned"``, ``"unpinned"``, ``"missing"``, ``"changed"`` or
        ``"mirror only"``; see :class:`VerifyResult`), ``used`` (str: which cached
        file the store builds from, see below), ``path`` (str, the file's location in
        the raw folder) and ``size`` (Int64, bytes on disk; missing when there is no
        file).

    Notes
    -----
    ``used`` is ``"yes"`` for a cached file the store reads, ``"yes, stand-in for
    <key>"`` when it reads a stand-in because the primary source ``<key>`` (the
    official file or the newest vintage) is not cached, ``"no, <key> preferred"`` for a
    cached stand-in that the store skips, and ``""`` for a file that is not cached
    (see :func:`migstats.registry.preferred`).
    """
    import pandas as pd

    table = _sources_table(sources)
    results = verify(data_dir=data_dir, strict=False, sources=table)
    cached = {r.key for r in results if r.state in ("verified", "pinned", "unpinned")}
    rows = []
    for res in results:
        src = table[res.key]
        used = ""
        if res.key in cached:
            chosen = registry.preferred(res.key, cached, table)
            primary = registry.alternatives(res.key, table)[0]
            if chosen != res.key:
                used = f"no, {chosen} preferred"
            elif primary != res.key:
                used = f"yes, stand-in for {primary}"
            else:
                used = "yes"
        rows.append({"key": res.key, "edition": src.edition, "publisher": src.publisher,
                     "required": src.required, "form": src.form, "state": res.state,
                     "used": used, "path": str(res.path), "size": res.size})
    columns = ["key", "edition", "publisher", "required", "form", "state", "used", "path", "size"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"key": "str", "edition": "str", "publisher": "str", "required": "bool",
                         "form": "str", "state": "str", "used": "str", "path": "str",
                         "size": "Int64"})


# --------------------------------------------------------------------------- bundle


def bundle(
    out_zip: str | os.PathLike,
    *,
    data_dir: str | os.PathLike | None = None,
    sources: Mapping[str, Source] | None = None,
    force: bool = False,
) -> Path:
    """Pack every present, verified raw file into a zip for offline use (workshops).

    The zip is laid out like ``raw/`` and holds a ``MANIFEST.json`` listing, per
    file, ``key``, ``path``, ``sha256``, ``size`` (bytes), ``edition``, ``url`` and
    ``verified_by`` (``"registry"`` or ``"pin"``). Use it with
    ``fetch(mirror=out_zip)`` or ``MIGSTATS_MIRROR=out_zip``: every file is checked
    against the registry and, for sources without a registry hash, against the
    manifest.

    Parameters
    ----------
    out_zip : str or path-like
        Zip file to write. An existing file is replaced (atomically) only with ``force``.
    data_dir : str or path-like, optional
        Data root (holding ``raw/``).
    sources : mapping of str to Source, optional
        Source table to use instead of :data:`migstats.registry.SOURCES`.
    force : bool, default False
        Replace ``out_zip`` if it exists.

    Returns
    -------
    pathlib.Path
        The written zip.

    Raises
    ------
    SourceMissingError
        When no verified file is present (run ``migstats data fetch`` first).
    OutputError
        ``out_zip`` is a folder, exists (without ``force``) or cannot be written.

    Warns
    -----
    UserWarning
        For present files that do not verify (left out of the bundle).
    """
    table = _sources_table(sources)
    raw = locations.raw_dir(data_dir)
    out = locations.absolute(out_zip)
    if out.is_dir():
        raise OutputError(f"{out} is a folder; give the path of the .zip file to write, "
                          f"e.g. {out / 'sources.zip'}.")
    if out.exists() and not force:
        raise OutputError(f"{out} exists; pass --force to replace it (or choose another file name).")
    pins = _load_pins(raw)
    entries = []
    for source in table.values():
        res = _local_state(source, _target(raw, source), pins)
        if res.state in ("verified", "pinned"):
            entries.append((source, res))
        elif res.state in ("changed", "unpinned"):
            warnings.warn(f"Left {res.path} out of the bundle: it is {res.state} "
                          f"({res.message}). Run `migstats data fetch --force {source.key}`.",
                          stacklevel=2)
    if not entries:
        raise SourceMissingError(
            f"Nothing to bundle: no verified source file in {raw}. Run `migstats data fetch` first."
        )
    manifest = {
        "format": _BUNDLE_FORMAT,
        "format_version": 1,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "migstats_version": __version__,
        "files": [
            {"key": s.key, "path": s.path, "sha256": r.sha256, "size": r.size,
             "edition": s.edition, "url": s.url,
             "verified_by": "registry" if r.state == "verified" else "pin"}
            for s, r in entries
        ],
    }
    try:
        tmp = _temp_beside(out)
    except OSError as exc:
        raise OutputError(f"Cannot write {out}: {exc.strerror or exc}. Choose another place for the "
                          "bundle, or make that folder writable.") from None
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr(BUNDLE_MANIFEST, json.dumps(manifest, indent=2) + "\n",
                        compress_type=zipfile.ZIP_DEFLATED)
            for source, res in entries:
                method = (zipfile.ZIP_STORED if source.path.lower().endswith(_COMPRESSED_SUFFIXES)
                          else zipfile.ZIP_DEFLATED)
                zf.write(res.path, arcname=source.path, compress_type=method)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
