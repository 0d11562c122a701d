"""The course shop (Stage 03's dataset): deterministic, realistic, loaded intact by COPY.

The load runs against the embedded PostgreSQL, or the server in ``DATABASE_URL`` when set.
Its speed is measured by hand (see the stage's report), not asserted here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import psycopg
import pytest

from trek import services
from trek.datasets import shop

pytestmark = pytest.mark.xdist_group("stage03")

EXPECTED_COUNTS = {
    "customers": 5_000,
    "products": 800,
    "orders": 20_000,
    "order_items": 46_457,
    "reviews": 5_886,
}


@pytest.fixture(scope="module")
def data():
    return shop.generate()


@pytest.fixture(scope="module")
def loaded():
    url = services.create_database("test_shop")
    counts = shop.load_shop(url)
    yield url, counts
    services.drop_database(urlsplit(url).path.lstrip("/"))


# --- determinism ----------------------------------------------------------------------------
def test_row_counts_of_the_default_seed(data):
    assert {table: len(rows) for table, rows in data.items()} == EXPECTED_COUNTS
    assert sum(EXPECTED_COUNTS.values()) >= 50_000


def test_same_seed_same_checksum(data):
    assert shop.checksum(shop.generate()) == shop.checksum(data)


def test_another_seed_gives_other_data(data):
    assert shop.checksum(shop.generate(seed=7)) != shop.checksum(data)


def test_checksum_does_not_depend_on_the_process(data):
    """Another interpreter with another hash seed (set and dict order) makes the same data."""
    code = "from trek.datasets import shop; print(shop.checksum(shop.generate()))"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == shop.checksum(data)


def test_checksum_sees_a_single_changed_value(data):
    changed = {table: list(rows) for table, rows in data.items()}
    first = changed["order_items"][0]
    changed["order_items"][0] = (*first[:3], first[3] + Decimal("0.01"))
    assert shop.checksum(changed) != shop.checksum(data)


# --- realism --------------------------------------------------------------------------------
def test_some_customers_never_ordered_and_a_few_order_a_lot(data):
    per_customer = Counter(order[1] for order in data["orders"])
    never = len(data["customers"]) - len(per_customer)
    assert 0.05 * len(data["customers"]) < never < 0.3 * len(data["customers"])
    top_1_percent = sum(n for _, n in per_customer.most_common(len(data["customers"]) // 100))
    assert top_1_percent > 0.08 * len(data["orders"]), "activity should be skewed (Pareto)"
    assert per_customer.most_common(1)[0][1] > 50


def test_some_products_never_sold_and_a_few_sell_most(data):
    units = Counter()
    for _order, product, quantity, _price in data["order_items"]:
        units[product] += quantity
    assert 0 < len(data["products"]) - len(units) < 0.1 * len(data["products"])
    top_tenth = sum(n for _, n in units.most_common(len(data["products"]) // 10))
    assert top_tenth > 0.4 * sum(units.values())


def test_nulls_where_real_data_has_them(data):
    phones = [c[3] for c in data["customers"]]
    assert 0.25 < phones.count(None) / len(phones) < 0.45
    bodies = [r[4] for r in data["reviews"]]
    assert 0.2 < bodies.count(None) / len(bodies) < 0.6
    for order in data["orders"]:
        status, shipped_at = order[2], order[4]
        if status in ("pending", "cancelled"):
            assert shipped_at is None
        if status == "delivered":
            assert shipped_at is not None and shipped_at >= order[3]


def test_dates_span_years_and_orders_follow_sign_up(data):
    signed_up = {c[0]: c[5] for c in data["customers"]}
    times = [o[3] for o in data["orders"]]
    assert max(times) - min(times) > timedelta(days=4 * 365)
    assert all(o[3] >= signed_up[o[1]] for o in data["orders"])
    assert all(t.tzinfo is not None for t in times)
    assert times == sorted(times), "order ids follow time"


def test_prices_vary_and_old_orders_were_cheaper(data):
    prices = {p[0]: p[4] for p in data["products"]}
    assert min(prices.values()) < 10 < 100 < max(prices.values())
    first_order = data["orders"][0][0]
    old_lines = [item for item in data["order_items"] if item[0] == first_order]
    assert all(item[3] < prices[item[1]] for item in old_lines)


def test_products_have_category_specific_attributes(data):
    import json

    by_category = {}
    for product in data["products"]:
        by_category.setdefault(product[3], json.loads(product[5]))
    assert "author" in by_category["books"]
    assert "warranty_months" in by_category["electronics"]
    assert len(by_category) == 8


def test_one_review_per_customer_and_product(data):
    keys = [(r[1], r[2]) for r in data["reviews"]]
    assert len(keys) == len(set(keys))
    assert Counter(r[3] for r in data["reviews"]).most_common(1)[0][0] == 5


# --- loading --------------------------------------------------------------------------------
def test_load_returns_the_counts_in_the_database(loaded):
    url, counts = loaded
    assert counts == EXPECTED_COUNTS
    with psycopg.connect(url) as conn:
        for table, expected in counts.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected


def test_loaded_values_match_the_generated_ones(loaded, data):
    url, _ = loaded
    revenue = sum(q * p for _o, _p, q, p in data["order_items"])
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT sum(quantity * unit_price) FROM order_items").fetchone() == (
            revenue,
        )
        row = conn.execute("SELECT * FROM customers ORDER BY id LIMIT 1").fetchone()
        assert row == data["customers"][0]
        attributes = conn.execute("SELECT attributes FROM products WHERE id = 1").fetchone()[0]
        assert isinstance(attributes, dict) and attributes


def test_schema_has_its_constraints(loaded):
    url, _ = loaded
    with psycopg.connect(url) as conn:
        kinds = Counter(
            kind
            for (kind,) in conn.execute(
                "SELECT contype FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
                (list(shop.TABLES),),
            )
        )
        assert kinds["p"] == 5 and kinds["f"] == 5 and kinds["u"] >= 3 and kinds["c"] >= 6
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(
                "INSERT INTO orders (customer_id, status, ordered_at) VALUES (0, 'paid', now())"
            )
        conn.rollback()
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE order_items SET quantity = 0 WHERE order_id = 1")


def test_identity_continues_after_the_loaded_ids(loaded):
    url, _ = loaded
    with psycopg.connect(url) as conn:
        new_id = conn.execute(
            "INSERT INTO customers (email, name, country, created_at) "
            "VALUES ('new@example.com', 'New Person', 'US', now()) RETURNING id"
        ).fetchone()[0]
        conn.rollback()
    assert new_id == EXPECTED_COUNTS["customers"] + 1


def test_tables_are_analysed_and_visible_for_index_only_scans(loaded):
    url, _ = loaded
    with psycopg.connect(url) as conn:
        analysed, all_visible = conn.execute(
            "SELECT s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL, "
            "c.relallvisible > 0 FROM pg_stat_user_tables AS s "
            "JOIN pg_class AS c ON c.oid = s.relid WHERE s.relname = 'order_items'"
        ).fetchone()
    assert analysed and all_visible


def test_loading_again_replaces_the_shop(loaded):
    url, _ = loaded
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM reviews")
        conn.execute("CREATE TABLE my_notes AS SELECT id FROM customers LIMIT 3")
    assert shop.load_shop(url) == EXPECTED_COUNTS
    with psycopg.connect(url) as conn:
        assert (
            conn.execute("SELECT count(*) FROM reviews").fetchone()[0] == EXPECTED_COUNTS["reviews"]
        )
        assert conn.execute("SELECT count(*) FROM my_notes").fetchone()[0] == 3
