"""Checkers for SQL exercises, by kind: result sets, indexes, constraints, concurrency,
statement counts and migrations — all run against a real PostgreSQL.

Which database? The notebook's own: after ``DB = services.create_database("stage03")`` and
``load_shop(DB)``, ``stage03.bind(globals())`` makes each check read the notebook variable
``DB`` (at check time, so re-binding ``DB`` is seen). Without a ``DB`` variable, checks use the
URL given to :func:`use_database` (what the contract tests do), and failing that, a database
of their own that they create and fill with the shop the first time they need one.

Checks leave the learner's data as they found it: queries run in a read-only transaction,
DDL (``CREATE INDEX``, ``CREATE TABLE``, migrations) in a transaction that is rolled back
(PostgreSQL's DDL is transactional), and concurrency tests in a scratch schema that is
dropped afterwards. Every connection has a ``statement_timeout`` and a ``lock_timeout``, so
neither a runaway query nor a lock held by a forgotten notebook transaction can hang a check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from trek.exercises.core import Exercise, Incorrect, require_type, solution_namespace

#: Seconds a learner's single statement may run before PostgreSQL cancels it.
STATEMENT_TIMEOUT_S = 5
#: Seconds a check waits for a lock (e.g. held by an open transaction in the notebook).
LOCK_TIMEOUT_S = 4

_configured_url: str | None = None
_own_url: str | None = None
_own_lock = threading.Lock()


# --------------------------------------------------------------------------------------------
# Which database
# --------------------------------------------------------------------------------------------
def use_database(url: str | None) -> None:
    """Make checks that find no ``DB`` variable in the notebook use the database at ``url``."""
    global _configured_url
    _configured_url = url


def database_url(namespace: dict[str, Any] | None = None) -> str:
    """The database a check runs in: the notebook's ``DB``, else :func:`use_database`'s URL,
    else one the checker creates (and fills with the shop) once per process."""
    global _own_url
    candidate = (namespace or {}).get("DB")
    if isinstance(candidate, str) and candidate:
        return candidate
    if _configured_url:
        return _configured_url
    with _own_lock:
        if _own_url is None:
            from trek.datasets.shop import load_shop
            from trek.services import create_database

            url = create_database("stage03_check")
            load_shop(url)
            _own_url = url
    return _own_url


def connect(url: str, *, autocommit: bool = False, timeout_s: float | None = None):
    """A checker's psycopg connection: statement and lock timeouts, UTC, a short connect."""
    import psycopg

    timeout_s = STATEMENT_TIMEOUT_S if timeout_s is None else timeout_s
    options = (
        f"-c statement_timeout={int(timeout_s * 1000)} -c lock_timeout={LOCK_TIMEOUT_S * 1000} "
        "-c TimeZone=UTC -c idle_in_transaction_session_timeout=60000"
    )
    return psycopg.connect(url, autocommit=autocommit, options=options, connect_timeout=5)


# --------------------------------------------------------------------------------------------
# Messages about database errors
# --------------------------------------------------------------------------------------------
def pg_message(exc: BaseException) -> str:
    """PostgreSQL's own one-line message for an error (from psycopg or SQLAlchemy)."""
    original = getattr(exc, "orig", None) or exc
    diag = getattr(original, "diag", None)
    text = getattr(diag, "message_primary", None) or str(original)
    first = text.strip().splitlines()[0] if text.strip() else type(original).__name__
    return first[:300]


def is_timeout(exc: BaseException) -> bool:
    return "statement timeout" in pg_message(exc)


def is_lock_timeout(exc: BaseException) -> bool:
    return "lock timeout" in pg_message(exc)


def explain_db_error(exc: BaseException, what: str = "your SQL") -> str:
    """A learner-facing sentence about a database error raised while running ``what``."""
    if is_timeout(exc):
        return (
            f"PostgreSQL cancelled {what} after {STATEMENT_TIMEOUT_S} s (statement_timeout). "
            "Look for a join without a condition (a cross join of big tables) or a subquery "
            "that runs once per row."
        )
    if is_lock_timeout(exc):
        return (
            "The check waited for a lock that another connection holds, probably a transaction "
            "left open in your notebook (a session or connection you did not commit, roll back "
            "or close). Run conn.rollback() / session.close() there and check again."
        )
    return f"PostgreSQL rejected {what}: {pg_message(exc)}"


# --------------------------------------------------------------------------------------------
# Comparing result sets
# --------------------------------------------------------------------------------------------
_SIX_PLACES = Decimal("0.000001")


def normalise(value: Any) -> Any:
    """A value in a form that compares equal across equivalent SQL types: numbers of any type
    compare by value (to six decimal places), a midnight timestamp equals its date."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        try:
            return Decimal(str(value)).quantize(_SIX_PLACES)
        except InvalidOperation:
            return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        if value.time() == dt.time(0):
            return value.date()
        return value.replace(tzinfo=None)
    if isinstance(value, list):
        return tuple(normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, normalise(v)) for k, v in value.items()))
    return value


def show_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def show_row(columns: list[str], row: tuple) -> str:
    return "(" + ", ".join(f"{c}={show_value(v)}" for c, v in zip(columns, row, strict=True)) + ")"


def compare_results(
    columns: list[str],
    rows: list[tuple],
    expected_columns: list[str],
    expected_rows: list[tuple],
    *,
    ordered: bool,
    order_hint: str = "",
    subject: str = "Your query",
) -> None:
    """Raise :class:`Incorrect` saying how ``rows`` differ from ``expected_rows``.

    ``subject`` names what produced ``rows`` in the messages ("Your query", "order_summaries").
    """
    names = [c.lower() for c in columns]
    wanted = [c.lower() for c in expected_columns]
    if names != wanted:
        if sorted(names) == sorted(wanted):
            raise Incorrect(
                f"{subject} returns the right columns in another order ({', '.join(names)}); "
                f"list them as ({', '.join(wanted)})."
            )
        missing = [c for c in wanted if c not in names]
        extra = [c for c in names if c not in wanted]
        detail = []
        if missing:
            detail.append("missing " + ", ".join(missing))
        if extra:
            detail.append("unexpected " + ", ".join(extra))
        raise Incorrect(
            f"{subject} returns the columns ({', '.join(names) or 'none'}), but the task asks "
            f"for ({', '.join(wanted)}): {'; '.join(detail)}. Name columns with AS."
        )
    got = [tuple(normalise(v) for v in row) for row in rows]
    want = [tuple(normalise(v) for v in row) for row in expected_rows]
    if len(got) != len(want):
        raise Incorrect(
            f"{subject} returns {len(got):,} row{'s' if len(got) != 1 else ''}; the expected "
            f"result has {len(want):,}. {_count_hint(len(got), len(want))}"
        )
    if Counter(got) == Counter(want):
        if ordered and got != want:
            message = (
                f"{subject} returns the right rows, but not in the order the task asks for"
                + (f" ({order_hint})." if order_hint else ".")
            )
            if subject == "Your query":
                message += (
                    " Without ORDER BY, PostgreSQL returns rows in whatever order is cheapest."
                )
            raise Incorrect(message)
        return
    raise Incorrect(_value_difference(wanted, rows, got, want, expected_rows))


def _count_hint(got: int, want: int) -> str:
    if got == 0:
        return "Check the WHERE and JOIN conditions: they filter out everything."
    if got < want:
        return "Some rows are missing: does a join or a filter drop rows that should stay?"
    return "There are extra rows: is a row counted twice by a join, or a filter missing?"


def _value_difference(
    columns: list[str],
    rows: list[tuple],
    got: list[tuple],
    want: list[tuple],
    expected_rows: list[tuple],
) -> str:
    # Align rows by their first column when it identifies them, to name the column that is off.
    keys_got = [r[0] for r in got]
    keys_want = [r[0] for r in want]
    if len(set(keys_got)) == len(got) and set(keys_got) == set(keys_want):
        by_key = {r[0]: i for i, r in enumerate(want)}
        for index, row in enumerate(got):
            expected = expected_rows[by_key[row[0]]]
            normalised = want[by_key[row[0]]]
            for position in range(1, len(columns)):
                if row[position] != normalised[position]:
                    original = rows[index]
                    return (
                        f"Same rows, but different values in column {columns[position]}: e.g. "
                        f"for {columns[0]} = {show_value(original[0])} yours is "
                        f"{show_value(original[position])}, expected "
                        f"{show_value(expected[position])}."
                    )
    extra = list((Counter(got) - Counter(want)).elements())
    index = got.index(extra[0])
    return (
        f"{len(extra):,} of your rows are not in the expected result, for example "
        f"{show_row(columns, rows[index])}."
    )


def is_database_error(exc: BaseException) -> bool:
    """True for errors raised by psycopg or by SQLAlchemy around it."""
    module = type(exc).__module__
    return module.startswith(("psycopg", "sqlalchemy")) or hasattr(exc, "orig")


class DatabaseExercise(Exercise):
    """An exercise that runs in the learner's database (see the module docstring).

    A database error that escapes ``verify`` (the server went away, a lock held by the
    notebook) becomes one sentence about the database rather than "your code raised".
    """

    time_limit: ClassVar[float] = 40.0

    def database(self) -> str:
        return database_url(self._namespace)

    def evaluate(self):
        verify = self.verify

        def guarded(*values: Any) -> None:
            try:
                verify(*values)
            except Exception as exc:
                if isinstance(exc, Incorrect) or not is_database_error(exc):
                    raise
                if is_timeout(exc) or is_lock_timeout(exc):
                    raise Incorrect(explain_db_error(exc, "a statement of the check")) from None
                raise Incorrect(
                    f"The check could not work with your database: {pg_message(exc)}. Run the "
                    "setup cell at the top of the notebook again (it creates the database)."
                ) from None

        self.verify = guarded  # type: ignore[method-assign]
        try:
            return super().evaluate()
        finally:
            del self.verify


class SQLResultExercise(DatabaseExercise):
    """The learner assigns a SQL query (a string) to ``names[0]``; the check runs it and the
    reference query (the solution file assigns the same name) in one read-only transaction and
    compares the result sets: columns (names and order), row count, then values — as a
    multiset, or as a sequence when ``ordered`` (the task asks for an ORDER BY)."""

    ordered: ClassVar[bool] = False
    #: Said when the rows are right but their order is not, e.g. "highest total first".
    order_hint: ClassVar[str] = ""

    def reference_sql(self) -> str:
        return solution_namespace(type(self))[self.names[0]]

    def verify(self, sql: Any) -> None:
        require_sql(sql, self.names[0])
        reference = self.reference_sql()
        with contextlib.closing(connect(self.database())) as conn:
            conn.read_only = True
            expected_columns, expected_rows = run_select(conn, reference)
            try:
                columns, rows = run_select(conn, sql)
            except Incorrect:
                raise
            except Exception as exc:
                raise Incorrect(explain_db_error(exc, "your query")) from None
            finally:
                conn.rollback()
        self.extra_checks(sql, columns, rows)
        compare_results(
            columns,
            rows,
            expected_columns,
            expected_rows,
            ordered=self.ordered,
            order_hint=self.order_hint,
        )

    def extra_checks(self, sql: str, columns: list[str], rows: list[tuple]) -> None:
        """Subclasses may look at the query text or result before the comparison."""


def require_sql(sql: Any, name: str) -> None:
    """Incorrect unless ``sql`` is a non-empty string; Not attempted while it holds ``____``
    (starter SQL may have blanks inside the string)."""
    from trek.exercises.core import NotAttempted

    require_type(sql, str, f"`{name}`")
    if "____" in sql:
        raise NotAttempted(f"Replace every ____ in `{name}` with your SQL.")
    if not sql.strip():
        raise Incorrect(f"`{name}` is an empty string: write your SQL in it.")


def run_select(conn: Any, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one query and return (column names, rows); a statement without rows is Incorrect."""
    cur = conn.execute(sql)
    if cur.description is None:
        raise Incorrect(
            "Your SQL ran but returned no rows at all (it is not a SELECT). Write a query "
            "that returns a result."
        )
    return [d.name for d in cur.description], cur.fetchall()


@contextlib.contextmanager
def rolled_back(url: str) -> Iterator[Any]:
    """A psycopg connection inside a transaction that is always rolled back."""
    with contextlib.closing(connect(url)) as conn:
        try:
            yield conn
        finally:
            with contextlib.suppress(Exception):
                conn.rollback()


@contextlib.contextmanager
def savepoint(conn: Any) -> Iterator[None]:
    """Run a block in a savepoint that is rolled back whatever happens, so one failed
    statement does not abort the check's transaction."""
    conn.execute("SAVEPOINT attempt")
    try:
        yield
    finally:
        conn.execute("ROLLBACK TO SAVEPOINT attempt")


def execute_learner_ddl(conn: Any, sql: str, what: str) -> None:
    """Run the learner's DDL in the check's transaction, turning errors into one line."""
    conn.execute("SAVEPOINT learner_ddl")
    try:
        conn.execute(sql)
    except Exception as exc:
        conn.execute("ROLLBACK TO SAVEPOINT learner_ddl")
        raise Incorrect(explain_db_error(exc, what)) from None


def references_placeholder(func: Any) -> bool:
    """True if a learner's function still mentions ``____`` anywhere in its body (including
    nested functions and lambdas): such a function is not attempted yet, whatever it returns."""
    code = getattr(func, "__code__", None)
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        if "____" in current.co_names or "____" in current.co_freevars:
            return True
        stack.extend(c for c in current.co_consts if hasattr(c, "co_names"))
    return False


def require_function(func: Any, name: str) -> None:
    """Incorrect unless ``func`` is callable; Not attempted while it still holds ``____``."""
    from trek.exercises.core import NotAttempted

    if not callable(func):
        raise Incorrect(f"`{name}` should be a function, but it is a {type(func).__name__}.")
    if references_placeholder(func):
        raise NotAttempted(f"`{name}` still has a ____ in it: fill in its body.")
