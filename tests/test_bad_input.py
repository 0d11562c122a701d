"""Every registered exercise, fed the odd things learners really type, answers Incorrect or
Not attempted with a short message, within its time limit, and leaves the process usable.

This walks ``trek.stages.STAGES``, so a new stage is covered the moment it is registered.
"""

from __future__ import annotations

import time

import pytest

from trek.exercises.core import CORRECT, run_check
from trek.stages import STAGES

ALL_EXERCISES = [cls for stage in STAGES for cls in stage.exercises()]
HANG_LIMIT = 2.0


def _raises(*args, **kwargs):
    raise ValueError("learner bug")


def _never_returns(*args, **kwargs):
    while True:
        time.sleep(0.01)


def _prints_instead_of_returning(*args, **kwargs):
    print("the answer is probably 42")


async def _async_never_returns(*args, **kwargs):
    import asyncio

    await asyncio.sleep(3600)


ODD_VALUES = {
    "none": None,
    "int": 42,
    "text": "this is not the answer; SELECT FROM WHERE",
    "empty-dict": {},
    "raises": _raises,
    "prints": _prints_instead_of_returning,
    "never-returns": _never_returns,
    "async-never-returns": _async_never_returns,
}


def test_every_available_stage_registers_exercises():
    assert ALL_EXERCISES, "no exercises registered"
    labels = [cls.label for cls in ALL_EXERCISES]
    assert len(labels) == len(set(labels)), "exercise labels must be unique across the book"


@pytest.mark.parametrize("odd", ODD_VALUES, ids=str)
@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=lambda cls: cls.label)
def test_odd_answers_get_a_short_message_in_time(exercise, odd, monkeypatch):
    monkeypatch.setattr(exercise, "time_limit", min(exercise.time_limit, HANG_LIMIT))
    value = ODD_VALUES[odd]
    started = time.monotonic()
    feedback = run_check(exercise, **{name: value for name in exercise.names})
    elapsed = time.monotonic() - started

    assert feedback.status != CORRECT, f"{exercise.label} accepted {odd!r}"
    assert feedback.message.strip(), "feedback must say what is wrong"
    assert "Traceback" not in feedback.message
    assert len(feedback.message) < 800, "one paragraph, not a dump"
    # The check's own limit plus the time its own requests/queries may take to unwind.
    assert elapsed < exercise.time_limit + 8, f"took {elapsed:.1f} s"
