"""The exercise framework: one small class per exercise, checked against real software.

A stage module (``trek/exercises/stage01.py`` …) defines exercise classes and lists them in
``EXERCISES``. The notebook binds them with one line::

    from trek.exercises import stage01; stage01.bind(globals())

which puts ``q1 … qN`` and the placeholder ``____`` into the notebook. The learner then runs
``q1.check()``, ``q1.hint()`` and ``q1.solution()``.

Contract of an exercise class:

* ``names`` — the notebook variables it reads (their values are passed to ``verify``);
* ``verify(*values)`` — exercises the learner's answer for real and raises :class:`Incorrect`
  with a specific, kind message when it is wrong (returning normally means correct);
* ``hints`` — shown one at a time by ``hint()``;
* ``solution_file`` — the reference solution, a file under ``solutions/`` next to the module;
* ``time_limit`` — seconds the learner's code may take before the check gives up.

The placeholder ``____`` anywhere in a value (or returned by a learner's function) means
*not attempted yet*; any exception from learner code becomes a one-paragraph message.
"""

from __future__ import annotations

import contextlib
import html
import inspect
import os
import signal
import sys
import sysconfig
import textwrap
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

SOLUTIONS_DIR = Path(__file__).parent / "solutions"


# --------------------------------------------------------------------------------------------
# The placeholder
# --------------------------------------------------------------------------------------------
class _Placeholder:
    """The ``____`` in starter code: a value the learner has not filled in yet.

    It refuses to take part in arithmetic, comparisons with numbers, iteration or calls so
    that a half-finished cell fails early, and every such failure is reported as
    "not attempted" rather than as an error.
    """

    _instance: _Placeholder | None = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise NotAttempted("There is still a ____ to fill in.")

    __call__ = __iter__ = __len__ = __getitem__ = __add__ = __radd__ = _refuse
    __sub__ = __mul__ = __truediv__ = __lt__ = __gt__ = __le__ = __ge__ = _refuse

    def __getattr__(self, name: str) -> Any:
        # ``____.encode()`` in a half-finished cell is "not attempted"; private and dunder
        # lookups (IPython's display machinery, copy, pickle) behave normally.
        if name.startswith("_"):
            raise AttributeError(name)
        raise NotAttempted("There is still a ____ to fill in.")


PLACEHOLDER = _Placeholder()
____ = PLACEHOLDER


def contains_placeholder(value: Any, _depth: int = 0) -> bool:
    """True if ``value`` is the placeholder or holds it somewhere in a container."""
    if value is PLACEHOLDER:
        return True
    # f"GET {____} HTTP/1.1" and "%s" % ____ format the placeholder into the text.
    if isinstance(value, str):
        return "____" in value
    if isinstance(value, (bytes, bytearray)):
        return b"____" in value
    if _depth > 6:
        return False
    if isinstance(value, dict):
        return any(
            contains_placeholder(k, _depth + 1) or contains_placeholder(v, _depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(contains_placeholder(v, _depth + 1) for v in value)
    return False


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------
class Incorrect(Exception):
    """Raised by ``verify`` when the answer is wrong; the message is shown to the learner."""


class NotAttempted(Exception):
    """Raised when the answer still holds a placeholder or the names are not defined yet."""


class LearnerCodeTimeout(BaseException):
    """Raised inside learner code when it runs past the check's time limit.

    A ``BaseException`` so that a learner's ``except Exception:`` retry loop cannot swallow it.
    """


CORRECT, INCORRECT, UNATTEMPTED = "correct", "incorrect", "unattempted"

_STYLES = {
    CORRECT: ("Correct", "#1b7f3b", "#e8f5ec"),
    INCORRECT: ("Incorrect", "#b3261e", "#fdecea"),
    UNATTEMPTED: ("Not attempted yet", "#6b5d00", "#fff8db"),
    "hint": ("Hint", "#1f4e9c", "#e8effb"),
    "solution": ("Solution", "#4a4a4a", "#f3f3f3"),
}


@dataclass(frozen=True)
class Feedback:
    """What a check, hint or solution shows: rich HTML in Jupyter, plain text elsewhere."""

    kind: str
    message: str = ""
    code: str = ""

    @property
    def status(self) -> str:
        return self.kind

    @property
    def label(self) -> str:
        return _STYLES[self.kind][0]

    def __str__(self) -> str:
        text = self.label + (f": {self.message}" if self.message else "")
        if self.code:
            text += "\n\n" + textwrap.indent(self.code.rstrip(), "    ")
        return text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        label, colour, background = _STYLES[self.kind]
        body = html.escape(self.message).replace("\n", "<br>")
        code = ""
        if self.code:
            code = (
                '<pre style="margin:.5em 0 0;padding:.5em;background:#fff;overflow-x:auto">'
                f"{html.escape(self.code.rstrip())}</pre>"
            )
        return (
            f'<div class="trek-feedback trek-{self.kind}" style="border-left:4px solid {colour};'
            f'background:{background};padding:.5em .8em;margin:.3em 0;color:#1d1d1d">'
            f'<strong style="color:{colour}">{label}</strong>'
            f"{': ' + body if body else ''}{code}</div>"
        )

    def _ipython_display_(self) -> None:  # pragma: no cover - exercised inside Jupyter
        from IPython.display import display

        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)


def _show(feedback: Feedback) -> None:
    """Display feedback richly inside IPython, as plain text anywhere else."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is always installed with the course
        shell = None
    if shell is not None:
        from IPython.display import display

        display(feedback)
    else:
        print(feedback)


# --------------------------------------------------------------------------------------------
# Running learner code under a time limit
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block after ``seconds`` by raising :class:`LearnerCodeTimeout` in it.

    In the main thread (where Jupyter runs cells) a ``SIGALRM`` timer interrupts even a
    blocking ``socket.recv`` or an endless loop, so the kernel never hangs. Elsewhere (worker
    threads, Windows) there is no portable way to interrupt Python code, so the block runs
    unguarded; checks run from the main thread in practice.
    """
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _on_alarm(signum, frame):
        raise LearnerCodeTimeout(seconds)

    # An enclosing timer (pytest-timeout, a checker's own) is re-armed afterwards, not lost.
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            left = outer_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), outer_interval)


_TREK_DIR = str(Path(__file__).resolve().parent.parent)
_LIBRARY_DIRS = tuple(
    {str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("stdlib", "platstdlib")}
)


def _is_library_frame(filename: str) -> bool:
    """True for frames of trek itself, installed packages and the standard library: the
    learner's own line is the innermost frame that is none of these."""
    if filename.startswith("<frozen") or "site-packages" in filename:
        return True
    path = str(Path(filename).resolve()) if os.path.isabs(filename) else filename
    return path.startswith(tuple(d + os.sep for d in (_TREK_DIR, *_LIBRARY_DIRS)))


def describe_exception(exc: BaseException) -> str:
    """One short paragraph about an exception raised by learner code: type, message and the
    line of the learner's own cell (not the checker's) where it happened."""
    name = type(exc).__name__
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if _is_library_frame(frame.filename):
            continue
        if frame.line:
            where = f" (at `{frame.line.strip()}`)"
        break
    if len(detail) > 300:
        detail = detail[:300] + "…"
    return f"{name}{': ' + detail if detail else ''}{where}"


# --------------------------------------------------------------------------------------------
# Exercises
# --------------------------------------------------------------------------------------------
class Exercise:
    """Base class of every exercise. Subclasses declare, they do not re-implement ``check``."""

    #: Stable id, also the book label: ``<stage-slug>-ex-<name>``, e.g. ``http-ex-raw-request``.
    label: ClassVar[str] = ""
    title: ClassVar[str] = ""
    #: Notebook variables this exercise reads, in the order ``verify`` receives them.
    names: ClassVar[tuple[str, ...]] = ()
    hints: ClassVar[tuple[str, ...]] = ()
    #: File under ``trek/exercises/solutions/`` holding the reference solution.
    solution_file: ClassVar[str] = ""
    #: Seconds the whole check (including learner code) may take.
    time_limit: ClassVar[float] = 15.0
    stage: ClassVar[int] = 0

    def __init__(self, namespace: dict[str, Any] | None = None) -> None:
        self._namespace = namespace if namespace is not None else {}
        self._hints_shown = 0

    # -- what subclasses implement -----------------------------------------------------------
    def verify(self, *values: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- the learner's API ------------------------------------------------------------------
    def check(self) -> None:
        """Check the answer and show Correct / Incorrect / Not attempted."""
        feedback = self.evaluate()
        try:
            from trek import progress

            progress.record(self.stage, self.label, feedback.status)
        except Exception as exc:  # progress must never break a check
            print(f"(trek could not save your progress: {exc})", file=sys.stderr)
        _show(feedback)

    def hint(self) -> None:
        """Show the next hint (they become more specific each time)."""
        if not self.hints:
            _show(Feedback("hint", "There are no hints for this one, sorry."))
            return
        index = min(self._hints_shown, len(self.hints) - 1)
        self._hints_shown += 1
        prefix = f"({index + 1}/{len(self.hints)}) " if len(self.hints) > 1 else ""
        _show(Feedback("hint", prefix + self.hints[index]))

    def solution(self) -> None:
        """Show the reference solution."""
        _show(Feedback("solution", "One way to do it:", self.solution_source()))

    # -- machinery --------------------------------------------------------------------------
    @classmethod
    def solution_context(cls) -> dict[str, Any]:
        """Notebook variables the reference solution relies on (e.g. the stage's ``sb``)."""
        return {}

    @classmethod
    def solution_source(cls) -> str:
        return (SOLUTIONS_DIR / cls.solution_file).read_text(encoding="utf-8")

    def _values(self) -> list[Any]:
        missing = [name for name in self.names if name not in self._namespace]
        if missing:
            listed = ", ".join(f"`{name}`" for name in missing)
            verb = "is" if len(missing) == 1 else "are"
            raise NotAttempted(f"Run the exercise cell first: {listed} {verb} not defined yet.")
        values = [self._namespace[name] for name in self.names]
        if any(contains_placeholder(value) for value in values):
            raise NotAttempted("Replace every ____ in the exercise cell with your answer.")
        return values

    def evaluate(self) -> Feedback:
        """Run the check and return its :class:`Feedback` without displaying it."""
        try:
            values = self._values()
            with time_limit(self.time_limit):
                self.verify(*values)
        except NotAttempted as exc:
            return Feedback(UNATTEMPTED, str(exc))
        except Incorrect as exc:
            return Feedback(INCORRECT, str(exc))
        except LearnerCodeTimeout:
            return Feedback(
                INCORRECT,
                f"Your code was still running after {self.time_limit:g} seconds, so the check "
                "stopped it. Look for a loop that never ends or a request without a timeout.",
            )
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            # httpx.get(____), json.dumps(____)…: a library refused the placeholder itself.
            if "____" in str(exc) or "_Placeholder" in str(exc):
                return Feedback(UNATTEMPTED, "Replace every ____ in your code with your answer.")
            return Feedback(INCORRECT, f"Your code raised {describe_exception(exc)}.")
        return Feedback(CORRECT, self.praise())

    def praise(self) -> str:
        return ""

    def __repr__(self) -> str:
        return (
            f"<{self.label}: {self.title}. Run .check() to check your answer, .hint() for a "
            "hint, .solution() to see a reference answer.>"
        )


def call_learner(func: Any, *args: Any, name: str = "your function", **kwargs: Any) -> Any:
    """Call a learner's function, turning the placeholder result into *not attempted*.

    Exceptions propagate (``evaluate`` turns them into a short message); use this so that a
    function whose body is still ``return ____`` reads as not attempted.
    """
    if not callable(func):
        raise Incorrect(f"{name} should be a function, but it is a {type(func).__name__}.")
    result = func(*args, **kwargs)
    if inspect.iscoroutine(result):
        result.close()  # never awaited: close it so Python does not warn later
        raise Incorrect(
            f"{name} is an `async def` function, so calling it only made a coroutine. "
            "Define it with a plain `def` here."
        )
    if contains_placeholder(result):
        raise NotAttempted(f"{name} still returns ____: fill in its body.")
    return result


def require_type(value: Any, expected: type | tuple[type, ...], what: str) -> None:
    """Raise :class:`Incorrect` with a plain-words message if ``value`` has the wrong type."""
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        actual = type(value).__name__

        def article(word: str) -> str:
            return "an" if word[:1].lower() in "aeiou" else "a"

        raise Incorrect(
            f"{what} should be {article(names)} {names}, but it is {article(actual)} {actual}."
        )


# --------------------------------------------------------------------------------------------
# Binding a stage into a notebook
# --------------------------------------------------------------------------------------------
def bind(exercises: list[type[Exercise]], namespace: dict[str, Any]) -> list[Exercise]:
    """Create ``q1 … qN`` for ``exercises`` reading from ``namespace`` and put them, and the
    placeholder ``____``, into ``namespace`` (the notebook's ``globals()``)."""
    bound = []
    for number, cls in enumerate(exercises, start=1):
        instance = cls(namespace)
        namespace[f"q{number}"] = instance
        bound.append(instance)
    namespace["____"] = PLACEHOLDER
    return bound


# --------------------------------------------------------------------------------------------
# Self-test helpers for the contract tests
# --------------------------------------------------------------------------------------------
def run_check(exercise: type[Exercise], **values: Any) -> Feedback:
    """Evaluate ``exercise`` with the given notebook variables."""
    return exercise(dict(values)).evaluate()


def solution_namespace(exercise: type[Exercise]) -> dict[str, Any]:
    """Execute the reference solution and return the variables it defines."""
    namespace: dict[str, Any] = {"____": PLACEHOLDER, **exercise.solution_context()}
    # dont_inherit: this module's `from __future__ import annotations` must not leak into the
    # solution (it would turn annotations into strings that pydantic cannot resolve here).
    code = compile(exercise.solution_source(), exercise.solution_file, "exec", dont_inherit=True)
    exec(code, namespace)
    return namespace


def assert_check_passed(exercise: type[Exercise], **values: Any) -> Feedback:
    """Assert the check reports Correct; with no values, the reference solution is used."""
    namespace = values if values else solution_namespace(exercise)
    feedback = run_check(exercise, **namespace)
    assert feedback.status == CORRECT, f"expected Correct, got {feedback}"
    return feedback


def assert_check_failed(exercise: type[Exercise], expected_message: str = "", **values: Any):
    """Assert the check reports Incorrect and its message contains ``expected_message``."""
    feedback = run_check(exercise, **values)
    assert feedback.status == INCORRECT, f"expected Incorrect, got {feedback}"
    assert expected_message.lower() in feedback.message.lower(), (
        f"expected the message to contain {expected_message!r}, got {feedback.message!r}"
    )
    return feedback


def assert_check_unattempted(exercise: type[Exercise], **values: Any) -> Feedback:
    """Assert the check reports Not attempted (placeholders left, or names not defined)."""
    feedback = run_check(exercise, **values)
    assert feedback.status == UNATTEMPTED, f"expected Not attempted, got {feedback}"
    return feedback
