import asyncio


async def price_order(order_id, lookup):
    """The order's total, without blocking the event loop while ``lookup`` runs."""
    record = await asyncio.to_thread(lookup, order_id)  # the blocking call, in a worker thread
    return round(record["price"] * record["quantity"], 2)
