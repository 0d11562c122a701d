import psycopg
from fastapi import FastAPI, HTTPException, Response, status

catalog_app = FastAPI(title="Shop catalog")


@catalog_app.get("/products/{product_id}", response_model=ProductOut)
def read_product(product_id: int, conn: Conn):
    product = find_product(conn, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    return product


@catalog_app.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductOut)
def create_product(product: ProductIn, response: Response, conn: Conn):
    try:
        created = insert_product(conn, product)
    except psycopg.errors.UniqueViolation:
        # `from None`: the database error is ours to know, not the client's
        raise HTTPException(status.HTTP_409_CONFLICT, f"SKU {product.sku} is taken.") from None
    response.headers["Location"] = f"/products/{created.id}"
    return created
