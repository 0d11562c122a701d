from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


def problem(status: int, detail: str | None = None, headers=None, **extensions) -> JSONResponse:
    """An RFC 9457 problem details response."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


def error_location(loc: tuple) -> dict:
    """Body fields as a JSON pointer ("#/price"); query, path and header parameters by name."""
    source, *path = loc
    if source == "body":
        # JSON Pointer (RFC 6901) escapes ~ and / inside a name as ~0 and ~1
        parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
        return {"pointer": "#/" + "/".join(parts)}
    return {"parameter": str(path[-1]) if path else source}


def install_problem_details(app: FastAPI) -> None:
    # Starlette's HTTPException is the parent of FastAPI's: this also catches the router's own
    # 404 (no such URL) and 405 (method not allowed).
    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else None
        if detail == HTTPStatus(exc.status_code).phrase:
            detail = None  # the default detail only repeats the title
        return problem(exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError):
        errors = [
            {"detail": error["msg"], **error_location(error["loc"])} for error in exc.errors()
        ]
        return problem(422, "The request is not valid.", errors=errors)
