from fastapi import FastAPI, HTTPException, status

editing_app = FastAPI(title="Shop catalog: changes")


@editing_app.patch("/products/{product_id}", response_model=ProductOut)
def change_product(product_id: int, patch: ProductPatch, conn: Conn):
    # exclude_unset: only the fields the client sent, not the defaults of the others
    product = update_product(conn, product_id, patch.model_dump(exclude_unset=True))
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    return product


@editing_app.delete("/products/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_product(product_id: int, conn: Conn):
    if not delete_product(conn, product_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    # nothing to return: a 204 response has no body
