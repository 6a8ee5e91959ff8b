"""The explorer in a real browser: JupyterLab, and the ``migstats explore`` dashboard (Voilà).

Debian's Chromium (``/usr/bin/chromium``, installed by ``.ci/run``) is driven headless with
Playwright pointed at that binary: nothing downloads a browser build. The servers listen on
127.0.0.1 on free ports; JupyterLab needs a token. Screenshots go to the test's temporary folder.

Numbers checked (UN DESA International Migrant Stock 2024; Table 1 columns F..M are 1990..2024):

* destination file, Table 1, column M (2024): Belarus (Excel row 160) 1,054,604;
  Tajikistan (row 105) 276,777; Germany (row 205) 16,750,084
* origin file, Table 1, column M (2024): Belarus (row 160) 790,232; Tajikistan (row 105) 514,478
* destination file, Table 2, column L (2024, thousands): Belarus (row 160) 9,056.696
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
TIMEOUT_MS = 180_000  # a busy 2-core machine: kernel start, imports and the first figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium` "
                    "(Debian's package; .ci/run installs it). This test drives a real browser and "
                    "is not skipped without one.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: pip install -e '.[dev]' (it drives the system Chromium; "
                    "never run `playwright install`).")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _page(browser, downloads=False):
    page = browser.new_page(viewport={"width": 1280, "height": 1600}, accept_downloads=downloads)
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


def _jupyter_env(root: Path) -> dict:
    env = dict(os.environ)  # MIGSTATS_DATA_DIR: the session's store (conftest)
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("JUPYTER_RUNTIME_DIR", "runtime")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(root / sub)
    env["MPLBACKEND"] = "Agg"
    return env


@pytest.fixture(scope="module")
def jupyterlab(data_dir, tmp_path_factory):
    """JupyterLab on 127.0.0.1 serving a copy of explore.ipynb (autosave never touches the repository)."""
    root = tmp_path_factory.mktemp("jupyterlab")
    work = root / "work"
    work.mkdir()
    shutil.copy(REPO / "notebooks" / "explore.ipynb", work / "explore.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={work}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--LabApp.extension_manager=readonly",
         "--allow-root"],
        env=_jupyter_env(root), stdout=subprocess.DEVNULL, stderr=open(root / "jupyterlab.log", "w"))
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc)
        yield f"http://127.0.0.1:{port}", token
    finally:
        _stop(proc)


def _wait_idle(page) -> None:
    """Wait until the notebook's kernel is idle (widget callbacks finished)."""
    page.wait_for_timeout(300)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")


def _shot(locator) -> bytes:
    locator.scroll_into_view_if_needed()
    return locator.screenshot()


def test_explorer_runs_and_responds_in_jupyterlab(browser, jupyterlab, tmp_path):
    url, token = jupyterlab
    page, errors = _page(browser)
    try:
        _explorer_in_jupyterlab(page, errors, url, token, tmp_path)
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise
    finally:
        page.close()


def _explorer_in_jupyterlab(page, errors, url, token, tmp_path):
    page.goto(f"{url}/lab/tree/explore.ipynb?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    started = ("[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
               ".some(p => p.textContent.includes('*') || /\\d/.test(p.textContent))")
    for attempt in range(3):
        # Run > Run All Cells. Right after the page opens, JupyterLab may drop the request while
        # it connects to the new kernel (the cell keeps its "[ ]" prompt): ask again
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(started, timeout=20_000)
            break
        except Exception:
            if attempt == 2:
                raise

    headline = page.locator(".migstats-headline")
    headline.wait_for()
    _wait_idle(page)
    assert "Belarus (BLR), 2024" in headline.inner_text()
    table = page.locator(".migstats-key-figures")
    assert "1,054,604" in table.inner_text()  # destination Table 1, row 160, column M
    trend = page.locator(".migstats-trend").first
    diaspora = page.locator(".migstats-diaspora-map").first
    world = page.locator(".migstats-world-map").first
    before = {"trend": _shot(trend), "diaspora": _shot(diaspora), "world": _shot(world)}
    page.screenshot(path=str(tmp_path / "jupyterlab-belarus.png"), full_page=True)

    country = page.locator(".migstats-country input")
    country.fill("Tajikistan (TJK)")
    country.press("Enter")
    page.wait_for_function("document.querySelector('.migstats-headline').innerText.includes('Tajikistan (TJK)')")
    page.wait_for_function("document.querySelector('.migstats-key-figures').innerText.includes('276,777')")
    assert "1,054,604" not in table.inner_text()  # destination Table 1, row 105, column M: 276,777
    _wait_idle(page)
    assert _shot(trend) != before["trend"] and _shot(diaspora) != before["diaspora"]

    world_before = _shot(world)
    page.locator(".migstats-indicator select").select_option(label="Emigrant stock (persons)")
    _wait_idle(page)
    assert _shot(world) != world_before, "the world map did not change with the indicator"
    assert _shot(trend) == _shot(trend)  # (screenshots of an unchanged image are stable)
    page.screenshot(path=str(tmp_path / "jupyterlab-tajikistan.png"), full_page=True)
    assert (tmp_path / "jupyterlab-tajikistan.png").stat().st_size > 10_000
    assert "Traceback" not in page.locator(".jp-Notebook").inner_text()
    assert errors == []


@pytest.fixture(scope="module")
def dashboard(data_dir, tmp_path_factory):
    """``migstats explore --port 0 --no-browser``: the URL it prints, and the process."""
    root = tmp_path_factory.mktemp("dashboard")
    proc = subprocess.Popen([sys.executable, "-m", "migstats.cli", "explore", "--port", "0", "--no-browser"],
                            cwd=root, env=_jupyter_env(root), stdout=subprocess.PIPE,
                            stderr=open(root / "voila.log", "w"), text=True)
    url = None
    deadline = time.monotonic() + 150
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        if "served at http://127.0.0.1:" in line:
            url = line.split("served at ", 1)[1].split()[0]
    if url is None:
        _stop(proc)
        pytest.fail(f"migstats explore printed no URL (exit code {proc.returncode}); "
                    f"log: {(root / 'voila.log').read_text()[-2000:]}")
    yield url, proc
    _stop(proc, signal.SIGINT)


def test_dashboard_compares_countries_and_downloads_csv(browser, dashboard, tmp_path):
    url, proc = dashboard
    assert url.startswith("http://127.0.0.1:")
    page, errors = _page(browser, downloads=True)
    page.goto(url)
    page.wait_for_selector(".migstats-compare input")
    page.wait_for_function("document.querySelector('.migstats-comparison') !== null && "
                           "document.querySelector('.migstats-comparison').innerText.includes('Belarus (BLR)')")
    body = page.locator("body").inner_text()
    assert "from migstats.explore import Explorer" not in body  # code hidden: widgets and text only
    assert page.locator(".jp-InputArea-editor, .CodeMirror, .cm-editor").count() == 0

    box = page.locator(".migstats-compare input")
    for option, name in (("Tajikistan (TJK)", "Tajikistan (TJK)"), ("Germany (DEU)", "Germany (DEU)")):
        box.fill(option)
        box.press("Enter")
        page.wait_for_function(
            f"document.querySelector('.migstats-comparison').innerText.includes({name!r})")
    headers = page.locator(".migstats-comparison thead th").all_inner_texts()
    assert headers == ["Indicator", "Belarus (BLR)", "Tajikistan (TJK)", "Germany (DEU)", "Basis"]
    shown = page.locator(".migstats-comparison").inner_text()
    for number in ("1,054,604", "276,777"):  # destination Table 1, column M: rows 160, 105
        assert number in shown

    with page.expect_download() as info:
        page.locator(".migstats-download a").click()
    download = info.value
    assert download.suggested_filename == "migstats_BLR_TJK_DEU_2024.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # byte-order mark for spreadsheet programs
    csv = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(dict.fromkeys(csv["iso3"])) == ["BLR", "TJK", "DEU"]
    v = csv.set_index(["iso3", "name"])["value"]
    assert v["BLR", "immigrant_stock"] == 1_054_604   # destination Table 1, row 160, column M
    assert v["TJK", "immigrant_stock"] == 276_777     # destination Table 1, row 105, column M
    assert v["DEU", "immigrant_stock"] == 16_750_084  # destination Table 1, row 205, column M
    assert v["TJK", "emigrant_stock"] == 514_478      # origin Table 1, row 105, column M
    # origin Table 1 row 160 column M over destination Table 2 row 160 column L (thousands)
    assert v["BLR", "emigrant_share"] == pytest.approx(100 * 790_232 / 9_056_696)
    assert csv["basis"].notna().all() and csv["source"].notna().all()
    assert set(csv.loc[csv["name"] == "immigrant_stock", "basis"]) == {"UN DESA International Migrant Stock 2024"}
    page.screenshot(path=str(tmp_path / "dashboard-comparison.png"), full_page=True)
    assert errors == []
    page.close()

    # Ctrl-C stops the dashboard and its Voilà server
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert _stop(proc, signal.SIGINT) == 0
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
