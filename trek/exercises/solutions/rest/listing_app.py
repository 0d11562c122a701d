import base64
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request, Response, status
from psycopg.rows import class_row
from pydantic import BaseModel

listing_app = FastAPI(title="Shop catalog: listing")


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None  # null on the last page


def encode_cursor(last_id: int) -> str:
    # Opaque to clients: they hand it back, they never build one (so it can change later).
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except ValueError:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "This cursor was not made here.") from None


@listing_app.get("/products", response_model=ProductPage)
def list_products(
    request: Request,
    response: Response,
    conn: Conn,
    category: Category | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
):
    conditions, params = [], []
    if category is not None:
        conditions.append("category = %s")
        params.append(category)
    if cursor is not None:
        conditions.append("id < %s")  # newest first: the next page holds smaller ids
        params.append(decode_cursor(cursor))
    where = "WHERE " + " AND ".join(conditions) if conditions else ""
    rows = (
        conn.cursor(row_factory=class_row(ProductOut))
        .execute(
            f"SELECT {COLUMNS} FROM products {where} ORDER BY id DESC LIMIT %s",
            [*params, limit + 1],  # one more than asked: is there a next page?
        )
        .fetchall()
    )
    items = rows[:limit]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    if next_cursor is not None:
        # the request's own URL keeps every filter; only the cursor (and limit) change
        next_url = request.url.include_query_params(cursor=next_cursor, limit=limit)
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return ProductPage(items=items, next_cursor=next_cursor)
