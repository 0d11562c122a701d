"""Serve a FastAPI app from a notebook so that its ``/docs`` page works in the learner's browser.

    from trek.apiserver import serve
    server = serve(app)          # http://127.0.0.1:<free port>, in a background thread
    server.link("/docs")         # a link the browser can open, locally or on JupyterHub/Binder

Two things stand between FastAPI's defaults and a ``/docs`` page that works here.

**The proxy prefix.** On JupyterHub and Binder the browser cannot reach 127.0.0.1 on the
machine running the kernel; it goes through jupyter-server-proxy at
``/user/NAME/proxy/PORT/…``, and the proxy strips that prefix before it forwards the request.
FastAPI's docs page then asks for ``/openapi.json`` — an absolute path, which the browser sends
to the hub's root instead of to the app. ASGI has a field for exactly this, ``root_path``: "the
path under which this application is mounted". FastAPI builds the docs page's OpenAPI URL and the
document's ``servers`` entry (where "Try it out" sends requests) from it. So the wrapper here
sets ``root_path`` for each request, the way a server's ``--root-path`` option does, from

1. the ``X-Forwarded-Prefix`` header (or ``X-Forwarded-Context`` / ``X-ProxyContextPath``) that
   jupyter-server-proxy adds to every request it forwards — exact, and only on proxied requests;
2. failing that, ``JUPYTERHUB_SERVICE_PREFIX`` (set by JupyterHub and Binder) and the port,
   which is where :func:`trek.serving.browser_url` sends the browser;
3. nothing, when neither is there: running locally, the browser talks to the app directly.

Trusting a forwarded header is safe here only because the server listens on 127.0.0.1, so
only programs on this machine (the Jupyter server among them) can send it one; and a prefix
that is not a plain URL path is ignored, since it ends up inside the docs page's script.

**The CDN.** FastAPI's default docs page loads Swagger UI's JavaScript and CSS from a CDN, so
without internet the page stays blank. The wrapper answers the app's ``docs_url`` and
``redoc_url`` itself with the same pages built on the Swagger UI and ReDoc files that the
pinned ``fastapi-offline`` package ships, served under ``/_trek-docs/``. The app object is
not modified: every other request goes to it unchanged (apart from ``root_path``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trek.serving import BackgroundServer, browser_url

#: Where the Swagger UI / ReDoc files are served, under the app's own root.
ASSETS_PATH = "/_trek-docs"

#: Request headers in which a reverse proxy says under which path prefix it serves the app.
#: jupyter-server-proxy sets all three to the same value.
PREFIX_HEADERS = ("x-forwarded-prefix", "x-forwarded-context", "x-proxycontextpath")

# One or more path segments of unreserved / sub-delim / percent-encoded characters: no quotes,
# angle brackets, backslashes or spaces (the prefix is written into the docs page's script),
# no empty segments ("//") and no dot segments.
_SEGMENT = r"/(?!\.{1,2}(?:/|$))[A-Za-z0-9._~%@:+,;=!$-]+"
_SAFE_PREFIX = re.compile(rf"^(?:{_SEGMENT})+$")


def safe_prefix(value: str | None) -> str:
    """``value`` without a trailing slash if it is a plain absolute URL path, else ``""``."""
    if not value:
        return ""
    value = value.strip().rstrip("/")
    return value if _SAFE_PREFIX.match(value) else ""


def proxy_root_path(
    headers: Mapping[str, str] | None,
    port: int,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The path prefix under which the browser reaches the app on ``port`` (``""`` for none).

    ``headers`` are the request's headers with lower-case names. See the module docstring for
    the order in which the sources are tried.
    """
    for name in PREFIX_HEADERS:
        prefix = safe_prefix((headers or {}).get(name))
        if prefix:
            return prefix
    environ = os.environ if environ is None else environ
    hub_prefix = safe_prefix(environ.get("JUPYTERHUB_SERVICE_PREFIX"))
    if hub_prefix:
        return f"{hub_prefix}/proxy/{int(port)}"
    return ""


def _static_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


class DocsAndProxyPrefix:
    """ASGI wrapper: sets ``root_path`` from the proxy prefix and serves offline docs pages.

    ``port`` is where the app is served (for the ``JUPYTERHUB_SERVICE_PREFIX`` fallback);
    ``environ`` defaults to ``os.environ`` (tests pass their own).
    """

    def __init__(
        self, app: Any, port: int, environ: Mapping[str, str] | None = None, offline_docs=True
    ) -> None:
        self.app = app
        self.port = port
        self.environ = environ
        self.offline_docs = offline_docs
        self._assets = None

    # -- the prefix -------------------------------------------------------------------------
    def _with_root_path(self, scope: dict) -> dict:
        if scope.get("root_path"):  # a server or an outer proxy set it already
            return scope
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", [])
        }
        prefix = proxy_root_path(headers, self.port, self.environ)
        if not prefix:
            return scope
        # As the ASGI spec (and uvicorn's --root-path) has it: `path` includes `root_path`.
        scope = dict(scope)
        scope["root_path"] = prefix
        scope["path"] = prefix + scope["path"]
        if scope.get("raw_path") is not None:
            scope["raw_path"] = prefix.encode("latin-1") + scope["raw_path"]
        return scope

    # -- the docs pages ---------------------------------------------------------------------
    def _docs_page(self, route_path: str, root: str):
        from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

        app = self.app
        openapi_url = getattr(app, "openapi_url", None)
        if not openapi_url:
            return None
        assets = root + ASSETS_PATH
        if route_path == getattr(app, "docs_url", None):
            redirect = getattr(app, "swagger_ui_oauth2_redirect_url", None)
            return get_swagger_ui_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                swagger_css_url=f"{assets}/swagger-ui.css",
                swagger_favicon_url=f"{assets}/favicon.png",
                oauth2_redirect_url=root + redirect if redirect else None,
                init_oauth=getattr(app, "swagger_ui_init_oauth", None),
                swagger_ui_parameters=getattr(app, "swagger_ui_parameters", None),
            )
        if route_path == getattr(app, "redoc_url", None):
            return get_redoc_html(
                openapi_url=root + openapi_url,
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{assets}/redoc.standalone.js",
                redoc_favicon_url=f"{assets}/favicon.png",
                with_google_fonts=False,
            )
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self._with_root_path(scope)
        if self.offline_docs and scope["method"] in ("GET", "HEAD"):
            from starlette._utils import get_route_path

            root = scope.get("root_path", "").rstrip("/")
            route_path = get_route_path(scope)
            if route_path.startswith(ASSETS_PATH + "/"):
                await self._serve_asset(scope, receive, send, root)
                return
            page = self._docs_page(route_path, root)
            if page is not None:
                await page(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _serve_asset(self, scope, receive, send, root: str) -> None:
        from starlette.staticfiles import StaticFiles

        if self._assets is None:
            self._assets = StaticFiles(directory=_static_dir())
        # As Starlette's Mount does: the files live under root_path + ASSETS_PATH.
        await self._assets({**scope, "root_path": root + ASSETS_PATH}, receive, send)


class APIServer:
    """A FastAPI (or any ASGI) app served on 127.0.0.1 from a background thread."""

    def __init__(self, app: Any, name: str = "api") -> None:
        self.app = app
        self.name = name
        self._server = BackgroundServer(app, name=name)  # binds the port now
        self._server.app = DocsAndProxyPrefix(app, self._server.port)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def url(self) -> str:
        """Base URL for clients on this machine (the notebook's httpx, the checker)."""
        return self._server.url

    def link(self, path: str = "/docs") -> str:
        """A URL the learner's *browser* can open (through the proxy on JupyterHub/Binder)."""
        return browser_url(self.port, path)

    def start(self) -> APIServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def running(self) -> bool:
        return self._server.running

    def __repr__(self) -> str:
        return f"<APIServer {self.name!r} at {self.url} · docs: {self.link('/docs')}>"

    def _repr_html_(self) -> str:
        from html import escape

        docs = escape(self.link("/docs"))
        return (
            f"<code>{escape(self.name)}</code> is running at <code>{escape(self.url)}</code> "
            f"· interactive docs: <a href='{docs}' target='_blank'>{docs}</a>"
        )


_running: dict[str, APIServer] = {}


def serve(app: Any, name: str = "api") -> APIServer:
    """Serve ``app`` on 127.0.0.1 and a free port; returns the running :class:`APIServer`.

    Serving again under the same ``name`` (re-running the cell) stops the previous server
    first, so a notebook never piles up servers. The app's lifespan events are not run.
    """
    previous = _running.pop(name, None)
    if previous is not None:
        previous.stop()
    server = APIServer(app, name=name).start()
    _running[name] = server
    return server
