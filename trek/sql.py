"""Small helpers for Stage 03's notebook: run SQL, show results and plans, count statements.

    from trek import sql
    sql.query(DB, "SELECT id, email FROM customers ORDER BY id LIMIT 3")   # a table
    sql.explain(DB, "SELECT * FROM orders WHERE customer_id = 42")        # EXPLAIN ANALYZE
    with sql.count_statements(engine) as log: ...                          # N+1 hunting

Results display as an HTML table in Jupyter and as aligned text anywhere else (no pandas).
Every connection opened here has a ``statement_timeout``, so a runaway query is cancelled by
PostgreSQL instead of hanging the kernel.
"""

from __future__ import annotations

import atexit
import contextlib
import html
import json
import shutil
import tempfile
import textwrap
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = "15s"


# --------------------------------------------------------------------------------------------
# Connections
# --------------------------------------------------------------------------------------------
def connect(url: str, *, autocommit: bool = True, timeout: str = DEFAULT_TIMEOUT, **kwargs: Any):
    """A psycopg connection with a statement timeout and the session time zone set to UTC
    (so dates print the same on every machine)."""
    import psycopg

    options = f"-c statement_timeout={timeout} -c TimeZone=UTC"
    return psycopg.connect(url, autocommit=autocommit, options=options, **kwargs)


@contextlib.contextmanager
def _connection(target: Any) -> Iterator[Any]:
    """Use ``target`` if it is a connection already, else open (and close) one to its URL."""
    if isinstance(target, str):
        with connect(target) as conn:
            yield conn
    else:
        yield target


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy URL that uses psycopg 3 (``postgresql+psycopg://``)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine(url: str, **kwargs: Any):
    """A SQLAlchemy engine on ``url`` (psycopg 3 driver, statement timeout, UTC).

    Pooled connections are checked before use (``pool_pre_ping``, which the statement counter
    does not see), so recreating the database under a running notebook does not break it.
    """
    from sqlalchemy import create_engine

    kwargs.setdefault("pool_pre_ping", True)

    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("options", f"-c statement_timeout={DEFAULT_TIMEOUT} -c TimeZone=UTC")
    return create_engine(sqlalchemy_url(url), connect_args=connect_args, **kwargs)


# --------------------------------------------------------------------------------------------
# Result tables
# --------------------------------------------------------------------------------------------
def _format(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


@dataclass
class Table:
    """A query result: ``columns``, ``rows`` (all of them) and a compact display."""

    columns: list[str]
    rows: list[tuple]
    limit: int = 20
    note: str = ""

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def _shown(self) -> tuple[list[tuple], str]:
        shown = self.rows[: self.limit]
        footer = f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''}"
        if len(self.rows) > self.limit:
            footer += f" (first {self.limit} shown)"
        if self.note:
            footer += f" · {self.note}"
        return shown, footer

    def __str__(self) -> str:
        shown, footer = self._shown()
        cells = [[_format(v) for v in row] for row in shown]
        widths = [
            min(40, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(self.columns)
        ]

        def line(values: Sequence[str]) -> str:
            return " | ".join(
                (v if len(v) <= w else v[: w - 1] + "…").ljust(w)
                for v, w in zip(values, widths, strict=True)
            ).rstrip()

        out = [line(self.columns), "-+-".join("-" * w for w in widths)]
        out += [line(r) for r in cells]
        out.append(f"({footer})")
        return "\n".join(out)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        shown, footer = self._shown()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = []
        for row in shown:
            tds = []
            for value in row:
                align = "right" if isinstance(value, (int, float, Decimal)) else "left"
                text = html.escape(_format(value))
                if value is None:
                    text = f"<em style='color:#888'>{text}</em>"
                tds.append(f"<td style='text-align:{align}'>{text}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        return (
            "<table class='trek-sql'><thead><tr>"
            + head
            + "</tr></thead><tbody>"
            + "".join(body)
            + f"</tbody></table><div style='color:#666;font-size:85%'>{html.escape(footer)}</div>"
        )


def query(target: Any, sql: str, params: Any = None, *, limit: int = 20) -> Table:
    """Run ``sql`` (with ``params`` bound by the driver, never pasted into the text) and return
    its rows as a :class:`Table`. ``target`` is a URL or an open psycopg connection.

    A statement that returns no rows (``CREATE``, ``UPDATE`` …) gives an empty table whose
    note says how many rows it touched.
    """
    with _connection(target) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        if cur.description is None:
            return Table([], [], limit, note=f"{cur.statusmessage}")
        columns = [d.name for d in cur.description]
        return Table(columns, cur.fetchall(), limit)


# --------------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """The text of an ``EXPLAIN``; displays as preformatted text."""

    text: str
    nodes: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return f"<pre style='font-size:85%;line-height:1.3'>{html.escape(self.text)}</pre>"

    @property
    def node_types(self) -> list[str]:
        return [node["Node Type"] for node in self.nodes]

    @property
    def execution_ms(self) -> float | None:
        for line in self.text.splitlines():
            if line.startswith("Execution Time:"):
                return float(line.split()[2])
        return None


def flatten_plan(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Every node of a JSON plan (``EXPLAIN (FORMAT JSON)``), depth first."""
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(flatten_plan(child))
    return nodes


def plan_nodes(target: Any, sql: str, params: Any = None) -> list[dict[str, Any]]:
    """The nodes of the plan PostgreSQL chooses for ``sql`` (without running it)."""
    with _connection(target) as conn:
        (document,) = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
        if isinstance(document, str):
            document = json.loads(document)
        return flatten_plan(document[0]["Plan"])


def explain(
    target: Any, sql: str, params: Any = None, *, analyze: bool = True, buffers: bool = False
) -> Plan:
    """``EXPLAIN`` (by default ``EXPLAIN ANALYZE``: it really runs the query) as a :class:`Plan`.

    Costs are the planner's estimates in arbitrary units; ``actual time`` is milliseconds
    (first row .. last row) per loop. ``ANALYZE`` of a data-changing statement really changes
    data, so wrap those in a transaction you roll back.
    """
    options = ["ANALYZE"] if analyze else []
    if buffers:
        options.append("BUFFERS")
    if analyze and not buffers:
        options.append("BUFFERS FALSE")  # PostgreSQL 18 adds buffer counts to ANALYZE by default
    prefix = f"EXPLAIN ({', '.join(options)}) " if options else "EXPLAIN "
    with _connection(target) as conn:
        rows = conn.execute(prefix + sql, params).fetchall()
        text = "\n".join(r[0] for r in rows)
        nodes = plan_nodes(conn, sql, params)
    return Plan(text, nodes)


def best_time_ms(target: Any, sql: str, params: Any = None, *, repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``sql``, in milliseconds, measured from Python
    (round trip included; the best run is the least disturbed by everything else)."""
    best = float("inf")
    with _connection(target) as conn:
        for _ in range(repeat):
            start = time.perf_counter()
            conn.execute(sql, params).fetchall()
            best = min(best, time.perf_counter() - start)
    return best * 1000


# --------------------------------------------------------------------------------------------
# Counting the statements an ORM sends
# --------------------------------------------------------------------------------------------
@dataclass
class StatementLog:
    """The SQL statements sent while a :func:`count_statements` block ran."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        lines = [f"{self.count} statement{'s' if self.count != 1 else ''}"]
        for number, statement in enumerate(self.statements[:6], start=1):
            one_line = " ".join(statement.split())
            lines.append(f"  {number}. {textwrap.shorten(one_line, 110, placeholder=' …')}")
        if self.count > 6:
            lines.append(f"  … and {self.count - 6} more")
        return "\n".join(lines)

    __repr__ = __str__


@contextlib.contextmanager
def count_statements(engine: Any) -> Iterator[StatementLog]:
    """Record every statement ``engine`` sends inside the block (SQLAlchemy's
    ``before_cursor_execute`` event fires once per statement, whatever issued it)."""
    from sqlalchemy import event

    log = StatementLog()

    def record(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)


# --------------------------------------------------------------------------------------------
# Alembic without files in the project: a throwaway migration environment
# --------------------------------------------------------------------------------------------
_ENV_PY = '''\
"""Alembic environment of a throwaway migrations folder (made by trek.sql)."""
from alembic import context
from sqlalchemy import create_engine

config = context.config


def run(connection):
    context.configure(
        connection=connection,
        target_metadata=None,
        version_table=config.attributes.get("version_table", "alembic_version"),
    )
    with context.begin_transaction():
        context.run_migrations()


shared = config.attributes.get("connection")
if shared is not None:
    # The caller lends us its connection (and its transaction): we neither commit nor close.
    run(shared)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run(connection)
        connection.commit()
    engine.dispose()
'''

_SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
import sqlalchemy as sa
from alembic import op

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


@dataclass
class Migrations:
    """A migrations folder in a temporary directory and the Alembic ``Config`` pointing at it.

    ``add(revision, down_revision, source)`` writes one migration file; then use
    ``alembic.command.upgrade(m.config, "head")`` and friends as you would on a project.
    """

    directory: Path
    config: Any

    def add(self, revision: str, down_revision: str | None, body: str, message: str = "") -> Path:
        """Write ``versions/<revision>.py``: ``body`` holds ``upgrade()`` and ``downgrade()``."""
        header = (
            f'"""{message or revision}"""\n'
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            f"revision = {revision!r}\ndown_revision = {down_revision!r}\n"
            "branch_labels = None\ndepends_on = None\n\n"
        )
        path = self.directory / "versions" / f"{revision}.py"
        path.write_text(header + textwrap.dedent(body).strip() + "\n", encoding="utf-8")
        return path


def migrations(url: str, directory: str | Path | None = None) -> Migrations:
    """Create an empty Alembic migrations folder (in a fresh temporary directory unless
    ``directory`` is given) for the database at ``url``: nothing is written into the course."""
    from alembic.config import Config

    if directory:
        root = Path(directory)
    else:
        root = Path(tempfile.mkdtemp(prefix="trek-alembic-"))
        atexit.register(shutil.rmtree, root, True)  # a temporary folder: gone with the kernel
    (root / "versions").mkdir(parents=True, exist_ok=True)
    (root / "env.py").write_text(_ENV_PY, encoding="utf-8")
    (root / "script.py.mako").write_text(_SCRIPT_MAKO, encoding="utf-8")
    config = Config()
    config.set_main_option("script_location", str(root))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return Migrations(root, config)


def show_source(obj: Any):
    """Display the source code of a class or function (highlighted in Jupyter)."""
    import inspect

    source = inspect.getsource(obj)
    try:
        from IPython.display import Code

        return Code(source, language="python")
    except ImportError:  # pragma: no cover
        return source
