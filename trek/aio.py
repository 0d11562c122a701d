"""Run a learner's coroutine on a fresh event loop, with a deadline, and watch what it did.

Why this exists: in Jupyter an event loop is *already running* in the main thread (ipykernel
runs every cell inside it; that is why learners may write ``await`` at the top level of a
cell). ``asyncio.run()`` refuses to start a second loop in a thread that has one, so a checker
cannot simply ``asyncio.run(learner_coroutine())``. Running the learner's coroutine on the
kernel's own loop is no good either: a checker is ordinary synchronous code (``q1.check()``),
and blocking the kernel's loop to wait for a coroutine scheduled on that same loop would wait
forever.

So :func:`run_coroutine` starts a **fresh event loop in a worker thread**, runs the coroutine
there under :func:`asyncio.timeout`, and hands back its result (or re-raises its exception) in
the calling thread. On the way it can measure what only the loop itself can see:

* **event-loop lag** — a ticker task asks to wake every few milliseconds and records how late
  it woke; a blocking call (``time.sleep``, a synchronous HTTP client, a CPU-heavy loop)
  shows up as one long late tick;
* **leftover tasks** — tasks the coroutine started but neither finished nor cancelled before
  it returned (a worker that was never stopped, a request still running after a deadline).

The deadline is enforced in two steps: when it passes, the task is cancelled (that is what
``asyncio.timeout`` does); if the coroutine cannot be cancelled — it is stuck in a blocking
call, or it catches ``CancelledError`` and carries on — the calling thread stops waiting after a
short grace period and reports it. Python cannot kill a thread, so such a runaway worker thread
is left to finish on its own (it is a daemon thread: it never keeps the kernel alive).

The same lag probe is available to notebooks as :class:`LagProbe`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Seconds the calling thread waits past the deadline for a cancelled coroutine to stop.
CANCEL_GRACE = 1.5


class CoroutineTimeout(TimeoutError):
    """The coroutine was still running at the deadline; it was cancelled."""


class CoroutineStuck(TimeoutError):
    """The coroutine was still running at the deadline and did not stop when cancelled."""


class NotACoroutineFunction(TypeError):
    """What was passed is not a function that returns something awaitable."""


@dataclass
class LagProbe:
    """Measure how late an event loop wakes a task that asks to sleep ``interval`` seconds.

    Use it as an async context manager around the code you want to watch::

        async with LagProbe() as probe:
            await handler()
        probe.max_lag, probe.samples   # seconds; samples are (time since start, lag)

    On an idle loop the lag is well under a millisecond; while a coroutine blocks the loop for
    200 ms, one tick wakes about 200 ms late.
    """

    interval: float = 0.005
    samples: list[tuple[float, float]] = field(default_factory=list)
    _task: asyncio.Task | None = field(default=None, repr=False)
    _origin: float = field(default=0.0, repr=False)

    @property
    def max_lag(self) -> float:
        return max((lag for _, lag in self.samples), default=0.0)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            now = loop.time()
            self.samples.append((now - self._origin, max(0.0, now - before - self.interval)))

    async def __aenter__(self) -> LagProbe:
        self._origin = asyncio.get_running_loop().time()
        self.samples = []
        self._task = asyncio.get_running_loop().create_task(self._tick(), name="trek-lag-probe")
        await asyncio.sleep(0)  # let the first tick start before the watched code runs
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        # One last tick catches a block that happened right at the end.
        await asyncio.sleep(self.interval * 2)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass
class Run:
    """What happened when a coroutine ran under :func:`run_measured`."""

    result: Any = None
    #: The exception the coroutine raised (``None`` if it returned).
    error: BaseException | None = None
    #: Seconds from the call to the coroutine's return (or exception).
    elapsed: float = 0.0
    #: Names of tasks it started that were still pending after it returned.
    leftover: list[str] = field(default_factory=list)
    #: Largest event-loop lag in seconds (0 unless ``measure_lag``).
    max_lag: float = 0.0
    lag_samples: list[tuple[float, float]] = field(default_factory=list)

    def unwrap(self) -> Any:
        """The result, or raise the coroutine's exception."""
        if self.error is not None:
            raise self.error
        return self.result


def _describe(fn: Any) -> str:
    return getattr(fn, "__name__", None) or type(fn).__name__


def run_measured(
    coro_fn: Callable[..., Any],
    *args: Any,
    timeout: float = 10.0,
    measure_lag: bool = False,
    lag_interval: float = 0.005,
    enter: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> Run:
    """Run ``coro_fn(*args, **kwargs)`` on a fresh event loop in a worker thread.

    Exceptions raised by the coroutine are returned in :attr:`Run.error`; problems with the run
    itself are raised: :class:`NotACoroutineFunction` (``coro_fn`` is not callable or did not
    return an awaitable), :class:`CoroutineTimeout` (cancelled at ``timeout``),
    :class:`CoroutineStuck` (could not be cancelled).

    ``enter``, if given, is a factory of an async context manager (e.g. ``httpx.AsyncClient``)
    entered on the worker's loop; its value is passed as the first argument, and it is closed
    only *after* leftover tasks were counted, so a task still using it is seen as leftover.
    """
    if not callable(coro_fn):
        raise NotACoroutineFunction(
            f"expected an async function, got a {type(coro_fn).__name__} instead"
        )
    run = Run()
    failure: list[BaseException] = []  # problems of the run itself, for the calling thread
    finished = threading.Event()

    async def main() -> None:
        async with contextlib.AsyncExitStack() as stack:
            call_args = args
            if enter is not None:
                call_args = (await stack.enter_async_context(enter()), *args)
            probe = LagProbe(interval=lag_interval)
            if measure_lag:
                await stack.enter_async_context(probe)
            outer = asyncio.current_task()
            started = time.perf_counter()
            try:
                awaitable = coro_fn(*call_args, **kwargs)
            except Exception as exc:
                run.error = exc
                return
            if not inspect.isawaitable(awaitable):
                failure.append(
                    NotACoroutineFunction(
                        f"{_describe(coro_fn)}() returned a {type(awaitable).__name__}, not a "
                        "coroutine: define it with `async def`"
                    )
                )
                return
            deadline = asyncio.timeout(timeout)
            try:
                async with deadline:
                    run.result = await awaitable
            except TimeoutError as exc:
                if not deadline.expired():
                    run.error = exc  # the coroutine's own TimeoutError, not our deadline
                else:
                    failure.append(
                        CoroutineTimeout(
                            f"{_describe(coro_fn)}() was still running after {timeout:g} s, "
                            "so it was cancelled"
                        )
                    )
            except Exception as exc:  # learner exceptions (incl. ExceptionGroup) go back
                run.error = exc
            except BaseException as exc:  # CancelledError, SystemExit: reported, not raised here
                run.error = exc
            finally:
                run.elapsed = time.perf_counter() - started
            # Give tasks the coroutine cancelled (without awaiting) a few turns to finish.
            for _ in range(5):
                await asyncio.sleep(0)
            mine = {outer, probe._task}
            run.leftover = sorted(
                t.get_name() for t in asyncio.all_tasks() if t not in mine and not t.done()
            )
            if measure_lag:
                await probe.__aexit__(None, None, None)
                run.max_lag, run.lag_samples = probe.max_lag, probe.samples

    def worker() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # e.g. the context manager from ``enter`` failed
            failure.append(exc)
        finally:
            finished.set()

    thread = threading.Thread(target=worker, name="trek-run-coroutine", daemon=True)
    thread.start()
    if not finished.wait(timeout + CANCEL_GRACE):
        raise CoroutineStuck(
            f"{_describe(coro_fn)}() was still running after {timeout:g} s and did not stop when "
            "it was cancelled: it is blocking the event loop (e.g. time.sleep or a synchronous "
            "call) or catching CancelledError and carrying on"
        )
    if failure:
        raise failure[0]
    return run


def run_coroutine(coro_fn: Callable[..., Any], *args: Any, timeout: float = 10.0, **kwargs) -> Any:
    """Run ``coro_fn(*args, **kwargs)`` to completion on a fresh event loop in a worker thread
    and return its result (or raise its exception), cancelling it after ``timeout`` seconds.

    Works from a Jupyter cell, where ``asyncio.run`` cannot be used because the kernel's own
    loop is already running in the main thread.
    """
    return run_measured(coro_fn, *args, timeout=timeout, **kwargs).unwrap()
