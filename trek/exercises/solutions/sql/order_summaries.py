from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from trek.datasets.shop_models import Order


def order_summaries(session, n):
    """(order id, customer name, number of lines, total) of the n most recent orders."""
    stmt = (
        select(Order)
        .options(joinedload(Order.customer), selectinload(Order.items))
        .order_by(Order.ordered_at.desc(), Order.id.desc())
        .limit(n)
    )
    return [
        (
            order.id,
            order.customer.name,
            len(order.items),
            sum(item.quantity * item.unit_price for item in order.items),
        )
        for order in session.scalars(stmt)
    ]
