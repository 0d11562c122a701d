import hashlib
from typing import Annotated

import psycopg
from fastapi import FastAPI, Header, HTTPException, Response, status

idempotent_app = FastAPI(title="Shop catalog: safe retries")


@idempotent_app.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
def create_product(
    product: ProductIn,
    response: Response,
    conn: Conn,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
):
    fingerprint = hashlib.sha256(product.model_dump_json().encode()).hexdigest()
    try:
        # One transaction: claiming the key and creating the product happen together or not
        # at all. A concurrent request with the same key waits on the claimed row.
        with conn.transaction():
            if idempotency_key is not None:
                claimed = conn.execute(
                    "INSERT INTO idempotency_keys (key, request_hash) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO NOTHING RETURNING key",
                    (idempotency_key, fingerprint),
                ).fetchone()
                if claimed is None:  # seen before: answer what the first request got
                    request_hash, product_id = conn.execute(
                        "SELECT request_hash, product_id FROM idempotency_keys WHERE key = %s",
                        (idempotency_key,),
                    ).fetchone()
                    if request_hash != fingerprint:
                        raise HTTPException(
                            status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "This Idempotency-Key was used for a different request.",
                        )
                    response.headers["Location"] = f"/products/{product_id}"
                    return find_product(conn, product_id)
            created = insert_product(conn, product)
            if idempotency_key is not None:
                conn.execute(
                    "UPDATE idempotency_keys SET product_id = %s WHERE key = %s",
                    (created.id, idempotency_key),
                )
    except psycopg.errors.UniqueViolation:
        raise HTTPException(status.HTTP_409_CONFLICT, f"SKU {product.sku} is taken.") from None
    response.headers["Location"] = f"/products/{created.id}"
    return created
