"""The sandbox: an HTTP practice server in the spirit of httpbin, written for the course.

Every endpoint exists to make one idea of HTTP observable: the exact request the server
received, any status code, redirect chains of every kind, slow and streamed responses,
cookies, conditional requests, content negotiation, failures and rate limits that a robust
client must survive, authentication challenges and CORS preflights.

``create_app()`` returns a fresh FastAPI application with its own state, so two sandboxes
(or two test cases) never share counters.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import gzip
import hashlib
import html
import json
import math
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse

ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
MAX_DELAY_SECONDS = 10.0
CORS_ALLOWED_ORIGINS = ("http://localhost:3000", "http://127.0.0.1:3000")
CORS_ALLOWED_METHODS = ("GET", "POST", "PUT")
CORS_ALLOWED_HEADERS = ("content-type", "authorization", "x-request-id")


@dataclass
class _Resource:
    """A document served by ``/etag/{name}``: its version changes on every PUT."""

    data: dict[str, Any]
    version: int = 1
    full_responses: int = 0
    not_modified: int = 0

    @property
    def etag(self) -> str:
        digest = hashlib.sha256(json.dumps(self.data, sort_keys=True).encode()).hexdigest()
        return f'"{self.version}-{digest[:12]}"'


@dataclass
class _WorkStats:
    """What ``/work/{key}`` saw for one key: how many requests overlapped, and when each ran."""

    in_flight: int = 0
    peak: int = 0
    total: int = 0
    completed: int = 0
    #: (start, end, status) per finished request, ``time.monotonic()`` seconds.
    intervals: list[tuple[float, float, int]] = field(default_factory=list)


@dataclass
class SandboxState:
    """Everything the sandbox remembers between requests, guarded by one lock."""

    started_at: float = field(default_factory=time.time)
    lock: threading.Lock = field(default_factory=threading.Lock)
    flaky_failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    rate_windows: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    resources: dict[str, _Resource] = field(default_factory=dict)
    #: Per client key: every request seen by the keyed endpoints, for checkers and plots.
    logs: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    #: Per client key: concurrency seen by ``/work/{key}`` (stage 02 measures learners with it).
    work: dict[str, _WorkStats] = field(default_factory=lambda: defaultdict(_WorkStats))

    def log(self, key: str, request: Request, status: int, **extra: Any) -> None:
        with self.lock:
            self.logs[key].append(
                {
                    "t": time.monotonic(),
                    "method": request.method,
                    "path": request.url.path,
                    "status": status,
                    **extra,
                }
            )


def _headers_dict(request: Request) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in request.headers.items():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


async def _echo(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = base64.b64encode(body).decode("ascii")
    parsed: Any = None
    if body and "json" in request.headers.get("content-type", ""):
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    args: dict[str, Any] = {}
    for name, value in request.query_params.multi_items():
        if name in args:
            args[name] = args[name] if isinstance(args[name], list) else [args[name]]
            args[name].append(value)
        else:
            args[name] = value
    client = request.client
    return {
        "method": request.method,
        "path": request.url.path,
        "url": str(request.url),
        "args": args,
        "headers": _headers_dict(request),
        "body": text,
        "json": parsed,
        "http_version": request.scope.get("http_version"),
        "client": {"host": client.host, "port": client.port} if client else None,
    }


def _reason(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    """Parse an Accept header into (media range, q, position), RFC 9110 §12.5.1."""
    ranges = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((media, max(0.0, min(q, 1.0)), position))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float, int]]) -> float:
    """The q of the most specific range matching ``media_type`` (0 if none matches)."""
    kind, _, sub = media_type.partition("/")
    best: tuple[int, float] | None = None
    for media, q, _ in ranges:
        r_kind, _, r_sub = media.partition("/")
        if media == media_type:
            specificity = 2
        elif r_kind == kind and r_sub == "*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, q)
    return best[1] if best else 0.0


def _etag_matches(header: str, etag: str, weak: bool) -> bool:
    """Does an If-None-Match (weak comparison) / If-Match (strong) header match ``etag``?"""
    if header.strip() == "*":
        return True
    for candidate in header.split(","):
        candidate = candidate.strip()
        if weak:
            if candidate.removeprefix("W/") == etag.removeprefix("W/"):
                return True
        elif candidate == etag and not candidate.startswith("W/"):
            return True
    return False


_PRODUCTS = [
    {"sku": "TRK-001", "name": "Trail map", "price": "4.50"},
    {"sku": "TRK-002", "name": "Compass", "price": "19.00"},
    {"sku": "TRK-003", "name": "Head torch", "price": "24.90"},
]


def _render(kind: str) -> tuple[str, str]:
    if kind == "application/json":
        return json.dumps({"products": _PRODUCTS}), kind
    if kind == "text/csv":
        lines = ["sku,name,price"] + [f"{p['sku']},{p['name']},{p['price']}" for p in _PRODUCTS]
        return "\r\n".join(lines) + "\r\n", "text/csv; charset=utf-8"
    rows = "".join(
        f"<tr><td>{p['sku']}</td><td>{html.escape(p['name'])}</td><td>{p['price']}</td></tr>"
        for p in _PRODUCTS
    )
    return f"<table><tr><th>sku</th><th>name</th><th>price</th></tr>{rows}</table>", (
        "text/html; charset=utf-8"
    )


_OFFERABLE = {"json": "application/json", "csv": "text/csv", "html": "text/html"}

_INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Backend Trek sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;line-height:1.5}
code{background:#f2f2f2;padding:0 .2em}</style></head><body>
<h1>Backend Trek sandbox</h1>
<p>A practice HTTP server running on your own machine for the course. Every link below is
relative, so it works through a proxy too.</p><ul>
<li><a href="anything/hello?lang=en">anything/…</a> echoes the request it received</li>
<li><a href="status/418">status/{code}</a> answers with any status</li>
<li><a href="headers">headers</a>, <a href="response-headers?X-Trek=yes">response-headers</a></li>
<li><a href="redirect/3">redirect/{n}</a>, <a href="redirect-to?url=/anything&amp;status_code=307">redirect-to</a>, <a href="redirect-loop/a">redirect-loop</a></li>
<li><a href="delay/1">delay/{seconds}</a>, <a href="stream/5">stream/{n}</a>, <a href="gzip">gzip</a>, <a href="bytes/64">bytes/{n}</a></li>
<li><a href="cookies">cookies</a>, <a href="cookies/set?flavour=oat">cookies/set</a>, <a href="cookies/session">cookies/session</a></li>
<li><a href="etag/doc">etag/{name}</a>, <a href="cache/60">cache/{seconds}</a>, <a href="negotiate">negotiate</a></li>
<li><a href="flaky/demo?failures=2">flaky/{key}</a>, <a href="rate-limited/demo">rate-limited/{key}</a></li>
<li><a href="work/demo?ms=200">work/{key}?ms=…</a>, <a href="work/demo/stats">work/{key}/stats</a> (concurrency the server saw)</li>
<li><a href="basic-auth/ada/lovelace">basic-auth/{user}/{password}</a>, <a href="bearer">bearer</a></li>
<li><a href="cors/data">cors/…</a>, <a href="json">json</a>, <a href="html">html</a></li>
</ul></body></html>"""


def create_app() -> FastAPI:  # noqa: C901 - one route table, read top to bottom
    """A new sandbox application with its own state (``app.state.sandbox``)."""
    app = FastAPI(title="Backend Trek sandbox", docs_url="/docs", redoc_url=None)
    state = SandboxState()
    app.state.sandbox = state

    # -- look around ------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        return _INDEX

    @app.api_route("/anything", methods=ANY_METHOD)
    @app.api_route("/anything/{rest:path}", methods=ANY_METHOD)
    async def anything(request: Request) -> JSONResponse:
        """Echo the request exactly as the server understood it."""
        return JSONResponse(await _echo(request))

    @app.get("/headers")
    async def headers(request: Request) -> dict[str, Any]:
        return {"headers": _headers_dict(request)}

    @app.get("/response-headers")
    async def response_headers(request: Request) -> JSONResponse:
        """Every query parameter becomes a response header."""
        pairs = list(request.query_params.multi_items())
        response = JSONResponse({name: value for name, value in pairs})
        for name, value in pairs:
            response.headers.append(name, value)
        return response

    @app.get("/json")
    async def json_doc() -> dict[str, Any]:
        return {"products": _PRODUCTS}

    @app.get("/html", response_class=HTMLResponse)
    async def html_doc() -> str:
        return "<!doctype html><title>Trek</title><h1>Hello from the sandbox</h1>"

    # -- status codes -------------------------------------------------------------------------
    @app.api_route("/status/{code}", methods=ANY_METHOD)
    async def status(code: int, request: Request) -> Response:
        if not 200 <= code <= 599:
            return JSONResponse({"detail": "code must be between 200 and 599"}, status_code=400)
        extra: dict[str, str] = {}
        if 300 <= code < 400 and code != 304:
            extra["Location"] = "/anything/redirected"
        if code == 401:
            extra["WWW-Authenticate"] = 'Basic realm="trek"'
        if code == 405:
            extra["Allow"] = "GET, HEAD"
        if code in (429, 503):
            extra["Retry-After"] = "1"
        # RFC 9110 §15.3.5, §15.3.6, §15.4.5: 204, 205 and 304 responses carry no content.
        if code in (204, 205, 304) or request.method == "HEAD":
            return Response(status_code=code, headers=extra)
        return JSONResponse({"status": code, "reason": _reason(code)}, code, headers=extra)

    # -- redirects ----------------------------------------------------------------------------
    @app.get("/redirect/{n}")
    async def redirect(n: int, request: Request, absolute: bool = False) -> Response:
        """A chain of ``n`` 302 redirects ending at /anything/redirected."""
        if n < 0 or n > 50:
            return JSONResponse({"detail": "n must be between 0 and 50"}, status_code=400)
        target = f"/redirect/{n - 1}" if n > 1 else "/anything/redirected"
        if n == 0:
            return JSONResponse({"detail": "end of the chain", "hops_left": 0})
        if absolute:
            target = str(request.base_url).rstrip("/") + target + "?absolute=true"
        return Response(status_code=302, headers={"Location": target})

    @app.api_route("/redirect-to", methods=ANY_METHOD)
    async def redirect_to(request: Request, url: str, status_code: int = 302) -> Response:
        """Redirect to ``url`` (on this sandbox only) with the status code asked for."""
        if status_code not in (301, 302, 303, 307, 308):
            return JSONResponse({"detail": "status_code must be 301/302/303/307/308"}, 400)
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
            return JSONResponse({"detail": "url must not contain control characters"}, 400)
        # Browsers read "/\\host" as "//host": judge the URL the way they will.
        target = urlsplit(url.replace("\\", "/"))
        if target.netloc and target.netloc != request.url.netloc:
            return JSONResponse(
                {"detail": "the sandbox only redirects to itself; use a path like /anything"},
                status_code=400,
            )
        # A header value is ASCII: percent-encode anything else (RFC 3986 §2.1).
        location = quote(url, safe="/:?#[]@!$&'()*+,;=%~")
        return Response(status_code=status_code, headers={"Location": location})

    @app.get("/redirect-loop/{step}")
    async def redirect_loop(step: str) -> Response:
        """/redirect-loop/a → /redirect-loop/b → /redirect-loop/a → … forever."""
        other = "b" if step == "a" else "a"
        return Response(status_code=302, headers={"Location": f"/redirect-loop/{other}"})

    # -- time and size --------------------------------------------------------------------------
    @app.api_route("/delay/{seconds}", methods=ANY_METHOD)
    async def delay(seconds: float, request: Request) -> JSONResponse:
        seconds = max(0.0, min(seconds, MAX_DELAY_SECONDS))
        # Read the request first: a client that timed out has gone by the time the sleep ends,
        # and reading its body then raises ClientDisconnect (a traceback in the notebook).
        echo = await _echo(request)
        await asyncio.sleep(seconds)
        return JSONResponse({"delayed": seconds, **echo})

    @app.get("/stream/{n}")
    async def stream(n: int, delay: float = 0.0) -> StreamingResponse:
        """``n`` JSON lines, sent one by one (chunked transfer encoding)."""
        n = max(0, min(n, 1000))
        pause = max(0.0, min(delay, 2.0))

        async def lines():
            for index in range(n):
                yield json.dumps({"line": index, "of": n}) + "\n"
                if pause:
                    await asyncio.sleep(pause)

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.get("/bytes/{n}")
    async def random_bytes(n: int, seed: int = 0) -> Response:
        n = max(0, min(n, 10_000_000))
        data = random.Random(seed).randbytes(n)
        return Response(data, media_type="application/octet-stream")

    @app.get("/gzip")
    async def gzipped(request: Request) -> Response:
        payload = json.dumps({"gzipped": True, "products": _PRODUCTS * 20}).encode()
        return Response(
            gzip.compress(payload, mtime=0),
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )

    # -- cookies ----------------------------------------------------------------------------
    @app.get("/cookies")
    async def cookies(request: Request) -> dict[str, Any]:
        return {"cookies": dict(request.cookies)}

    @app.get("/cookies/set")
    async def cookies_set(request: Request) -> Response:
        response = Response(status_code=302, headers={"Location": "/cookies"})
        for name, value in request.query_params.items():
            response.set_cookie(name, value, path="/", samesite="lax")
        return response

    @app.get("/cookies/delete")
    async def cookies_delete(request: Request) -> Response:
        response = Response(status_code=302, headers={"Location": "/cookies"})
        for name in request.query_params:
            response.delete_cookie(name, path="/")
        return response

    @app.get("/cookies/session")
    async def cookies_session() -> JSONResponse:
        """A session cookie with every protective attribute a real login would set."""
        response = JSONResponse({"detail": "look at the Set-Cookie header"})
        response.set_cookie(
            "session",
            "s3ss10n-" + hashlib.sha256(str(time.time()).encode()).hexdigest()[:16],
            max_age=3600,
            path="/",
            secure=True,
            httponly=True,
            samesite="lax",
        )
        return response

    # -- conditional requests and caching ---------------------------------------------------
    def _resource(name: str) -> _Resource:
        with state.lock:
            if name not in state.resources:
                state.resources[name] = _Resource({"name": name, "text": f"The {name} document"})
            return state.resources[name]

    @app.get("/etag/{name}/stats")
    async def etag_stats(name: str) -> dict[str, Any]:
        """How many full (200) and not-modified (304) responses /etag/{name} has sent."""
        resource = _resource(name)
        return {
            "etag": resource.etag,
            "full_responses": resource.full_responses,
            "not_modified": resource.not_modified,
        }

    @app.api_route("/etag/{name}", methods=["GET", "HEAD"])
    async def etag_get(name: str, request: Request) -> Response:
        resource = _resource(name)
        headers = {"ETag": resource.etag, "Cache-Control": "no-cache"}
        if_none_match = request.headers.get("if-none-match")
        if if_none_match and _etag_matches(if_none_match, resource.etag, weak=True):
            with state.lock:
                resource.not_modified += 1
            return Response(status_code=304, headers=headers)
        with state.lock:
            resource.full_responses += 1
        return JSONResponse({**resource.data, "version": resource.version}, headers=headers)

    @app.put("/etag/{name}")
    async def etag_put(name: str, request: Request) -> Response:
        """Replace the document; with If-Match, only if nobody changed it since (else 412)."""
        resource = _resource(name)
        if_match = request.headers.get("if-match")
        if if_match and not _etag_matches(if_match, resource.etag, weak=False):
            return JSONResponse(
                {"detail": "the document changed since you read it"},
                status_code=412,
                headers={"ETag": resource.etag},
            )
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            return JSONResponse({"detail": "send a JSON object"}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"detail": "send a JSON object"}, status_code=400)
        with state.lock:
            resource.data = {"name": name, **data}
            resource.version += 1
        return JSONResponse(
            {**resource.data, "version": resource.version}, headers={"ETag": resource.etag}
        )

    @app.get("/cache/{seconds}")
    async def cache(seconds: int, request: Request) -> Response:
        """Cacheable for ``seconds``; revalidates with If-Modified-Since."""
        seconds = max(0, seconds)
        last_modified = int(state.started_at)
        headers = {
            "Cache-Control": f"public, max-age={seconds}",
            "Last-Modified": format_datetime(
                datetime.datetime.fromtimestamp(last_modified, datetime.UTC), usegmt=True
            ),
        }
        since = request.headers.get("if-modified-since")
        if since:
            try:
                if parsedate_to_datetime(since).timestamp() >= last_modified:
                    return Response(status_code=304, headers=headers)
            except (TypeError, ValueError):
                pass
        return JSONResponse({"cached_for": seconds, "generated_at": time.time()}, headers=headers)

    @app.get("/negotiate")
    async def negotiate(request: Request, offer: str = "json,csv,html") -> Response:
        """Content negotiation over JSON, CSV and HTML (``offer`` limits what is available)."""
        offered = [_OFFERABLE[o.strip()] for o in offer.split(",") if o.strip() in _OFFERABLE]
        accept = request.headers.get("accept", "*/*") or "*/*"
        ranges = _parse_accept(accept)
        scored = [(_quality(media, ranges), -index, media) for index, media in enumerate(offered)]
        scored = [s for s in scored if s[0] > 0]
        if not scored:
            return JSONResponse(
                {"detail": "none of the offered types is acceptable", "available": offered},
                status_code=406,
                headers={"Vary": "Accept"},
            )
        chosen = max(scored)[2]
        body, content_type = _render(chosen)
        return Response(body, media_type=content_type, headers={"Vary": "Accept"})

    # -- failures a robust client must survive ----------------------------------------------
    @app.get("/flaky/{key}")
    async def flaky(
        key: str, request: Request, failures: int = 3, status: int = 503, retry_after: int = -1
    ) -> Response:
        """Fail the first ``failures`` requests for each ``key`` with ``status``, then succeed."""
        with state.lock:
            seen = state.flaky_failures[key]
            state.flaky_failures[key] = seen + 1
        if seen < failures:
            headers = {"Retry-After": str(retry_after)} if retry_after >= 0 else {}
            state.log(key, request, status, attempt=seen + 1)
            return JSONResponse(
                {"detail": f"temporary failure {seen + 1} of {failures}", "attempt": seen + 1},
                status_code=status,
                headers=headers,
            )
        state.log(key, request, 200, attempt=seen + 1)
        return JSONResponse({"detail": "finally!", "attempt": seen + 1})

    @app.get("/rate-limited/{key}")
    async def rate_limited(
        key: str, request: Request, limit: int = 2, window: float = 1.0
    ) -> Response:
        """At most ``limit`` requests per ``window`` seconds per key; more get 429 + Retry-After."""
        now = time.monotonic()
        with state.lock:
            recent = [t for t in state.rate_windows[key] if now - t < window]
            allowed = len(recent) < limit
            if allowed:
                recent.append(now)
            state.rate_windows[key] = recent
            reset = window - (now - recent[0]) if recent else window
        headers = {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(max(0, limit - len(recent))),
            "RateLimit-Reset": str(math.ceil(reset)),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(reset)))
            state.log(key, request, 429, retry_after=int(headers["Retry-After"]))
            return JSONResponse({"detail": "slow down"}, status_code=429, headers=headers)
        state.log(key, request, 200)
        return JSONResponse({"detail": "ok", "remaining": limit - len(recent)}, headers=headers)

    # -- concurrency, measured by the server -------------------------------------------------
    @app.get("/work/{key}")
    async def work(key: str, request: Request, ms: int = 100, status: int = 200) -> Response:
        """Take ``ms`` milliseconds (without blocking the server) and count how many requests
        for ``key`` are in flight at once: ``/work/{key}/stats`` reports the peak."""
        ms = max(0, min(ms, int(MAX_DELAY_SECONDS * 1000)))
        status = status if 200 <= status <= 599 else 200
        started = time.monotonic()
        with state.lock:
            stats = state.work[key]
            stats.in_flight += 1
            stats.total += 1
            stats.peak = max(stats.peak, stats.in_flight)
            seq, in_flight = stats.total, stats.in_flight
        try:
            await asyncio.sleep(ms / 1000)
        finally:
            with state.lock:
                stats.in_flight -= 1
                stats.completed += 1
                stats.intervals.append((started, time.monotonic(), status))
        body = {
            "key": key,
            "seq": seq,
            "ms": ms,
            "in_flight": in_flight,
            "query": dict(request.query_params),
        }
        return JSONResponse(body, status_code=status)

    @app.get("/work/{key}/stats")
    async def work_stats(key: str) -> dict[str, Any]:
        """Peak and current concurrency for ``key``, and each request's start and end in
        seconds after the first one started."""
        with state.lock:
            stats = state.work.get(key) or _WorkStats()
            intervals = sorted(stats.intervals)
            origin = intervals[0][0] if intervals else 0.0
            return {
                "key": key,
                "in_flight": stats.in_flight,
                "peak": stats.peak,
                "total": stats.total,
                "completed": stats.completed,
                "intervals": [
                    {"start": round(a - origin, 4), "end": round(b - origin, 4), "status": c}
                    for a, b, c in intervals
                ],
            }

    @app.get("/log/{key}")
    async def request_log(key: str) -> dict[str, Any]:
        """What the keyed endpoints (flaky, rate-limited) saw for ``key``, oldest first."""
        with state.lock:
            return {"key": key, "requests": list(state.logs.get(key, []))}

    # -- authentication ---------------------------------------------------------------------
    @app.get("/basic-auth/{user}/{password}")
    async def basic_auth(user: str, password: str, request: Request) -> Response:
        challenge = {"WWW-Authenticate": 'Basic realm="trek", charset="UTF-8"'}
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return JSONResponse({"detail": "send Basic credentials"}, 401, headers=challenge)
        try:
            given = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"detail": "malformed credentials"}, 401, headers=challenge)
        if given != f"{user}:{password}":
            return JSONResponse({"detail": "wrong user or password"}, 401, headers=challenge)
        return JSONResponse({"authenticated": True, "user": user})

    @app.get("/bearer")
    async def bearer(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return JSONResponse(
                {"detail": "send a bearer token"},
                401,
                headers={"WWW-Authenticate": 'Bearer realm="trek"'},
            )
        if not token.strip() or " " in token.strip():
            return JSONResponse(
                {"detail": "malformed token"},
                401,
                headers={"WWW-Authenticate": 'Bearer realm="trek", error="invalid_token"'},
            )
        return JSONResponse({"authenticated": True, "token": token.strip()})

    # -- CORS -------------------------------------------------------------------------------
    @app.api_route("/cors/{rest:path}", methods=ANY_METHOD)
    async def cors(rest: str, request: Request) -> Response:
        """A resource that allows cross-origin use from http://localhost:3000 only."""
        origin = request.headers.get("origin")
        allowed = origin in CORS_ALLOWED_ORIGINS
        vary = {"Vary": "Origin"}
        if request.method == "OPTIONS" and request.headers.get("access-control-request-method"):
            wanted = request.headers["access-control-request-method"].upper()
            wanted_headers = [
                h.strip().lower()
                for h in request.headers.get("access-control-request-headers", "").split(",")
                if h.strip()
            ]
            ok = (
                allowed
                and wanted in CORS_ALLOWED_METHODS
                and all(h in CORS_ALLOWED_HEADERS for h in wanted_headers)
            )
            if not ok:
                return Response(status_code=204, headers=vary)
            return Response(
                status_code=204,
                headers={
                    **vary,
                    "Access-Control-Allow-Origin": origin or "",
                    "Access-Control-Allow-Methods": ", ".join(CORS_ALLOWED_METHODS),
                    "Access-Control-Allow-Headers": ", ".join(CORS_ALLOWED_HEADERS),
                    "Access-Control-Max-Age": "600",
                },
            )
        response = JSONResponse({"resource": rest, "method": request.method})
        response.headers["Vary"] = "Origin"
        if allowed and origin:
            response.headers["Access-Control-Allow-Origin"] = origin
        return response

    @app.get("/robots.txt", response_class=PlainTextResponse, include_in_schema=False)
    async def robots() -> str:
        return "User-agent: *\nDisallow: /\n"

    # RFC 9110 §9.3.2: a general-purpose server supports HEAD wherever it supports GET.
    # Starlette adds it to GET routes, FastAPI does not; the server drops the body itself.
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if methods is not None and "GET" in methods:
            methods.add("HEAD")
    return app
