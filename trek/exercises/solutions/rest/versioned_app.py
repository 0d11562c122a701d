from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Response, status
from pydantic import BaseModel

DEPRECATED_SINCE = datetime(2026, 11, 1, tzinfo=UTC)
SUNSET = datetime(2027, 5, 1, tzinfo=UTC)  # v1 stops answering then


class Money(BaseModel):
    amount: Decimal
    currency: str


class ProductOutV2(BaseModel):
    id: int
    sku: str
    name: str
    category: str
    price: Money


def existing_product(product_id: int, conn: Conn) -> ProductOut:
    """A dependency both versions share: the product, or 404."""
    product = find_product(conn, product_id)
    if product is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")
    return product


ExistingProduct = Annotated[ProductOut, Depends(existing_product)]

v1 = APIRouter(prefix="/v1", tags=["v1 (deprecated)"], deprecated=True)
v2 = APIRouter(prefix="/v2", tags=["v2"])


@v1.get("/products/{product_id}", response_model=ProductOut)
def read_product_v1(response: Response, product: ExistingProduct):
    response.headers["Deprecation"] = f"@{int(DEPRECATED_SINCE.timestamp())}"  # RFC 9745
    response.headers["Sunset"] = format_datetime(SUNSET, usegmt=True)  # RFC 8594
    response.headers["Link"] = f'</v2/products/{product.id}>; rel="successor-version"'
    return product


@v2.get("/products/{product_id}", response_model=ProductOutV2)
def read_product_v2(product: ExistingProduct):
    return ProductOutV2(
        **product.model_dump(exclude={"price"}),
        price=Money(amount=product.price, currency="USD"),
    )


versioned_app = FastAPI(title="Shop catalog", version="2.0.0")
versioned_app.include_router(v1)
versioned_app.include_router(v2)
