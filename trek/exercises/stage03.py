"""Stage 03 · Databases & SQL — the checked exercises.

In the notebook::

    from trek import services
    from trek.datasets.shop import load_shop
    from trek.exercises import stage03
    DB = services.create_database("stage03")   # this kernel's own database
    load_shop(DB)
    stage03.bind(globals())

Every check runs in the database named by the notebook variable ``DB`` (read when the check
runs) and leaves its data as it was: see :mod:`trek.exercises.sqlcheck` for how, and for the
kinds of check (result set, index plan, constraint attack, concurrency, statement count,
migration) these classes build on.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import uuid
from decimal import Decimal
from typing import Any, ClassVar

from trek.exercises import core
from trek.exercises.core import Incorrect, NotAttempted, describe_exception
from trek.exercises.sqlcheck import (
    DatabaseExercise,
    SQLResultExercise,
    compare_results,
    connect,
    execute_learner_ddl,
    explain_db_error,
    pg_message,
    require_function,
    require_sql,
    rolled_back,
    savepoint,
    show_value,
    use_database,
)

STAGE = 3


class Stage03Exercise(DatabaseExercise):
    stage: ClassVar[int] = STAGE


class Stage03Query(SQLResultExercise):
    stage: ClassVar[int] = STAGE


# --------------------------------------------------------------------------------------------
# q1 · a table whose constraints refuse bad rows
# --------------------------------------------------------------------------------------------
_GOOD_COUPONS = (
    ("WELCOME10", 10, "2026-01-01", "2026-12-31", 1000, None),
    ("FULLPRICE", 100, "2026-01-01", "2026-01-02", None, None),  # unlimited uses
    ("VIP1", 1, "2026-03-01 09:00", "2026-03-01 09:01", 1, 1),  # tied to customer 1
)
# (what is wrong, the column values) — each must be refused by the table itself
_BAD_COUPONS = (
    (
        "a second coupon with the code WELCOME10",
        ("WELCOME10", 5, "2026-01-01", "2026-02-01", 10, None),
    ),
    ("a coupon without a code (code NULL)", (None, 5, "2026-01-01", "2026-02-01", 10, None)),
    ("percent_off = 0", ("ZERO", 0, "2026-01-01", "2026-02-01", 10, None)),
    ("percent_off = 101", ("TOOMUCH", 101, "2026-01-01", "2026-02-01", 10, None)),
    ("percent_off NULL", ("NOPERCENT", None, "2026-01-01", "2026-02-01", 10, None)),
    ("valid_from NULL", ("NOSTART", 5, None, "2026-02-01", 10, None)),
    ("valid_until NULL", ("NOEND", 5, "2026-01-01", None, 10, None)),
    ("valid_until before valid_from", ("BACKWARDS", 5, "2026-02-01", "2026-01-01", 10, None)),
    ("valid_until equal to valid_from", ("INSTANT", 5, "2026-02-01", "2026-02-01", 10, None)),
    ("max_uses = 0", ("NOUSE", 5, "2026-01-01", "2026-02-01", 0, None)),
    ("max_uses = -3", ("NEGATIVE", 5, "2026-01-01", "2026-02-01", -3, None)),
    (
        "customer_id of a customer that does not exist",
        ("GHOST", 5, "2026-01-01", "2026-02-01", 10, 987654321),
    ),
)
_COUPON_COLUMNS = ("code", "percent_off", "valid_from", "valid_until", "max_uses", "customer_id")
_INTEGER_TYPES = {"smallint", "integer", "bigint"}


class Coupons(Stage03Exercise):
    label = "sql-ex-coupons"
    title = "A coupons table that refuses bad rows"
    names = ("coupons_ddl",)
    solution_file = "sql/coupons_ddl.py"
    hints = (
        "Each rule of the statement maps to one constraint: PRIMARY KEY, NOT NULL, CHECK, "
        "REFERENCES. A CHECK may compare two columns of the same row.",
        "NULL passes a CHECK (a CHECK fails only when it is false, and NULL > 0 is unknown): "
        "that is why max_uses can be `CHECK (max_uses > 0)` and still allow NULL, and why the "
        "other columns need NOT NULL as well.",
        "percent_off integer NOT NULL CHECK (percent_off BETWEEN 1 AND 100); a table-level "
        "CHECK (valid_until > valid_from); customer_id bigint REFERENCES customers (id).",
    )

    def verify(self, ddl: Any) -> None:
        require_sql(ddl, "coupons_ddl")
        if "coupons" not in ddl.lower():
            raise Incorrect("`coupons_ddl` should create a table named coupons.")
        with rolled_back(self.database()) as conn:
            conn.execute("DROP TABLE IF EXISTS coupons CASCADE")  # yours, if you made one
            execute_learner_ddl(conn, ddl, "your CREATE TABLE")
            self._check_columns(conn)
            insert = f"INSERT INTO coupons ({', '.join(_COUPON_COLUMNS)}) VALUES (%s, %s, %s, %s, %s, %s)"
            for row in _GOOD_COUPONS:
                try:
                    conn.execute(insert, row)
                except Exception as exc:
                    raise Incorrect(
                        f"Your table refused a valid coupon "
                        f"({', '.join(f'{c}={show_value(v)}' for c, v in zip(_COUPON_COLUMNS, row, strict=True))}): "
                        f"{pg_message(exc)}. Is a constraint stricter than the rules?"
                    ) from None
            import psycopg

            for what, row in _BAD_COUPONS:
                with savepoint(conn):
                    try:
                        conn.execute(insert, row)
                    except psycopg.errors.IntegrityError:
                        continue
                    except psycopg.Error as exc:
                        raise Incorrect(
                            f"Inserting {what} failed, but not because of a constraint: "
                            f"{pg_message(exc)}."
                        ) from None
                    raise Incorrect(
                        f"Your table accepted {what}. Add a constraint so that PostgreSQL "
                        "refuses such a row itself."
                    )

    @staticmethod
    def _check_columns(conn: Any) -> None:
        rows = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'coupons' AND table_schema = current_schema()"
        ).fetchall()
        if not rows:
            raise Incorrect("Your SQL ran, but there is no table named coupons afterwards.")
        types = dict(rows)
        missing = [c for c in _COUPON_COLUMNS if c not in types]
        if missing:
            raise Incorrect(
                f"Your coupons table has no column {', '.join(missing)} (it has "
                f"{', '.join(types)})."
            )
        for column in ("percent_off", "max_uses"):
            if types[column] not in _INTEGER_TYPES:
                raise Incorrect(f"{column} should be an integer column, not {types[column]}.")
        for column in ("valid_from", "valid_until"):
            if types[column] != "timestamp with time zone":
                raise Incorrect(
                    f"{column} should be a timestamptz (timestamp with time zone), not "
                    f"{types[column]}: a moment in time, whatever the reader's time zone."
                )


# --------------------------------------------------------------------------------------------
# q2–q5 · queries checked by their result sets
# --------------------------------------------------------------------------------------------
class OrderCounts(Stage03Query):
    label = "sql-ex-order-counts"
    title = "Orders per customer, zeros included"
    names = ("order_counts_sql",)
    solution_file = "sql/order_counts.py"
    hints = (
        "An inner JOIN keeps only customers that have a matching order. Which join keeps every "
        "row of the left table?",
        "With a LEFT JOIN, a customer without orders still gets one row, with NULLs in the "
        "order columns. count(*) counts that row; count(some_column) skips NULLs.",
        "FROM customers AS c LEFT JOIN orders AS o ON o.customer_id = c.id GROUP BY c.id, "
        "and count(o.id).",
    )


class UnsoldProducts(Stage03Query):
    label = "sql-ex-unsold-products"
    title = "Products nobody has ordered (an anti-join)"
    names = ("unsold_products_sql",)
    solution_file = "sql/unsold_products.py"
    ordered = True
    order_hint = "by id"
    hints = (
        "You want the products for which no row exists in order_items: an anti-join.",
        "Two common spellings: WHERE NOT EXISTS (SELECT 1 FROM order_items AS oi WHERE "
        "oi.product_id = p.id), or a LEFT JOIN followed by WHERE oi.product_id IS NULL.",
        "Don't forget ORDER BY p.id.",
    )


class BigSpenders(Stage03Query):
    label = "sql-ex-big-spenders"
    title = "Customers who spent more than 5,000 (HAVING)"
    names = ("big_spenders_sql",)
    solution_file = "sql/big_spenders.py"
    ordered = True
    order_hint = "highest total_spent first, ties by customer_id"
    hints = (
        "Join customers, orders and order_items; the money of a line is quantity * unit_price.",
        "WHERE filters rows before grouping (leave out cancelled orders there); HAVING filters "
        "groups after it (keep totals above 5000 there).",
        "GROUP BY c.id, c.name HAVING sum(oi.quantity * oi.unit_price) > 5000 ORDER BY "
        "total_spent DESC, customer_id.",
    )


class MonthlyRevenue(Stage03Query):
    label = "sql-ex-monthly-revenue"
    title = "Monthly revenue and a running total (CTE + window)"
    names = ("monthly_revenue_sql",)
    solution_file = "sql/monthly_revenue.py"
    ordered = True
    order_hint = "by month"
    hints = (
        "First compute one row per month (a CTE: WITH monthly AS (…)), then add the running "
        "total over those rows.",
        "date_trunc('month', ordered_at)::date gives the first day of the month. Keep 2025 "
        "with ordered_at >= '2025-01-01' AND ordered_at < '2026-01-01'.",
        "A running total is sum(revenue) OVER (ORDER BY month): the window grows one month at "
        "a time. Without ORDER BY in OVER (), every row gets the grand total.",
    )


# --------------------------------------------------------------------------------------------
# q6 · an index the plan must use
# --------------------------------------------------------------------------------------------
ORDERS_PAGE_SQL = (
    "SELECT id, ordered_at, status FROM orders WHERE customer_id = %s "
    "ORDER BY ordered_at DESC LIMIT 10"
)


def _summarise_plan(nodes: list[dict[str, Any]]) -> str:
    parts = []
    for node in nodes:
        text = node["Node Type"]
        if node.get("Index Name"):
            text += f" using {node['Index Name']}"
        elif node.get("Relation Name"):
            text += f" on {node['Relation Name']}"
        parts.append(text)
    return " → ".join(parts)


def _index_columns(conn: Any, index: str) -> list[str]:
    rows = conn.execute(
        "SELECT coalesce(a.attname, '(expression)') FROM pg_index AS i "
        "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position) "
        "LEFT JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
        "WHERE i.indexrelid = %s::regclass AND k.position <= i.indnkeyatts ORDER BY k.position",
        (index,),
    ).fetchall()
    return [r[0] for r in rows]


def _orders_indexes(conn: Any) -> set[str]:
    rows = conn.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'orders' "
        "AND schemaname = current_schema()"
    ).fetchall()
    return {r[0] for r in rows}


class OrdersIndex(Stage03Exercise):
    label = "sql-ex-orders-index"
    title = "An index for a customer's latest orders"
    names = ("index_sql",)
    solution_file = "sql/orders_index.py"
    hints = (
        "The query filters with customer_id = … and then sorts by ordered_at. A B-tree index "
        "can do both if its entries are already in that order.",
        "In a composite index the column you compare with = comes first; the column you sort "
        "by comes next. Then a customer's entries sit side by side, already sorted by date.",
        "CREATE INDEX orders_customer_ordered_idx ON orders (customer_id, ordered_at).",
    )

    def verify(self, index_sql: Any) -> None:
        from trek.sql import plan_nodes

        require_sql(index_sql, "index_sql")
        text = " ".join(index_sql.lower().split())
        if "index" not in text or "create" not in text:
            raise Incorrect("`index_sql` should be a CREATE INDEX statement.")
        if "concurrently" in text:
            raise Incorrect(
                "Leave out CONCURRENTLY here: the check builds your index inside a transaction "
                "(to roll it back afterwards), where CONCURRENTLY is not allowed. On a busy "
                "production table you would keep it."
            )
        with rolled_back(self.database()) as conn:
            customers = self._customers(conn)
            before = _orders_indexes(conn)
            expected = {c: conn.execute(ORDERS_PAGE_SQL, (c,)).fetchall() for c in customers}
            execute_learner_ddl(conn, index_sql, "your CREATE INDEX")
            new = _orders_indexes(conn) - before
            if not new:
                raise Incorrect(
                    "Your statement ran but there is no new index on orders. (If you already "
                    "created it in the notebook, DROP INDEX it first so the check can see the "
                    "difference it makes.)"
                )
            columns = {name: _index_columns(conn, name) for name in new}
            leading_ok = any(cols[:1] == ["customer_id"] for cols in columns.values())
            described = "; ".join(f"{n} on ({', '.join(c)})" for n, c in columns.items())
            for customer in customers:
                nodes = plan_nodes(conn, ORDERS_PAGE_SQL, (customer,))
                used = [n for n in nodes if n.get("Index Name") in new]
                if not used:
                    if not leading_ok:
                        raise Incorrect(self._leading_message(described))
                    raise Incorrect(
                        f"PostgreSQL does not use your index ({described}) for this query; "
                        f"its plan is {_summarise_plan(nodes)}."
                    )
                if any(n["Node Type"] in ("Sort", "Incremental Sort") for n in nodes):
                    raise Incorrect(
                        f"PostgreSQL uses your index ({described}) to find the customer's "
                        f"orders but still sorts them afterwards (plan: {_summarise_plan(nodes)}). "
                        "Add the ORDER BY column to the index, after the column you filter on, "
                        "so the entries come out already sorted."
                    )
                if not leading_ok:
                    raise Incorrect(self._leading_message(described))
                rows = conn.execute(ORDERS_PAGE_SQL, (customer,)).fetchall()
                if rows != expected[customer]:
                    raise Incorrect(
                        "With your index the query returns different rows: an index must never "
                        "change a result. Is it a partial index (WHERE …) or an expression index?"
                    )

    @staticmethod
    def _leading_message(described: str) -> str:
        return (
            f"Your index ({described}) does not start with customer_id. A B-tree is sorted by "
            "its first column first: to find one customer's orders PostgreSQL would have to "
            "walk the whole index. Put the column the query compares with = first."
        )

    @staticmethod
    def _customers(conn: Any) -> list[int]:
        """The busiest customer and a typical one (three orders): plans differ by selectivity."""
        busiest = conn.execute(
            "SELECT customer_id FROM orders GROUP BY customer_id ORDER BY count(*) DESC, "
            "customer_id LIMIT 1"
        ).fetchone()
        typical = conn.execute(
            "SELECT customer_id FROM orders GROUP BY customer_id HAVING count(*) = 3 "
            "ORDER BY customer_id LIMIT 1"
        ).fetchone()
        return [row[0] for row in (busiest, typical) if row]


# --------------------------------------------------------------------------------------------
# q7 · a read-modify-write that loses no update under concurrency
# --------------------------------------------------------------------------------------------
WALLETS_DDL = """
CREATE TABLE wallets (
    id       integer PRIMARY KEY,
    balance  numeric(10, 2) NOT NULL,
    version  integer NOT NULL DEFAULT 0
)"""
_THREADS = 8
_CALLS_PER_THREAD = 5
_AMOUNT = Decimal("5.00")
_START_BALANCE = Decimal("100.00")


class Withdraw(Stage03Exercise):
    label = "sql-ex-withdraw"
    title = "Withdraw without losing updates"
    names = ("withdraw",)
    solution_file = "sql/withdraw.py"
    hints = (
        "Between your SELECT and your UPDATE another connection can change the balance. Either "
        "make the read and the write one statement, or lock the row while you decide.",
        "SELECT … FOR UPDATE locks the row until the transaction ends, so wrap read and write "
        "in `with conn.transaction():` (in autocommit mode each statement is its own "
        "transaction and the lock would be released at once).",
        "Or in one statement: UPDATE wallets SET balance = balance - %s WHERE id = %s AND "
        "balance >= %s, and return cur.rowcount == 1.",
    )

    def verify(self, withdraw: Any) -> None:
        require_function(withdraw, "withdraw")
        url = self.database()
        schema = f"trek_check_{uuid.uuid4().hex[:10]}"
        with contextlib.closing(connect(url, autocommit=True)) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
            try:
                admin.execute(f"SET search_path = {schema}")
                admin.execute(WALLETS_DDL)
                admin.execute("INSERT INTO wallets (id, balance) VALUES (1, %s)", (_START_BALANCE,))
                self._one_at_a_time(url, schema, withdraw, admin)
                admin.execute("UPDATE wallets SET balance = %s, version = 0", (_START_BALANCE,))
                self._concurrently(url, schema, withdraw, admin)
            finally:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")

    @staticmethod
    def _connect(url: str, schema: str):
        conn = connect(url, autocommit=True)
        conn.execute(f"SET search_path = {schema}, public")
        return conn

    @staticmethod
    def _balance(admin: Any) -> Decimal:
        return admin.execute("SELECT balance FROM wallets WHERE id = 1").fetchone()[0]

    def _call(self, withdraw: Any, conn: Any, amount: Decimal) -> bool:
        result = core.call_learner(withdraw, conn, 1, amount, name="withdraw")
        if not isinstance(result, bool):
            raise Incorrect(
                f"withdraw should return True or False, but it returned {result!r} "
                f"({type(result).__name__})."
            )
        if conn.info.transaction_status != 0:  # psycopg.pq.TransactionStatus.IDLE
            raise Incorrect(
                "withdraw left a transaction open on the connection it was given. Use `with "
                "conn.transaction():` so the transaction is committed (or rolled back) when "
                "the block ends."
            )
        return result

    def _one_at_a_time(self, url: str, schema: str, withdraw: Any, admin: Any) -> None:
        with contextlib.closing(self._connect(url, schema)) as conn:
            if self._call(withdraw, conn, Decimal("30.00")) is not True:
                raise Incorrect(
                    "withdraw(conn, 1, Decimal('30.00')) from a balance of 100.00 returned False; "
                    "it should succeed."
                )
            balance = self._balance(admin)
            if balance != Decimal("70.00"):
                raise Incorrect(
                    f"After withdrawing 30.00 from 100.00 the balance is {balance}, not 70.00 "
                    "(is the change committed?)."
                )
            if self._call(withdraw, conn, Decimal("80.00")) is not False:
                raise Incorrect(
                    "withdraw(conn, 1, Decimal('80.00')) with 70.00 in the wallet returned True; "
                    "it should refuse (return False) when the balance is too small."
                )
            if self._balance(admin) != Decimal("70.00"):
                raise Incorrect("A refused withdrawal changed the balance; it must not.")

    def _concurrently(self, url: str, schema: str, withdraw: Any, admin: Any) -> None:
        connections = [self._connect(url, schema) for _ in range(_THREADS)]
        barrier = threading.Barrier(_THREADS)
        results: list[bool] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def worker(conn: Any) -> None:
            try:
                barrier.wait(timeout=10)
                for _ in range(_CALLS_PER_THREAD):
                    outcome = self._call(withdraw, conn, _AMOUNT)
                    with lock:
                        results.append(outcome)
            except BaseException as exc:  # reported below, in the main thread
                with lock:
                    errors.append(exc)

        threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in connections]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            if any(t.is_alive() for t in threads):
                raise Incorrect(
                    "Some concurrent calls of withdraw were still running after 30 s. Is a "
                    "transaction waiting for a lock that is never released?"
                )
        finally:
            for conn in connections:
                with contextlib.suppress(Exception):
                    conn.close()
        if errors:
            error = errors[0]
            if isinstance(error, (Incorrect, NotAttempted)):
                raise error
            raise Incorrect(
                f"With {_THREADS} connections calling withdraw at once, it raised "
                f"{describe_exception(error)}. Concurrent callers must not make it fail."
            )
        successes = sum(results)
        calls = _THREADS * _CALLS_PER_THREAD
        balance = self._balance(admin)
        spent = _AMOUNT * successes
        setting = (
            f"{_THREADS} connections called withdraw(conn, 1, Decimal('{_AMOUNT}')) {calls} times "
            f"at once, starting from a balance of {_START_BALANCE}: {successes} calls returned True"
        )
        if balance < 0:
            raise Incorrect(
                f"{setting} and the balance ended at {balance}, below zero. Two calls both saw "
                "enough money and both took it: the check and the update must be atomic."
            )
        if balance != _START_BALANCE - spent:
            lost = (spent - (_START_BALANCE - balance)) / _AMOUNT
            raise Incorrect(
                f"{setting}, which should have taken {spent} out of the wallet, but the balance "
                f"only went down to {balance}: {show_value(lost)} of those updates were lost "
                "(a read-modify-write race). Lock the row while you read and write it, or do "
                "it in one UPDATE."
            )
        possible = int(_START_BALANCE // _AMOUNT)
        if successes != possible:
            raise Incorrect(
                f"{setting}, but {possible} could have succeeded: some calls gave up although "
                "there was money left. If you detect conflicts (e.g. with a version column), "
                "retry instead of returning False."
            )


# --------------------------------------------------------------------------------------------
# q8 · parameterised queries
# --------------------------------------------------------------------------------------------
_INJECTION = "nobody@example.invalid' OR '1'='1"
_APOSTROPHE_EMAIL = "siobhan.o'hara@example.com"


def _recording_cursor(log: list[str]):
    import psycopg

    class RecordingCursor(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            if isinstance(query, (str, bytes)):
                log.append(query.decode() if isinstance(query, bytes) else query)
            return super().execute(query, params, **kwargs)

    return RecordingCursor


class FindCustomer(Stage03Exercise):
    label = "sql-ex-find-customer"
    title = "Look a customer up by email, safely"
    names = ("find_customer",)
    solution_file = "sql/find_customer.py"
    hints = (
        "Never build the SQL text from the value. Write a placeholder in the SQL and pass the "
        "value separately: the driver sends them apart, so the value can never become SQL.",
        "psycopg's placeholder is %s (for every type), and the values go in a tuple: "
        "conn.execute(sql, (email,)).",
        "return conn.execute('SELECT id, name FROM customers WHERE email = %s', "
        "(email,)).fetchone()",
    )

    def verify(self, find_customer: Any) -> None:
        require_function(find_customer, "find_customer")
        with rolled_back(self.database()) as conn:
            log: list[str] = []
            conn.cursor_factory = _recording_cursor(log)
            existing = conn.execute(
                "SELECT id, email, name FROM customers ORDER BY id LIMIT 1"
            ).fetchone()
            new = conn.execute(
                "INSERT INTO customers (email, name, country, created_at) "
                "VALUES (%s, %s, 'IE', now()) RETURNING id, name",
                (_APOSTROPHE_EMAIL, "Siobhan O'Hara"),
            ).fetchone()
            log.clear()

            found = self._lookup(conn, find_customer, existing[1])
            if found != (existing[0], existing[2]):
                raise Incorrect(
                    f"find_customer(conn, {existing[1]!r}) returned {found!r}; expected that "
                    "customer's (id, name)."
                )
            missing = self._lookup(conn, find_customer, "nobody@example.invalid")
            if missing is not None:
                raise Incorrect(
                    f"For an email no customer has, find_customer returned {missing!r} instead "
                    "of None."
                )
            injected = self._lookup(conn, find_customer, _INJECTION)
            if injected is not None:
                raise Incorrect(
                    f"find_customer(conn, {_INJECTION!r}) returned a customer, {injected!r}, "
                    "although no customer has that email: the quote in the value ended your "
                    "string literal and the rest ran as SQL. That is SQL injection; pass the "
                    "email as a query parameter instead of formatting it into the text."
                )
            found = self._lookup(conn, find_customer, _APOSTROPHE_EMAIL)
            if found != tuple(new):
                raise Incorrect(
                    f"find_customer(conn, {_APOSTROPHE_EMAIL!r}) returned {found!r}, not that "
                    "customer's (id, name)."
                )
            pasted = [q for q in log if existing[1] in q or "o''hara" in q or "o'hara" in q]
            if pasted:
                raise Incorrect(
                    "Your function works on these emails, but it writes the email into the SQL "
                    "text itself (escaping quotes by hand is one mistake away from an "
                    "injection). Pass it as a parameter: conn.execute(sql, (email,))."
                )

    @staticmethod
    def _lookup(conn: Any, find_customer: Any, email: str) -> Any:
        import psycopg

        conn.execute("SAVEPOINT lookup")
        try:
            result = core.call_learner(find_customer, conn, email, name="find_customer")
        except psycopg.Error as exc:
            conn.execute("ROLLBACK TO SAVEPOINT lookup")
            message = f"find_customer(conn, {email!r}) failed: {pg_message(exc)}."
            if "'" in email:
                message += (
                    " The quote inside the email broke the SQL text, which is what formatting "
                    "values into SQL does. Pass the email as a query parameter."
                )
            raise Incorrect(message) from None
        conn.execute("RELEASE SAVEPOINT lookup")
        if result is None:
            return None
        if isinstance(result, (list, tuple)) and len(result) == 2:
            return tuple(result)
        if isinstance(result, list):
            raise Incorrect(
                "find_customer returned a list (all rows, from fetchall?). Return one row: a "
                "tuple (id, name), or None when there is no such customer."
            )
        raise Incorrect(
            f"find_customer should return a tuple (id, name) or None, but it returned {result!r}."
        )


# --------------------------------------------------------------------------------------------
# q9 · the N+1 problem, measured
# --------------------------------------------------------------------------------------------
_SUMMARY_SQL = """
SELECT o.id, c.name, count(*) AS lines, sum(oi.quantity * oi.unit_price) AS total
FROM (SELECT * FROM orders ORDER BY ordered_at DESC, id DESC LIMIT %s) AS o
JOIN customers AS c ON c.id = o.customer_id
JOIN order_items AS oi ON oi.order_id = o.id
GROUP BY o.id, o.ordered_at, c.name
ORDER BY o.ordered_at DESC, o.id DESC
"""
MAX_STATEMENTS = 3


class NPlusOne(Stage03Exercise):
    label = "sql-ex-n-plus-one"
    title = "Remove an N+1"
    names = ("order_summaries",)
    solution_file = "sql/order_summaries.py"
    hints = (
        "Run the slow version inside `with sql.count_statements(engine) as log:` and print "
        "log: one statement for the orders, then one per order for its items and one per "
        "customer.",
        "Tell the ORM up front which relationships you will touch: "
        ".options(selectinload(Order.items), joinedload(Order.customer)) on the select.",
        "selectinload runs one extra SELECT … WHERE order_id IN (…) for all the orders' items; "
        "joinedload adds a JOIN to the first query. Both make the count independent of N.",
    )

    def verify(self, order_summaries: Any) -> None:
        from sqlalchemy import text
        from sqlalchemy.orm import Session

        from trek import sql

        require_function(order_summaries, "order_summaries")
        engine = sql.engine(self.database())
        try:
            with engine.connect() as conn:  # the first connect runs setup queries: not counted
                expected = {
                    n: conn.execute(text(_SUMMARY_SQL.replace("%s", ":n")), {"n": n}).all()
                    for n in (200, 40)
                }
            for n in (200, 40):
                with sql.count_statements(engine) as log, Session(engine) as session:
                    try:
                        result = core.call_learner(
                            order_summaries, session, n, name="order_summaries"
                        )
                    except Exception as exc:
                        if hasattr(exc, "orig") or type(exc).__module__.startswith("psycopg"):
                            raise Incorrect(explain_db_error(exc, "a query of yours")) from None
                        raise
                    finally:
                        session.rollback()
                rows = self._rows(result, n)
                compare_results(
                    ["order_id", "customer_name", "lines", "total"],
                    rows,
                    ["order_id", "customer_name", "lines", "total"],
                    expected[n],
                    ordered=True,
                    order_hint="most recent order first, like the slow version",
                    subject=f"order_summaries(session, {n})",
                )
                if log.count > MAX_STATEMENTS:
                    raise Incorrect(
                        f"order_summaries(session, {n}) returns the right summaries but sent "
                        f"{log.count} SQL statements for {n} orders: one for the orders, then "
                        "more for each order or customer it touched (the N+1 problem). Load the "
                        f"relationships up front: at most {MAX_STATEMENTS} statements, whatever "
                        "the number of orders."
                    )
        finally:
            engine.dispose()

    @staticmethod
    def _rows(result: Any, n: int) -> list[tuple]:
        if not isinstance(result, list):
            raise Incorrect(
                f"order_summaries should return a list of tuples, but it returned a "
                f"{type(result).__name__}."
            )
        rows = []
        for item in result:
            if not isinstance(item, (tuple, list)) or len(item) != 4:
                raise Incorrect(
                    "Each summary should be a tuple (order_id, customer_name, lines, total), "
                    f"but one is {item!r}."
                )
            rows.append(tuple(item))
        return rows


# --------------------------------------------------------------------------------------------
# q10 · an Alembic migration, upgraded and downgraded for real
# --------------------------------------------------------------------------------------------
_learner_migration: dict[str, Any] = {}

_BRIDGE = """
from trek.exercises import stage03 as _exercise


def upgrade():
    _exercise._run_learner_step("upgrade")


def downgrade():
    _exercise._run_learner_step("downgrade")
"""


def _run_learner_step(step: str) -> None:
    """Called by the check's throwaway migration file: runs the learner's function."""
    result = _learner_migration[step]()
    if core.contains_placeholder(result):
        raise NotAttempted(f"{step}() still returns ____.")


class Migration(Stage03Exercise):
    label = "sql-ex-migration"
    title = "A reversible migration with Alembic"
    names = ("upgrade", "downgrade")
    solution_file = "sql/migration.py"
    hints = (
        "Adding a NOT NULL column to a table that already has rows needs a value for those "
        "rows: a server_default, which PostgreSQL writes into every existing row.",
        "op.add_column('customers', sa.Column('loyalty_points', sa.Integer(), nullable=False, "
        "server_default='0')), then op.create_check_constraint(name, 'customers', "
        "'loyalty_points >= 0').",
        "downgrade() undoes upgrade() in reverse order: op.drop_constraint(name, 'customers', "
        "type_='check'), then op.drop_column('customers', 'loyalty_points').",
    )

    def verify(self, upgrade: Any, downgrade: Any) -> None:
        from alembic import command
        from sqlalchemy import exc as sa_exc

        from trek import sql

        require_function(upgrade, "upgrade")
        require_function(downgrade, "downgrade")
        _learner_migration.update(upgrade=upgrade, downgrade=downgrade)
        migrations = sql.migrations(self.database())
        migrations.add("trek_check_0001", None, _BRIDGE, "the learner's migration")
        engine = sql.engine(
            self.database(),
            connect_args={"options": "-c statement_timeout=5000 -c lock_timeout=4000"},
        )
        try:
            with engine.connect() as conn:
                transaction = conn.begin()
                migrations.config.attributes["connection"] = conn
                # a version table of its own: the notebook's Alembic demo may have left one
                migrations.config.attributes["version_table"] = "trek_check_alembic_version"
                try:
                    self._step(command.upgrade, migrations.config, "head", "upgrade")
                    self._after_upgrade(conn, sa_exc)
                    self._step(command.downgrade, migrations.config, "base", "downgrade")
                    if self._column(conn) is not None:
                        raise Incorrect(
                            "After downgrade() the customers table still has loyalty_points: "
                            "downgrade must undo what upgrade did."
                        )
                    self._step(command.upgrade, migrations.config, "head", "upgrade (again)")
                finally:
                    transaction.rollback()
        finally:
            engine.dispose()
            shutil.rmtree(migrations.directory, ignore_errors=True)
            _learner_migration.clear()

    @staticmethod
    def _step(run: Any, config: Any, target: str, what: str) -> None:
        try:
            run(config, target)
        except (Incorrect, NotAttempted):
            raise
        except Exception as exc:
            if hasattr(exc, "orig") or type(exc).__module__.startswith("psycopg"):
                raise Incorrect(
                    f"Running {what}() failed. {explain_db_error(exc, 'a statement of it')}"
                ) from None
            raise Incorrect(f"Running {what}() raised {describe_exception(exc)}.") from None

    @staticmethod
    def _column(conn: Any) -> Any:
        return conn.exec_driver_sql(
            "SELECT data_type, is_nullable, column_default FROM information_schema.columns "
            "WHERE table_name = 'customers' AND column_name = 'loyalty_points' "
            "AND table_schema = current_schema()"
        ).first()

    def _after_upgrade(self, conn: Any, sa_exc: Any) -> None:
        column = self._column(conn)
        if column is None:
            raise Incorrect("After upgrade() the customers table has no loyalty_points column.")
        data_type, nullable, default = column
        if data_type not in ("integer", "bigint", "smallint"):
            raise Incorrect(f"loyalty_points should be an integer column, not {data_type}.")
        if nullable != "NO":
            raise Incorrect("loyalty_points allows NULL; make it NOT NULL (nullable=False).")
        if default is None or not str(default).split("::")[0].strip("'( )") == "0":
            raise Incorrect(
                f"loyalty_points should default to 0 in the database (server_default), "
                f"but its default is {default!r}."
            )
        nonzero = conn.exec_driver_sql(
            "SELECT count(*) FROM customers WHERE loyalty_points <> 0"
        ).scalar()
        if nonzero:
            raise Incorrect(
                f"After upgrade() {nonzero} existing customers have points other than 0."
            )
        nested = conn.begin_nested()
        try:
            conn.exec_driver_sql(
                "UPDATE customers SET loyalty_points = -1 WHERE id = (SELECT min(id) FROM customers)"
            )
        except sa_exc.IntegrityError:
            nested.rollback()
            return
        nested.rollback()
        raise Incorrect(
            "After upgrade() a customer's loyalty_points can be set to -1: add a CHECK "
            "constraint that keeps it at 0 or more."
        )


EXERCISES: list[type[core.Exercise]] = [
    Coupons,
    OrderCounts,
    UnsoldProducts,
    BigSpenders,
    MonthlyRevenue,
    OrdersIndex,
    Withdraw,
    FindCustomer,
    NPlusOne,
    Migration,
]


def bind(namespace: dict[str, Any]) -> list[core.Exercise]:
    """Put ``q1 … q10`` and ``____`` into the notebook; checks run in its ``DB`` database."""
    if isinstance(namespace.get("DB"), str):
        use_database(namespace["DB"])
    return core.bind(EXERCISES, namespace)
