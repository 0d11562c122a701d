"""Run an ASGI app on 127.0.0.1 in a background thread, and make links the learner can open.

Used by the sandbox and by any stage that serves the learner's own app. The socket is bound
here, to port 0, so the OS picks a free port: two notebooks never collide. The server thread
is a daemon, so it ends with the kernel; ``stop()`` ends it earlier.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

STARTUP_TIMEOUT = 10.0


def _bind_loopback() -> socket.socket:
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # is TCP, and without it every keep-alive response waits ~40 ms (Nagle + delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def browser_url(port: int, path: str = "/", scheme: str = "http") -> str:
    """A URL for ``path`` on a local server that the learner's *browser* can open.

    Locally that is ``http://127.0.0.1:PORT/path``. On JupyterHub and Binder the browser is
    elsewhere, so the link goes through jupyter-server-proxy under the server's own prefix
    (``/user/NAME/proxy/PORT/path``), which the hub routes back to this machine.
    """
    if not path.startswith("/"):
        path = "/" + path
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix and scheme == "http":
        return f"{prefix.rstrip('/')}/proxy/{port}{quote(path, safe='/?=&%')}"
    # The HTTPS sandbox's certificate names localhost only: a 127.0.0.1 link would not verify.
    host = "localhost" if scheme == "https" else "127.0.0.1"
    return f"{scheme}://{host}:{port}{path}"


@dataclass
class _TLSFiles:
    certfile: str
    keyfile: str


class BackgroundServer:
    """An ASGI application served on 127.0.0.1:<free port> from a daemon thread.

    HTTP is served by uvicorn (its h11 parser is strict, which is what a course about the
    protocol wants); HTTPS by Hypercorn, which negotiates HTTP/2 over ALPN as browsers and
    httpx do.
    """

    def __init__(self, app: Any, *, tls: _TLSFiles | None = None, name: str = "server") -> None:
        self.app = app
        self.tls = tls
        self.name = name
        self._socket = _bind_loopback()
        self.port: int = self._socket.getsockname()[1]
        self.host = "127.0.0.1"
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopper: Any = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        host = "localhost" if self.tls else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> BackgroundServer:
        target = self._run_hypercorn if self.tls else self._run_uvicorn
        self._thread = threading.Thread(target=target, name=f"trek-{self.name}", daemon=True)
        self._thread.start()
        if not self._ready.wait(STARTUP_TIMEOUT) or self._error is not None:
            raise RuntimeError(f"the {self.name} did not start: {self._error or 'timed out'}")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._stopper is not None:
            self._stopper()
        if self._thread is not None:
            self._thread.join(timeout)
        self._socket.close()

    # -- uvicorn (HTTP/1.1) -----------------------------------------------------------------
    def _run_uvicorn(self) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            http="h11",
            ws="none",
            lifespan="off",
            log_level="error",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)

        def stop() -> None:
            server.should_exit = True

        self._stopper = stop

        async def serve() -> None:
            task = asyncio.create_task(server.serve(sockets=[self._socket]))
            while not server.started and not task.done():
                await asyncio.sleep(0.005)
            self._ready.set()
            await task

        try:
            asyncio.run(serve())
        except BaseException as exc:  # report start-up failures to start()
            self._error = exc
            self._ready.set()

    # -- Hypercorn (HTTPS, HTTP/2 and HTTP/1.1) -----------------------------------------------
    def _run_hypercorn(self) -> None:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        # Hypercorn closes the socket it is given on shutdown: hand it a duplicate, so stop()
        # closing ours does not close (twice) a descriptor number that may be reused by then.
        config.bind = [f"fd://{os.dup(self._socket.fileno())}"]
        config.certfile = self.tls.certfile
        config.keyfile = self.tls.keyfile
        config.alpn_protocols = ["h2", "http/1.1"]
        config.loglevel = "WARNING"
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 1

        async def main() -> None:
            stop_event = asyncio.Event()
            loop = asyncio.get_running_loop()
            self._stopper = lambda: loop.call_soon_threadsafe(stop_event.set)
            task = asyncio.create_task(serve(self.app, config, shutdown_trigger=stop_event.wait))
            # Hypercorn has no "started" flag: wait until the port answers.
            for _ in range(int(STARTUP_TIMEOUT / 0.01)):
                if task.done():
                    break
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                    writer.close()
                    break
                except OSError:
                    await asyncio.sleep(0.01)
            self._ready.set()
            await task

        try:
            asyncio.run(main())
        except BaseException as exc:
            self._error = exc
            self._ready.set()


def wait_for_port(port: int, timeout: float = 5.0) -> bool:
    """True once something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False
