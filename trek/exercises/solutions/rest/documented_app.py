from http import HTTPStatus

import psycopg
from fastapi import FastAPI, HTTPException, Response, status
from pydantic import BaseModel


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class ValidationProblem(Problem):
    errors: list[dict[str, str]]  # {"detail": ..., "pointer": "#/price"} or "parameter"


def problem_responses(*codes: int) -> dict:
    """`responses=` entries: each code answers a Problem as application/problem+json."""
    return {
        code: {
            "description": HTTPStatus(code).phrase,
            "content": {
                "application/problem+json": {
                    "schema": (ValidationProblem if code == 422 else Problem).model_json_schema()
                }
            },
        }
        for code in codes
    }


documented_app = FastAPI(title="Shop catalog", version="1.0.0")
install_problem_details(documented_app)


@documented_app.get(
    "/products/{product_id}",
    response_model=ProductOut,
    summary="Read one product",
    responses=problem_responses(404, 422),
)
def read_product(product_id: int, conn: Conn):
    product = find_product(conn, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    return product


@documented_app.post(
    "/products",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    summary="Create a product",
    responses=problem_responses(409, 422),
)
def create_product(product: ProductIn, response: Response, conn: Conn):
    try:
        created = insert_product(conn, product)
    except psycopg.errors.UniqueViolation:
        raise HTTPException(status.HTTP_409_CONFLICT, f"SKU {product.sku} is taken.") from None
    response.headers["Location"] = f"/products/{created.id}"
    return created
