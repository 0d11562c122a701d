"""Contract tests of the stage 02 checkers: the reference passes, the placeholder and the
notebook's starter code are "not attempted", realistic wrong answers fail with the intended
message, and odd input (None, a plain function, a coroutine that never returns or blocks the
loop) gives a short message instead of a hang."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from trek import aio
from trek.exercises import stage02
from trek.exercises.core import (
    PLACEHOLDER,
    UNATTEMPTED,
    assert_check_failed,
    assert_check_passed,
    assert_check_unattempted,
    run_check,
)
from trek.exercises.stage02 import (
    AllOrNothing,
    BlockingCall,
    BoundedFetch,
    Deadline,
    ErrorReport,
    Pipeline,
    Validation,
)

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02-language.ipynb"
ASYNC_EXERCISES = [e for e in stage02.EXERCISES if issubclass(e, stage02.AsyncExercise)]


async def get_json(client, url):
    response = await client.get(url)
    response.raise_for_status()
    return response.json()


# --------------------------------------------------------------------------------------------
# The contract every exercise keeps (placeholder, module shape: tests/test_exercise_registry.py)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", stage02.EXERCISES, ids=lambda e: e.label)
def test_reference_solution_passes(exercise):
    assert_check_passed(exercise)


def _starter_cells() -> dict[int, str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    starters = {}
    for cell in cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith("exercise-q"):
                starters[int(tag.removeprefix("exercise-q"))] = "".join(cell["source"])
    return starters


@pytest.mark.skipif(not NOTEBOOK.exists(), reason="the stage 02 notebook is not written yet")
@pytest.mark.parametrize("number", range(1, len(stage02.EXERCISES) + 1))
def test_notebook_starter_code_is_not_attempted(number):
    """The untouched exercise cell of the notebook, executed and checked."""
    exercise = stage02.EXERCISES[number - 1]
    source = _starter_cells()[number]
    # What the notebook defined before the exercise cells.
    namespace: dict = {"____": PLACEHOLDER, "asyncio": asyncio, "get_json": get_json}
    exec(compile(source, f"exercise-q{number}", "exec", dont_inherit=True), namespace)
    feedback = run_check(exercise, **{n: namespace.get(n, PLACEHOLDER) for n in exercise.names})
    assert feedback.status == UNATTEMPTED, feedback


# --------------------------------------------------------------------------------------------
# Odd input: never a traceback, never a hang
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise", ASYNC_EXERCISES, ids=lambda e: e.label)
def test_none_and_plain_functions_are_refused(exercise):
    name = exercise.names[0]
    assert_check_failed(exercise, "should be an async function", **{name: None})

    def plain(*args):
        return []

    assert_check_failed(exercise, "plain function", **{name: plain})


@pytest.mark.parametrize("exercise", ASYNC_EXERCISES, ids=lambda e: e.label)
def test_a_coroutine_that_never_returns_is_cancelled(exercise, monkeypatch):
    monkeypatch.setattr(exercise, "run_timeout", 0.3)

    async def never(*args):
        await asyncio.Event().wait()

    started = time.monotonic()
    assert_check_failed(exercise, "still running after 0.3 s", **{exercise.names[0]: never})
    assert time.monotonic() - started < 3


def test_a_coroutine_that_blocks_the_loop_forever_is_reported(monkeypatch):
    monkeypatch.setattr(BoundedFetch, "run_timeout", 0.2)
    monkeypatch.setattr(aio, "CANCEL_GRACE", 0.2)

    async def stuck(client, urls, limit):
        time.sleep(1.5)  # blocks the loop: cancellation cannot get in

    assert_check_failed(BoundedFetch, "did not stop when the check cancelled it", fetch_all=stuck)


def test_a_coroutine_that_swallows_cancellation_is_reported(monkeypatch):
    monkeypatch.setattr(Deadline, "run_timeout", 0.2)
    monkeypatch.setattr(aio, "CANCEL_GRACE", 0.3)

    async def stubborn(client, urls, deadline):
        for _ in range(8):
            try:
                await asyncio.sleep(0.1)
            except asyncio.CancelledError:
                pass  # carries on regardless
        return {}

    assert_check_failed(Deadline, "catching `CancelledError`", fetch_before=stubborn)


def test_learner_exceptions_become_one_line():
    async def broken(client, urls, limit):
        raise KeyError("oops")

    feedback = assert_check_failed(BoundedFetch, "raised KeyError", fetch_all=broken)
    assert "Traceback" not in feedback.message

    async def exits(client, urls, limit):
        raise SystemExit(1)

    assert_check_failed(BoundedFetch, "raised SystemExit", fetch_all=exits)


def test_placeholder_inside_the_coroutine_is_not_attempted():
    async def half_done(client, urls, limit):
        semaphore = asyncio.Semaphore(PLACEHOLDER)
        return semaphore

    assert_check_unattempted(BoundedFetch, fetch_all=half_done)

    async def half_done_in_group(client, urls):
        async with asyncio.TaskGroup() as group:
            group.create_task(asyncio.sleep(PLACEHOLDER))

    assert_check_unattempted(AllOrNothing, fetch_all_or_nothing=half_done_in_group)


# --------------------------------------------------------------------------------------------
# 1. bounded fetch
# --------------------------------------------------------------------------------------------
async def fetch_sequentially(client, urls, limit):
    return [await get_json(client, url) for url in urls]


async def fetch_unbounded(client, urls, limit):
    return await asyncio.gather(*(get_json(client, url) for url in urls))


async def fetch_with_fixed_limit(client, urls, limit):
    semaphore = asyncio.Semaphore(3)  # ignores `limit`

    async def one(url):
        async with semaphore:
            return await get_json(client, url)

    return await asyncio.gather(*(one(url) for url in urls))


async def fetch_in_completion_order(client, urls, limit):
    semaphore = asyncio.Semaphore(limit)

    async def one(url):
        async with semaphore:
            return await get_json(client, url)

    results = []
    for next_done in asyncio.as_completed([one(url) for url in urls]):
        results.append(await next_done)
    return results[::-1]  # completion order, which is not the order of urls


async def fetch_returning_responses(client, urls, limit):
    semaphore = asyncio.Semaphore(limit)

    async def one(url):
        async with semaphore:
            return await client.get(url)

    return await asyncio.gather(*(one(url) for url in urls))


def test_bounded_fetch_wrong_answers():
    assert_check_failed(BoundedFetch, "one after another", fetch_all=fetch_sequentially)
    assert_check_failed(BoundedFetch, "limit was not respected", fetch_all=fetch_unbounded)
    assert_check_failed(BoundedFetch, "with limit=5", fetch_all=fetch_with_fixed_limit)
    assert_check_failed(BoundedFetch, "order of `urls`", fetch_all=fetch_in_completion_order)
    assert_check_failed(BoundedFetch, "JSON body", fetch_all=fetch_returning_responses)


# --------------------------------------------------------------------------------------------
# 2. error report
# --------------------------------------------------------------------------------------------
async def report_with_taskgroup(client, urls):
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(get_json(client, url)) for url in urls]
    return {u: t.result() for u, t in zip(urls, tasks, strict=True)}, []


async def report_with_plain_gather(client, urls):
    results = await asyncio.gather(*(get_json(client, url) for url in urls))
    return dict(zip(urls, results, strict=True)), []


async def report_sequentially(client, urls):
    ok, failed = {}, []
    for url in urls:
        try:
            ok[url] = await get_json(client, url)
        except Exception:
            failed.append(url)
    return ok, failed


async def report_ignoring_status(client, urls):
    async def one(url):
        return (await client.get(url)).json()  # no raise_for_status: a 503 looks fine

    results = await asyncio.gather(*(one(url) for url in urls), return_exceptions=True)
    ok = {u: r for u, r in zip(urls, results, strict=True) if not isinstance(r, Exception)}
    return ok, [u for u in urls if u not in ok]


def test_error_report_wrong_answers():
    assert_check_failed(ErrorReport, "whole report fail", fetch_report=report_with_taskgroup)
    assert_check_failed(ErrorReport, "whole report fail", fetch_report=report_with_plain_gather)
    assert_check_failed(ErrorReport, "not one after another", fetch_report=report_sequentially)
    assert_check_failed(ErrorReport, "error status", fetch_report=report_ignoring_status)


# --------------------------------------------------------------------------------------------
# 3. all or nothing
# --------------------------------------------------------------------------------------------
async def all_with_return_exceptions(client, urls):
    return await asyncio.gather(*(get_json(client, u) for u in urls), return_exceptions=True)


async def all_with_plain_gather(client, urls):
    return await asyncio.gather(*(get_json(client, u) for u in urls))


async def all_sequentially(client, urls):
    return [await get_json(client, u) for u in urls]


async def all_swallowing_the_group(client, urls):
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(get_json(client, u)) for u in urls]
    except ExceptionGroup:
        return []
    return [t.result() for t in tasks]


def test_all_or_nothing_wrong_answers():
    check = AllOrNothing
    assert_check_failed(check, "returned normally", fetch_all_or_nothing=all_with_return_exceptions)
    assert_check_failed(
        check, "kept going after the failure", fetch_all_or_nothing=all_with_plain_gather
    )
    assert_check_failed(check, "run them concurrently", fetch_all_or_nothing=all_sequentially)
    assert_check_failed(check, "returned normally", fetch_all_or_nothing=all_swallowing_the_group)


# --------------------------------------------------------------------------------------------
# 4. deadline
# --------------------------------------------------------------------------------------------
async def before_waiting_for_everything(client, urls, deadline):
    results = await asyncio.gather(*(get_json(client, u) for u in urls))
    return dict(zip(urls, results, strict=True))


async def before_with_wait_for(client, urls, deadline):
    results = await asyncio.wait_for(asyncio.gather(*(get_json(client, u) for u in urls)), deadline)
    return dict(zip(urls, results, strict=True))


async def before_giving_up_on_everything(client, urls, deadline):
    try:
        return await before_with_wait_for(client, urls, deadline)
    except TimeoutError:
        return {}


async def before_without_cancelling(client, urls, deadline):
    tasks = {asyncio.create_task(get_json(client, u)): u for u in urls}
    done, _pending = await asyncio.wait(tasks, timeout=deadline)  # the rest keep running
    return {tasks[t]: t.result() for t in done}


async def before_always_sleeping(client, urls, deadline):
    tasks = {asyncio.create_task(get_json(client, u)): u for u in urls}
    await asyncio.sleep(deadline)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {u: t.result() for t, u in tasks.items() if not t.cancelled()}


def test_deadline_wrong_answers():
    assert_check_failed(Deadline, "waited for requests", fetch_before=before_waiting_for_everything)
    assert_check_failed(Deadline, "raised TimeoutError", fetch_before=before_with_wait_for)
    assert_check_failed(Deadline, "are missing", fetch_before=before_giving_up_on_everything)
    assert_check_failed(Deadline, "still running", fetch_before=before_without_cancelling)
    assert_check_failed(
        Deadline, "don't wait for the deadline", fetch_before=before_always_sleeping
    )


# --------------------------------------------------------------------------------------------
# 5. pipeline
# --------------------------------------------------------------------------------------------
def _make_pipeline(*, task_done=True, stop=True, worker_count=None):
    async def pipeline(client, urls, workers):
        queue, results = asyncio.Queue(), {}

        async def worker():
            while True:
                url = await queue.get()
                results[url] = await get_json(client, url)
                if task_done:
                    queue.task_done()

        for url in urls:
            queue.put_nowait(url)
        tasks = [asyncio.create_task(worker()) for _ in range(worker_count or workers)]
        await queue.join()
        if stop:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return results

    return pipeline


def test_pipeline_wrong_answers(monkeypatch):
    assert_check_failed(Pipeline, "workers never stopped", pipeline=_make_pipeline(stop=False))
    assert_check_failed(Pipeline, "never saw more than 1", pipeline=_make_pipeline(worker_count=1))
    assert_check_failed(Pipeline, "saw 6 requests at once", pipeline=_make_pipeline(worker_count=6))
    monkeypatch.setattr(Pipeline, "run_timeout", 1.5)
    assert_check_failed(Pipeline, "task_done()", pipeline=_make_pipeline(task_done=False))


# --------------------------------------------------------------------------------------------
# 6. blocking call
# --------------------------------------------------------------------------------------------
async def price_blocking(order_id, lookup):
    record = lookup(order_id)  # the notebook's starter, unchanged
    return round(record["price"] * record["quantity"], 2)


async def price_faked(order_id, lookup):
    await asyncio.sleep(0.25)  # "fixed" by not calling the blocking function at all
    return round((2.5 + order_id) * (1 + order_id % 4), 2)


async def price_blocking_later(order_id, lookup):
    await asyncio.sleep(0)  # an await first does not make the next line non-blocking
    record = lookup(order_id)
    return round(record["price"] * record["quantity"], 2)


async def price_wrong_total(order_id, lookup):
    record = await asyncio.to_thread(lookup, order_id)
    return record["price"]


def test_blocking_call_wrong_answers():
    assert_check_failed(BlockingCall, "event loop was blocked", price_order=price_blocking)
    assert_check_failed(BlockingCall, "never called `lookup`", price_order=price_faked)
    assert_check_failed(BlockingCall, "event loop was blocked", price_order=price_blocking_later)
    assert_check_failed(BlockingCall, "totals are wrong", price_order=price_wrong_total)


# --------------------------------------------------------------------------------------------
# 7. validation
# --------------------------------------------------------------------------------------------
class SignupAnyAge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z0-9_]+$")
    age: int
    plan: Literal["free", "pro"] = "free"


class SignupIgnoringExtras(BaseModel):
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z0-9_]+$")
    age: int = Field(ge=13)
    plan: Literal["free", "pro"] = "free"


class SignupAnyPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z0-9_]+$")
    age: int = Field(ge=13)
    plan: str = "free"


class SignupTooStrict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    username: str = Field(min_length=3, max_length=20, pattern=r"^[a-z]+$")  # no digits or _
    age: int = Field(ge=13)
    plan: Literal["free", "pro"] = "free"


@dataclasses.dataclass
class SignupDataclass:
    email: str
    username: str
    age: int
    plan: str = "free"


def test_validation_wrong_answers():
    assert_check_failed(Validation, "accepted age 12", Signup=SignupAnyAge)
    assert_check_failed(Validation, "accepted an unknown field", Signup=SignupIgnoringExtras)
    assert_check_failed(Validation, 'accepted plan "gold"', Signup=SignupAnyPlan)
    assert_check_failed(Validation, "rejected a valid signup", Signup=SignupTooStrict)
    assert_check_failed(Validation, "inherits from pydantic", Signup=SignupDataclass)
    assert_check_failed(Validation, "inherits from pydantic", Signup=None)


# --------------------------------------------------------------------------------------------
# trek.aio, the machinery under the checkers
# --------------------------------------------------------------------------------------------
def test_run_coroutine_works_where_a_loop_is_already_running():
    """The Jupyter situation: asyncio.run() would refuse, run_coroutine() does not."""

    async def double(x):
        await asyncio.sleep(0.01)
        return 2 * x

    async def cell():
        pending = double(1)
        with pytest.raises(RuntimeError):
            asyncio.run(pending)  # what a checker cannot do inside Jupyter
        pending.close()
        return aio.run_coroutine(double, 21, timeout=2)

    assert asyncio.run(cell()) == 42


def test_run_measured_reports_lag_and_leftover_tasks():
    async def blocks_then_leaks():
        time.sleep(0.2)
        asyncio.get_running_loop().create_task(asyncio.sleep(5), name="forgotten")
        return "done"

    run = aio.run_measured(blocks_then_leaks, timeout=2, measure_lag=True)
    assert run.result == "done" and run.error is None
    assert run.max_lag >= 0.15
    assert run.leftover == ["forgotten"]

    async def fine():
        await asyncio.sleep(0.05)

    run = aio.run_measured(fine, timeout=2, measure_lag=True)
    assert run.max_lag < 0.1 and run.leftover == [] and run.lag_samples


def test_run_coroutine_keeps_the_coroutines_own_timeout_error():
    async def own_deadline():
        async with asyncio.timeout(0.01):
            await asyncio.sleep(1)

    with pytest.raises(TimeoutError) as caught:
        aio.run_coroutine(own_deadline, timeout=2)
    assert not isinstance(caught.value, aio.CoroutineTimeout)
    with pytest.raises(aio.NotACoroutineFunction):
        aio.run_coroutine(lambda: 42)
