"""The course's HTTP practice server, on your own machine.

    from trek import sandbox
    sb = sandbox.start()          # idempotent: the same server for the whole kernel
    sb.url("/status/418")         # 'http://127.0.0.1:41234/status/418'
    sb.browser_url("/")           # a link your browser can open (works on Binder too)

    tls = sandbox.start_tls()     # the same app over HTTPS, signed by a local CA
    tls.url("/anything"), tls.ca_file

The server binds 127.0.0.1 on a port the OS picks, runs in a daemon thread and is gone when
the kernel exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from trek.sandbox.app import create_app
from trek.serving import BackgroundServer, _TLSFiles, browser_url

__all__ = ["Sandbox", "TLSSandbox", "create_app", "start", "start_tls", "start_impostor", "stop"]


class Sandbox:
    """A running sandbox. ``url(path)`` for code, ``browser_url(path)`` for links."""

    def __init__(self, server: BackgroundServer) -> None:
        self._server = server

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def base_url(self) -> str:
        return self._server.url

    @property
    def app(self) -> Any:
        return self._server.app

    @property
    def state(self) -> Any:
        """The server's memory (counters, logs), for checkers and demonstrations."""
        return self._server.app.state.sandbox

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def browser_url(self, path: str = "/") -> str:
        return browser_url(self.port, path, scheme=self._server.scheme)

    def link(self, path: str = "/", text: str | None = None) -> Any:
        """An HTML link to ``path`` that opens in a new browser tab."""
        from IPython.display import HTML

        href = self.browser_url(path)
        return HTML(f'<a href="{href}" target="_blank" rel="noopener">{text or href}</a>')

    def __repr__(self) -> str:
        return f"<trek sandbox at {self.base_url}>"


class TLSSandbox(Sandbox):
    """The sandbox over HTTPS. Its certificate names ``localhost`` only and is signed by a
    certificate authority made for this kernel (``ca_file`` is that CA's certificate)."""

    def __init__(self, server: BackgroundServer, ca_file: str) -> None:
        super().__init__(server)
        self.ca_file = ca_file

    def __repr__(self) -> str:
        return f"<trek TLS sandbox at {self.base_url}, CA {self.ca_file}>"


_lock = threading.Lock()
_plain: Sandbox | None = None
_tls: TLSSandbox | None = None
_impostor: TLSSandbox | None = None
_tls_dir: Path | None = None


def start() -> Sandbox:
    """Start the sandbox, or return the one already running in this process."""
    global _plain
    with _lock:
        if _plain is None or not _plain._server.running:
            _plain = Sandbox(BackgroundServer(create_app(), name="sandbox").start())
        return _plain


def _tls_files(name: str) -> tuple[Any, Path]:
    """A fresh CA (trustme) and the directory where its files for ``name`` go."""
    import trustme

    global _tls_dir
    if _tls_dir is None:
        _tls_dir = Path(tempfile.mkdtemp(prefix="trek-tls-"))
        atexit.register(shutil.rmtree, _tls_dir, True)
    # A directory per server: a restarted sandbox must not overwrite the CA file that a
    # still-running one (and the clients trusting it) uses.
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=_tls_dir))
    return trustme.CA(organization_name=f"Backend Trek {name} CA"), directory


def _serve_tls(name: str) -> TLSSandbox:
    ca, directory = _tls_files(name)
    cert = ca.issue_cert("localhost")
    ca_file = directory / f"{name}-ca.pem"
    certfile = directory / f"{name}-cert.pem"
    keyfile = directory / f"{name}-key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_pem.write_to_path(str(keyfile))
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        with open(certfile, "ab") as handle:
            handle.write(extra.bytes())
    server = BackgroundServer(
        create_app(), tls=_TLSFiles(str(certfile), str(keyfile)), name=f"{name} TLS sandbox"
    ).start()
    return TLSSandbox(server, str(ca_file))


def start_tls() -> TLSSandbox:
    """Start the HTTPS sandbox (idempotent). Trust it with ``verify=ssl context of ca_file``."""
    global _tls
    with _lock:
        if _tls is None or not _tls._server.running:
            _tls = _serve_tls("course")
        return _tls


def start_impostor() -> TLSSandbox:
    """An HTTPS server that *also* claims to be ``localhost`` but whose certificate comes from
    a different CA: what a man-in-the-middle looks like. A correctly configured client
    refuses it."""
    global _impostor
    with _lock:
        if _impostor is None or not _impostor._server.running:
            _impostor = _serve_tls("impostor")
        return _impostor


def stop() -> None:
    """Stop every sandbox this process started (they also end with the process)."""
    global _plain, _tls, _impostor
    with _lock:
        for sandbox in (_plain, _tls, _impostor):
            if sandbox is not None:
                sandbox._server.stop()
        _plain = _tls = _impostor = None
