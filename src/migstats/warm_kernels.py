"""Warm kernels: fork pre-initialised Jupyter kernels instead of starting cold ones.

Papermill starts a fresh kernel for every notebook, and every kernel re-imports pandas,
geopandas and matplotlib and re-reads the data: measured here, most of the time of a
batch of short profiles. A *fork server* avoids that without giving up isolation:

1. :class:`ForkServer` starts one server process that imports the heavy libraries and
   warms migstats' caches (store tables, projected boundaries) once;
2. each notebook still gets its **own, new kernel process** — the server ``fork()``\\ s a
   child that becomes an ipykernel on the connection file jupyter_client gave it. A
   forked child starts from the server's warm but pristine state, so nothing a profile
   sets (variables, monkey-patches, matplotlib rcParams) can leak into the next one;
3. the kernels use jupyter_client's ``ipc`` transport (Unix sockets, no TCP ports), which
   avoids the port-clash failures of parallel kernels (papermill issue #511).

jupyter_client launches ``python warm_kernels.py launch SOCKET CONNECTION_FILE`` as the
kernel command: a tiny relay (no heavy imports) that asks the server for a kernel, then
lives as long as the kernel does and forwards signals (interrupt, terminate) to it; if the
relay dies, the kernel notices and exits.

This file must not import migstats (or pandas) at module level: the relay runs as a plain
script so that it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["ForkServer", "PRELOAD", "kernel_manager_class", "exit_with_parent"]

#: Modules the fork server imports once, so that kernels start with them loaded.
PRELOAD = (
    "numpy", "pandas", "pyarrow", "matplotlib", "matplotlib.pyplot", "shapely", "pyproj", "geopandas",
    "mapclassify", "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline",
    "migstats", "migstats.indicators", "migstats.maps", "migstats.charts", "migstats.profiles",
    "migstats.narrative",
)
_KERNEL_NAME = "migstats-warm"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def exit_with_parent(interval: float = 0.5) -> None:
    """Exit this process (``os._exit``) as soon as its parent has died.

    A batch killed with SIGKILL cannot stop its fork server or worker processes; without
    this they would wait forever on their socket or queue.
    """
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


# -- the server ---------------------------------------------------------------------------------
def _serve(socket_path: str, data_dir: str | None) -> None:
    import importlib

    exit_with_parent()
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_caches(data_dir)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(socket_path)
    srv.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    print("ready", flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # nobody reads the pipe after "ready"
    while True:
        conn, _ = srv.accept()
        with conn:
            line = conn.makefile("r").readline()
            if not line:
                continue
            req = json.loads(line)
            if req.get("command") == "stop":
                conn.sendall(b"stopped\n")
                break
            pid = os.fork()
            if pid == 0:  # the kernel
                srv.close()
                conn.close()
                _become_kernel(req)
                os._exit(0)
            conn.sendall(f"{pid}\n".encode())
    srv.close()


def _warm_caches(data_dir: str | None) -> None:
    """Load the store and draw one map so that kernels inherit warm caches (best effort)."""
    try:
        import matplotlib.pyplot as plt

        from migstats import indicators, maps, store

        if not store.is_built(data_dir):
            return
        indicators._data(data_dir)
        for name in ("countries", "country_names", "area_points"):
            store.load(name, data_dir)
        fig = maps.diaspora_map("BLR", 2024, data_dir=data_dir)
        fig.savefig(os.devnull, format="png")
        plt.close("all")
    except Exception as exc:  # warming is an optimisation only
        print(f"warm-up skipped: {exc!r}", file=sys.stderr, flush=True)


def _become_kernel(req: dict) -> None:
    # the server ignores SIGCHLD (its children are reaped automatically); a kernel must not, or
    # waitpid fails in it and subprocess.run reports every child's exit status as 0
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    os.chdir(req.get("cwd") or os.getcwd())
    os.environ.clear()
    os.environ.update(req.get("env") or {})
    # the server's stdout is a pipe nobody reads after "ready": a kernel writing there would
    # block once the pipe is full, so kernels get /dev/null (their output travels over ZMQ)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    relay = int(req["relay_pid"])

    def watchdog():
        while _alive(relay):
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # no IPython history database: a kernel per notebook needs none, and it saves start time
    app.initialize(["-f", req["connection_file"], "--HistoryManager.enabled=False"])
    app.start()


# -- the relay (kernel command) -------------------------------------------------------------------
def _relay(socket_path: str, connection_file: str) -> int:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(socket_path)
    req = {"connection_file": connection_file, "relay_pid": os.getpid(), "cwd": os.getcwd(),
           "env": dict(os.environ)}
    s.sendall((json.dumps(req) + "\n").encode())
    pid = int(s.makefile("r").readline())
    s.close()

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
        if signum in (signal.SIGTERM, signal.SIGHUP):
            sys.exit(0)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, forward)
    parent = os.getppid()
    while _alive(pid):
        if os.getppid() != parent:
            # whoever launched this kernel is gone (e.g. a killed batch): take the kernel along,
            # otherwise the kernel (watching this relay) and this relay would wait for each other
            try:
                os.kill(pid, signal.SIGTERM)
                time.sleep(2)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            return 0
        time.sleep(0.05)
    return 0


def kernel_manager_class(kernel_dirs: list[str], ipc_dir: str):
    """An ``AsyncKernelManager`` subclass whose kernels come from the fork server.

    Parameters
    ----------
    kernel_dirs : list of str
        Folders holding the ``migstats-warm`` kernelspec (see :class:`ForkServer`).
    ipc_dir : str
        Folder for the kernels' ``ipc`` socket files.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            kwargs["kernel_name"] = _KERNEL_NAME
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("kernel_spec_manager", KernelSpecManager(kernel_dirs=kernel_dirs))
            super().__init__(*args, **kwargs)
            # ipc endpoints are files: keep them in the server's private folder
            self.ip = os.path.join(ipc_dir, f"k-{os.getpid()}-{id(self) % 1000003}")

    return WarmKernelManager


# -- the client side --------------------------------------------------------------------------
class ForkServer:
    """A running fork server and the kernel managers that launch kernels through it.

    Parameters
    ----------
    data_dir : path, optional
        Data root whose store the server loads before forking.

    Examples
    --------
    >>> with ForkServer() as fs:                                          # doctest: +SKIP
    ...     papermill.execute_notebook(src, dst, kernel_manager_class=fs.kernel_manager_class())
    """

    def __init__(self, data_dir=None, *, startup_timeout: float = 120.0):
        self.data_dir = None if data_dir is None else str(data_dir)
        self._tmp = tempfile.TemporaryDirectory(prefix="migstats-kernels-")
        self.socket_path = os.path.join(self._tmp.name, "forkserver.sock")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", self.socket_path, self.data_dir or ""],
            stdout=subprocess.PIPE, stderr=None, text=True, env=env)
        t0 = time.monotonic()
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.close()
            raise RuntimeError(f"The kernel fork server did not start (said {line!r}); run "
                               "`migstats render --no-warm` to use plain papermill kernels.")
        self.startup_seconds = time.monotonic() - t0
        self._write_kernelspec()

    def _write_kernelspec(self) -> None:
        kdir = Path(self._tmp.name) / "kernels" / _KERNEL_NAME
        kdir.mkdir(parents=True)
        spec = {"argv": [sys.executable, __file__, "launch", self.socket_path, "{connection_file}"],
                "display_name": "migstats warm kernel", "language": "python",
                "interrupt_mode": "signal", "metadata": {"debugger": False}}
        (kdir / "kernel.json").write_text(json.dumps(spec))
        self.kernel_dirs = [str(Path(self._tmp.name) / "kernels")]

    def kernel_manager_class(self):
        """An ``AsyncKernelManager`` subclass launching forked kernels over ``ipc`` transport."""
        return kernel_manager_class(self.kernel_dirs, self._tmp.name)

    def close(self) -> None:
        """Stop the server (running kernels finish on their own)."""
        if self.process.poll() is None:
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect(self.socket_path)
                s.sendall(b'{"command": "stop"}\n')
                s.recv(16)
                s.close()
                self.process.wait(timeout=10)
            except OSError:
                self.process.kill()
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "launch":
        sys.exit(_relay(sys.argv[2], sys.argv[3]))
    elif cmd == "serve":
        _serve(sys.argv[2], sys.argv[3] or None)
    else:
        sys.exit(f"usage: {sys.argv[0]} serve SOCKET [DATA_DIR] | launch SOCKET CONNECTION_FILE")
