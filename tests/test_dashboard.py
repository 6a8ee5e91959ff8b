"""``migstats explore``: the command line, a busy port, and stopping the dashboard with its Voila server.

The dashboard in a browser (comparison, CSV download) is tested in tests/test_explore_browser.py.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def test_dashboard_command_line(monkeypatch, tmp_path):
    from pathlib import Path

    from migstats import cli, dashboard

    calls = []
    monkeypatch.setattr(dashboard, "serve", lambda port, **kw: calls.append((port, kw)) or 0)
    # the command exports --data-dir to the environment (for kernels): put the session's back after
    monkeypatch.setenv("MIGSTATS_DATA_DIR", os.environ.get("MIGSTATS_DATA_DIR", ""))
    assert cli.main(["explore", "--port", "0", "--no-browser", "--data-dir", str(tmp_path)]) == 0
    (port, kw), = calls
    assert port == 0 and kw["open_browser"] is False and Path(kw["data_dir"]) == tmp_path
    cmd = dashboard.voila_command(8866)
    assert cmd[1:3] == ["-m", "voila"] and cmd[3].endswith("explore.ipynb")
    assert "--Voila.ip=127.0.0.1" in cmd and "--strip_sources=True" in cmd and "--no-browser" in cmd


def test_dashboard_refuses_a_busy_port(capsys):
    import socket

    from migstats import cli

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert cli.main(["explore", "--port", str(port), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert f"Port {port} on 127.0.0.1 is in use" in err and "--port 0" in err


def _voila_processes(port: int) -> list[int]:
    """Processes whose command line serves on ``port`` (Linux /proc)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"voila" in b" ".join(cmd) and f"--port={port}".encode() in cmd:
                out.append(int(d.name))
    return out


def test_sigterm_stops_the_dashboard_and_voila(data_dir, tmp_path):
    # dashboard.serve itself, not through the command line (which has its own SIGTERM handling)
    code = "import sys; from migstats.dashboard import serve; sys.exit(serve(0, open_browser=False))"
    proc = subprocess.Popen([sys.executable, "-c", code],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=open(tmp_path / "voila.log", "w"),
                            text=True)
    try:
        line = ""
        deadline = time.monotonic() + 120
        while "served at http://127.0.0.1:" not in line:
            assert time.monotonic() < deadline and proc.poll() is None, (tmp_path / "voila.log").read_text()
            line = proc.stdout.readline()
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/")[0])
        assert _voila_processes(port)
        proc.send_signal(signal.SIGTERM)  # `kill PID`, as a service manager stops it
        assert proc.wait(timeout=60) == 0
        deadline = time.monotonic() + 30
        while _voila_processes(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _voila_processes(port) == [], "Voila outlived migstats explore"
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
