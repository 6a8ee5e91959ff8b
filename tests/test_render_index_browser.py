"""The batch index page and the profiles it links to, in a real headless browser.

Drives Debian's ``chromium`` through the Chrome DevTools Protocol (``websocket-client``, a
Jupyter dependency, is the only client library needed). Checks that the index loads without
console errors, that the search box filters the list as the user types, and that every link
opens a profile that loads without console errors, with its title and all its images.
Skipped only when no ``chromium`` is on the PATH (CI installs it: see ``.ci/run``).
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from migstats import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it: .ci/run)")

COUNTRIES = ["BLR", "TUV"]  # one with a polygon on the 1:110m map, one without
TIMEOUT = 30.0


class Browser:
    """A headless chromium and one page, driven over the DevTools protocol."""

    def __init__(self, profile_dir: Path):
        import websocket

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--allow-file-access-from-files", "--remote-debugging-port=0",
             f"--user-data-dir={profile_dir}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.monotonic() + TIMEOUT
        while url is None:
            line = self.proc.stderr.readline()
            if not line and (self.proc.poll() is not None or time.monotonic() > deadline):
                raise RuntimeError(f"chromium did not start (exit code {self.proc.poll()})")
            if line.startswith("DevTools listening on "):
                url = line.split(" on ", 1)[1].strip()
        self.ws = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, params: dict | None = None, *, session: bool = False) -> dict:
        msg = {"id": next(self._ids), "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, event: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == event:
                    return self.events.pop(i)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")
        self.eval("1")  # drain events emitted during load

    def eval(self, expression: str):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                             "awaitPromise": True}, session=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"{expression}: {res['exceptionDetails']}")
        return res["result"].get("value")

    def type(self, selector: str, text: str) -> None:
        """Select the field's text and replace it by typing (an empty text deletes it)."""
        self.eval(f"(() => {{const e = document.querySelector({json.dumps(selector)}); e.focus(); e.select();}})()")
        if text:
            self.call("Input.insertText", {"text": text}, session=True)
        else:
            for kind in ("rawKeyDown", "keyUp"):
                self.call("Input.dispatchKeyEvent", {"type": kind, "key": "Backspace", "code": "Backspace",
                                                     "windowsVirtualKeyCode": 8}, session=True)

    def console_errors(self) -> list[str]:
        """Uncaught exceptions, console.error/assert calls and browser log errors (failed loads)."""
        self.eval("1")
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails"))[:300])
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(json.dumps(p.get("args"))[:300])
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(f"{p['entry'].get('text')} {p['entry'].get('url', '')}"[:300])
        return out

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def reports(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("index-browser")
    results = render.render(COUNTRIES, out=out, jobs=2, data_dir=data_dir, progress=False)
    assert [r.status for r in results] == ["ok"] * len(COUNTRIES), [r.error for r in results]
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


VISIBLE = "[...document.querySelectorAll('li[data-search]')].filter(li => li.offsetParent !== null).length"


def test_index_loads_and_search_filters(reports, browser):
    browser.open((reports / "index.html").as_uri())
    assert browser.console_errors() == []
    assert browser.eval("document.title") == "Migration profiles"
    assert browser.eval(VISIBLE) == 2
    assert browser.eval("document.getElementById('count').textContent") == "2 shown"
    # cards carry headline numbers, not images (no shrunken world maps)
    assert browser.eval("document.images.length") == 0
    assert browser.eval("document.querySelectorAll('li dl dt').length") >= 3 * len(COUNTRIES)
    for query, expected in (("bela", ["Belarus"]), ("TUV", ["Tuvalu"]), ("oceania", ["Tuvalu"]),
                            ("zzzz", []), ("", ["Belarus", "Tuvalu"])):
        browser.type("#search", query)
        names = browser.eval("[...document.querySelectorAll('li[data-search]')].filter(li => li.offsetParent"
                             " !== null).map(li => li.querySelector('.name').textContent)")
        assert sorted(names) == expected, query
        assert browser.eval("document.getElementById('count').textContent") == f"{len(expected)} shown"
    browser.type("#search", "zzzz")
    assert browser.eval("[...document.querySelectorAll('section')].every(s => s.offsetParent === null)")
    assert browser.eval("[...document.querySelectorAll('#compare tbody tr')].every(r => r.offsetParent === null)")
    browser.type("#search", "")
    assert browser.console_errors() == []


ROWS = "[...document.querySelectorAll('#compare tbody tr')].map(r => r.querySelector('th').textContent)"


def test_comparison_table_sorts_by_any_column(reports, browser, data_dir):
    from migstats import indicators

    browser.open((reports / "index.html").as_uri())
    headers = browser.eval("[...document.querySelectorAll('#compare thead th')].map(h => h.textContent)")
    assert headers[:3] == ["Country or area", "Region", "Emigrants"]
    em = {c: indicators.profile(c, data_dir=data_dir).value("emigrant_stock") for c in COUNTRIES}
    names = {"BLR": "Belarus", "TUV": "Tuvalu"}
    click = "document.querySelectorAll('#compare thead th button')[{i}].click()"
    browser.eval(click.format(i=2))  # Emigrants, ascending
    assert browser.eval(ROWS) == [names[c] for c in sorted(em, key=em.get)]
    assert browser.eval("document.querySelectorAll('#compare thead th')[2].getAttribute('aria-sort')") == "ascending"
    browser.eval(click.format(i=2))  # again: descending
    assert browser.eval(ROWS) == [names[c] for c in sorted(em, key=em.get, reverse=True)]
    # one number format: the profiles' (three significant figures)
    from migstats.narrative import format_count

    cells = browser.eval("[...document.querySelectorAll('#compare tbody tr')].map(r => r.cells[2].textContent)")
    assert sorted(cells) == sorted(format_count(v) for v in em.values())
    assert browser.console_errors() == []


def test_every_link_opens_a_profile(reports, browser):
    browser.open((reports / "index.html").as_uri())
    links = browser.eval("[...document.querySelectorAll('li a')].map(a => a.href)")
    assert len(links) == len(COUNTRIES)
    for link, iso3 in zip(sorted(links), sorted(COUNTRIES)):
        assert link.endswith(f"/{iso3}/2024/profile.html")
        browser.open(link)
        assert browser.console_errors() == [], link
        name = {"BLR": "Belarus", "TUV": "Tuvalu"}[iso3]
        assert browser.eval("document.title") == f"{name}, 2024: migration profile"
        assert browser.eval("document.querySelector('h1').textContent") == name
        assert "Migration profile 2024" in browser.eval("document.querySelector('.ms-kicker').textContent")
        n_images = browser.eval("document.images.length")
        assert n_images >= 5
        assert browser.eval("[...document.images].every(i => i.complete && i.naturalWidth > 0 && i.alt.length"
                            " > 20)")
        text = browser.eval("document.body.innerText")
        assert "Key figures" in text and "International Migrant Stock 2024" in text
        assert "Traceback" not in text
