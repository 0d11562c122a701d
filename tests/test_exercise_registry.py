"""The contract every registered exercise keeps, whatever its stage: walks trek/stages.py, so
a new stage is held to it the moment its notebook is registered.

Per-stage files (tests/test_stageNN_checkers.py) prove what only they can: that the reference
solution passes against their fixtures, and that realistic wrong answers fail with the message
meant for them.
"""

from __future__ import annotations

import importlib

import pytest

from trek.exercises.core import PLACEHOLDER, SOLUTIONS_DIR, assert_check_unattempted
from trek.stages import STAGES

AVAILABLE = [stage for stage in STAGES if stage.available]
ALL_EXERCISES = [cls for stage in AVAILABLE for cls in stage.exercises()]
#: The issues ask for at least 8 checked exercises in these stages, 6 elsewhere.
MINIMUM = {1: 8, 3: 8, 4: 8}


@pytest.mark.parametrize("stage", AVAILABLE, ids=lambda st: st.slug)
def test_stage_module_shape(stage):
    module = importlib.import_module(stage.module_name)
    assert module.STAGE == stage.number
    exercises = stage.exercises()
    assert len(exercises) >= MINIMUM.get(stage.number, 6)
    for cls in exercises:
        assert cls.stage == stage.number, cls
        assert cls.label.startswith(f"{stage.slug}-ex-"), cls.label
        assert cls.title and cls.names and cls.hints, cls
        assert cls.solution_file.startswith(f"{stage.slug}/"), cls.solution_file
        assert (SOLUTIONS_DIR / cls.solution_file).is_file(), cls.solution_file
    namespace: dict = {}
    bound = module.bind(namespace)
    assert [namespace[f"q{n}"] for n in range(1, len(exercises) + 1)] == bound
    assert [type(q) for q in bound] == exercises
    assert namespace["____"] is PLACEHOLDER


def test_labels_are_unique_across_the_book():
    labels = [cls.label for cls in ALL_EXERCISES]
    assert len(labels) == len(set(labels))


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=lambda cls: cls.label)
def test_untouched_placeholder_is_not_attempted(exercise):
    assert_check_unattempted(exercise, **{name: PLACEHOLDER for name in exercise.names})


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=lambda cls: cls.label)
def test_cell_not_run_yet_is_not_attempted(exercise):
    assert_check_unattempted(exercise)
