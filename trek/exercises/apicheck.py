"""Checks of exercises whose answer is a web API: the learner's FastAPI app, driven over HTTP.

The kind of check (Stage 04 builds on it; later stages can too): the learner's value is a
FastAPI app, or a function that returns one, and :class:`APIExercise` sends it real HTTP
requests and judges the answers — status codes, headers, content types, bodies — the way a
client would.

How a check drives an app
    In process, through ``httpx.ASGITransport`` (no socket, no server). Jupyter's own event
    loop is busy running the cell that called ``check()`` (see :mod:`trek.aio`), so the check
    runs a fresh event loop in a worker thread for its duration and hands each request to it.
    Every request has its own deadline, enforced from the calling thread: a handler stuck in
    ``time.sleep`` or an endless loop gives "no answer within 5 s", never a hung kernel. An
    exception in the app becomes its ``500`` response plus a one-line description of the
    exception; nothing is logged and no traceback is printed.

Which database
    The learner's routes take their connection from the notebook's ``get_conn`` dependency
    (``conn = Depends(get_conn)``). The check swaps it for a connection to a database of its
    own through ``app.dependency_overrides[get_conn]`` — FastAPI's documented way of testing
    an app — which it fills with known rows before every check: it knows exactly what each
    answer must contain, and it can insert and delete rows between two requests. The
    learner's own database is never touched, and the override is removed afterwards.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, ClassVar

import httpx

from trek.exercises.core import (
    Exercise,
    Incorrect,
    NotAttempted,
    call_learner,
    describe_exception,
)
from trek.exercises.sqlcheck import connect, references_placeholder

#: Seconds one request may take before the check reports that the app did not answer.
REQUEST_TIMEOUT = 5.0

# Event loops a check had to leave behind because a handler never returned: kept referenced,
# so that their pending tasks are not garbage-collected (which prints warnings in the kernel).
_abandoned: list[asyncio.AbstractEventLoop] = []


# --------------------------------------------------------------------------------------------
# Running an ASGI app in process
# --------------------------------------------------------------------------------------------
class _ErrorRecorder:
    """ASGI middleware that remembers the exception an app raised (the transport turns it
    into a 500 response)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.errors: list[BaseException] = []

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            self.errors.append(exc)
            raise


class AppSession:
    """An ASGI app and an ``httpx.AsyncClient`` bound to it, on an event loop in a worker
    thread; :meth:`request` is synchronous and has a deadline."""

    def __init__(self, app: Any, request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.request_timeout = request_timeout
        self._recorder = _ErrorRecorder(app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="trek-api-check", daemon=True
        )
        self._thread.start()
        self._stuck = False
        transport = httpx.ASGITransport(app=self._recorder, raise_app_exceptions=False)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request; the response has ``.app_error`` (the app's exception or None)."""
        self._recorder.errors.clear()
        future = asyncio.run_coroutine_threadsafe(
            self._client.request(method, url, **kwargs), self._loop
        )
        try:
            response = future.result(self.request_timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            self._stuck = True
            raise Incorrect(
                f"`{method} {_path(url)}` got no answer within {self.request_timeout:g} s, so "
                "the check gave up. Look for a loop that never ends, a `time.sleep`, or a "
                "query waiting for a lock held by a transaction left open in your notebook."
            ) from None
        response.app_error = self._recorder.errors[0] if self._recorder.errors else None
        return response

    def close(self) -> None:
        if self._stuck:
            # A handler is still running in a thread; closing the loop under it would only
            # add noise. The loop thread is a daemon: it ends with the kernel.
            self._loop.call_soon_threadsafe(self._loop.stop)
            _abandoned.append(self._loop)
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop).result(2)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(2)
        if not self._loop.is_running():
            self._loop.close()


def _endpoints(app: Any) -> Iterator[tuple[str, Any]]:
    """(path, endpoint) of every route, including those of included routers."""
    from fastapi import routing

    walk = getattr(routing, "iter_route_contexts", None)  # FastAPI >= 0.160 nests routers
    for route in walk(app.routes) if walk else app.routes:
        yield getattr(route, "path", "?"), getattr(route, "endpoint", None)


def _a(value: Any) -> str:
    name = type(value).__name__
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def _path(url: str) -> str:
    parsed = httpx.URL(url)
    return parsed.raw_path.decode("ascii", "replace") if parsed.is_absolute_url else url


# --------------------------------------------------------------------------------------------
# The check's own database
# --------------------------------------------------------------------------------------------
_databases: dict[str, str] = {}
_databases_lock = threading.Lock()


def scratch_database(prefix: str) -> str:
    """A database of the checks' own, created once per process (dropped at exit)."""
    with _databases_lock:
        if prefix not in _databases:
            from trek.services import create_database

            _databases[prefix] = create_database(prefix)
        return _databases[prefix]


@dataclass
class DatabaseSwap:
    """The check's stand-in for the notebook's ``get_conn``: counts how often it was used."""

    url: str
    calls: int = 0

    def dependency(self) -> Iterator[Any]:
        self.calls += 1
        with connect(self.url, autocommit=True) as conn:
            yield conn


# --------------------------------------------------------------------------------------------
# What a scenario works with
# --------------------------------------------------------------------------------------------
@dataclass
class APIClient:
    """Handed to :meth:`APIExercise.scenario`: requests to the learner's app, and (when the
    exercise uses one) the check's database."""

    session: AppSession
    app: Any
    database_url: str | None = None
    swap: DatabaseSwap | None = None
    notes: list[str] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.session.request(method, url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    @contextlib.contextmanager
    def db(self) -> Iterator[Any]:
        """An autocommit connection to the check's database (to look, insert, delete)."""
        if self.database_url is None:
            raise RuntimeError("this exercise has no database")
        with connect(self.database_url, autocommit=True) as conn:
            yield conn

    def require_database_use(self, app_name: str) -> None:
        """Incorrect unless the app has asked for ``get_conn`` at least once by now."""
        if self.swap is not None and self.swap.calls == 0:
            raise Incorrect(
                f"`{app_name}` never asked for `get_conn`, so the check could not hand it its "
                "own database. Take the connection as a parameter that depends on it "
                "(`conn: Conn`, which is `Annotated[..., Depends(get_conn)]`). If you re-ran "
                "the cell that defines `get_conn` after this one, run this exercise's cell "
                "again: your routes still hold the old function."
            )


# --------------------------------------------------------------------------------------------
# Judging responses
# --------------------------------------------------------------------------------------------
def status_text(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


def expect_status(
    response: httpx.Response, expected: int | tuple[int, ...], what: str, advice: str = ""
) -> None:
    """Incorrect unless ``response`` has one of the ``expected`` status codes.

    ``what`` names the request in the message ("`POST /products` with a new product");
    ``advice`` is added when the status is wrong (not when the app crashed).
    """
    wanted = (expected,) if isinstance(expected, int) else tuple(expected)
    if response.status_code in wanted:
        return
    error = getattr(response, "app_error", None)
    if error is not None:
        raise Incorrect(
            f"{what} crashed your app with {describe_app_error(error)}, so it answered 500."
            + (f" {advice}" if advice else "")
        )
    wanted_text = " or ".join(status_text(code) for code in wanted)
    raise Incorrect(
        f"{what} answered {status_text(response.status_code)}; expected {wanted_text}."
        + (f" {advice}" if advice else "")
    )


def describe_app_error(exc: BaseException) -> str:
    """:func:`describe_exception`, with FastAPI's response validation explained."""
    if type(exc).__name__ == "ResponseValidationError":
        errors = getattr(exc, "errors", lambda: [])()
        first = errors[0] if errors else {}
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "response")
        return (
            "ResponseValidationError: the handler returned something its `response_model` "
            f"does not accept ({first.get('msg', 'invalid')}"
            + (f" at {where}" if where else "")
            + ")"
        )
    return describe_exception(exc)


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def json_body(response: httpx.Response, what: str, media: str = "application/json") -> Any:
    """The parsed JSON body; Incorrect if the content type or the body is not that."""
    actual = media_type(response)
    if actual != media:
        shown = f"`{actual}`" if actual else "no Content-Type at all"
        raise Incorrect(f"{what} answered with {shown}; expected `{media}`.")
    try:
        return response.json()
    except ValueError:
        raise Incorrect(f"{what} said `{media}`, but its body is not valid JSON.") from None


# --------------------------------------------------------------------------------------------
# The exercise kind
# --------------------------------------------------------------------------------------------
class APIExercise(Exercise):
    """The learner's ``names[0]`` is a FastAPI app (or a function returning one); the check
    runs :meth:`scenario` against it.

    With ``database_prefix`` set, the check gives the app a database of its own (see the
    module docstring): :meth:`prepare_database` runs on it before each check.
    """

    time_limit: ClassVar[float] = 45.0
    request_timeout: ClassVar[float] = REQUEST_TIMEOUT
    #: Prefix of the check's own database; empty for exercises without a database.
    database_prefix: ClassVar[str] = ""
    #: Notebook variable holding the dependency the check replaces.
    dependency_name: ClassVar[str] = "get_conn"
    #: Notebook functions (besides the app's routes) whose ``____`` means "not attempted".
    helper_names: ClassVar[tuple[str, ...]] = ()
    #: Where a helper comes from, when another exercise defines it ("from exercise 3").
    helper_origin: ClassVar[dict[str, str]] = {}

    # -- what subclasses implement -----------------------------------------------------------
    def scenario(self, api: APIClient, *values: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare_database(self, conn: Any) -> None:
        """Create and fill the tables the scenario expects (the database is the check's own)."""

    # -- machinery --------------------------------------------------------------------------
    def verify(self, *values: Any) -> None:
        app = self.build_app(*values)
        with self.session(app) as api:
            self.scenario(api, *values)

    def check_helpers(self) -> None:
        """Not attempted while one of :attr:`helper_names` still holds a ``____``."""
        for helper in self.helper_names:
            function = self._namespace.get(helper)
            if function is not None and references_placeholder(function):
                where = self.helper_origin.get(helper, "")
                raise NotAttempted(
                    f"`{helper}`{f' ({where})' if where else ''} still has a ____ in it: "
                    "fill it in first."
                )

    def build_app(self, value: Any, *others: Any) -> Any:
        """The learner's app: ``value`` itself, or what calling it returns."""
        from fastapi import FastAPI

        name = f"`{self.names[0]}`"
        self.check_helpers()
        app = value
        if not isinstance(app, FastAPI):
            if not callable(app):
                raise Incorrect(f"{name} should be a FastAPI app, but it is {_a(app)}.")
            app = call_learner(value, name=name)
            if not isinstance(app, FastAPI):
                raise Incorrect(
                    f"{name} should be a FastAPI app (or a function that returns one), but "
                    f"calling it returned {_a(app)}."
                )
        unfinished = [
            path for path, endpoint in _endpoints(app) if references_placeholder(endpoint)
        ]
        unfinished += [
            f"the handler for {getattr(key, '__name__', key)}"
            for key, handler in app.exception_handlers.items()
            if references_placeholder(handler)
        ]
        if unfinished:
            raise NotAttempted(
                f"{name} still has a ____ in {unfinished[0]}: fill in every ____ and run the "
                "cell again."
            )
        return app

    @contextlib.contextmanager
    def session(self, app: Any) -> Iterator[APIClient]:
        url = swap = dependency = None
        saved_overrides = dict(app.dependency_overrides)
        if self.database_prefix:
            dependency = self._namespace.get(self.dependency_name)
            if dependency is None:
                raise NotAttempted(
                    f"`{self.dependency_name}` is not defined yet: run the cells above this "
                    "exercise (from the top of the notebook) first."
                )
            url = scratch_database(self.database_prefix)
            with connect(url, autocommit=True) as conn:
                self.prepare_database(conn)
            swap = DatabaseSwap(url)
            app.dependency_overrides[dependency] = swap.dependency
        session = AppSession(app, self.request_timeout)
        try:
            yield APIClient(session, app, url, swap)
        finally:
            session.close()
            app.dependency_overrides.clear()
            app.dependency_overrides.update(saved_overrides)
