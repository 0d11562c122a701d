"""Stage 04 · REST API design & frameworks — the checked exercises.

In the notebook::

    from trek import services
    from trek.datasets.shop import load_shop
    from trek.exercises import stage04
    DB = services.create_database("stage04")    # this kernel's own database
    load_shop(DB)
    stage04.prepare_database(DB)                # the API's own table: idempotency_keys
    stage04.bind(globals())

The exercises build one small product API step by step, each step a FastAPI app of its own
(``catalog_app``, ``editing_app``, …) that reuses the notebook's shared code: ``get_conn``, the
models ``ProductIn`` / ``ProductPatch`` / ``ProductOut`` and the SQL helpers (see
``solutions/rest/shared.py``). Each check drives the learner's app over HTTP with a database of
its own — the first 60 products of the course shop — swapped in for ``get_conn`` (see
:mod:`trek.exercises.apicheck`), so it can insert and delete rows between two requests.
"""

from __future__ import annotations

import email.utils
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, Field

from trek.exercises import core
from trek.exercises.apicheck import (
    APIClient,
    APIExercise,
    describe_app_error,
    expect_status,
    json_body,
    media_type,
    status_text,
)
from trek.exercises.core import Incorrect, NotAttempted, describe_exception

STAGE = 4
SLUG = "rest"

#: The API's own table, next to the shop's: what each Idempotency-Key was used for.
IDEMPOTENCY_KEYS_SQL = """\
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key          text PRIMARY KEY,                   -- the client's Idempotency-Key
    request_hash text NOT NULL,                      -- fingerprint of the request it came with
    product_id   bigint,                             -- the product that request created
    created_at   timestamptz NOT NULL DEFAULT now()  -- old keys can be purged after a day
);
"""

PROBLEM_JSON = "application/problem+json"
PRODUCT_FIELDS = ("id", "sku", "name", "category", "price")
#: How many of the shop's products the checks' database holds (ids 1 … SEEDED).
SEEDED = 60
MISSING_ID = 987654


def prepare_database(url: str) -> None:
    """Create the API's own table (``idempotency_keys``) in the database at ``url``."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(IDEMPOTENCY_KEYS_SQL)


# --------------------------------------------------------------------------------------------
# The checks' database: the shop's products table, its first 60 rows, and idempotency_keys
# --------------------------------------------------------------------------------------------
@functools.cache
def seed_products() -> tuple[tuple, ...]:
    """The first :data:`SEEDED` products of the course shop, as the shop generates them."""
    from trek.datasets.shop import generate

    return tuple(generate()["products"][:SEEDED])


@functools.cache
def _products_ddl() -> str:
    from trek.datasets.shop import SCHEMA_SQL

    for statement in SCHEMA_SQL.split(";\n"):
        if statement.strip().startswith("CREATE TABLE products "):
            return statement.strip()
    raise RuntimeError("the shop's schema has no products table")  # pragma: no cover


def seed(conn: Any) -> None:
    """(Re)create ``products`` (with the seeded rows) and ``idempotency_keys``."""
    from trek.datasets.shop import COLUMNS

    conn.execute("DROP TABLE IF EXISTS products, idempotency_keys CASCADE")
    conn.execute(_products_ddl())
    conn.execute(IDEMPOTENCY_KEYS_SQL)
    columns = ", ".join(COLUMNS["products"])
    with conn.cursor() as cur:
        with cur.copy(f"COPY products ({columns}) FROM STDIN") as copy:
            for row in seed_products():
                copy.write_row(row)
    conn.execute("SELECT setval(pg_get_serial_sequence('products', 'id'), %s)", (SEEDED,))


def seeded(product_id: int) -> dict[str, Any]:
    """The public fields of a seeded product."""
    row = seed_products()[product_id - 1]
    return dict(zip(PRODUCT_FIELDS, (row[0], row[1], row[2], row[3], row[4]), strict=True))


def _insert_new(conn: Any, count: int, category: str = "books") -> list[int]:
    """Insert ``count`` products the way another client would; their ids."""
    ids = []
    for _ in range(count):
        (next_id,) = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('products', 'id'))"
        ).fetchone()
        conn.execute(
            "INSERT INTO products (id, sku, name, category, price, created_at) "
            "OVERRIDING SYSTEM VALUE VALUES (%s, %s, 'Inserted by the check', %s, 9.99, now())",
            (next_id, f"NEW-{next_id:05d}", category),
        )
        ids.append(next_id)
    return ids


# --------------------------------------------------------------------------------------------
# Judging products
# --------------------------------------------------------------------------------------------
def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def expect_product(body: Any, expected: dict[str, Any], what: str) -> None:
    """Incorrect unless ``body`` is the product ``expected``: exactly the public fields."""
    if not isinstance(body, dict):
        raise Incorrect(f"{what} answered {type(body).__name__} JSON; expected a product object.")
    missing = [f for f in PRODUCT_FIELDS if f not in body]
    if missing:
        raise Incorrect(f"{what} answered a product without {', '.join(missing)}.")
    extra = [f for f in body if f not in PRODUCT_FIELDS]
    if extra:
        raise Incorrect(
            f"{what} answered fields that are not part of the API's product ({', '.join(extra)}): "
            "internal columns leak out. Let `response_model=ProductOut` decide what goes out."
        )
    for name in PRODUCT_FIELDS:
        want, got = expected[name], body[name]
        same = _decimal(got) == _decimal(want) if name == "price" else got == want
        if not same:
            raise Incorrect(f"{what} answered {name} = {got!r}; expected {want!r}.")


def _json_product(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body.get(name) for name in PRODUCT_FIELDS}


def _db_product(api: APIClient, product_id: int) -> dict[str, Any] | None:
    with api.db() as conn:
        row = conn.execute(
            "SELECT id, sku, name, category, price FROM products WHERE id = %s", (product_id,)
        ).fetchone()
    return dict(zip(PRODUCT_FIELDS, row, strict=True)) if row else None


def _resolve(response: httpx.Response, reference: str) -> httpx.URL:
    return response.request.url.join(reference)


def _problem(response: httpx.Response, status: int, what: str) -> dict[str, Any]:
    """The problem details body of an error response, checked against RFC 9457."""
    expect_status(response, status, what)
    kind = media_type(response)
    if kind != PROBLEM_JSON:
        shown = f"`{kind}`" if kind else "no Content-Type"
        raise Incorrect(
            f"{what} answered {status_text(status)} with {shown}. A problem details document "
            f"is `{PROBLEM_JSON}` (RFC 9457 §3), so clients can tell it from a normal body."
        )
    try:
        body = response.json()
    except ValueError:
        raise Incorrect(f"{what}: the body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Incorrect(f"{what}: a problem details document is a JSON object.")
    for member in ("type", "title", "status"):
        if member not in body:
            raise Incorrect(f"{what}: the problem details have no `{member}` member.")
    if not isinstance(body["status"], int) or isinstance(body["status"], bool):
        raise Incorrect(
            f"{what}: `status` is {body['status']!r}; RFC 9457 makes it a JSON number, the "
            "same as the response's status code."
        )
    if body["status"] != status:
        raise Incorrect(
            f"{what}: `status` says {body['status']} but the response is {status}; they must agree."
        )
    if not isinstance(body["type"], str) or not body["type"]:
        raise Incorrect(f'{what}: `type` must be a URI string ("about:blank" by default).')
    if not isinstance(body["title"], str) or not body["title"]:
        raise Incorrect(f"{what}: `title` must be a short, non-empty string.")
    if body["type"] == "about:blank":
        from http import HTTPStatus

        phrase = HTTPStatus(status).phrase
        if body["title"] != phrase:
            raise Incorrect(
                f'{what}: with type "about:blank" the title should be the status phrase, '
                f'"{phrase}" (RFC 9457 §4.2.1); the specifics go into `detail`. Yours is '
                f"{body['title']!r}."
            )
    if "detail" in body and body["detail"] is not None and not isinstance(body["detail"], str):
        raise Incorrect(f"{what}: `detail` must be a string for humans to read.")
    return body


class RestExercise(APIExercise):
    stage: ClassVar[int] = STAGE
    database_prefix: ClassVar[str] = "stage04_check"
    #: Exercises whose reference solution builds on others' (run first, in this order).
    builds_on: ClassVar[tuple[str, ...]] = ()

    def prepare_database(self, conn: Any) -> None:
        seed(conn)

    @classmethod
    def solution_context(cls) -> dict[str, Any]:
        """The notebook's shared code (get_conn, models, SQL helpers) and the solutions this
        exercise builds on, with ``DB`` pointing at the checks' database."""
        from trek.exercises.apicheck import scratch_database

        namespace: dict[str, Any] = {"DB": scratch_database(cls.database_prefix)}
        for name in ("shared.py", *cls.builds_on):
            path = core.SOLUTIONS_DIR / SLUG / name
            code = compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
            exec(code, namespace)
        return namespace


def _new_product(number: int, category: str = "toys") -> dict[str, Any]:
    return {
        "sku": f"TRK-{number:05d}",
        "name": f"Trek Explorer Kit {number}",
        "category": category,
        "price": "12.50",
    }


# --------------------------------------------------------------------------------------------
# q1 · create and read
# --------------------------------------------------------------------------------------------
class CreateRead(RestExercise):
    label = "rest-ex-create-read"
    title = "Create and read a product"
    names = ("catalog_app",)
    solution_file = "rest/catalog_app.py"
    hints = (
        "Reading: `find_product` returns None for an unknown id; `raise HTTPException(...)` "
        'with the status code that means "no such resource". Creating: the status code goes '
        "into the decorator, `@catalog_app.post(..., status_code=...)`.",
        "A creation answers 201 Created and says where the new resource lives in the "
        '`Location` header: `response.headers["Location"] = f"/products/{created.id}"`. '
        "`insert_product` raises `psycopg.errors.UniqueViolation` when the SKU is taken: catch "
        "it and raise an HTTPException instead.",
        "404 for the unknown id, 201 plus Location for the creation, 409 Conflict for the "
        "taken SKU (`raise HTTPException(status.HTTP_409_CONFLICT, ...) from None`).",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        what = "`GET /products/7` (a product that exists)"
        response = api.get("/products/7")
        expect_status(response, 200, what)
        api.require_database_use("catalog_app")
        expect_product(json_body(response, what), seeded(7), what)

        what = f"`GET /products/{MISSING_ID}` (no such product)"
        response = api.get(f"/products/{MISSING_ID}")
        expect_status(
            response,
            404,
            what,
            "A resource that does not exist is 404 Not Found, not a 200 "
            "with an empty body: clients and caches rely on the status code.",
        )

        new = _new_product(1)
        what = "`POST /products` with a new product"
        response = api.post("/products", json=new)
        expect_status(
            response,
            201,
            what,
            "A request that created a resource answers 201 Created (RFC 9110 §15.3.2).",
        )
        body = json_body(response, what)
        if not isinstance(body, dict) or not isinstance(body.get("id"), int):
            raise Incorrect(f"{what} should answer the created product, with its new `id`.")
        expect_product(body, {**new, "id": body["id"]}, what)
        location = response.headers.get("location")
        if not location:
            raise Incorrect(
                f"{what} answered 201 without a `Location` header. A 201 names the URL of the "
                "new resource there, so the client knows where to find it."
            )
        target = _resolve(response, location)
        if target.path != f"/products/{body['id']}":
            raise Incorrect(
                f"{what}: `Location: {location}` does not point at the new product; expected "
                f"the path /products/{body['id']}."
            )
        stored = _db_product(api, body["id"])
        if stored is None or stored["sku"] != new["sku"]:
            raise Incorrect(f"{what} answered 201, but the product is not in the database.")
        what = f"`GET {target.path}` (the Location of the product you created)"
        again = api.get(str(target))
        expect_status(again, 200, what)
        expect_product(json_body(again, what), {**new, "id": body["id"]}, what)

        what = "`POST /products` with a SKU that another product has"
        response = api.post("/products", json={**_new_product(2), "sku": new["sku"]})
        expect_status(
            response,
            409,
            what,
            "The request conflicts with the current state of the "
            "resource (the SKU is taken): that is 409 Conflict, a client error, not a crash.",
        )

        what = "`POST /products` with a negative price"
        response = api.post("/products", json={**_new_product(3), "price": "-3.00"})
        expect_status(
            response,
            422,
            what,
            "Declare the body as `product: ProductIn`, so FastAPI "
            "validates it before your handler runs.",
        )

    def praise(self) -> str:
        return "201 with a Location for what was created, 404 and 409 when it cannot be done."


# --------------------------------------------------------------------------------------------
# q2 · update and delete
# --------------------------------------------------------------------------------------------
class UpdateDelete(RestExercise):
    label = "rest-ex-update-delete"
    title = "Change and delete a product"
    names = ("editing_app",)
    solution_file = "rest/editing_app.py"
    hints = (
        "PATCH changes only the fields the client sent. `patch.model_dump()` also lists the "
        "fields it did not send (as None); pydantic has an option that leaves them out.",
        "`patch.model_dump(exclude_unset=True)` is exactly what the client sent. DELETE "
        "answers 204 No Content: set it in the decorator and return nothing.",
        "`update_product` and `delete_product` tell you when there is no such product (None "
        "and False): raise an HTTPException with 404 then.",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        original = seeded(3)
        what = '`PATCH /products/3` with `{"price": "19.50"}`'
        response = api.patch("/products/3", json={"price": "19.50"})
        expect_status(
            response,
            200,
            what,
            "PATCH changes the fields the request sends and leaves the "
            "others alone; the handler gets only those from `patch.model_dump(...)`.",
        )
        api.require_database_use("editing_app")
        expected = {**original, "price": Decimal("19.50")}
        expect_product(json_body(response, what), expected, what)
        stored = _db_product(api, 3)
        if stored is None or _decimal(stored["price"]) != Decimal("19.50"):
            raise Incorrect(f"{what} answered 200, but the price in the database did not change.")
        if stored["name"] != original["name"] or stored["category"] != original["category"]:
            raise Incorrect(
                f"{what} also changed fields the request did not send (name or category). "
                "A PATCH is a partial update."
            )

        what = '`PATCH /products/3` with `{"name": "Renamed by the check"}`'
        response = api.patch("/products/3", json={"name": "Renamed by the check"})
        expect_status(response, 200, what)
        expected = {**expected, "name": "Renamed by the check"}
        expect_product(json_body(response, what), expected, what)

        what = "`PATCH /products/3` with an empty object `{}`"
        response = api.patch("/products/3", json={})
        expect_status(
            response, 200, what, "An empty PATCH changes nothing; it answers the product as it is."
        )
        expect_product(json_body(response, what), expected, what)

        what = f"`PATCH /products/{MISSING_ID}` (no such product)"
        response = api.patch(f"/products/{MISSING_ID}", json={"price": "1.00"})
        expect_status(response, 404, what, "You cannot change what does not exist: 404.")

        what = "`DELETE /products/5`"
        response = api.delete("/products/5")
        expect_status(
            response,
            204,
            what,
            "A deletion that has nothing to say answers 204 No Content (RFC 9110 §9.3.5).",
        )
        if response.content:
            raise Incorrect(
                f"{what} answered 204 with a body ({len(response.content)} bytes); a 204 has "
                "none (RFC 9110 §15.3.5): return nothing from the handler."
            )
        if _db_product(api, 5) is not None:
            raise Incorrect(f"{what} answered 204, but product 5 is still in the database.")

        what = "a second `DELETE /products/5`"
        response = api.delete("/products/5")
        expect_status(
            response,
            404,
            what,
            "The product is gone now: DELETE is idempotent in its effect "
            "on the server, but the second one finds nothing to delete.",
        )

    def praise(self) -> str:
        return "PATCH changes what was sent and nothing else; DELETE answers 204, then 404."


# --------------------------------------------------------------------------------------------
# q3 · errors as problem details
# --------------------------------------------------------------------------------------------
class Thing(BaseModel):
    """The body of the problem-details check's own little app."""

    name: str = Field(min_length=1)
    count: int = Field(ge=1)


def problem_test_app(install: Any) -> Any:
    """A small app of the check's own, with the learner's problem details installed."""
    from fastapi import FastAPI, HTTPException, Query

    app = FastAPI()

    @app.get("/things/{thing_id}")
    def read_thing(thing_id: int):
        raise HTTPException(404, f"There is no thing {thing_id}.")

    @app.post("/things", status_code=201)
    def create_thing(thing: Thing):
        raise HTTPException(409, f"A thing named {thing.name} exists already.")

    @app.get("/things")
    def list_things(limit: int = Query(10, ge=1, le=100)):
        return []

    core.call_learner(install, app, name="`install_problem_details`")
    return app


class ProblemDetails(RestExercise):
    label = "rest-ex-problem-details"
    title = "Errors as problem details (RFC 9457)"
    names = ("install_problem_details",)
    solution_file = "rest/problem_details.py"
    database_prefix = ""
    helper_names = ("problem",)
    hints = (
        "Two handlers: `@app.exception_handler(StarletteHTTPException)` for every "
        "HTTPException (yours and the router's 404/405), `@app.exception_handler("
        "RequestValidationError)` for 422. Each returns a `JSONResponse(..., "
        'media_type="application/problem+json")`.',
        'The body: `type` "about:blank", `title` the status phrase '
        "(`HTTPStatus(code).phrase`), `status` the code as a number, `detail` the "
        "exception's detail. Pass `headers=exc.headers` along (a 405 carries `Allow`).",
        "For 422, `exc.errors()` lists dicts with `loc` (e.g. `('body', 'count')` or "
        "`('query', 'limit')`) and `msg`: turn each into `{\"detail\": msg, \"pointer\": "
        '"#/count"}` for body fields and `{"detail": msg, "parameter": "limit"}` for '
        "the others.",
    )

    def build_app(self, install: Any) -> Any:
        from trek.exercises.sqlcheck import references_placeholder

        if not callable(install):
            raise Incorrect(
                "`install_problem_details` should be a function that takes an app, but it is "
                f"a {type(install).__name__}."
            )
        if references_placeholder(install):
            raise NotAttempted("`install_problem_details` still has a ____ in it.")
        self.check_helpers()
        return problem_test_app(install)

    def scenario(self, api: APIClient, install: Any) -> None:
        what = '`GET /things/7` (the handler raises HTTPException(404, "There is no thing 7."))'
        body = _problem(api.get("/things/7"), 404, what)
        if "There is no thing 7." not in str(body.get("detail", "")):
            raise Incorrect(
                f"{what}: `detail` should carry the exception's own explanation, \"There is no "
                f'thing 7."; yours is {body.get("detail")!r}.'
            )

        what = "`GET /nowhere` (a URL the app has no route for)"
        response = api.get("/nowhere")
        if media_type(response) != PROBLEM_JSON:
            raise Incorrect(
                f"{what} still answered FastAPI's default error, not problem details. The "
                "router raises Starlette's HTTPException, the parent class of FastAPI's: "
                "register your handler for that one and it catches both."
            )
        _problem(response, 404, what)

        what = "`DELETE /things/7` (a method the route does not allow)"
        response = api.delete("/things/7")
        _problem(response, 405, what)
        if "allow" not in response.headers:
            raise Incorrect(
                f"{what} lost its `Allow` header, which a 405 must carry (RFC 9110 §15.5.6): "
                "pass the exception's `headers` on to your response."
            )

        what = "`POST /things` that conflicts (the handler raises HTTPException(409, …))"
        body = _problem(api.post("/things", json={"name": "lamp", "count": 2}), 409, what)
        if "lamp" not in str(body.get("detail", "")):
            raise Incorrect(f"{what}: `detail` should carry the exception's explanation.")

        what = '`POST /things` with `{"name": "", "count": 0}` (two invalid fields)'
        body = _problem(api.post("/things", json={"name": "", "count": 0}), 422, what)
        if not isinstance(body.get("detail"), str) or not body["detail"]:
            raise Incorrect(
                f"{what}: the problem has no `detail`. Say in a sentence, for humans, what is "
                "wrong overall; the `errors` list the particulars."
            )
        errors = self._errors(body, what)
        pointers = {str(error.get("pointer", "")).lstrip("#") for error in errors}
        for field in ("name", "count"):
            if f"/{field}" not in pointers:
                raise Incorrect(
                    f"{what}: no error points at the `{field}` field. Give each body error a "
                    f'JSON pointer to its field, `"pointer": "#/{field}"`.'
                )

        what = "`GET /things?limit=0` (an invalid query parameter)"
        body = _problem(api.get("/things", params={"limit": 0}), 422, what)
        errors = self._errors(body, what)
        if not any(error.get("parameter") == "limit" for error in errors):
            raise Incorrect(
                f"{what}: no error names the parameter. For query, path and header parameters "
                'there is no JSON body to point into: give `"parameter": "limit"` instead.'
            )

    @staticmethod
    def _errors(body: dict[str, Any], what: str) -> list[dict[str, Any]]:
        errors = body.get("errors")
        if not isinstance(errors, list) or not errors:
            raise Incorrect(
                f"{what}: a validation problem lists what is wrong in an `errors` array (an "
                "extension member, RFC 9457 §3.2), one object per invalid field."
            )
        for error in errors:
            if not isinstance(error, dict) or not isinstance(error.get("detail"), str):
                raise Incorrect(
                    f"{what}: each entry of `errors` is an object with a `detail` string "
                    "saying what is wrong."
                )
        return errors

    def praise(self) -> str:
        return "Every error now has one shape that clients can parse: application/problem+json."


# --------------------------------------------------------------------------------------------
# q4 · cursor pagination
# --------------------------------------------------------------------------------------------
MAX_PAGES = 40


class CursorPagination(RestExercise):
    label = "rest-ex-cursor-pagination"
    title = "Cursor pagination that survives inserts"
    names = ("listing_app",)
    solution_file = "rest/listing_app.py"
    helper_names = ("encode_cursor", "decode_cursor")
    hints = (
        "An offset counts rows from the top, so every product created in front of it shifts "
        "the next page. Remember instead *where* the page ended: the id of its last item.",
        "Newest first is `ORDER BY id DESC`; the next page is `WHERE id < <last id seen>`. Ask "
        "for `limit + 1` rows: if you get them all, there is a next page. Encode the last id "
        "into an opaque string (base64) and give it back as `next_cursor`.",
        "Build the next link from the request's own URL, so the filter stays: "
        "`request.url.include_query_params(cursor=..., limit=limit)`, and send it as "
        '`Link: <URL>; rel="next"`. A cursor you cannot decode is the client\'s error: 400.',
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        for bad in (0, 101):
            what = f"`GET /products?limit={bad}`"
            expect_status(
                api.get("/products", params={"limit": bad}),
                (400, 422),
                what,
                "Bound `limit` (1 to 100): a client must not be able to ask for a million "
                "rows in one request.",
            )

        what = "`GET /products?limit=7` (the first page)"
        first = api.get("/products", params={"limit": 7})
        expect_status(first, 200, what)
        api.require_database_use("listing_app")
        every = [row[0] for row in reversed(seed_products())]  # newest first
        inserted: list[int] = []
        deleted: list[int] = []

        def between_pages(page_number: int, items: list[int]) -> None:
            # Other clients at work while ours pages through: new products appear in front,
            # and a product already shown disappears.
            with api.db() as conn:
                if page_number == 1:
                    inserted.extend(_insert_new(conn, 3))
                elif page_number == 2:
                    conn.execute("DELETE FROM products WHERE id = %s", (items[-1],))
                    deleted.append(items[-1])

        pages = self._walk(api, first, "?limit=7", limit=7, between=between_pages, deleted=deleted)
        self._judge(pages, every, "`GET /products?limit=7`", inserted, deleted)

        kitchen = [row[0] for row in reversed(seed_products()) if row[3] == "kitchen"]
        what = "`GET /products?category=kitchen&limit=3`"
        first = api.get("/products", params={"category": "kitchen", "limit": 3})
        expect_status(first, 200, what)
        pages = self._walk(api, first, "?category=kitchen&limit=3", limit=3)
        for number, page in enumerate(pages, start=1):
            for item in page:
                if item["category"] != "kitchen":
                    raise Incorrect(
                        f"Page {number} of {what} contains a product of category "
                        f"{item['category']!r}: the next link lost the filter. Build it from "
                        "the request's URL so that every query parameter stays."
                    )
        self._judge(pages, kitchen, what, [], [])

        what = "`GET /products?cursor=not-a-cursor`"
        expect_status(
            api.get("/products", params={"cursor": "not-a-cursor"}),
            (400, 422),
            what,
            "A cursor your API did not hand out is the client's mistake: answer 400 Bad "
            "Request, never 500.",
        )

    def _walk(self, api, response, query, *, limit, between=None, deleted=()) -> list[list[dict]]:
        """Follow the Link rel="next" headers; the items of every page."""
        pages: list[list[dict]] = []
        while True:
            number = len(pages) + 1
            what = f"page {number} of `GET /products{query}`"
            body = json_body(response, what)
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise Incorrect(
                    f"{what} should be an object with `items` (the products of the page) and "
                    "`next_cursor`."
                )
            if "next_cursor" not in body:
                raise Incorrect(f"{what} has no `next_cursor` (null on the last page).")
            items = body["items"]
            for item in items:
                if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                    raise Incorrect(f"{what}: every item should be a product with its `id`.")
            pages.append(items)
            link = response.links.get("next")
            if link is not None and body["next_cursor"] is None:
                raise Incorrect(f"{what} has a next link but `next_cursor` is null.")
            if link is None:
                if body["next_cursor"] is not None:
                    raise Incorrect(
                        f'{what} has a `next_cursor` but no `Link: <…>; rel="next"` header. '
                        "Clients that follow links (RFC 8288) need the header."
                    )
                return pages
            if len(items) != limit:
                raise Incorrect(
                    f"{what} has {len(items)} items, but the request asked for limit={limit} "
                    "and there are more pages: the next link must keep the query's parameters."
                )
            if number >= MAX_PAGES:
                raise Incorrect(
                    f"The check followed {MAX_PAGES} next links of `GET /products{query}` "
                    "and they never ended: does the cursor move forward?"
                )
            if between is not None:
                between(number, [item["id"] for item in items])
            target = _resolve(response, link["url"])
            response = api.get(str(target))
            advice = ""
            if deleted and number == 2:
                advice = (
                    f"Product {deleted[0]}, the last one of page 2, was deleted just before "
                    "this request: a cursor must still work when the row it names is gone."
                )
            expect_status(
                response, 200, f"page {number + 1} (following the next link {link['url']})", advice
            )

    @staticmethod
    def _judge(pages, expected_ids, what, inserted, deleted) -> None:
        seen: set[int] = set()
        order: list[int] = []
        for number, page in enumerate(pages, start=1):
            repeated = [item["id"] for item in page if item["id"] in seen]
            if repeated:
                shown = ", ".join(map(str, repeated[:5]))
                cause = ""
                if inserted and number == 2:
                    cause = (
                        f" after {len(inserted)} new products were created between the two "
                        "requests. An offset counts rows, and the new rows pushed the old ones "
                        "down; a cursor says where the previous page ended instead"
                    )
                elif deleted and number == 3:
                    cause = (
                        f" after product {deleted[0]}, the last one of page 2, was deleted. A "
                        "cursor that counts positions moves when a row disappears; compare ids "
                        "instead (`id < last id`)"
                    )
                raise Incorrect(
                    f"Page {number} of {what} repeated product{'s' if len(repeated) > 1 else ''} "
                    f"{shown} from an earlier page{cause}."
                )
            for item in page:
                seen.add(item["id"])
                order.append(item["id"])
        new = [i for i in order if i in inserted]
        if new:
            raise Incorrect(
                f"{what} showed products that were created after the first page ({new[:3]}) "
                "in later pages: newest first, they belong in front of page 1."
            )
        missing = [i for i in expected_ids if i not in seen]
        if missing:
            cause = (
                f" Product {deleted[0]} was deleted after page 2 showed it; a cursor that "
                "looks for the position of the last item (or an offset) skips a row when that "
                "item is gone. Compare ids instead: `id < last id`."
                if deleted
                else ""
            )
            raise Incorrect(
                f"{what} never showed {len(missing)} product(s) (e.g. id {missing[0]}) while "
                f"paging to the end.{cause}"
            )
        if order != [i for i in expected_ids if i in seen]:
            raise Incorrect(f"{what} should list the products newest first (id descending).")

    def praise(self) -> str:
        return "Every product exactly once, while other clients created and deleted products."


# --------------------------------------------------------------------------------------------
# q5 · idempotent POST
# --------------------------------------------------------------------------------------------
class Idempotency(RestExercise):
    label = "rest-ex-idempotency"
    title = "An idempotent POST with Idempotency-Key"
    names = ("idempotent_app",)
    solution_file = "rest/idempotent_app.py"
    hints = (
        "Claim the key first, inside the transaction that creates the product: `INSERT INTO "
        "idempotency_keys (key, request_hash) VALUES (...) ON CONFLICT (key) DO NOTHING "
        "RETURNING key`. No row back means the key was used before.",
        "For a key used before, compare the stored `request_hash` with this request's "
        "(`hashlib.sha256(product.model_dump_json().encode()).hexdigest()`): the same → answer "
        "the product stored under `product_id`; different → 422.",
        "Everything in one `with conn.transaction():` — claim the key, insert the product, "
        "store its id with `UPDATE idempotency_keys SET product_id = ...`. If the insert fails "
        "(409), the transaction rolls back and the key is free again.",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        first_body = _new_product(11)
        key = "c0ffee00-0000-4000-8000-000000000001"
        what = "`POST /products` with `Idempotency-Key` and a new product"
        first = api.post("/products", json=first_body, headers={"Idempotency-Key": key})
        expect_status(first, 201, what)
        api.require_database_use("idempotent_app")
        created = json_body(first, what)
        if not isinstance(created, dict) or not isinstance(created.get("id"), int):
            raise Incorrect(f"{what} should answer the created product with its `id`.")

        what = "the same `POST /products` again, same key and body (a client retrying)"
        retry = api.post("/products", json=first_body, headers={"Idempotency-Key": key})
        if retry.status_code == 409:
            raise Incorrect(
                f"{what} answered 409 Conflict. The client only retried because it never saw "
                "the first answer (a timeout, a dropped connection): with the same key it "
                "must get that first answer again, not an error."
            )
        expect_status(retry, (200, 201), what)
        body = json_body(retry, what)
        if not isinstance(body, dict) or body.get("id") != created["id"]:
            raise Incorrect(
                f"{what} answered product {body.get('id') if isinstance(body, dict) else body!r}"
                f"; the first request created product {created['id']}. The same key must give "
                "the same result."
            )
        with api.db() as conn:
            count = conn.execute(
                "SELECT count(*) FROM products WHERE sku = %s", (first_body["sku"],)
            ).fetchone()[0]
            stored = conn.execute(
                "SELECT request_hash, product_id FROM idempotency_keys WHERE key = %s", (key,)
            ).fetchone()
        if count != 1:
            raise Incorrect(f"{what} left {count} products with that SKU; there must be one.")
        if stored is None:
            raise Incorrect(
                "The key is not in the `idempotency_keys` table. A key kept in memory is lost "
                "when the server restarts, and a second server behind the load balancer never "
                "sees it: store it in the database, in the transaction that creates the "
                "product."
            )

        what = "`POST /products` with a key used before but a different body"
        other = _new_product(12)
        reuse = api.post("/products", json=other, headers={"Idempotency-Key": key})
        if reuse.status_code in (200, 201):
            raise Incorrect(
                f"{what} answered {status_text(reuse.status_code)}. A key reused for a "
                "different request is a client bug: refuse it (422 Unprocessable Content, or "
                "409) instead of pretending it worked. Compare a fingerprint of the body."
            )
        expect_status(reuse, (409, 422), what)
        if _count_sku(api, other["sku"]):
            raise Incorrect(f"{what} was refused, but it created the product anyway.")

        what = "`POST /products` with a new key and a new product"
        fresh = api.post(
            "/products", json=other, headers={"Idempotency-Key": "c0ffee00-0000-4000-8000-2"}
        )
        expect_status(fresh, 201, what)
        fresh_body = json_body(fresh, what)
        if not isinstance(fresh_body, dict) or fresh_body.get("id") == created["id"]:
            raise Incorrect(f"{what} should create a new product, with a new id.")

        key = "c0ffee00-0000-4000-8000-000000000003"
        clash = {**_new_product(13), "sku": first_body["sku"]}  # that SKU is taken
        what = "`POST /products` with a new key but a SKU that is taken"
        expect_status(
            api.post("/products", json=clash, headers={"Idempotency-Key": key}),
            409,
            what,
            "The SKU is taken: 409 Conflict, as in the first exercise.",
        )
        what = "the same failed request again, with the same key"
        again = api.post("/products", json=clash, headers={"Idempotency-Key": key})
        if again.status_code != 409:
            cause = (
                f"it crashed with {describe_app_error(again.app_error)}"
                if again.app_error is not None
                else f"it answered {status_text(again.status_code)}"
            )
            raise Incorrect(
                f"{what}: {cause}. The first attempt failed, yet its key was kept. Claim the "
                "key and create the product in one transaction, so that a failure leaves no "
                "trace."
            )

    def praise(self) -> str:
        return "Retries are safe: one key, one product, whatever the network did."


def _count_sku(api: APIClient, sku: str) -> int:
    with api.db() as conn:
        return conn.execute("SELECT count(*) FROM products WHERE sku = %s", (sku,)).fetchone()[0]


# --------------------------------------------------------------------------------------------
# q6 · optimistic concurrency: ETag and If-Match
# --------------------------------------------------------------------------------------------
_ENTITY_TAG = re.compile(r'^(W/)?"[\x21\x23-\x7e\x80-\xff]*"$')


class IfMatch(RestExercise):
    label = "rest-ex-if-match"
    title = "No lost updates: ETag and If-Match"
    names = ("guarded_app",)
    solution_file = "rest/guarded_app.py"
    helper_names = ("etag_of",)
    hints = (
        "The ETag must change whenever the product changes: derive it from the product "
        "itself, e.g. a hash of `product.model_dump_json()`, in double quotes.",
        "In PATCH: no `If-Match` header → 428 Precondition Required. Otherwise read the "
        "current row (`SELECT … FOR UPDATE` inside `with conn.transaction():`), compute its "
        "ETag, and if it is not the one in If-Match → 412 Precondition Failed.",
        'Send the new ETag with the PATCH\'s answer too (`response.headers["ETag"]`), so the '
        "client can make its next change without reading again.",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        what = "`GET /products/9`"
        response = api.get("/products/9")
        expect_status(response, 200, what)
        api.require_database_use("guarded_app")
        expect_product(json_body(response, what), seeded(9), what)
        first = self._etag(response, what)
        again = self._etag(api.get("/products/9"), "a second `GET /products/9`")
        if again != first:
            raise Incorrect(
                f"Two GETs of the unchanged product 9 gave two ETags ({first} and {again}). An "
                "ETag must stay the same as long as the representation does."
            )
        other = self._etag(api.get("/products/10"), "`GET /products/10`")
        if other == first:
            raise Incorrect(
                f"Products 9 and 10 have the same ETag ({first}). The ETag identifies one "
                "version of one resource: compute it from the product's content."
            )

        what = "`PATCH /products/9` with `If-Match` set to the ETag just read"
        response = api.patch("/products/9", json={"price": "11.11"}, headers={"If-Match": first})
        expect_status(response, 200, what)
        expect_product(json_body(response, what), {**seeded(9), "price": "11.11"}, what)
        updated = self._etag(response, what)
        if updated == first:
            raise Incorrect(
                f"{what} changed the product but answered the old ETag {first}. The ETag must "
                "change when the product changes, or stale copies look fresh."
            )
        current = self._etag(api.get("/products/9"), "`GET /products/9` after the PATCH")
        if current != updated:
            raise Incorrect(
                "The ETag the PATCH answered differs from the one a GET answers right after "
                "it: both must describe the same current product."
            )

        what = "`PATCH /products/9` with a stale `If-Match` (the ETag from before the update)"
        response = api.patch(
            "/products/9",
            json={"name": "Overwritten by a stale client"},
            headers={"If-Match": first},
        )
        if response.status_code == 200:
            raise Incorrect(
                f"{what} went through: the client overwrote a change it never saw, a lost "
                "update. Compare If-Match with the current ETag and answer 412 Precondition "
                "Failed when they differ."
            )
        expect_status(response, 412, what)
        if (_db_product(api, 9) or {}).get("name") == "Overwritten by a stale client":
            raise Incorrect(f"{what} answered 412 but changed the product anyway.")

        with api.db() as conn:  # another client changes the product behind our back
            conn.execute("UPDATE products SET price = 13.13 WHERE id = 9")
        what = (
            "`PATCH /products/9` with the ETag from the last GET, after another client changed "
            "the product in the database"
        )
        response = api.patch(
            "/products/9",
            json={"name": "Overwritten by a stale client"},
            headers={"If-Match": current},
        )
        if response.status_code == 200:
            raise Incorrect(
                f"{what} went through. Compute the ETag from the product as it is in the "
                "database now, not from something remembered at the last GET."
            )
        expect_status(response, 412, what)

        what = "`PATCH /products/9` without any `If-Match` header"
        response = api.patch("/products/9", json={"name": "Blind write"})
        expect_status(
            response,
            428,
            what,
            "A server that needs conditional updates says so with 428 "
            "Precondition Required (RFC 6585 §3); otherwise any client can still overwrite "
            "others' changes by leaving the header out.",
        )

        what = f"`PATCH /products/{MISSING_ID}` (no such product)"
        response = api.patch(
            f"/products/{MISSING_ID}", json={"price": "1.00"}, headers={"If-Match": first}
        )
        expect_status(response, (404, 412), what)

    @staticmethod
    def _etag(response: httpx.Response, what: str) -> str:
        expect_status(response, 200, what)
        tag = response.headers.get("etag")
        if not tag:
            raise Incorrect(f"{what} answered without an `ETag` header.")
        if tag.startswith("W/"):
            raise Incorrect(
                f"{what} answered a weak ETag ({tag}). If-Match compares ETags with the strong "
                "comparison (RFC 9110 §13.1.1), which a weak tag never passes: drop the W/."
            )
        if not _ENTITY_TAG.match(tag):
            raise Incorrect(
                f"{what} answered `ETag: {tag}`; an entity tag is written in double quotes, "
                'e.g. `"3f2a9c"` (RFC 9110 §8.8.3).'
            )
        return tag

    def praise(self) -> str:
        return "Stale writes get 412, blind writes 428: no update is lost silently."


# --------------------------------------------------------------------------------------------
# q7 · versioning
# --------------------------------------------------------------------------------------------
class Versioning(RestExercise):
    label = "rest-ex-versioning"
    title = "Two versions side by side, one deprecated"
    names = ("versioned_app",)
    solution_file = "rest/versioned_app.py"
    hints = (
        'Two `APIRouter`s, `prefix="/v1"` and `prefix="/v2"`, both included in the app. '
        "v1 keeps answering `ProductOut` exactly as before; v2 answers a new model whose price "
        "is an object.",
        "`APIRouter(..., deprecated=True)` marks v1's operations as deprecated in the OpenAPI "
        "document. The headers go on each v1 response: `Deprecation: @<unix seconds>` "
        "(RFC 9745) and `Sunset: <HTTP date>` (RFC 8594).",
        "`int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())` gives the seconds; "
        "`email.utils.format_datetime(when, usegmt=True)` writes an HTTP date. The sunset must "
        "come after the deprecation.",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        expected = seeded(12)
        what = "`GET /v1/products/12`"
        response = api.get("/v1/products/12")
        expect_status(response, 200, what)
        api.require_database_use("versioned_app")
        body = json_body(response, what)
        if isinstance(body, dict) and isinstance(body.get("price"), dict):
            raise Incorrect(
                f"{what} answered the new representation (price as an object). Clients of v1 "
                "were written against the old one and would break: v1 must keep answering "
                "exactly what it always did."
            )
        expect_product(body, expected, what)
        deprecation = response.headers.get("deprecation")
        if not deprecation:
            raise Incorrect(
                f"{what} has no `Deprecation` header: clients (and their logs) cannot tell "
                "that v1 is on its way out."
            )
        match = re.fullmatch(r"@(-?\d+)", deprecation.strip())
        if not match:
            raise Incorrect(
                f"{what} says `Deprecation: {deprecation}`. RFC 9745 makes its value a date, "
                "written as @ and Unix seconds, e.g. `Deprecation: @1793491200` (the older "
                "draft's `true` is gone)."
            )
        sunset = response.headers.get("sunset")
        if not sunset:
            raise Incorrect(
                f"{what} has no `Sunset` header saying when v1 stops answering (RFC 8594)."
            )
        try:
            sunset_at = email.utils.parsedate_to_datetime(sunset)
        except (TypeError, ValueError):
            sunset_at = None
        if sunset_at is None or sunset_at.tzinfo is None:
            raise Incorrect(
                f"{what} says `Sunset: {sunset}`; it must be an HTTP date such as "
                "`Sat, 01 May 2027 00:00:00 GMT`."
            )
        if sunset_at.timestamp() < int(match.group(1)):
            raise Incorrect(f"{what}: the Sunset date comes before the Deprecation date.")

        what = "`GET /v2/products/12`"
        response = api.get("/v2/products/12")
        expect_status(response, 200, what)
        body = json_body(response, what)
        price = body.get("price") if isinstance(body, dict) else None
        if not isinstance(price, dict) or set(price) != {"amount", "currency"}:
            raise Incorrect(
                f"{what} should answer the price as an object with `amount` and `currency`."
            )
        if _decimal(price["amount"]) != _decimal(expected["price"]):
            raise Incorrect(
                f"{what}: price.amount is {price['amount']!r}; expected {expected['price']}."
            )
        if not (
            isinstance(price["currency"], str) and re.fullmatch(r"[A-Z]{3}", price["currency"])
        ):
            raise Incorrect(f'{what}: price.currency should be an ISO 4217 code such as "USD".')
        expect_product({**body, "price": expected["price"]}, expected, what)
        if "deprecation" in response.headers:
            raise Incorrect(
                f"{what} carries a `Deprecation` header, but v2 is the current version."
            )

        for version in ("v1", "v2"):
            what = f"`GET /{version}/products/{MISSING_ID}` (no such product)"
            expect_status(api.get(f"/{version}/products/{MISSING_ID}"), 404, what)

        operation = app.openapi().get("paths", {}).get("/v1/products/{product_id}", {}).get("get")
        if operation is None:
            raise Incorrect("The OpenAPI document has no `GET /v1/products/{product_id}`.")
        if not operation.get("deprecated"):
            raise Incorrect(
                "The OpenAPI document does not mark `GET /v1/products/{product_id}` as "
                "deprecated, so /docs shows it as current. `APIRouter(..., deprecated=True)` "
                "(or `deprecated=True` on the route) says so."
            )

    def praise(self) -> str:
        return "v1 clients keep working, are told when it ends, and v2 carries the change."


# --------------------------------------------------------------------------------------------
# q8 · the OpenAPI document tells the truth about errors
# --------------------------------------------------------------------------------------------
_REQUIRED_ERRORS = {("get", "/products/{}"): (404,), ("post", "/products"): (409, 422)}


def _resolve_schema(document: dict[str, Any], schema: Any, depth: int = 0) -> dict[str, Any]:
    if isinstance(schema, dict) and "$ref" in schema and depth < 10:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            return {}
        target: Any = document
        for part in ref[2:].split("/"):
            target = (
                target.get(part.replace("~1", "/").replace("~0", "~"), {})
                if isinstance(target, dict)
                else {}
            )
        return _resolve_schema(document, target, depth + 1)
    return schema if isinstance(schema, dict) else {}


def _schema_properties(document: dict[str, Any], schema: Any) -> set[str]:
    schema = _resolve_schema(document, schema)
    names = set(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []) or []:
            names |= _schema_properties(document, part)
    return names


class OpenAPIErrors(RestExercise):
    label = "rest-ex-openapi-errors"
    title = "An OpenAPI document that documents the errors"
    names = ("documented_app",)
    solution_file = "rest/documented_app.py"
    builds_on = ("problem_details.py",)
    helper_names = ("problem_responses", "install_problem_details")
    helper_origin = {"install_problem_details": "from the problem-details exercise"}
    time_limit = 60.0
    hints = (
        "`responses={404: {...}}` on a route adds a documented response. The content type is "
        'a key of its `content`: `{"application/problem+json": {"schema": ...}}`.',
        "A pydantic model `Problem` (type, title, status, detail) gives the schema: "
        "`Problem.model_json_schema()`. A helper `problem_responses(404, 422)` that builds the "
        "dict for several codes keeps the routes short.",
        "Document 422 yourself on both routes: otherwise FastAPI adds its default 422 "
        "(`HTTPValidationError`, application/json), which is not what your API answers once "
        "`install_problem_details` is installed.",
    )

    def scenario(self, api: APIClient, app: Any) -> None:
        try:
            document = app.openapi()
        except Exception as exc:
            raise Incorrect(
                f"FastAPI could not generate the OpenAPI document: {describe_exception(exc)}."
            ) from None
        served = api.get(app.openapi_url or "/openapi.json")
        expect_status(served, 200, "`GET /openapi.json`")
        self._validate(document)
        operations = self._operations(document)
        for (method, pattern), statuses in _REQUIRED_ERRORS.items():
            path = operations.get((method, pattern))
            shown = f"`{method.upper()} {pattern.replace('{}', '{product_id}')}`"
            if path is None:
                raise Incorrect(f"`documented_app` has no {shown} route.")
            operation = document["paths"][path][method]
            responses = operation.get("responses", {})
            for status in statuses:
                if str(status) not in responses:
                    raise Incorrect(
                        f"The OpenAPI document of {shown} does not list its "
                        f"{status_text(status)} response: clients reading /docs cannot know "
                        "that it happens, nor what its body looks like."
                    )
            for status, response in responses.items():
                if not status.startswith("4"):
                    continue
                content = response.get("content", {})
                if PROBLEM_JSON not in content:
                    kinds = ", ".join(content) or "no content at all"
                    default = (
                        " (that is FastAPI's default 422, HTTPValidationError: document 422 "
                        "yourself)"
                        if status == "422" and "application/json" in content
                        else ""
                    )
                    raise Incorrect(
                        f"{shown} documents its {status} response as {kinds}{default}, but "
                        f"your API answers errors as `{PROBLEM_JSON}`. The document must say "
                        "what the API really sends."
                    )
                properties = _schema_properties(document, content[PROBLEM_JSON].get("schema"))
                missing = [m for m in ("type", "title", "status", "detail") if m not in properties]
                if missing:
                    raise Incorrect(
                        f"The schema of {shown}'s {status} response has no "
                        f"{', '.join(missing)}: document the problem details members."
                    )

        what = f"`GET /products/{MISSING_ID}`"
        response = api.get(f"/products/{MISSING_ID}")
        api.require_database_use("documented_app")
        _problem(response, 404, what)
        what = "`POST /products` with a taken SKU"
        _problem(api.post("/products", json={**_new_product(21), "sku": "ELE-00001"}), 409, what)
        what = "`POST /products` with a negative price"
        _problem(api.post("/products", json={**_new_product(22), "price": "-1"}), 422, what)
        what = "`POST /products` with a new product"
        expect_status(api.post("/products", json=_new_product(23)), 201, what)

    @staticmethod
    def _validate(document: dict[str, Any]) -> None:
        from openapi_spec_validator import validate

        try:
            validate(document)
        except Exception as exc:
            text = str(exc).strip() or type(exc).__name__
            # validator messages quote the whole document after " within ": keep the point
            first = text.splitlines()[0].split(" within {")[0].split(" in {")[0]
            raise Incorrect(
                f"Your OpenAPI document is not valid OpenAPI {document.get('openapi', '')}: "
                f"{first[:200]}"
            ) from None

    @staticmethod
    def _operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
        found = {}
        for path, item in (document.get("paths") or {}).items():
            pattern = re.sub(r"\{[^}]+\}", "{}", path)
            for method in item:
                found.setdefault((method, pattern), path)
        return found

    def praise(self) -> str:
        return "/docs now tells clients every error they can get, and in which shape."


EXERCISES = [
    CreateRead,
    UpdateDelete,
    ProblemDetails,
    CursorPagination,
    Idempotency,
    IfMatch,
    Versioning,
    OpenAPIErrors,
]


def bind(namespace: dict[str, Any]) -> list:
    return core.bind(EXERCISES, namespace)
