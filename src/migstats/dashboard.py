"""The explorer as a dashboard for people who do not write code (``migstats explore``).

:func:`serve` runs `Voilà <https://voila.readthedocs.io>`_ on ``notebooks/explore.ipynb``: the
notebook is executed in a fresh kernel for each visitor and shown as a web page with its text
and widgets only (no code cells, no tracebacks). The server listens on 127.0.0.1 only, so the
dashboard is reachable from this computer and nowhere else; the page lets a visitor pick
countries and indicators, compare up to four countries side by side and download the table as
CSV (see :class:`migstats.explore.Explorer`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

from .exceptions import MigstatsError

__all__ = ["explorer_notebook", "voila_command", "serve", "DashboardError", "DEFAULT_PORT", "HOST"]

#: Voilà's usual port; ``port=0`` picks any free one.
DEFAULT_PORT = 8866
#: The dashboard never listens beyond this computer.
HOST = "127.0.0.1"


class DashboardError(MigstatsError):
    """The dashboard could not start (port in use, Voilà missing or failing); exit code 2."""

    exit_code = 2


def explorer_notebook() -> Path:
    """The explorer notebook served by the dashboard (``notebooks/explore.ipynb`` of the checkout)."""
    here = Path(__file__).resolve()
    for cand in (here.parents[2] / "notebooks" / "explore.ipynb", here.parent / "notebooks" / "explore.ipynb"):
        if cand.is_file():
            return cand
    raise FileNotFoundError("explore.ipynb not found next to the migstats package; run migstats from "
                            "its source checkout (pip install -e .).")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def voila_command(port: int, notebook: str | os.PathLike | None = None) -> list[str]:
    """The Voilà command line :func:`serve` runs (code hidden, no tracebacks, 127.0.0.1 only)."""
    nb = Path(notebook) if notebook is not None else explorer_notebook()
    return [sys.executable, "-m", "voila", str(nb), f"--port={int(port)}", f"--Voila.ip={HOST}",
            "--Voila.port_retries=0", "--no-browser", "--strip_sources=True", "--show_tracebacks=False",
            "--theme=light"]


def _wait_until_listening(proc: subprocess.Popen, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DashboardError(f"Voilà stopped with exit code {proc.returncode} before serving the dashboard "
                                 "(its messages are above). Check that `python -m voila --version` works.")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise DashboardError(f"Voilà did not start listening on {HOST}:{port} within {timeout:.0f} s.")


def serve(port: int = DEFAULT_PORT, *, open_browser: bool = True, notebook=None, data_dir=None,
          startup_timeout: float = 120.0) -> int:
    """Serve the explorer dashboard until interrupted (Ctrl-C or SIGTERM: returns 0, Voilà stopped).

    Parameters
    ----------
    port : int
        Port on 127.0.0.1 (default 8866); ``0`` picks a free port.
    open_browser : bool
        Open the dashboard in the default web browser once it is ready.
    notebook : path, optional
        Notebook to serve (default :func:`explorer_notebook`).
    data_dir : path, optional
        Data root for the dashboard's kernels (exported as ``MIGSTATS_DATA_DIR``).
    startup_timeout : float
        Seconds to wait for Voilà to listen.

    Raises
    ------
    DashboardError
        When the port is in use, or Voilà is not installed or stops before serving.
    """
    try:
        import voila  # noqa: F401
    except ImportError as exc:
        raise DashboardError("Voilà is not installed: `pip install voila` (it is a migstats dependency; "
                             "`pip install -e .` installs it).") from exc
    port = int(port)
    if port == 0:
        port = _free_port()
    elif not _port_is_free(port):
        raise DashboardError(f"Port {port} on {HOST} is in use (another dashboard or Jupyter server?). "
                             "Choose another with --port N, or --port 0 for any free port.")
    env = dict(os.environ)
    if data_dir is not None:
        env["MIGSTATS_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    env.setdefault("MPLBACKEND", "Agg")
    # a `kill` (SIGTERM) stops the dashboard like Ctrl-C: Voilà and its kernels go with it
    previous = (signal.signal(signal.SIGTERM, _interrupt)
                if threading.current_thread() is threading.main_thread() else None)
    proc = subprocess.Popen(voila_command(port, notebook), env=env)
    try:
        _wait_until_listening(proc, port, startup_timeout)
        url = f"http://{HOST}:{port}/"
        print(f"The migstats explorer is served at {url} (this computer only). Press Ctrl-C to stop.",
              flush=True)
        if open_browser:
            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()  # Voilà shuts its kernels down, then exits (a few seconds)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
