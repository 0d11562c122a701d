"""Unit tests of the exercise framework (trek/exercises/core.py).

The "learner code" below lives in this file on purpose: messages must point at the learner's
own line, and these lines have a source file the traceback can read.
"""

from __future__ import annotations

import json
import signal
import socket
import time

import httpx
import pytest
from IPython.core.formatters import DisplayFormatter

from trek import progress
from trek.exercises import core
from trek.exercises.core import (
    CORRECT,
    INCORRECT,
    PLACEHOLDER,
    UNATTEMPTED,
    Exercise,
    Feedback,
    Incorrect,
    ____,
    assert_check_failed,
    assert_check_passed,
    assert_check_unattempted,
    bind,
    call_learner,
    require_type,
    run_check,
)

SHORT_LIMIT = 0.3


# --------------------------------------------------------------------------------------------
# Exercises used by the tests
# --------------------------------------------------------------------------------------------
class Double(Exercise):
    """Write ``double(n)``: the learner's function is called for real."""

    label = "test-ex-double"
    title = "Double a number"
    names = ("double",)
    hints = ("Multiply.", "Multiply by two.", "return n * 2")
    solution_file = "test/double.py"
    time_limit = SHORT_LIMIT
    stage = 1

    def verify(self, double):
        result = call_learner(double, 21, name="`double`")
        require_type(result, int, "What `double(21)` returns")
        if result != 42:
            raise Incorrect(f"`double(21)` returned {result}; doubling 21 gives something else.")


class Request(Exercise):
    """A value exercise: a dict describing a request."""

    label = "test-ex-request"
    title = "Describe a request"
    names = ("method", "headers")
    hints = ("Only one hint here.",)
    stage = 1

    def verify(self, method, headers):
        require_type(headers, dict, "`headers`")
        if method != "GET":
            raise Incorrect("<b>GET</b> & friends: that method changes state.")


class NoHints(Exercise):
    label = "test-ex-nohints"
    names = ("x",)

    def verify(self, x):
        pass


# --------------------------------------------------------------------------------------------
# Learner code
# --------------------------------------------------------------------------------------------
def correct_double(n):
    return n * 2


def wrong_double(n):
    return n + 2


def unfinished_double(n):
    return ____


def half_finished_double(n):
    return {"value": [n, ____]}


def encoding_double(n):
    return ____.encode()


def formatting_double(n):
    return f"{n} times {____}"


def library_refuses_placeholder(n):
    return json.dumps(____)


def raising_double(n):
    return {"a": 1}["missing_key"]


def stdlib_raising_double(n):
    return json.loads("{not json")


def looping_double(n):
    while True:
        pass


def blocking_double(n):
    left, right = socket.socketpair()
    with left, right:
        return left.recv(10)  # nobody ever writes to ``right``


def swallowing_double(n):
    while True:
        try:
            time.sleep(0.05)
        except Exception:  # a learner's "retry on any error" loop
            pass


# --------------------------------------------------------------------------------------------
# The placeholder
# --------------------------------------------------------------------------------------------
def test_placeholder_alone_is_not_attempted():
    feedback = run_check(Request, method=____, headers={})
    assert feedback.status == UNATTEMPTED
    assert "____" in feedback.message


@pytest.mark.parametrize(
    "headers",
    [{"Accept": ____}, {____: "x"}, {"nested": [1, (2, ____)]}, [____], {"a": {"b": {____}}}],
    ids=["dict-value", "dict-key", "list-in-dict", "list", "set-in-dict"],
)
def test_placeholder_nested_in_containers_is_not_attempted(headers):
    assert run_check(Request, method="GET", headers=headers).status == UNATTEMPTED


@pytest.mark.parametrize(
    "double",
    [unfinished_double, half_finished_double, encoding_double, formatting_double],
    ids=["returns-placeholder", "returns-nested", "placeholder-encode", "f-string"],
)
def test_placeholder_inside_learner_function_is_not_attempted(double):
    feedback = run_check(Double, double=double)
    assert feedback.status == UNATTEMPTED, feedback


def test_placeholder_refused_by_a_library_is_not_attempted():
    feedback = run_check(Double, double=library_refuses_placeholder)
    assert feedback.status == UNATTEMPTED, feedback
    assert "_Placeholder" not in feedback.message


def test_placeholder_formatted_into_a_value_is_not_attempted():
    request = f"GET {____} HTTP/1.1\r\n\r\n".encode()
    assert run_check(Request, method="GET", headers={"raw": request}).status == UNATTEMPTED


def test_placeholder_refuses_arithmetic_and_iteration():
    for operation in (lambda: ____ + 1, lambda: 1 + ____, lambda: list(____), lambda: ____()):
        with pytest.raises(core.NotAttempted):
            operation()


def test_placeholder_displays_normally_in_ipython():
    assert repr(____) == "____"
    assert not hasattr(____, "_repr_html_")
    assert not hasattr(____, "_ipython_canary_method_should_not_exist_")
    data, _ = DisplayFormatter().format(____)
    assert data == {"text/plain": "____"}
    data, _ = DisplayFormatter().format({"a": [____]})
    assert data["text/plain"] == "{'a': [____]}"


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------
def test_correct_answer():
    assert run_check(Double, double=correct_double).status == CORRECT


def test_undefined_names_are_not_attempted_and_named():
    feedback = run_check(Request, method="GET")
    assert feedback.status == UNATTEMPTED
    assert "`headers`" in feedback.message
    assert "`method`" not in feedback.message
    both = run_check(Request)
    assert "`method`" in both.message and "`headers`" in both.message
    assert "are not defined yet" in both.message


def test_incorrect_message_passes_through_unchanged():
    feedback = run_check(Request, method="POST", headers={})
    assert feedback.status == INCORRECT
    assert feedback.message == "<b>GET</b> & friends: that method changes state."


def test_wrong_result_and_wrong_type_are_incorrect():
    assert "doubling 21" in run_check(Double, double=wrong_double).message
    wrong_type = run_check(Double, double=lambda n: "42")
    assert wrong_type.status == INCORRECT
    assert "should be an int, but it is a str" in wrong_type.message
    not_callable = run_check(Double, double=42)
    assert not_callable.status == INCORRECT
    assert "should be a function" in not_callable.message


def test_learner_exception_is_one_line_naming_type_and_learner_line():
    feedback = run_check(Double, double=raising_double)
    assert feedback.status == INCORRECT
    message = feedback.message
    assert "KeyError" in message
    assert "missing_key" in message
    assert 'return {"a": 1}["missing_key"]' in message
    assert "\n" not in message
    assert "Traceback" not in message and 'File "' not in message


def test_learner_exception_inside_the_standard_library_points_at_learner_line():
    message = run_check(Double, double=stdlib_raising_double).message
    assert "JSONDecodeError" in message
    assert 'return json.loads("{not json")' in message


def test_learner_exception_inside_an_installed_library_points_at_learner_line():
    def fetch(n):
        return httpx.get("http://127.0.0.1:1/", timeout=1)

    message = run_check(Double, double=fetch).message
    assert "ConnectError" in message
    assert 'return httpx.get("http://127.0.0.1:1/", timeout=1)' in message


@pytest.mark.parametrize(
    "double", [looping_double, blocking_double, swallowing_double], ids=["loop", "recv", "except"]
)
def test_hung_learner_code_is_stopped_by_the_time_limit(double):
    started = time.monotonic()
    feedback = run_check(Double, double=double)
    elapsed = time.monotonic() - started
    assert feedback.status == INCORRECT
    assert f"still running after {SHORT_LIMIT:g} seconds" in feedback.message
    assert elapsed < SHORT_LIMIT + 2


def test_time_limit_keeps_an_enclosing_alarm():
    """pytest-timeout (and any enclosing timer) must survive a check."""
    fired = []
    old_handler = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(signum))
    old_timer = signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        assert run_check(Double, double=correct_double).status == CORRECT
        assert run_check(Double, double=looping_double).status == INCORRECT
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < remaining <= 30
        assert signal.getsignal(signal.SIGALRM) is not None
        assert not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, *old_timer)
        signal.signal(signal.SIGALRM, old_handler)


# --------------------------------------------------------------------------------------------
# The learner's API: check, hint, solution
# --------------------------------------------------------------------------------------------
def test_check_records_progress_and_prints_plain_text(capsys):
    namespace = {"double": wrong_double}
    exercise = Double(namespace)
    exercise.check()
    out = capsys.readouterr().out
    assert out.startswith("Incorrect: ")
    assert "<div" not in out
    entry = progress.load()["test-ex-double"]
    assert entry["stage"] == 1 and entry["attempts"] == 1 and not entry.get("solved_at")

    namespace["double"] = correct_double
    exercise.check()
    assert capsys.readouterr().out.strip() == "Correct"
    entry = progress.load()["test-ex-double"]
    assert entry["solved_at"] and entry["last_status"] == CORRECT and entry["attempts"] == 2


def test_check_still_shows_feedback_when_progress_cannot_be_saved(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("TREK_HOME", str(blocker))
    Double({"double": correct_double}).check()
    captured = capsys.readouterr()
    assert captured.out.strip() == "Correct"
    assert "could not save your progress" in captured.err


def test_feedback_html_escapes_message_and_code():
    feedback = Feedback(INCORRECT, "<script>alert(1)</script> & more", code="if a < b: pass")
    rendered = feedback._repr_html_()
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in rendered
    assert "if a &lt; b: pass" in rendered
    assert str(feedback).startswith("Incorrect: <script>")


def test_hint_is_progressive_and_stops_at_the_last(capsys):
    exercise = Double({})
    for _ in range(4):
        exercise.hint()
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        "Hint: (1/3) Multiply.",
        "Hint: (2/3) Multiply by two.",
        "Hint: (3/3) return n * 2",
        "Hint: (3/3) return n * 2",
    ]


def test_single_hint_and_no_hints(capsys):
    Request({}).hint()
    NoHints({}).hint()
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Hint: Only one hint here."
    assert "no hints" in lines[1]


@pytest.fixture
def solutions_dir(tmp_path, monkeypatch):
    directory = tmp_path / "solutions"
    (directory / "test").mkdir(parents=True)
    (directory / "test" / "double.py").write_text("def double(n):\n    return n * 2\n")
    monkeypatch.setattr(core, "SOLUTIONS_DIR", directory)
    return directory


def test_solution_shows_the_solution_file(solutions_dir, capsys):
    Double({}).solution()
    out = capsys.readouterr().out
    assert out.startswith("Solution:")
    assert "    def double(n):\n        return n * 2" in out


def test_bind_creates_numbered_exercises_and_the_placeholder():
    namespace: dict = {}
    bound = bind([Double, Request], namespace)
    assert isinstance(namespace["q1"], Double) and isinstance(namespace["q2"], Request)
    assert bound == [namespace["q1"], namespace["q2"]]
    assert namespace["____"] is PLACEHOLDER
    # The exercises read the notebook's variables when checked, not when bound.
    assert namespace["q1"].evaluate().status == UNATTEMPTED
    namespace["double"] = correct_double
    assert namespace["q1"].evaluate().status == CORRECT
    assert ".check()" in repr(namespace["q1"])


# --------------------------------------------------------------------------------------------
# The contract-test helpers
# --------------------------------------------------------------------------------------------
def test_assert_check_passed_uses_the_reference_solution(solutions_dir):
    assert assert_check_passed(Double).status == CORRECT
    (solutions_dir / "test" / "double.py").write_text("def double(n):\n    return n\n")
    with pytest.raises(AssertionError, match="expected Correct"):
        assert_check_passed(Double)


def test_assert_check_passed_with_values():
    assert_check_passed(Double, double=correct_double)
    with pytest.raises(AssertionError):
        assert_check_passed(Double, double=wrong_double)
    with pytest.raises(AssertionError):
        assert_check_passed(Double, double=unfinished_double)


def test_assert_check_failed_checks_outcome_and_words():
    assert_check_failed(Double, "doubling", double=wrong_double)
    with pytest.raises(AssertionError, match="expected the message to contain"):
        assert_check_failed(Double, "words that are not there", double=wrong_double)
    with pytest.raises(AssertionError, match="expected Incorrect"):
        assert_check_failed(Double, "", double=correct_double)
    with pytest.raises(AssertionError, match="expected Incorrect"):
        assert_check_failed(Double, "", double=____)


def test_assert_check_unattempted_checks_outcome():
    assert_check_unattempted(Double, double=____)
    assert_check_unattempted(Double)
    with pytest.raises(AssertionError, match="expected Not attempted"):
        assert_check_unattempted(Double, double=correct_double)
    with pytest.raises(AssertionError, match="expected Not attempted"):
        assert_check_unattempted(Double, double=wrong_double)
