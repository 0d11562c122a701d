# ruff: noqa: E402
# The code every exercise of Stage 04 builds on. The notebook runs the same code in its cells
# tagged `rest-shared` (one cell per `# %%` section below; a test keeps the two identical).

# %%
from typing import Annotated

import psycopg
from fastapi import Depends


def get_conn():
    """A database connection for one request; FastAPI closes it when the request is done.

    Autocommit: a single statement commits at once, and a handler that needs several statements
    to succeed or fail together wraps them in `with conn.transaction():`, which commits before
    the handler returns, so before the response leaves.
    """
    with psycopg.connect(DB, autocommit=True) as conn:
        yield conn


# A handler that declares `conn: Conn` gets a connection from get_conn.
Conn = Annotated[psycopg.Connection, Depends(get_conn)]


# %%
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Category = Literal[
    "books", "electronics", "kitchen", "clothing", "garden", "toys", "sports", "beauty"
]
Name = Annotated[str, Field(min_length=1, max_length=120)]
# Money is a Decimal, never a float; JSON carries it as a string: "24.99".
Price = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


class ProductIn(BaseModel):
    """What a client sends to create a product."""

    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored

    sku: str = Field(pattern=r"^[A-Z]{3}-\d{5}$", examples=["BOO-01234"])
    name: Name
    category: Category
    price: Price


class ProductPatch(BaseModel):
    """A partial update: the fields sent change, the others stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    category: Category | None = None
    price: Price | None = None

    @model_validator(mode="after")
    def no_nulls(self):
        sent_null = [field for field in self.model_fields_set if getattr(self, field) is None]
        if sent_null:
            raise ValueError(f"leave a field out to keep it; null is not a value: {sent_null}")
        return self


class ProductOut(BaseModel):
    """What the API answers: the public fields of a product, nothing internal."""

    id: int
    sku: str
    name: str
    category: str
    price: Decimal


# %%
from psycopg import sql
from psycopg.rows import class_row

COLUMNS = "id, sku, name, category, price"


def find_product(conn, product_id: int) -> ProductOut | None:
    cur = conn.cursor(row_factory=class_row(ProductOut))
    return cur.execute(f"SELECT {COLUMNS} FROM products WHERE id = %s", (product_id,)).fetchone()


def insert_product(conn, product: ProductIn) -> ProductOut:
    """Insert a product; raises psycopg.errors.UniqueViolation if its SKU is taken."""
    cur = conn.cursor(row_factory=class_row(ProductOut))
    return cur.execute(
        "INSERT INTO products (sku, name, category, price, created_at) "
        f"VALUES (%(sku)s, %(name)s, %(category)s, %(price)s, now()) RETURNING {COLUMNS}",
        product.model_dump(),
    ).fetchone()


def update_product(conn, product_id: int, changes: dict) -> ProductOut | None:
    """Set the columns named in `changes`; None if there is no such product."""
    if not changes:
        return find_product(conn, product_id)
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
        for column in changes
    )
    query = sql.SQL("UPDATE products SET {} WHERE id = %(id)s RETURNING " + COLUMNS).format(
        assignments
    )
    cur = conn.cursor(row_factory=class_row(ProductOut))
    return cur.execute(query, {**changes, "id": product_id}).fetchone()


def delete_product(conn, product_id: int) -> bool:
    """True if the product existed (and is now gone)."""
    return conn.execute("DELETE FROM products WHERE id = %s", (product_id,)).rowcount == 1
