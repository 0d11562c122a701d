"""SQLAlchemy 2.x ORM classes mapped onto the course shop (:mod:`trek.datasets.shop`).

    from sqlalchemy import select
    from sqlalchemy.orm import Session
    from trek.datasets.shop_models import Customer, Order

    with Session(engine) as session:
        customer = session.get(Customer, 42)
        customer.orders            # the relationship loads that customer's orders

The tables themselves are created by :func:`trek.datasets.shop.load_shop` (from its SQL
schema); these classes only describe them to the ORM, so they never issue DDL.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CHAR, BigInteger, ForeignKey, Numeric, SmallInteger, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime


class Base(DeclarativeBase):
    type_annotation_map = {
        int: BigInteger,
        str: Text,
        datetime: DateTime(timezone=True),
        Decimal: Numeric(10, 2),
    }


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    phone: Mapped[str | None]
    country: Mapped[str] = mapped_column(CHAR(2))
    created_at: Mapped[datetime]

    orders: Mapped[list[Order]] = relationship(back_populates="customer")
    reviews: Mapped[list[Review]] = relationship(back_populates="customer")

    def __repr__(self) -> str:
        return f"Customer(id={self.id}, name={self.name!r})"


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    category: Mapped[str]
    price: Mapped[Decimal]
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime]

    reviews: Mapped[list[Review]] = relationship(back_populates="product")

    def __repr__(self) -> str:
        return f"Product(id={self.id}, name={self.name!r}, price={self.price})"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str]
    ordered_at: Mapped[datetime]
    shipped_at: Mapped[datetime | None]

    customer: Mapped[Customer] = relationship(back_populates="orders")
    items: Mapped[list[OrderItem]] = relationship(back_populates="order")

    def __repr__(self) -> str:
        return f"Order(id={self.id}, customer_id={self.customer_id}, status={self.status!r})"


class OrderItem(Base):
    __tablename__ = "order_items"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    quantity: Mapped[int]
    unit_price: Mapped[Decimal]

    order: Mapped[Order] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()

    def __repr__(self) -> str:
        return (
            f"OrderItem(order_id={self.order_id}, product_id={self.product_id}, "
            f"quantity={self.quantity}, unit_price={self.unit_price})"
        )


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str | None]
    created_at: Mapped[datetime]

    product: Mapped[Product] = relationship(back_populates="reviews")
    customer: Mapped[Customer] = relationship(back_populates="reviews")
