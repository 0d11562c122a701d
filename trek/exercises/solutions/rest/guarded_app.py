import hashlib
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException, Response, status
from psycopg.rows import class_row

guarded_app = FastAPI(title="Shop catalog: safe updates")


def etag_of(product: ProductOut) -> str:
    """A strong entity tag: it changes whenever the representation changes."""
    digest = hashlib.sha256(product.model_dump_json().encode()).hexdigest()
    return f'"{digest[:20]}"'


@guarded_app.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, response: Response, conn: Conn):
    product = find_product(conn, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    response.headers["ETag"] = etag_of(product)
    return product


@guarded_app.patch("/products/{product_id}", response_model=ProductOut)
def change_product(
    product_id: int,
    patch: ProductPatch,
    response: Response,
    conn: Conn,
    if_match: Annotated[str | None, Header()] = None,
):
    if if_match is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED, "Send If-Match with the ETag you last read."
        )
    with conn.transaction():
        # FOR UPDATE: nobody changes the row between our comparison and our update
        current = (
            conn.cursor(row_factory=class_row(ProductOut))
            .execute(f"SELECT {COLUMNS} FROM products WHERE id = %s FOR UPDATE", (product_id,))
            .fetchone()
        )
        if current is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
        wanted = {tag.strip() for tag in if_match.split(",")}  # If-Match may list several
        if "*" not in wanted and etag_of(current) not in wanted:
            raise HTTPException(
                status.HTTP_412_PRECONDITION_FAILED,
                "The product changed since you read it: GET it again and redo your change.",
            )
        product = update_product(conn, product_id, patch.model_dump(exclude_unset=True))
    response.headers["ETag"] = etag_of(product)
    return product
