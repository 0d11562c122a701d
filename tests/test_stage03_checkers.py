"""Contract tests of the Stage 03 checkers: the reference passes, the placeholder is not
attempted, realistic wrong answers fail with the message meant for them, and no check leaves
anything behind in the learner's database.

They run against the embedded PostgreSQL, or the server in ``DATABASE_URL`` when it is set.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest

from trek import services
from trek.datasets.shop import load_shop
from trek.exercises import sqlcheck
from trek.exercises import stage03 as s
from trek.exercises.core import (
    PLACEHOLDER as ____,
)
from trek.exercises.core import (
    assert_check_failed,
    assert_check_passed,
    assert_check_unattempted,
    run_check,
    solution_namespace,
)

pytestmark = pytest.mark.xdist_group("stage03")


@pytest.fixture(scope="module", autouse=True)
def db():
    url = services.create_database("test_stage03")
    load_shop(url)
    sqlcheck.use_database(url)
    yield url
    sqlcheck.use_database(None)
    services.drop_database(urlsplit(url).path.lstrip("/"))


def fetch(url, sql, params=None):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def short(feedback) -> None:
    """Messages about SQL errors are one short paragraph, never a traceback."""
    assert "Traceback" not in feedback.message
    assert "\n" not in feedback.message
    assert len(feedback.message) < 400, feedback.message


def test_every_exercise_is_tested_here():
    tested = {name[len("test_") :].split("_")[0] for name in globals() if name.startswith("test_")}
    for cls in s.EXERCISES:
        assert cls.__name__.lower() in tested, f"{cls.__name__} has no contract tests here"
        assert cls.label.startswith("sql-ex-")
        assert cls.stage == 3
        assert cls.hints and cls.solution_source().strip()
    assert len(s.EXERCISES) >= 8


@pytest.mark.parametrize("exercise", s.EXERCISES, ids=lambda cls: cls.__name__)
def test_reference_solution_passes(exercise):
    assert_check_passed(exercise)


def test_checks_read_the_notebooks_db_variable(db):
    assert sqlcheck.database_url({"DB": "postgresql://elsewhere/x"}) == "postgresql://elsewhere/x"
    assert sqlcheck.database_url({}) == db
    reference = solution_namespace(s.OrderCounts)["order_counts_sql"]
    assert run_check(s.OrderCounts, order_counts_sql=reference, DB=db).status == "correct"


def test_bind_puts_questions_and_placeholder_into_the_namespace(db):
    namespace = {"DB": db}
    s.bind(namespace)
    assert namespace["____"] is ____
    assert [namespace[f"q{n}"].label for n in range(1, len(s.EXERCISES) + 1)] == [
        cls.label for cls in s.EXERCISES
    ]


# --- q1 coupons -----------------------------------------------------------------------------
COUPONS = solution_namespace(s.Coupons)["coupons_ddl"]


def test_coupons_without_date_order_check_fail():
    ddl = """
    CREATE TABLE coupons (
        code         text PRIMARY KEY,
        percent_off  integer NOT NULL CHECK (percent_off BETWEEN 1 AND 100),
        valid_from   timestamptz NOT NULL,
        valid_until  timestamptz NOT NULL,
        max_uses     integer CHECK (max_uses > 0),
        customer_id  bigint REFERENCES customers (id)
    )"""
    assert_check_failed(s.Coupons, "accepted valid_until before valid_from", coupons_ddl=ddl)


def test_coupons_with_only_a_lower_bound_on_percent_fail():
    ddl = COUPONS.replace("CHECK (percent_off BETWEEN 1 AND 100)", "CHECK (percent_off > 0)")
    assert ddl != COUPONS
    assert_check_failed(s.Coupons, "accepted percent_off = 101", coupons_ddl=ddl)


def test_coupons_without_foreign_key_fail():
    ddl = COUPONS.replace("REFERENCES customers (id)", "")
    assert_check_failed(s.Coupons, "customer that does not exist", coupons_ddl=ddl)


def test_coupons_allowing_zero_uses_fail():
    ddl = COUPONS.replace("CHECK (max_uses > 0)", "CHECK (max_uses >= 0)")
    assert_check_failed(s.Coupons, "accepted max_uses = 0", coupons_ddl=ddl)


def test_coupons_stricter_than_the_rules_fail():
    ddl = COUPONS.replace("max_uses     integer CHECK", "max_uses     integer NOT NULL CHECK")
    assert ddl != COUPONS
    assert_check_failed(s.Coupons, "refused a valid coupon", coupons_ddl=ddl)


def test_coupons_with_timestamp_without_time_zone_fail():
    ddl = COUPONS.replace("valid_from   timestamptz", "valid_from   timestamp")
    assert_check_failed(s.Coupons, "should be a timestamptz", coupons_ddl=ddl)


def test_coupons_syntax_error_is_one_line():
    feedback = assert_check_failed(
        s.Coupons,
        "PostgreSQL rejected your CREATE TABLE: syntax error",
        coupons_ddl="CREATE TABLE coupons (code text PRIMARY KEY,)",
    )
    short(feedback)


def test_coupons_check_leaves_no_table_behind(db):
    assert_check_passed(s.Coupons)
    assert fetch(db, "SELECT to_regclass('coupons')") == [(None,)]


# --- q2 order counts ------------------------------------------------------------------------
def test_ordercounts_inner_join_forgets_customers_without_orders():
    sql = """SELECT c.id AS customer_id, count(o.id) AS orders
             FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.id"""
    assert_check_failed(s.OrderCounts, "rows are missing", order_counts_sql=sql)


def test_ordercounts_count_star_counts_the_null_row():
    sql = """SELECT c.id AS customer_id, count(*) AS orders
             FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id"""
    assert_check_failed(s.OrderCounts, "different values in column orders", order_counts_sql=sql)


def test_ordercounts_wrong_column_names_fail():
    sql = """SELECT c.id, count(o.id)
             FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id"""
    assert_check_failed(s.OrderCounts, "asks for (customer_id, orders)", order_counts_sql=sql)


def test_ordercounts_syntax_error_gives_postgres_message_in_one_line():
    sql = "SELECT c.id AS customer_id, count(o.id) AS orders FORM customers c"
    feedback = assert_check_failed(
        s.OrderCounts,
        'PostgreSQL rejected your query: syntax error at or near "FORM"',
        order_counts_sql=sql,
    )
    short(feedback)


def test_ordercounts_unknown_column_gives_postgres_message():
    sql = "SELECT customer_id, count(*) AS orders FROM customers GROUP BY 1"
    feedback = assert_check_failed(
        s.OrderCounts, 'column "customer_id" does not exist', order_counts_sql=sql
    )
    short(feedback)


def test_ordercounts_not_a_string_fails():
    assert_check_failed(s.OrderCounts, "should be a str", order_counts_sql=42)


def test_ordercounts_runaway_query_is_cancelled(monkeypatch):
    monkeypatch.setattr(sqlcheck, "STATEMENT_TIMEOUT_S", 1)
    sql = """SELECT a.order_id AS customer_id, count(*) AS orders
             FROM order_items a, order_items b GROUP BY 1"""
    start = time.monotonic()
    feedback = assert_check_failed(s.OrderCounts, "statement_timeout", order_counts_sql=sql)
    assert time.monotonic() - start < 10
    short(feedback)


def test_ordercounts_cannot_change_data(db):
    feedback = assert_check_failed(
        s.OrderCounts, "read-only transaction", order_counts_sql="DELETE FROM orders"
    )
    short(feedback)
    assert fetch(db, "SELECT count(*) FROM orders") == [(20000,)]


# --- q3 unsold products ---------------------------------------------------------------------
def test_unsoldproducts_left_join_without_null_filter_fails():
    sql = """SELECT DISTINCT p.id, p.name, p.category FROM products p
             LEFT JOIN order_items oi ON oi.product_id = p.id ORDER BY p.id"""
    assert_check_failed(s.UnsoldProducts, "extra rows", unsold_products_sql=sql)


def test_unsoldproducts_inner_join_with_null_filter_finds_nothing():
    sql = """SELECT p.id, p.name, p.category FROM products p
             JOIN order_items oi ON oi.product_id = p.id
             WHERE oi.product_id IS NULL ORDER BY p.id"""
    assert_check_failed(s.UnsoldProducts, "returns 0 rows", unsold_products_sql=sql)


def test_unsoldproducts_wrong_order_fails():
    sql = solution_namespace(s.UnsoldProducts)["unsold_products_sql"].replace(
        "ORDER BY p.id", "ORDER BY p.id DESC"
    )
    assert_check_failed(s.UnsoldProducts, "not in the order", unsold_products_sql=sql)


# --- q4 big spenders ------------------------------------------------------------------------
BIG = solution_namespace(s.BigSpenders)["big_spenders_sql"]


def test_bigspenders_counting_cancelled_orders_fails():
    sql = BIG.replace("WHERE o.status <> 'cancelled'\n", "")
    assert sql != BIG
    feedback = run_check(s.BigSpenders, big_spenders_sql=sql)
    assert feedback.status == "incorrect"
    assert "rows" in feedback.message or "different values" in feedback.message


def test_bigspenders_aggregate_in_where_gives_postgres_message():
    sql = """SELECT c.id AS customer_id, c.name, sum(oi.quantity * oi.unit_price) AS total_spent
             FROM customers c JOIN orders o ON o.customer_id = c.id
             JOIN order_items oi ON oi.order_id = o.id
             WHERE o.status <> 'cancelled' AND sum(oi.quantity * oi.unit_price) > 5000
             GROUP BY c.id, c.name ORDER BY total_spent DESC, customer_id"""
    feedback = assert_check_failed(
        s.BigSpenders, "aggregate functions are not allowed in WHERE", big_spenders_sql=sql
    )
    short(feedback)


def test_bigspenders_ascending_order_fails():
    sql = BIG.replace("ORDER BY total_spent DESC", "ORDER BY total_spent")
    assert_check_failed(s.BigSpenders, "highest total_spent first", big_spenders_sql=sql)


# --- q5 monthly revenue ---------------------------------------------------------------------
MONTHLY = solution_namespace(s.MonthlyRevenue)["monthly_revenue_sql"]


def test_monthlyrevenue_window_without_order_gives_grand_total():
    sql = MONTHLY.replace("OVER (ORDER BY month)", "OVER ()")
    assert_check_failed(
        s.MonthlyRevenue, "different values in column running_total", monthly_revenue_sql=sql
    )


def test_monthlyrevenue_including_cancelled_orders_fails():
    sql = MONTHLY.replace("o.status <> 'cancelled'", "true")
    assert_check_failed(
        s.MonthlyRevenue, "different values in column revenue", monthly_revenue_sql=sql
    )


def test_monthlyrevenue_month_as_text_fails():
    sql = MONTHLY.replace(
        "date_trunc('month', o.ordered_at)::date", "to_char(o.ordered_at, 'YYYY-MM')"
    )
    assert_check_failed(s.MonthlyRevenue, "not in the expected result", monthly_revenue_sql=sql)


def test_monthlyrevenue_timestamp_month_is_accepted():
    sql = MONTHLY.replace(
        "date_trunc('month', o.ordered_at)::date", "date_trunc('month', o.ordered_at)"
    )
    assert_check_passed(s.MonthlyRevenue, monthly_revenue_sql=sql)


# --- q6 index -------------------------------------------------------------------------------
def orders_indexes(db):
    return sorted(fetch(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'orders'"))


def test_ordersindex_customer_only_still_sorts():
    assert_check_failed(
        s.OrdersIndex, "still sorts", index_sql="CREATE INDEX ON orders (customer_id)"
    )


def test_ordersindex_wrong_column_order_fails():
    assert_check_failed(
        s.OrdersIndex,
        "does not start with customer_id",
        index_sql="CREATE INDEX ON orders (ordered_at, customer_id)",
    )


def test_ordersindex_on_the_wrong_column_fails():
    assert_check_failed(
        s.OrdersIndex,
        "does not start with customer_id",
        index_sql="CREATE INDEX ON orders (status)",
    )


def test_ordersindex_on_another_table_fails():
    assert_check_failed(
        s.OrdersIndex, "no new index on orders", index_sql="CREATE INDEX ON customers (country)"
    )


def test_ordersindex_descending_and_covering_variants_pass():
    for sql in (
        "CREATE INDEX ON orders (customer_id, ordered_at DESC)",
        "create index ix on orders (customer_id, ordered_at) include (status)",
    ):
        assert_check_passed(s.OrdersIndex, index_sql=sql)


def test_ordersindex_concurrently_is_explained():
    assert_check_failed(
        s.OrdersIndex,
        "Leave out CONCURRENTLY",
        index_sql="CREATE INDEX CONCURRENTLY ON orders (customer_id, ordered_at)",
    )


def test_ordersindex_syntax_error_is_one_line():
    feedback = assert_check_failed(
        s.OrdersIndex,
        "PostgreSQL rejected your CREATE INDEX",
        index_sql="CREATE INDEX ON orders customer_id, ordered_at",
    )
    short(feedback)


def test_ordersindex_check_leaves_no_index_behind(db):
    before = orders_indexes(db)
    assert_check_passed(s.OrdersIndex)
    assert_check_failed(
        s.OrdersIndex, "still sorts", index_sql="CREATE INDEX ON orders (customer_id)"
    )
    assert orders_indexes(db) == before


# --- q7 withdraw ----------------------------------------------------------------------------
def naive_absolute(conn, wallet_id, amount):
    import time

    balance = conn.execute("SELECT balance FROM wallets WHERE id = %s", (wallet_id,)).fetchone()[0]
    if balance < amount:
        return False
    time.sleep(0.005)  # the work between the read and the write
    conn.execute("UPDATE wallets SET balance = %s WHERE id = %s", (balance - amount, wallet_id))
    return True


def naive_relative(conn, wallet_id, amount):
    import time

    balance = conn.execute("SELECT balance FROM wallets WHERE id = %s", (wallet_id,)).fetchone()[0]
    if balance < amount:
        return False
    time.sleep(0.005)
    conn.execute("UPDATE wallets SET balance = balance - %s WHERE id = %s", (amount, wallet_id))
    return True


def lock_without_transaction(conn, wallet_id, amount):
    import time

    # autocommit: the lock is released as soon as this statement ends
    row = conn.execute(
        "SELECT balance FROM wallets WHERE id = %s FOR UPDATE", (wallet_id,)
    ).fetchone()
    if row[0] < amount:
        return False
    time.sleep(0.005)
    conn.execute("UPDATE wallets SET balance = %s WHERE id = %s", (row[0] - amount, wallet_id))
    return True


def optimistic_without_retry(conn, wallet_id, amount):
    import time

    balance, version = conn.execute(
        "SELECT balance, version FROM wallets WHERE id = %s", (wallet_id,)
    ).fetchone()
    if balance < amount:
        return False
    time.sleep(0.005)
    cur = conn.execute(
        "UPDATE wallets SET balance = %s, version = version + 1 WHERE id = %s AND version = %s",
        (balance - amount, wallet_id, version),
    )
    return cur.rowcount == 1


def optimistic_with_retry(conn, wallet_id, amount):
    import time

    while True:
        balance, version = conn.execute(
            "SELECT balance, version FROM wallets WHERE id = %s", (wallet_id,)
        ).fetchone()
        if balance < amount:
            return False
        time.sleep(0.001)
        cur = conn.execute(
            "UPDATE wallets SET balance = %s, version = version + 1 WHERE id = %s AND version = %s",
            (balance - amount, wallet_id, version),
        )
        if cur.rowcount == 1:
            return True


def single_update(conn, wallet_id, amount):
    cur = conn.execute(
        "UPDATE wallets SET balance = balance - %s WHERE id = %s AND balance >= %s",
        (amount, wallet_id, amount),
    )
    return cur.rowcount == 1


def test_withdraw_naive_read_modify_write_loses_updates():
    assert_check_failed(s.Withdraw, "updates were lost", withdraw=naive_absolute)


def test_withdraw_check_then_relative_update_overdraws():
    assert_check_failed(s.Withdraw, "below zero", withdraw=naive_relative)


def test_withdraw_for_update_outside_a_transaction_loses_updates():
    assert_check_failed(s.Withdraw, "updates were lost", withdraw=lock_without_transaction)


def test_withdraw_optimistic_without_retry_gives_up():
    assert_check_failed(s.Withdraw, "retry", withdraw=optimistic_without_retry)


def test_withdraw_other_correct_ways_pass():
    assert_check_passed(s.Withdraw, withdraw=optimistic_with_retry)
    assert_check_passed(s.Withdraw, withdraw=single_update)


def test_withdraw_returning_none_fails():
    def withdraw(conn, wallet_id, amount):
        single_update(conn, wallet_id, amount)

    assert_check_failed(s.Withdraw, "should return True or False", withdraw=withdraw)


def test_withdraw_leaving_a_transaction_open_fails():
    def withdraw(conn, wallet_id, amount):
        conn.execute("BEGIN")
        return single_update(conn, wallet_id, amount)

    assert_check_failed(s.Withdraw, "left a transaction open", withdraw=withdraw)


def test_withdraw_with_a_placeholder_inside_is_not_attempted():
    def withdraw(conn, wallet_id, amount):
        conn.execute(____, (amount, wallet_id))
        return True

    assert_check_unattempted(s.Withdraw, withdraw=withdraw)


def test_withdraw_check_drops_its_scratch_schema(db):
    assert_check_passed(s.Withdraw)
    assert fetch(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'trek_check_%'") == [
        (0,)
    ]


# --- q8 find customer -----------------------------------------------------------------------
def test_findcustomer_fstring_is_injectable():
    def find_customer(conn, email):
        return conn.execute(f"SELECT id, name FROM customers WHERE email = '{email}'").fetchone()

    assert_check_failed(s.FindCustomer, "SQL injection", find_customer=find_customer)


def test_findcustomer_percent_formatting_is_injectable():
    def find_customer(conn, email):
        sql = "SELECT id, name FROM customers WHERE email = '%s'" % email  # noqa: UP031
        return conn.execute(sql).fetchone()

    assert_check_failed(s.FindCustomer, "SQL injection", find_customer=find_customer)


def test_findcustomer_hand_escaping_is_refused():
    def find_customer(conn, email):
        quoted = email.replace("'", "''")
        return conn.execute(f"SELECT id, name FROM customers WHERE email = '{quoted}'").fetchone()

    assert_check_failed(s.FindCustomer, "into the SQL text", find_customer=find_customer)


def test_findcustomer_fetchall_fails():
    def find_customer(conn, email):
        return conn.execute("SELECT id, name FROM customers WHERE email = %s", (email,)).fetchall()

    assert_check_failed(s.FindCustomer, "returned a list", find_customer=find_customer)


def test_findcustomer_wrong_columns_fail():
    def find_customer(conn, email):
        return conn.execute(
            "SELECT id, email, name FROM customers WHERE email = %s", (email,)
        ).fetchone()

    assert_check_failed(s.FindCustomer, "tuple (id, name)", find_customer=find_customer)


def test_findcustomer_sql_error_is_one_line():
    def find_customer(conn, email):
        return conn.execute("SELECT id, name FROM customer WHERE email = %s", (email,)).fetchone()

    feedback = assert_check_failed(
        s.FindCustomer, 'relation "customer" does not exist', find_customer=find_customer
    )
    short(feedback)


# --- q9 N+1 ---------------------------------------------------------------------------------
def test_nplusone_lazy_loading_is_caught_by_the_statement_count():
    def order_summaries(session, n):
        from sqlalchemy import select

        from trek.datasets.shop_models import Order

        stmt = select(Order).order_by(Order.ordered_at.desc(), Order.id.desc()).limit(n)
        return [
            (o.id, o.customer.name, len(o.items), sum(i.quantity * i.unit_price for i in o.items))
            for o in session.scalars(stmt)
        ]

    feedback = assert_check_failed(s.NPlusOne, "the N+1 problem", order_summaries=order_summaries)
    assert "SQL statements for 200 orders" in feedback.message


def test_nplusone_fixing_only_the_items_still_loads_customers_one_by_one():
    def order_summaries(session, n):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        from trek.datasets.shop_models import Order

        stmt = (
            select(Order)
            .options(selectinload(Order.items))
            .order_by(Order.ordered_at.desc(), Order.id.desc())
            .limit(n)
        )
        return [
            (o.id, o.customer.name, len(o.items), sum(i.quantity * i.unit_price for i in o.items))
            for o in session.scalars(stmt)
        ]

    assert_check_failed(s.NPlusOne, "the N+1 problem", order_summaries=order_summaries)


def test_nplusone_oldest_first_fails():
    def order_summaries(session, n):
        from sqlalchemy import select
        from sqlalchemy.orm import joinedload, selectinload

        from trek.datasets.shop_models import Order

        stmt = (
            select(Order)
            .options(joinedload(Order.customer), selectinload(Order.items))
            .order_by(Order.ordered_at.desc(), Order.id.desc())
            .limit(n)
        )
        rows = [
            (o.id, o.customer.name, len(o.items), sum(i.quantity * i.unit_price for i in o.items))
            for o in session.scalars(stmt)
        ]
        return sorted(rows)

    assert_check_failed(s.NPlusOne, "not in the order", order_summaries=order_summaries)


def test_nplusone_one_raw_sql_statement_passes():
    def order_summaries(session, n):
        from sqlalchemy import text

        return [
            tuple(row)
            for row in session.execute(
                text(
                    "SELECT o.id, c.name, count(*), sum(oi.quantity * oi.unit_price) "
                    "FROM (SELECT * FROM orders ORDER BY ordered_at DESC, id DESC LIMIT :n) o "
                    "JOIN customers c ON c.id = o.customer_id "
                    "JOIN order_items oi ON oi.order_id = o.id "
                    "GROUP BY o.id, o.ordered_at, c.name ORDER BY o.ordered_at DESC, o.id DESC"
                ),
                {"n": n},
            )
        ]

    assert_check_passed(s.NPlusOne, order_summaries=order_summaries)


def test_nplusone_generator_fails():
    def order_summaries(session, n):
        return (row for row in [])

    assert_check_failed(s.NPlusOne, "should return a list", order_summaries=order_summaries)


# --- q10 migration --------------------------------------------------------------------------
def _migration(upgrade_column_kwargs=None, check=True, downgrade_body="both"):
    import sqlalchemy as sa
    from alembic import op

    kwargs = {"nullable": False, "server_default": "0"}
    kwargs.update(upgrade_column_kwargs or {})

    def upgrade():
        op.add_column("customers", sa.Column("loyalty_points", sa.Integer(), **kwargs))
        if check:
            op.create_check_constraint("lp_check", "customers", "loyalty_points >= 0")

    def downgrade():
        if downgrade_body == "both":
            if check:
                op.drop_constraint("lp_check", "customers", type_="check")
            op.drop_column("customers", "loyalty_points")

    return {"upgrade": upgrade, "downgrade": downgrade}


def test_migration_without_server_default_fails_on_existing_rows():
    feedback = assert_check_failed(
        s.Migration,
        'column "loyalty_points" of relation "customers" contains null values',
        **_migration({"server_default": None}),
    )
    short(feedback)


def test_migration_with_empty_downgrade_fails():
    assert_check_failed(
        s.Migration, "still has loyalty_points", **_migration(downgrade_body="pass")
    )


def test_migration_without_check_constraint_fails():
    assert_check_failed(s.Migration, "can be set to -1", **_migration(check=False))


def test_migration_nullable_column_fails():
    assert_check_failed(s.Migration, "allows NULL", **_migration({"nullable": True}))


def test_migration_python_side_default_fails():
    assert_check_failed(
        s.Migration,
        "contains null values",
        **_migration({"server_default": None, "default": 0}),
    )


def test_migration_with_placeholder_is_not_attempted():
    from alembic import op

    def upgrade():
        op.add_column("customers", ____)

    def downgrade():
        return ____

    assert_check_unattempted(s.Migration, upgrade=upgrade, downgrade=downgrade)


def test_migration_check_leaves_the_table_as_it_was(db):
    assert_check_passed(s.Migration)
    assert_check_failed(s.Migration, "still has loyalty_points", **_migration(downgrade_body="x"))
    columns = fetch(
        db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'"
    )
    assert ("loyalty_points",) not in columns
    assert fetch(db, "SELECT to_regclass('trek_check_alembic_version')") == [(None,)]


def test_migration_ignores_the_notebooks_own_alembic_history(db):
    import psycopg

    with psycopg.connect(db) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('0002')")
    try:
        assert_check_passed(s.Migration)
    finally:
        with psycopg.connect(db) as conn:
            conn.execute("DROP TABLE alembic_version")


def test_sql_with_blanks_inside_the_string_is_not_attempted():
    assert_check_unattempted(s.OrderCounts, order_counts_sql="SELECT ____ FROM customers")
    assert_check_unattempted(s.Coupons, coupons_ddl="CREATE TABLE coupons (code text ____)")
    assert_check_unattempted(s.OrdersIndex, index_sql="CREATE INDEX ON orders (____)")


# --- the machinery: comparisons, placeholders, database trouble, notebook helpers -----------
def test_normalise_compares_numbers_and_dates_by_value():
    import datetime as dt
    from decimal import Decimal

    assert sqlcheck.normalise(Decimal("5.50")) == sqlcheck.normalise(5.5)
    assert sqlcheck.normalise(3) == sqlcheck.normalise(Decimal("3.000"))
    midnight = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert sqlcheck.normalise(midnight) == sqlcheck.normalise(dt.date(2025, 1, 1))
    assert sqlcheck.normalise(True) is True and sqlcheck.normalise(None) is None


def test_compare_results_explains_each_kind_of_difference():
    def message(rows, *, ordered=False, columns=("id", "n")):
        try:
            sqlcheck.compare_results(
                list(columns), rows, ["id", "n"], [(1, 10), (2, 20)], ordered=ordered
            )
        except sqlcheck.Incorrect as exc:
            return str(exc)
        return ""

    assert message([(1, 10), (2, 20)]) == ""
    assert message([(2, 20), (1, 10)]) == ""
    assert "not in the order" in message([(2, 20), (1, 10)], ordered=True)
    assert "returns 1 row;" in message([(1, 10)])
    assert "column n: e.g. for id = 2 yours is 21, expected 20" in message([(1, 10), (2, 21)])
    assert "not in the expected result" in message([(1, 10), (3, 30)])
    assert "another order" in message([(10, 1), (20, 2)], columns=("n", "id"))
    assert "missing n" in message([(1, 10), (2, 20)], columns=("id", "total"))


def test_placeholders_inside_functions_are_found():
    def untouched():
        return ____

    def nested():
        return [lambda: ____]

    def done():
        return 42

    assert sqlcheck.references_placeholder(untouched)
    assert sqlcheck.references_placeholder(nested)
    assert not sqlcheck.references_placeholder(done)


def test_an_unreachable_database_is_one_sentence(db):
    gone = db.replace("test_stage03_", "no_such_database_")
    feedback = run_check(
        s.OrderCounts, order_counts_sql="SELECT 1 AS customer_id, 1 AS orders", DB=gone
    )
    assert feedback.status == "incorrect"
    assert "could not work with your database" in feedback.message
    short(feedback)


def test_notebook_helpers_show_tables_plans_and_counts(db):
    from trek import sql

    table = sql.query(db, "SELECT id, phone FROM customers ORDER BY id LIMIT 3", limit=2)
    assert table.columns == ["id", "phone"] and len(table) == 3
    assert "first 2 shown" in str(table) and "<table" in table._repr_html_()
    assert sql.query(db, "SELECT %s::text AS x", ("a'b",)).rows == [("a'b",)]
    plan = sql.explain(db, "SELECT * FROM orders WHERE customer_id = 1")
    assert "Seq Scan" in plan.node_types and plan.execution_ms is not None
    engine = sql.engine(db)
    try:
        with sql.count_statements(engine) as log, engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            conn.exec_driver_sql("SELECT 2")
        assert log.count == 2
    finally:
        engine.dispose()
