"""Contract tests of the Stage 04 checkers: the reference passes, the starter code in the
notebook is not attempted, and realistic wrong answers fail with the message meant for them.

A wrong answer is the reference solution with one realistic mistake edited in (``variant``),
run exactly as the notebook runs it. The checks use a database of their own (the embedded
PostgreSQL, or the server in ``DATABASE_URL`` when it is set).
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

from trek.exercises import apicheck
from trek.exercises import stage04 as s
from trek.exercises.core import (
    SOLUTIONS_DIR,
    assert_check_failed,
    assert_check_passed,
    assert_check_unattempted,
    run_check,
)

pytestmark = pytest.mark.xdist_group("stage04")

NOTEBOOK = SOLUTIONS_DIR.parents[2] / "notebooks" / "04-rest.ipynb"


def variant(exercise, *edits: tuple[str, str], extra: str = "") -> dict:
    """The namespace of the reference solution with ``edits`` (old, new) applied."""
    source = exercise.solution_source()
    for old, new in edits:
        assert old in source, f"{old!r} is not in {exercise.solution_file}"
        source = source.replace(old, new)
    namespace = exercise.solution_context()
    exec(compile(source + extra, exercise.solution_file, "exec", dont_inherit=True), namespace)
    return namespace


def learner(exercise, code: str) -> dict:
    """The namespace after running ``code`` (a learner's own cell) in the exercise's context."""
    namespace = exercise.solution_context()
    exec(compile(code, "<learner cell>", "exec", dont_inherit=True), namespace)
    return namespace


def starter(number: int) -> str:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [c for c in notebook.cells if f"exercise-q{number}" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    return cells[0].source


def test_every_exercise_is_tested_here():
    tested = {name[len("test_") :].split("_")[0] for name in globals() if name.startswith("test_")}
    for cls in s.EXERCISES:
        assert cls.__name__.lower() in tested, f"{cls.__name__} has no contract tests here"
        assert cls.label.startswith("rest-ex-")
        assert cls.stage == 4
        assert cls.hints and cls.solution_source().strip()


@pytest.mark.parametrize("exercise", s.EXERCISES, ids=lambda cls: cls.__name__)
def test_reference_solution_passes(exercise):
    assert_check_passed(exercise)


@pytest.mark.parametrize(
    "exercise", [e for e in s.EXERCISES if e is not s.ProblemDetails], ids=lambda cls: cls.__name__
)
def test_reference_openapi_document_is_valid(exercise):
    from openapi_spec_validator import validate

    app = variant(exercise)[exercise.names[0]]
    document = app.openapi()
    validate(document)  # raises on anything the OpenAPI 3.1 specification does not allow
    assert document["openapi"].startswith("3.1")


@pytest.mark.parametrize(
    "number, exercise", list(enumerate(s.EXERCISES, start=1)), ids=lambda x: str(x)
)
def test_notebook_starter_code_is_not_attempted(number, exercise):
    namespace = learner(exercise, starter(number))
    feedback = assert_check_unattempted(exercise, **namespace)
    assert "____" in feedback.message


def test_shared_cells_of_the_notebook_are_the_shared_solution_file():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [
        c.source.strip() for c in notebook.cells if "rest-shared" in c.metadata.get("tags", [])
    ]
    shared = (SOLUTIONS_DIR / "rest" / "shared.py").read_text(encoding="utf-8")
    chunks = [c.strip() for c in re.split(r"^# %%\n", shared, flags=re.M)[1:]]
    assert cells == chunks


# --- the base class: what any learner app can do wrong ----------------------------------------
def test_createread_app_that_hangs_gives_a_short_message(monkeypatch):
    monkeypatch.setattr(s.CreateRead, "request_timeout", 0.5)
    namespace = variant(
        s.CreateRead,
        (
            "    product = find_product(conn, product_id)\n",
            "    time.sleep(2)\n    product = None\n",
        ),
        extra="\nimport time\n",
    )
    started = time.monotonic()
    assert_check_failed(s.CreateRead, "got no answer within 0.5 s", **namespace)
    assert time.monotonic() - started < 5


def test_createread_app_with_the_wrong_content_type():
    namespace = variant(
        s.CreateRead,
        (
            '@catalog_app.get("/products/{product_id}", response_model=ProductOut)',
            '@catalog_app.get("/products/{product_id}", response_class=PlainTextResponse)',
        ),
        ("    return product\n", "    return product.model_dump_json()\n"),
        ("import psycopg\n", "import psycopg\nfrom fastapi.responses import PlainTextResponse\n"),
    )
    assert_check_failed(s.CreateRead, "expected `application/json`", **namespace)


def test_createread_app_factory_that_crashes_on_startup():
    def catalog_app():
        raise RuntimeError("cannot read settings.toml")

    namespace = s.CreateRead.solution_context()
    feedback = assert_check_failed(
        s.CreateRead,
        "RuntimeError: cannot read settings.toml",
        **namespace,
        catalog_app=catalog_app,
    )
    assert "Traceback" not in feedback.message


def test_createread_accepts_an_app_factory():
    namespace = variant(s.CreateRead)
    app = namespace["catalog_app"]
    assert_check_passed(s.CreateRead, **{**namespace, "catalog_app": lambda: app})


def test_createread_rejects_something_that_is_not_an_app():
    namespace = s.CreateRead.solution_context()
    assert_check_failed(s.CreateRead, "should be a FastAPI app", **namespace, catalog_app=42)


def test_createread_app_that_ignores_get_conn():
    namespace = variant(
        s.CreateRead,
        (
            "def read_product(product_id: int, conn: Conn):\n",
            "def read_product(product_id: int):\n    conn = psycopg.connect(DB, autocommit=True)\n",
        ),
    )
    assert_check_failed(s.CreateRead, "never asked for `get_conn`", **namespace)


def test_the_check_restores_the_apps_dependency_overrides():
    namespace = variant(s.CreateRead)
    app = namespace["catalog_app"]

    def mine():
        yield None

    app.dependency_overrides[namespace["get_conn"]] = mine
    assert_check_passed(s.CreateRead, **namespace)  # the check's database replaces it…
    assert app.dependency_overrides == {namespace["get_conn"]: mine}  # …and it is put back


# --- q1 create and read -----------------------------------------------------------------------
def test_createread_200_instead_of_201():
    namespace = variant(s.CreateRead, ("status_code=status.HTTP_201_CREATED, ", ""))
    assert_check_failed(s.CreateRead, "answers 201 Created", **namespace)


def test_createread_no_location():
    namespace = variant(
        s.CreateRead, ('    response.headers["Location"] = f"/products/{created.id}"\n', "")
    )
    assert_check_failed(s.CreateRead, "without a `Location` header", **namespace)


def test_createread_location_of_the_collection():
    namespace = variant(s.CreateRead, ('f"/products/{created.id}"', '"/products"'))
    assert_check_failed(s.CreateRead, "does not point at the new product", **namespace)


def test_createread_duplicate_sku_crashes():
    namespace = variant(
        s.CreateRead,
        (
            "    try:\n        created = insert_product(conn, product)\n",
            "    created = insert_product(conn, product)\n    try:\n        pass\n",
        ),
    )
    feedback = assert_check_failed(
        s.CreateRead, "crashed your app with UniqueViolation", **namespace
    )
    assert "409 Conflict" in feedback.message


def test_createread_missing_product_is_not_404():
    namespace = variant(
        s.CreateRead,
        (
            '        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")\n',
            "        return {}\n",
        ),
    )
    assert_check_failed(s.CreateRead, "404 Not Found", **namespace)


def test_createread_leaks_internal_columns():
    code = s.CreateRead.solution_source().replace(
        '@catalog_app.get("/products/{product_id}", response_model=ProductOut)\n'
        "def read_product(product_id: int, conn: Conn):\n"
        "    product = find_product(conn, product_id)\n",
        '@catalog_app.get("/products/{product_id}")\n'
        "def read_product(product_id: int, conn: Conn):\n"
        "    cur = conn.cursor(row_factory=psycopg.rows.dict_row)\n"
        '    product = cur.execute("SELECT * FROM products WHERE id = %s", (product_id,)).fetchone()\n',
    )
    namespace = learner(s.CreateRead, "import psycopg.rows\n" + code)
    assert_check_failed(s.CreateRead, "internal columns leak out", **namespace)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_createread_body_not_validated():
    namespace = variant(
        s.CreateRead,
        ("def create_product(product: ProductIn,", "def create_product(product: dict,"),
        (
            "insert_product(conn, product)",
            "insert_product(conn, ProductIn.model_construct(**product))",
        ),
        ('f"SKU {product.sku} is taken."', '"taken"'),
    )
    assert_check_failed(s.CreateRead, "so FastAPI validates it", **namespace)


# --- q2 update and delete ---------------------------------------------------------------------
def test_updatedelete_patch_without_exclude_unset():
    namespace = variant(
        s.UpdateDelete, ("patch.model_dump(exclude_unset=True)", "patch.model_dump()")
    )
    feedback = assert_check_failed(s.UpdateDelete, "NotNullViolation", **namespace)
    assert "leaves the others alone" in feedback.message


def test_updatedelete_delete_answers_200_with_a_body():
    namespace = variant(
        s.UpdateDelete,
        (", status_code=status.HTTP_204_NO_CONTENT", ""),
        ("    # nothing to return: a 204 response has no body\n", '    return {"deleted": True}\n'),
    )
    assert_check_failed(s.UpdateDelete, "204 No Content", **namespace)


def test_updatedelete_delete_of_a_missing_product_is_204():
    namespace = variant(
        s.UpdateDelete,
        (
            "    if not delete_product(conn, product_id):\n"
            '        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no product {product_id}.")\n',
            "    delete_product(conn, product_id)\n",
        ),
    )
    assert_check_failed(s.UpdateDelete, "a second `DELETE /products/5` answered 204", **namespace)


def test_updatedelete_empty_patch_crashes():
    # The learner writes the UPDATE themselves and forgets that {} sets no column at all.
    code = s.UpdateDelete.solution_source().replace(
        "    product = update_product(conn, product_id, patch.model_dump(exclude_unset=True))\n",
        "    changes = patch.model_dump(exclude_unset=True)\n"
        '    sets = ", ".join(f"{column} = %({column})s" for column in changes)\n'
        "    product = conn.cursor(row_factory=class_row(ProductOut)).execute(\n"
        '        f"UPDATE products SET {sets} WHERE id = %(id)s RETURNING {COLUMNS}",\n'
        '        {**changes, "id": product_id},\n'
        "    ).fetchone()\n",
    )
    namespace = learner(s.UpdateDelete, code)
    assert_check_failed(s.UpdateDelete, "empty object", **namespace)


# --- q3 problem details -----------------------------------------------------------------------
def test_problemdetails_handler_for_fastapis_exception_only():
    namespace = variant(
        s.ProblemDetails,
        ("@app.exception_handler(StarletteHTTPException)", "@app.exception_handler(HTTPException)"),
        (
            "from fastapi import FastAPI, Request",
            "from fastapi import FastAPI, HTTPException, Request",
        ),
    )
    assert_check_failed(s.ProblemDetails, "Starlette's HTTPException", **namespace)


def test_problemdetails_plain_json_media_type():
    namespace = variant(
        s.ProblemDetails, ('media_type="application/problem+json"', 'media_type="application/json"')
    )
    assert_check_failed(s.ProblemDetails, "RFC 9457 §3", **namespace)


def test_problemdetails_detail_as_title():
    namespace = variant(
        s.ProblemDetails,
        ('"title": HTTPStatus(status).phrase', '"title": detail or HTTPStatus(status).phrase'),
    )
    assert_check_failed(s.ProblemDetails, "title should be the status phrase", **namespace)


def test_problemdetails_status_as_a_string():
    namespace = variant(s.ProblemDetails, ('"status": status}', '"status": str(status)}'))
    assert_check_failed(s.ProblemDetails, "JSON number", **namespace)


def test_problemdetails_headers_dropped():
    namespace = variant(
        s.ProblemDetails,
        (
            "return problem(exc.status_code, detail, headers=exc.headers)",
            "return problem(exc.status_code, detail)",
        ),
    )
    assert_check_failed(s.ProblemDetails, "`Allow` header", **namespace)


def test_problemdetails_errors_without_pointers():
    namespace = variant(
        s.ProblemDetails,
        ('**error_location(error["loc"])}', '"loc": str(error["loc"])}'),
    )
    assert_check_failed(s.ProblemDetails, "JSON pointer", **namespace)


def test_problemdetails_validation_problem_without_detail():
    namespace = variant(
        s.ProblemDetails,
        ('problem(422, "The request is not valid.", errors=errors)', "problem(422, errors=errors)"),
    )
    assert_check_failed(s.ProblemDetails, "`detail`", **namespace)


def test_problemdetails_no_errors_array():
    namespace = variant(
        s.ProblemDetails,
        ('"The request is not valid.", errors=errors)', '"The request is not valid.")'),
    )
    assert_check_failed(s.ProblemDetails, "`errors` array", **namespace)


def test_problemdetails_parameter_errors_without_a_name():
    namespace = variant(
        s.ProblemDetails,
        ('return {"parameter": str(path[-1]) if path else source}', 'return {"pointer": "#/"}'),
    )
    assert_check_failed(s.ProblemDetails, '"parameter": "limit"', **namespace)


def test_problemdetails_install_that_is_not_a_function():
    assert_check_failed(
        s.ProblemDetails, "should be a function", install_problem_details="handlers"
    )


# --- q4 cursor pagination ---------------------------------------------------------------------
OFFSET_PAGINATION = (
    ('return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode()', "return str(last_id)"),
    (
        '        kind, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")\n'
        '        if kind != "id":\n'
        "            raise ValueError(kind)\n"
        "        return int(value)\n",
        "        return int(cursor)\n",
    ),
    (
        '        conditions.append("id < %s")  # newest first: the next page holds smaller ids\n        params.append(decode_cursor(cursor))\n',
        "        pass  # the offset goes into the query below\n",
    ),
    (
        'ORDER BY id DESC LIMIT %s",\n            [*params, limit + 1],',
        'ORDER BY id DESC LIMIT %s OFFSET %s",\n            [*params, limit + 1, decode_cursor(cursor) if cursor else 0],',
    ),
    (
        "encode_cursor(items[-1].id) if len(rows) > limit",
        "encode_cursor((decode_cursor(cursor) if cursor else 0) + limit) if len(rows) > limit",
    ),
)


def test_cursorpagination_offset_pagination_repeats_rows():
    namespace = variant(s.CursorPagination, *OFFSET_PAGINATION)
    feedback = assert_check_failed(s.CursorPagination, "repeated", **namespace)
    assert "new products were created between the two requests" in feedback.message


def test_cursorpagination_link_loses_the_filter():
    namespace = variant(
        s.CursorPagination,
        (
            "request.url.include_query_params(cursor=next_cursor, limit=limit)",
            'request.url.replace(query=f"cursor={next_cursor}&limit={limit}")',
        ),
    )
    assert_check_failed(s.CursorPagination, "lost the filter", **namespace)


def test_cursorpagination_cursor_row_looked_up_again():
    # The next page starts "after the row the cursor names", looked up again: fine until that
    # row is deleted between two pages.
    namespace = variant(
        s.CursorPagination,
        (
            "        params.append(decode_cursor(cursor))\n",
            "        last = conn.execute(\n"
            '            "SELECT id FROM products WHERE id = %s", (decode_cursor(cursor),)\n'
            "        ).fetchone()\n"
            "        params.append(last[0])\n",
        ),
    )
    feedback = assert_check_failed(s.CursorPagination, "was deleted just before", **namespace)
    assert "TypeError" in feedback.message


def test_cursorpagination_bad_cursor_crashes():
    namespace = variant(
        s.CursorPagination, ("    except ValueError:\n", "    except ZeroDivisionError:\n")
    )
    assert_check_failed(s.CursorPagination, "answer 400 Bad Request", **namespace)


def test_cursorpagination_unbounded_limit():
    namespace = variant(s.CursorPagination, ("Query(ge=1, le=100)", "Query()"))
    assert_check_failed(s.CursorPagination, "Bound `limit`", **namespace)


def test_cursorpagination_no_link_header():
    namespace = variant(
        s.CursorPagination,
        ('        response.headers["Link"] = f\'<{next_url}>; rel="next"\'\n', ""),
    )
    assert_check_failed(s.CursorPagination, 'no `Link: <…>; rel="next"` header', **namespace)


def test_cursorpagination_oldest_first():
    namespace = variant(
        s.CursorPagination,
        ('conditions.append("id < %s")', 'conditions.append("id > %s")'),
        ("ORDER BY id DESC", "ORDER BY id ASC"),
    )
    assert_check_failed(s.CursorPagination, "", **namespace)


# --- q5 idempotency ---------------------------------------------------------------------------
def test_idempotency_key_ignored():
    namespace = variant(
        s.Idempotency,
        (
            "            if idempotency_key is not None:\n                claimed",
            "            if False:\n                claimed",
        ),
    )
    assert_check_failed(s.Idempotency, "answered 409 Conflict", **namespace)


def test_idempotency_different_body_replayed():
    namespace = variant(s.Idempotency, ("if request_hash != fingerprint:", "if False:"))
    assert_check_failed(s.Idempotency, "key reused for a different request", **namespace)


def test_idempotency_keys_in_memory():
    code = """
import psycopg
from fastapi import FastAPI, Header, HTTPException, Response, status
from typing import Annotated

idempotent_app = FastAPI()
seen = {}


@idempotent_app.post("/products", status_code=201, response_model=ProductOut)
def create_product(product: ProductIn, response: Response, conn: Conn,
                   idempotency_key: Annotated[str | None, Header()] = None):
    if idempotency_key in seen:
        body, created = seen[idempotency_key]
        if body != product:
            raise HTTPException(422, "different request")
        response.headers["Location"] = f"/products/{created.id}"
        return created
    try:
        created = insert_product(conn, product)
    except psycopg.errors.UniqueViolation:
        raise HTTPException(409, "taken") from None
    seen[idempotency_key] = (product, created)
    response.headers["Location"] = f"/products/{created.id}"
    return created
"""
    assert_check_failed(s.Idempotency, "`idempotency_keys` table", **learner(s.Idempotency, code))


def test_idempotency_key_kept_after_a_failure():
    # The key is claimed in its own statement (autocommit), outside the product's transaction.
    namespace = variant(
        s.Idempotency,
        (
            "        with conn.transaction():\n            if idempotency_key",
            "        if True:\n            if idempotency_key",
        ),
    )
    assert_check_failed(s.Idempotency, "in one transaction", **namespace)


# --- q6 If-Match ------------------------------------------------------------------------------
def test_ifmatch_ignored():
    namespace = variant(
        s.IfMatch, ('if "*" not in wanted and etag_of(current) not in wanted:', "if False:")
    )
    assert_check_failed(s.IfMatch, "lost update", **namespace)


def test_ifmatch_etag_from_the_id_only():
    namespace = variant(
        s.IfMatch,
        (
            "digest = hashlib.sha256(product.model_dump_json().encode()).hexdigest()",
            "digest = str(product.id)",
        ),
    )
    assert_check_failed(s.IfMatch, "must change when the product changes", **namespace)


def test_ifmatch_weak_etag():
    namespace = variant(s.IfMatch, ("return f'\"{digest[:20]}\"'", "return f'W/\"{digest[:20]}\"'"))
    assert_check_failed(s.IfMatch, "weak ETag", **namespace)


def test_ifmatch_unquoted_etag():
    namespace = variant(s.IfMatch, ("return f'\"{digest[:20]}\"'", "return digest[:20]"))
    assert_check_failed(s.IfMatch, "double quotes", **namespace)


def test_ifmatch_no_428():
    namespace = variant(
        s.IfMatch,
        (
            "    if if_match is None:\n        raise",
            "    if if_match is None:\n        if_match = '*'\n    if False:\n        raise",
        ),
    )
    assert_check_failed(s.IfMatch, "428 Precondition Required", **namespace)


def test_ifmatch_etags_remembered_at_get():
    namespace = variant(
        s.IfMatch,
        (
            '    response.headers["ETag"] = etag_of(product)\n    return product\n\n\n@guarded_app.patch',
            '    response.headers["ETag"] = etag_of(product)\n    LAST_SEEN[product_id] = response.headers["ETag"]\n    return product\n\n\n@guarded_app.patch',
        ),
        (
            'if "*" not in wanted and etag_of(current) not in wanted:',
            "if LAST_SEEN.get(product_id) not in wanted:",
        ),
        (
            "    product = update_product(conn, product_id, patch.model_dump(exclude_unset=True))\n",
            "    product = update_product(conn, product_id, patch.model_dump(exclude_unset=True))\n    LAST_SEEN[product_id] = etag_of(product)\n",
        ),
        (
            'guarded_app = FastAPI(title="Shop catalog: safe updates")\n',
            'guarded_app = FastAPI(title="Shop catalog: safe updates")\nLAST_SEEN = {}\n',
        ),
    )
    assert_check_failed(s.IfMatch, "as it is in the database now", **namespace)


# --- q7 versioning ----------------------------------------------------------------------------
def test_versioning_no_deprecation_header():
    namespace = variant(
        s.Versioning,
        (
            '    response.headers["Deprecation"] = f"@{int(DEPRECATED_SINCE.timestamp())}"  # RFC 9745\n',
            "",
        ),
    )
    assert_check_failed(s.Versioning, "no `Deprecation` header", **namespace)


def test_versioning_old_draft_deprecation_true():
    namespace = variant(s.Versioning, ('f"@{int(DEPRECATED_SINCE.timestamp())}"', '"true"'))
    assert_check_failed(s.Versioning, "RFC 9745", **namespace)


def test_versioning_v1_changed_its_representation():
    namespace = variant(
        s.Versioning,
        (
            '@v1.get("/products/{product_id}", response_model=ProductOut)',
            '@v1.get("/products/{product_id}", response_model=ProductOutV2)',
        ),
        ("    return product\n\n\n@v2", "    return read_product_v2(product)\n\n\n@v2"),
    )
    assert_check_failed(s.Versioning, "new representation", **namespace)


def test_versioning_not_deprecated_in_openapi():
    namespace = variant(s.Versioning, (", deprecated=True)", ")"))
    assert_check_failed(s.Versioning, "does not mark", **namespace)


def test_versioning_sunset_before_deprecation():
    namespace = variant(
        s.Versioning,
        ("SUNSET = datetime(2027, 5, 1, tzinfo=UTC)", "SUNSET = datetime(2026, 5, 1, tzinfo=UTC)"),
    )
    assert_check_failed(s.Versioning, "comes before the Deprecation date", **namespace)


def test_versioning_sunset_not_an_http_date():
    namespace = variant(
        s.Versioning, ("format_datetime(SUNSET, usegmt=True)", "SUNSET.isoformat()")
    )
    assert_check_failed(s.Versioning, "must be an HTTP date", **namespace)


# --- q8 OpenAPI documents the errors ----------------------------------------------------------
def test_openapierrors_documented_as_application_json():
    namespace = variant(
        s.OpenAPIErrors,
        (
            '            "content": {\n'
            '                "application/problem+json": {\n'
            '                    "schema": (ValidationProblem if code == 422 else Problem).model_json_schema()\n'
            "                }\n"
            "            },\n",
            '            "model": ValidationProblem if code == 422 else Problem,\n',
        ),
    )
    assert_check_failed(s.OpenAPIErrors, "as application/json", **namespace)


def test_openapierrors_409_not_documented():
    namespace = variant(
        s.OpenAPIErrors,
        ("responses=problem_responses(409, 422)", "responses=problem_responses(422)"),
    )
    assert_check_failed(s.OpenAPIErrors, "does not list its 409 Conflict response", **namespace)


def test_openapierrors_default_422_left():
    namespace = variant(
        s.OpenAPIErrors,
        ("responses=problem_responses(404, 422)", "responses=problem_responses(404)"),
    )
    assert_check_failed(s.OpenAPIErrors, "FastAPI's default 422", **namespace)


def test_openapierrors_dangling_reference():
    namespace = variant(
        s.OpenAPIErrors,
        (
            "(ValidationProblem if code == 422 else Problem).model_json_schema()",
            '{"$ref": "#/components/schemas/Problem"}',
        ),
    )
    assert_check_failed(s.OpenAPIErrors, "not valid OpenAPI", **namespace)


def test_openapierrors_schema_without_status():
    namespace = variant(s.OpenAPIErrors, ("    status: int\n    detail", "    detail"))
    assert_check_failed(s.OpenAPIErrors, "has no status", **namespace)


def test_openapierrors_documents_what_the_api_does_not_do():
    namespace = variant(s.OpenAPIErrors, ("install_problem_details(documented_app)\n", ""))
    assert_check_failed(s.OpenAPIErrors, "application/problem+json", **namespace)


def test_openapierrors_unfinished_problem_details_are_not_attempted():
    namespace = s.OpenAPIErrors.solution_context()
    exec(compile(starter(3), "<q3 starter>", "exec", dont_inherit=True), namespace)
    source = s.OpenAPIErrors.solution_source()
    exec(compile(source, "documented_app.py", "exec", dont_inherit=True), namespace)
    feedback = assert_check_unattempted(s.OpenAPIErrors, **namespace)
    assert "install_problem_details" in feedback.message


def test_checks_never_use_the_learners_database():
    # get_conn reads DB from the learner's namespace; point it nowhere: the check still works,
    # because it swaps get_conn for a connection to a database of its own.
    namespace = variant(s.CreateRead)
    namespace["DB"] = "postgresql://nobody@127.0.0.1:1/nowhere"
    feedback = run_check(s.CreateRead, **namespace)
    assert feedback.status == "correct", feedback
    assert apicheck.scratch_database(s.CreateRead.database_prefix) != namespace["DB"]
