"""Stage 02 · Choose your language — exercises on asyncio and runtime validation.

Every async exercise runs the learner's coroutine for real, on a fresh event loop in a worker
thread (:mod:`trek.aio` explains why: the notebook's own loop is busy running the cell), against
the sandbox's ``/work/{key}`` endpoint, which counts how many requests were in flight at once.
So "bounded concurrency" is measured by the server, "don't block the loop" by a ticker that
records event-loop lag, and "clean shutdown" by the tasks still pending when the coroutine
returned.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
import uuid
from typing import Any

from trek import aio
from trek.exercises import core
from trek.exercises.core import Exercise, Incorrect, NotAttempted, contains_placeholder

STAGE = 2
SLUG = "language"

#: The client the checker hands to the learner's coroutine (one per run, like a real app).
CLIENT_TIMEOUT = 5.0


# --------------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------------
def _sandbox():
    from trek import sandbox

    return sandbox.start()


def _key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _stats(key: str) -> Any:
    """What ``/work/{key}`` saw (an empty record if no request arrived)."""
    from trek.sandbox.app import _WorkStats

    state = _sandbox().state
    with state.lock:
        return state.work.get(key) or _WorkStats()


def _client():
    import httpx

    return httpx.AsyncClient(timeout=CLIENT_TIMEOUT)


def _require_async(fn: Any, name: str) -> None:
    if not callable(fn):
        raise Incorrect(
            f"`{name}` should be an async function (`async def {name}(…)`), but it is a "
            f"{type(fn).__name__}."
        )
    if not inspect.iscoroutinefunction(fn):
        raise Incorrect(
            f"`{name}` is a plain function. Define it with `async def` so that it can `await` "
            "while other work goes on."
        )


def _leaves(error: BaseException) -> list[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _run(exercise: type[Exercise], fn: Any, name: str, *args: Any, **options: Any) -> aio.Run:
    """Run the learner's coroutine and turn problems with the run into plain messages."""
    timeout = exercise.run_timeout
    try:
        return aio.run_measured(fn, *args, timeout=timeout, **options)
    except aio.CoroutineStuck as exc:
        raise Incorrect(
            f"`{name}` was still running after {timeout:g} s and did not stop when the check "
            "cancelled it. Something is blocking the event loop (a `time.sleep`, a synchronous "
            "call) or catching `CancelledError` and carrying on."
        ) from exc
    except aio.CoroutineTimeout as exc:
        raise Incorrect(
            f"`{name}` was still running after {timeout:g} s, so the check cancelled it. Is "
            "something waiting forever: a `queue.join()` whose items never got `task_done()`, a "
            "worker that never stops, an `await` on something nobody finishes?"
        ) from exc
    except aio.NotACoroutineFunction as exc:
        raise Incorrect(f"`{name}`: {exc}.") from exc


def _raise_learner_error(error: BaseException, name: str) -> None:
    """Re-raise what the learner's coroutine raised, as the message a learner can use."""
    leaves = _leaves(error)
    if any(isinstance(leaf, NotAttempted) for leaf in leaves):
        raise NotAttempted("There is still a ____ to fill in.")
    if isinstance(error, asyncio.CancelledError):
        raise Incorrect(
            f"`{name}` ended with CancelledError although nobody cancelled it: did it cancel "
            "its own task, or await a task it had cancelled?"
        )
    if not isinstance(error, Exception):  # SystemExit and friends: never let them escape
        raise Incorrect(f"`{name}` raised {type(error).__name__}; it should return a result.")
    if isinstance(error, BaseExceptionGroup):
        inner = "; ".join(core.describe_exception(leaf) for leaf in leaves[:3])
        raise Incorrect(f"`{name}` raised an ExceptionGroup holding {inner}.")
    raise error


def _result(run: aio.Run, name: str) -> Any:
    if run.error is not None:
        _raise_learner_error(run.error, name)
    if contains_placeholder(run.result):
        raise NotAttempted(f"`{name}` still returns ____: fill in its body.")
    return run.result


def _leftover_message(run: aio.Run, name: str, what: str) -> str:
    count = len(run.leftover)
    tasks = "task was" if count == 1 else "tasks were"
    return f"{count} {tasks} still running when `{name}` returned: {what}"


def _bodies_in_order(result: Any, n: int, name: str) -> list[str]:
    """The ``i`` query parameter of each JSON body in ``result`` (checks shape on the way)."""
    if not isinstance(result, (list, tuple)):
        raise Incorrect(
            f"`{name}` should return a list with one JSON body per URL, but it returned a "
            f"{type(result).__name__}."
        )
    if len(result) != n:
        raise Incorrect(f"`{name}` returned {len(result)} items for {n} URLs.")
    order = []
    for item in result:
        if not isinstance(item, dict) or "query" not in item:
            raise Incorrect(
                "Each item should be a response's JSON body (a dict: `response.json()`), but "
                f"one is a {type(item).__name__}."
            )
        order.append(item["query"].get("i"))
    return order


def _is_http_error(error: BaseException, status: int | None = None) -> bool:
    import httpx

    if status is None:
        return isinstance(error, httpx.HTTPError)
    return isinstance(error, httpx.HTTPStatusError) and error.response.status_code == status


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): connecting is refused."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AsyncExercise(Exercise):
    """An exercise whose answer is a coroutine function run by :func:`trek.aio.run_measured`."""

    #: Seconds one run of the learner's coroutine may take before it is cancelled.
    run_timeout = 6.0
    time_limit = 40.0
    stage = STAGE


# --------------------------------------------------------------------------------------------
# 1. Bounded concurrency, measured by the server
# --------------------------------------------------------------------------------------------
class BoundedFetch(AsyncExercise):
    label = "language-ex-bounded-fetch"
    title = "Fetch many URLs, at most limit at a time"
    names = ("fetch_all",)
    solution_file = "language/bounded_fetch.py"
    hints = (
        "Start every request as its own coroutine and wait for all of them with "
        "`asyncio.gather`, which keeps the results in the order of its arguments.",
        "A `asyncio.Semaphore(limit)` lets at most `limit` holders in at once: wrap the "
        "request in `async with semaphore:`.",
        "Create the semaphore inside `fetch_all`, from its `limit` argument; "
        "`return await asyncio.gather(*(one(url) for url in urls))`.",
    )

    #: (number of URLs, limit, milliseconds each request takes the server)
    scenarios = ((9, 3, 200), (10, 5, 200))

    def verify(self, fetch_all: Any) -> None:
        _require_async(fetch_all, "fetch_all")
        sb = _sandbox()
        for n, limit, ms in self.scenarios:
            key = _key("bounded")
            urls = [sb.url(f"/work/{key}?ms={ms}&i={i}") for i in range(n)]
            run = _run(type(self), fetch_all, "fetch_all", urls, limit, enter=_client)
            result = _result(run, "fetch_all")
            stats = _stats(key)
            if stats.total < n:
                raise Incorrect(f"For {n} URLs the sandbox received only {stats.total} requests.")
            if stats.total > n:
                raise Incorrect(
                    f"For {n} URLs the sandbox received {stats.total} requests: some URLs were "
                    "fetched more than once."
                )
            if stats.peak > limit:
                raise Incorrect(
                    f"With limit={limit}, the sandbox saw {stats.peak} of your requests in flight "
                    "at the same time: the limit was not respected."
                )
            if stats.peak == 1:
                raise Incorrect(
                    "The sandbox never saw more than one of your requests at a time: they ran "
                    "one after another."
                )
            if stats.peak < limit:
                raise Incorrect(
                    f"With limit={limit}, the sandbox saw at most {stats.peak} of your requests "
                    f"at the same time; a bounded fetch keeps {limit} going whenever there is "
                    "work left (is the limit taken from the `limit` argument?)."
                )
            order = _bodies_in_order(result, n, "fetch_all")
            if order != [str(i) for i in range(n)]:
                raise Incorrect(
                    "The bodies are not in the order of `urls`: item k of the result should be "
                    "the response to urls[k]."
                )

    def praise(self) -> str:
        return "The sandbox counted exactly `limit` requests in flight at the peak, never more."


# --------------------------------------------------------------------------------------------
# 2. gather(return_exceptions=True): a report that survives failures
# --------------------------------------------------------------------------------------------
class ErrorReport(AsyncExercise):
    label = "language-ex-error-report"
    title = "A report that survives failed requests"
    names = ("fetch_report",)
    solution_file = "language/error_report.py"
    hints = (
        "`asyncio.gather(..., return_exceptions=True)` waits for every request and puts an "
        "exception object in the result list where a request failed, instead of raising.",
        "An HTTP error status is not an exception by itself in httpx: "
        "`response.raise_for_status()` turns 4xx/5xx into `httpx.HTTPStatusError`.",
        "Walk `zip(urls, results)`: an `isinstance(result, Exception)` goes to the failures, "
        "anything else into the `ok` dict.",
    )

    def verify(self, fetch_report: Any) -> None:
        _require_async(fetch_report, "fetch_report")
        sb = _sandbox()
        key = _key("report")
        plan = [(300, 200), (250, 503), (300, 200), (250, 500), (300, 200), (300, 200)]
        urls = [sb.url(f"/work/{key}?ms={ms}&status={st}&i={i}") for i, (ms, st) in enumerate(plan)]
        refused = f"http://127.0.0.1:{_closed_port()}/nobody-listens-here"
        urls.insert(4, refused)
        good = [u for u in urls if "status=200" in u]
        bad = [u for u in urls if u not in good]

        run = _run(type(self), fetch_report, "fetch_report", urls, enter=_client)
        if run.error is not None and any(_is_http_error(e) for e in _leaves(run.error)):
            raise Incorrect(
                f"`fetch_report` raised {type(run.error).__name__}: one failed request made the "
                "whole report fail. Collect the failures and keep the successes instead."
            )
        result = _result(run, "fetch_report")
        if not (isinstance(result, tuple) and len(result) == 2):
            raise Incorrect(
                "`fetch_report` should return a pair `(ok, failed)`: a dict of URL → JSON body "
                f"and a list of the URLs that failed; it returned a {type(result).__name__}."
            )
        ok, failed = result
        if not isinstance(ok, dict):
            raise Incorrect(f"`ok` should be a dict of URL → JSON body, not a {type(ok).__name__}.")
        if not isinstance(failed, (list, tuple, set)):
            raise Incorrect(f"`failed` should be a list of URLs, not a {type(failed).__name__}.")
        wrongly_ok = [u for u in ok if u in bad]
        if wrongly_ok:
            raise Incorrect(
                f"{len(wrongly_ok)} URL(s) in `ok` answered with an error status (5xx): a "
                "response with an error status counts as a failure."
            )
        if refused in ok or refused not in failed:
            raise Incorrect("A URL where the connection was refused is missing from `failed`.")
        if sorted(failed) != sorted(bad):
            raise Incorrect(
                f"`failed` should hold the {len(bad)} URLs that failed; yours holds "
                f"{len(failed)} URL(s), not the same ones."
            )
        if sorted(ok) != sorted(good):
            raise Incorrect(
                f"`ok` should hold the {len(good)} URLs that succeeded; yours holds {len(ok)}."
            )
        if any(not isinstance(ok[u], dict) or "query" not in ok[u] for u in good):
            raise Incorrect("The values of `ok` should be the JSON bodies (`response.json()`).")
        stats = _stats(key)
        if stats.peak < len(plan) - 1:  # one late starter is tolerated on a busy machine
            raise Incorrect(
                f"The sandbox saw at most {stats.peak} of your {len(plan)} requests at once: "
                "send them all concurrently, not one after another."
            )


# --------------------------------------------------------------------------------------------
# 3. TaskGroup: all or nothing, and nothing left running
# --------------------------------------------------------------------------------------------
class AllOrNothing(AsyncExercise):
    label = "language-ex-all-or-nothing"
    title = "All or nothing with a TaskGroup"
    names = ("fetch_all_or_nothing",)
    solution_file = "language/all_or_nothing.py"
    hints = (
        "Run each request as a task of an `async with asyncio.TaskGroup() as group:` block; "
        "when one task fails, the group cancels the others and raises an ExceptionGroup.",
        "`group.create_task(coro)` returns a task; after the `async with` block, every task "
        "is done and `task.result()` gives its value.",
        "Call `response.raise_for_status()` in each request so that a 500 is a failure, and "
        "let the ExceptionGroup propagate: do not catch it.",
    )

    def verify(self, fetch_all_or_nothing: Any) -> None:
        name = "fetch_all_or_nothing"
        _require_async(fetch_all_or_nothing, name)
        sb = _sandbox()

        # Everything succeeds: all results, in order, fetched concurrently.
        key = _key("all-ok")
        urls = [sb.url(f"/work/{key}?ms=300&i={i}") for i in range(4)]
        run = _run(type(self), fetch_all_or_nothing, name, urls, enter=_client)
        order = _bodies_in_order(_result(run, name), len(urls), name)
        if order != [str(i) for i in range(len(urls))]:
            raise Incorrect("The bodies are not in the order of `urls`.")
        if _stats(key).peak < len(urls):
            raise Incorrect(
                f"The sandbox saw at most {_stats(key).peak} of your {len(urls)} requests at "
                "once: run them concurrently."
            )

        # One fails fast while three slow ones are in flight.
        key = _key("all-fail")
        plan = [(1500, 200), (50, 500), (1500, 200), (1500, 200)]
        urls = [sb.url(f"/work/{key}?ms={ms}&status={st}&i={i}") for i, (ms, st) in enumerate(plan)]
        run = _run(type(self), fetch_all_or_nothing, name, urls, enter=_client)
        if run.error is None:
            raise Incorrect(
                f"When one request answers 500, `{name}` should fail, but it returned normally "
                "(did it collect the failure instead of raising it?)."
            )
        if not any(_is_http_error(e, 500) for e in _leaves(run.error)):
            _raise_learner_error(run.error, name)
        if run.leftover:
            raise Incorrect(
                _leftover_message(
                    run,
                    name,
                    "the other requests kept going after the failure. Failing fast should "
                    "also cancel them.",
                )
            )
        if run.elapsed > 1.0:
            raise Incorrect(
                f"`{name}` took {run.elapsed:.1f} s to report a failure that happened after "
                "0.05 s: it waited for the slow requests instead of cancelling them."
            )


# --------------------------------------------------------------------------------------------
# 4. A deadline: return what finished in time, cancel the rest
# --------------------------------------------------------------------------------------------
class Deadline(AsyncExercise):
    label = "language-ex-deadline"
    title = "Return what finished before the deadline"
    names = ("fetch_before",)
    solution_file = "language/deadline.py"
    hints = (
        "Wrap each request in a task (`asyncio.create_task`), remembering which URL it belongs to.",
        "`done, pending = await asyncio.wait(tasks, timeout=deadline)` returns at the deadline "
        "(or earlier, when everything is done) without cancelling anything.",
        "Cancel every task in `pending`, then build the dict from the tasks in `done` whose "
        "`exception()` is None.",
    )

    def verify(self, fetch_before: Any) -> None:
        name = "fetch_before"
        _require_async(fetch_before, name)
        sb = _sandbox()
        key = _key("deadline")
        deadline = 0.8
        millis = [100, 1600, 200, 2000, 50, 300]
        urls = [sb.url(f"/work/{key}?ms={ms}&i={i}") for i, ms in enumerate(millis)]
        in_time = {u for u, ms in zip(urls, millis, strict=True) if ms / 1000 < deadline}

        run = _run(type(self), fetch_before, name, urls, deadline, enter=_client)
        if run.error is not None and any(isinstance(e, TimeoutError) for e in _leaves(run.error)):
            raise Incorrect(
                f"`{name}` raised TimeoutError. When the deadline passes, return the responses "
                "that arrived in time instead of failing."
            )
        result = _result(run, name)
        if not isinstance(result, dict):
            raise Incorrect(
                f"`{name}` should return a dict of URL → JSON body, not a {type(result).__name__}."
            )
        if run.elapsed > deadline + 0.4:
            raise Incorrect(
                f"With a deadline of {deadline} s, `{name}` returned after {run.elapsed:.1f} s: it "
                "waited for requests that missed the deadline."
            )
        missing = in_time - set(result)
        if missing:
            raise Incorrect(
                f"{len(missing)} of the {len(in_time)} responses that arrived before the deadline "
                "are missing from the result."
            )
        late = set(result) - in_time
        if late:
            raise Incorrect(f"The result holds {len(late)} URL(s) that did not finish in time.")
        if any(not isinstance(v, dict) or "query" not in v for v in result.values()):
            raise Incorrect("The values should be the JSON bodies (`response.json()`).")
        if run.leftover:
            raise Incorrect(
                _leftover_message(
                    run, name, "cancel the requests that missed the deadline, don't abandon them."
                )
            )

        # Everything is quick: return as soon as it is done, not at the deadline.
        key = _key("deadline-early")
        urls = [sb.url(f"/work/{key}?ms={ms}&i={i}") for i, ms in enumerate((100, 150))]
        run = _run(type(self), fetch_before, name, urls, 1.5, enter=_client)
        result = _result(run, name)
        if not isinstance(result, dict) or set(result) != set(urls):
            raise Incorrect(
                "When every request finishes well before the deadline, every response belongs "
                "in the result."
            )
        if run.elapsed > 0.9:
            raise Incorrect(
                f"Every request was done after 0.15 s, but `{name}` returned after "
                f"{run.elapsed:.1f} s: don't wait for the deadline when nothing is left to wait for."
            )


# --------------------------------------------------------------------------------------------
# 5. A producer/consumer pipeline with asyncio.Queue and clean shutdown
# --------------------------------------------------------------------------------------------
class Pipeline(AsyncExercise):
    label = "language-ex-pipeline"
    title = "A worker pool fed by an asyncio.Queue"
    names = ("pipeline",)
    solution_file = "language/pipeline.py"
    hints = (
        "Put every URL into an `asyncio.Queue()`, then start `workers` tasks that each loop: "
        "`url = await queue.get()`, fetch it, store the body, `queue.task_done()`.",
        "`await queue.join()` returns once every item put in was marked `task_done()`: call "
        "`task_done()` in a `finally:` so that a failed fetch still counts.",
        "After `join()`, the workers are still waiting on `queue.get()`: cancel each of them and "
        "`await asyncio.gather(*workers, return_exceptions=True)` before returning.",
    )

    #: (number of URLs, workers)
    scenarios = ((12, 3), (8, 4))

    def verify(self, pipeline: Any) -> None:
        _require_async(pipeline, "pipeline")
        sb = _sandbox()
        for n, workers in self.scenarios:
            key = _key("pipeline")
            urls = [sb.url(f"/work/{key}?ms=200&i={i}") for i in range(n)]
            run = _run(type(self), pipeline, "pipeline", urls, workers, enter=_client)
            result = _result(run, "pipeline")
            if not isinstance(result, dict):
                raise Incorrect(
                    "`pipeline` should return a dict of URL → JSON body, not a "
                    f"{type(result).__name__}."
                )
            stats = _stats(key)
            if stats.total != n:
                raise Incorrect(
                    f"For {n} URLs the sandbox received {stats.total} requests: each URL should "
                    "be fetched exactly once."
                )
            if set(result) != set(urls):
                raise Incorrect(
                    f"The result should have all {n} URLs as keys; it has {len(result)}."
                )
            if any(not isinstance(v, dict) or "query" not in v for v in result.values()):
                raise Incorrect("The values should be the JSON bodies (`response.json()`).")
            if stats.peak > workers:
                raise Incorrect(
                    f"With {workers} workers the sandbox saw {stats.peak} requests at once: "
                    "each worker should fetch one URL at a time."
                )
            if stats.peak < workers:
                raise Incorrect(
                    f"With {workers} workers the sandbox never saw more than {stats.peak} "
                    "requests at once: are all the workers started, and taking from the same "
                    "queue?"
                )
            if run.leftover:
                raise Incorrect(
                    _leftover_message(
                        run,
                        "pipeline",
                        "the workers never stopped. Stop them (cancel, or send each a sentinel) "
                        "and await them before returning.",
                    )
                )


# --------------------------------------------------------------------------------------------
# 6. Find and fix the blocking call (event-loop lag, measured)
# --------------------------------------------------------------------------------------------
LOOKUP_SECONDS = 0.25


def make_lookup(seconds: float = LOOKUP_SECONDS):
    """A *blocking* order lookup, like a synchronous database driver: it returns
    ``{"id", "price", "quantity"}`` after ``seconds``, and records each call's thread."""
    calls: list[tuple[int, str]] = []

    def lookup(order_id: int) -> dict[str, Any]:
        calls.append((order_id, threading.current_thread().name))
        time.sleep(seconds)
        return {"id": order_id, "price": 2.5 + order_id, "quantity": 1 + order_id % 4}

    lookup.calls = calls  # type: ignore[attr-defined]
    return lookup


def order_total(record: dict[str, Any]) -> float:
    return round(record["price"] * record["quantity"], 2)


class BlockingCall(AsyncExercise):
    label = "language-ex-blocking-call"
    title = "Find and fix the blocking call"
    names = ("price_order",)
    solution_file = "language/blocking_call.py"
    hints = (
        "`lookup` is an ordinary (blocking) function: while it runs on the event loop's thread, "
        "nothing else on that loop can run. The fix is to run it somewhere else.",
        "`await asyncio.to_thread(function, argument)` runs a blocking function in a worker "
        "thread and lets the event loop carry on until it returns.",
        "Keep calling `lookup` (the checker counts the calls) and keep computing the total from "
        "the record it returns.",
    )

    orders = (1, 2, 3, 4, 5)
    #: A healthy loop stays near 1 ms; one blocking lookup alone is 250 ms.
    max_lag = 0.15

    def verify(self, price_order: Any) -> None:
        _require_async(price_order, "price_order")
        lookup = make_lookup()
        expected = [order_total({"price": 2.5 + i, "quantity": 1 + i % 4}) for i in self.orders]

        async def five_orders_at_once() -> list[Any]:
            return await asyncio.gather(*(price_order(i, lookup) for i in self.orders))

        five_orders_at_once.__name__ = "price_order"
        run = _run(type(self), five_orders_at_once, "price_order", measure_lag=True)
        totals = _result(run, "price_order")
        called = sorted(order for order, _ in lookup.calls)
        if called != sorted(self.orders):
            if not called:
                raise Incorrect("`price_order` never called `lookup`: the price must come from it.")
            raise Incorrect(
                f"For {len(self.orders)} orders `lookup` was called {len(called)} times: call it "
                "once per order."
            )
        if list(totals) != expected:
            raise Incorrect(
                "Some totals are wrong: `price_order` should return price × quantity of the "
                "record `lookup` returned, rounded to cents."
            )
        if run.max_lag > self.max_lag:
            raise Incorrect(
                f"While your five orders were being priced, the event loop was blocked for up "
                f"to {run.max_lag * 1000:.0f} ms (a timer due every 5 ms fired that late). The "
                "blocking `lookup` still runs on the event loop's own thread."
            )
        if run.elapsed > LOOKUP_SECONDS * len(self.orders) * 0.6:
            raise Incorrect(
                f"Five lookups of {LOOKUP_SECONDS} s took {run.elapsed:.2f} s in all: they did "
                "not overlap."
            )

    def praise(self) -> str:
        return f"The loop stayed responsive: no timer fired more than {self.max_lag * 1000:.0f} ms late."


# --------------------------------------------------------------------------------------------
# 7. Runtime validation with pydantic
# --------------------------------------------------------------------------------------------
_VALID = {"email": "ada@example.com", "username": "ada_l", "age": 36}

#: (what is wrong, payload, the field the error must point at)
_INVALID: tuple[tuple[str, dict[str, Any], str], ...] = (
    ("no email at all", {k: v for k, v in _VALID.items() if k != "email"}, "email"),
    ("an email without @", {**_VALID, "email": "ada.example.com"}, "email"),
    ("a username of 2 characters", {**_VALID, "username": "ad"}, "username"),
    ("a username of 21 characters", {**_VALID, "username": "a" * 21}, "username"),
    ("a username with capitals and !", {**_VALID, "username": "Ada!"}, "username"),
    ("age 12", {**_VALID, "age": 12}, "age"),
    ('age "twelve"', {**_VALID, "age": "twelve"}, "age"),
    ('plan "gold"', {**_VALID, "plan": "gold"}, "plan"),
    ("an unknown field is_admin=True", {**_VALID, "is_admin": True}, "is_admin"),
)


class Validation(Exercise):
    label = "language-ex-validation"
    title = "A pydantic model that rejects bad input"
    names = ("Signup",)
    solution_file = "language/validation.py"
    stage = STAGE
    time_limit = 10.0
    hints = (
        "Constraints go on the field: `Field(min_length=…, max_length=…, pattern=…)` for "
        "strings, `Field(ge=…)` for numbers; `Literal[…]` for a fixed set of values.",
        "By default pydantic *ignores* fields it does not know. "
        '`model_config = ConfigDict(extra="forbid")` makes them an error instead.',
        'A field with a default (`plan: Literal[...] = "free"`) may be left out.',
    )

    def verify(self, Signup: Any) -> None:  # noqa: N803 - the notebook's class name
        from pydantic import BaseModel, ValidationError

        if not (isinstance(Signup, type) and issubclass(Signup, BaseModel)):
            raise Incorrect(
                "`Signup` should be a class that inherits from pydantic's `BaseModel`, but it is "
                f"{'the class ' + Signup.__name__ if isinstance(Signup, type) else 'a ' + type(Signup).__name__}."
            )
        if any(f.default is core.PLACEHOLDER for f in Signup.model_fields.values()):
            raise NotAttempted("Replace every ____ in the exercise cell with your answer.")
        for payload in (_VALID, {**_VALID, "plan": "pro"}, {**_VALID, "username": "a_b_9"}):
            try:
                model = Signup.model_validate(payload)
            except ValidationError as exc:
                first = exc.errors()[0]
                raise Incorrect(
                    f"`Signup` rejected a valid signup {payload}: "
                    f"{'.'.join(map(str, first['loc']))}: {first['msg']}."
                ) from None
        if getattr(Signup.model_validate(_VALID), "plan", None) != "free":
            raise Incorrect('A signup that leaves out `plan` should get the plan "free".')
        if getattr(model, "age", None) != 36 or not isinstance(model.age, int):
            raise Incorrect("`age` should be an int.")

        for what, payload, field_name in _INVALID:
            try:
                Signup.model_validate(payload)
            except ValidationError as exc:
                fields = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
                if field_name not in fields:
                    raise Incorrect(
                        f"`Signup` rejected {what}, but its error points at "
                        f"{', '.join(sorted(fields)) or 'the whole model'} instead of "
                        f"`{field_name}`."
                    ) from None
            else:
                raise Incorrect(f"`Signup` accepted {what}; it should reject it.")

    def praise(self) -> str:
        return "Every bad signup was rejected with an error that names the offending field."


EXERCISES = [
    BoundedFetch,
    ErrorReport,
    AllOrNothing,
    Deadline,
    Pipeline,
    BlockingCall,
    Validation,
]


def bind(namespace: dict[str, Any]) -> list[Exercise]:
    """Put ``q1 … q7`` and ``____`` into the notebook's namespace."""
    return core.bind(EXERCISES, namespace)
