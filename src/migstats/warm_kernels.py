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

``migstats profile`` uses a server for its single notebook too: started with
``wait=False`` before anything else, it imports and loads the data on one core while the
command validates its arguments and imports papermill on the other.

jupyter_client launches ``python warm_kernels.py launch SOCKET CONNECTION_FILE`` as the
kernel command: a tiny relay (no heavy imports) that asks the server for a kernel, then
lives as long as the kernel does and forwards signals (interrupt, terminate) to it; if the
relay dies, the kernel notices and exits.

This file must not import migstats (or pandas) at module level: the relay runs as a plain
script so that it starts in milliseconds.
"""

from __future__ import annotations

import gc
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

__all__ = ["ForkServer", "PRELOAD", "BATCH_PRELOAD", "kernel_manager_class", "papermill_executor", "exit_with_parent"]

#: Modules the fork server imports once, so that kernels start with them loaded.
PRELOAD = (
    "numpy", "pandas", "pyarrow", "matplotlib", "matplotlib.pyplot", "shapely", "pyproj", "geopandas",
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "matplotlib_inline.backend_inline",
    "migstats", "migstats.indicators", "migstats.maps", "migstats.charts", "migstats.profiles",
    "migstats.narrative", "migstats.publication",
    # what IPKernelApp.initialize imports on its own (the debugger's debugpy, tornado's queues,
    # IPython's completer and extensions): 0.09 s of every kernel's start when left to it
    "ipykernel.debugger", "IPython.core.completerlib", "IPython.core.debugger",
    "IPython.extensions.storemagic", "tornado.platform.asyncio", "tornado.queues",
)
#: Imported too when the server serves a batch: mapclassify (about 1 s, it loads scipy and
#: scikit-learn) classes the group member maps; a country profile never imports it.
BATCH_PRELOAD = ("mapclassify",)
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
def _serve(socket_path: str, data_dir: str | None, draw: bool) -> None:
    import importlib

    exit_with_parent()
    for name in PRELOAD + (BATCH_PRELOAD if draw else ()):
        importlib.import_module(name)
    _warm_caches(data_dir, draw)
    # kernels' garbage collections then skip the server's millions of objects (and leave their
    # pages shared): the use the gc.freeze documentation gives for a fork server
    gc.freeze()
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
            pid = os.fork()
            if pid == 0:  # the kernel
                srv.close()
                conn.close()
                _become_kernel(req)
                os._exit(0)
            conn.sendall(f"{pid}\n".encode())


def _warm_caches(data_dir: str | None, draw: bool = True) -> None:
    """Load the store and the projected boundaries, and with ``draw`` draw one map, so that
    kernels inherit warm caches (best effort).

    Drawing fills matplotlib's font and text caches: worth it when many kernels are forked
    (a batch), not for one profile, whose kernel would draw the map itself just as fast.
    """
    try:
        import matplotlib.pyplot as plt

        from migstats import indicators, maps, store

        if not store.is_built(data_dir):
            return
        indicators._data(data_dir)
        for name in ("countries", "country_names", "area_points"):
            store.load(name, data_dir)
        # the lazy indexes a profile needs (partners of the default bilateral table, both ways)
        indicators.profile("BLR", data_dir=data_dir)
        maps._base("110m", data_dir)
        if draw:
            # every figure of a profile, drawn as a kernel shows it: code paths, fonts and text
            # caches warm in every forked kernel
            from migstats import profiles, style

            figs = profiles.make_figures(indicators.profile("BLR", data_dir=data_dir), data_dir=data_dir)
            for fig in figs.values():
                style.png_bytes(fig)
            plt.close("all")
    except Exception as exc:  # warming is an optimisation only
        from migstats.exceptions import MigstatsError

        if not isinstance(exc, MigstatsError):  # those (a damaged store...) the command reports itself
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
    # the relay prints nothing: it must not keep the launcher's stdout/stderr (a pipe, say)
    # open after the launcher has gone
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
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
                deadline = time.monotonic() + 2
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
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
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class WarmKernelClient(AsyncKernelClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # The client connects before the forked kernel has bound its sockets; ZeroMQ then
            # retries after its default 100 ms, which was half of a kernel's start. Retry every
            # 2 ms instead (a default of this client's context, so for its channels only).
            import zmq

            self.context.setsockopt(zmq.RECONNECT_IVL, 2)

        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """As jupyter_client's, without its closing 0.2 s wait for silence on IOPub.

            A forked kernel answers ``kernel_info`` in milliseconds, so that wait was half
            of its start-up. Leftover IOPub messages are harmless: nbclient skips messages
            that answer other requests.
            """
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:  # IOPub connected? (its first message: the kernel's busy status)
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    class WarmKernelManager(AsyncKernelManager):
        def __init__(self, *args, **kwargs):
            kwargs["kernel_name"] = _KERNEL_NAME
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("kernel_spec_manager", KernelSpecManager(kernel_dirs=kernel_dirs))
            super().__init__(*args, **kwargs)
            self.client_factory = WarmKernelClient
            # ipc endpoints are files: keep them in the server's private folder
            self.ip = os.path.join(ipc_dir, f"k-{os.getpid()}-{id(self) % 1000003}")

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            """Stop the kernel at once: a forked kernel per notebook holds nothing to save (its
            outputs are in the notebook already), and a polite shutdown cost 0.13 s a profile."""
            await super().shutdown_kernel(now=True, restart=restart)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            """As jupyter_client's, polling every 5 ms instead of 100 ms: the killed relay is gone
            within a millisecond, and the 0.1 s poll was most of a kernel's shutdown."""
            await super()._async_wait(pollinterval=0.005)

    return WarmKernelManager


def papermill_executor(kernel_dirs: list[str], socket_path: str):
    """A notebook executor (papermill) whose kernels are forked by the server at ``socket_path``.

    Returns ``execute(input_nb, output_nb, parameters, cwd, kernel_name)`` (the ``execute``
    argument of :func:`migstats.profiles.render_profile`); ``kernel_name`` is ignored, the
    kernel is always a fork of the server. Used by :meth:`ForkServer.executor` and by batch
    worker processes, which know the server only by its paths.
    """
    import functools

    from .profiles import _papermill_execute

    return functools.partial(_papermill_execute, kernel_manager_class=kernel_manager_class(
        kernel_dirs, os.path.dirname(socket_path)))


# -- the client side --------------------------------------------------------------------------
class ForkServer:
    """A running fork server and the kernel managers that launch kernels through it.

    Parameters
    ----------
    data_dir : path, optional
        Data root whose store the server loads before forking.
    wait : bool
        Return only when the server is ready (default). With ``False`` the server warms up
        while the caller goes on; :meth:`wait` (called by :meth:`executor` and
        :meth:`kernel_manager_class`) blocks until it is ready.
    warm_figures : bool
        Also draw a map in the server to warm matplotlib's caches (pays off for a batch;
        ``migstats profile`` turns it off for its one kernel).

    Examples
    --------
    >>> with ForkServer() as fs:                                          # doctest: +SKIP
    ...     papermill.execute_notebook(src, dst, kernel_manager_class=fs.kernel_manager_class())
    """

    def __init__(self, data_dir=None, *, wait: bool = True, warm_figures: bool = True):
        self.data_dir = None if data_dir is None else str(data_dir)
        self._tmp = tempfile.TemporaryDirectory(prefix="migstats-kernels-")
        self.socket_path = os.path.join(self._tmp.name, "forkserver.sock")
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MPLBACKEND="Agg",
                   # debugpy (imported, never started) would warn about frozen modules on import
                   PYDEVD_DISABLE_FILE_VALIDATION="1")
        self._t0 = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", self.socket_path, self.data_dir or "",
             "draw" if warm_figures else "nodraw"],
            stdout=subprocess.PIPE, stderr=None, text=True, env=env)
        self.startup_seconds: float | None = None
        self._write_kernelspec()
        if wait:
            self.wait()

    @staticmethod
    def available() -> bool:
        """Whether this platform can fork kernels (``os.fork`` and Unix sockets: not Windows)."""
        return hasattr(os, "fork") and hasattr(socket, "AF_UNIX")

    def wait(self) -> None:
        """Block until the server has imported its modules and warmed its caches.

        With ``ForkServer(wait=False)`` the caller goes on with its own start-up (importing
        papermill, say) on the other core while the server warms up; kernels can be asked for
        only after this returns (:meth:`kernel_manager_class` and :meth:`executor` call it).
        """
        if self.startup_seconds is not None:
            return
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            self.close()
            raise RuntimeError(f"The kernel fork server did not start (said {line!r}); run "
                               "migstats with --no-warm to use plain papermill kernels.")
        self.startup_seconds = time.monotonic() - self._t0

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
        self.wait()
        return kernel_manager_class(self.kernel_dirs, self._tmp.name)

    def executor(self):
        """``execute(input_nb, output_nb, parameters, cwd, kernel_name)`` running papermill on a
        forked kernel (the ``execute`` argument of :func:`migstats.profiles.render_profile`)."""
        self.wait()
        return papermill_executor(self.kernel_dirs, self.socket_path)

    def close(self) -> None:
        """Stop the server (kernels already forked run on, each until its notebook ends)."""
        if self.process.poll() is None:
            # the server holds nothing worth a clean shutdown, and interpreter exit with
            # geopandas loaded takes half a second: kill it
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
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
        _serve(sys.argv[2], sys.argv[3] or None, sys.argv[4] == "draw")
    else:
        sys.exit(f"usage: {sys.argv[0]} serve SOCKET DATA_DIR draw|nodraw | launch SOCKET CONNECTION_FILE")
