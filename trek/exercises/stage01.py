"""Stage 01 · Web fundamentals & HTTP: the exercises.

Every check talks to the sandbox for real: raw bytes over a socket, real redirects, real
conditional requests counted by the server, real timeouts, real TLS with a local CA and an
impostor, and retry timings observed from the server's side.
"""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from typing import Any

import httpx

from trek import sandbox
from trek.exercises import core
from trek.exercises.core import Exercise, Incorrect, NotAttempted, call_learner, require_type

STAGE = 1


class HTTPExercise(Exercise):
    """Base of the stage: exercises whose checks run against the sandbox."""

    stage = STAGE

    @staticmethod
    def sandbox() -> sandbox.Sandbox:
        return sandbox.start()

    @classmethod
    def solution_context(cls) -> dict[str, Any]:
        return {"sb": sandbox.start()}


# ---------------------------------------------------------------------------------------------
class RawRequest(HTTPExercise):
    label = "http-ex-raw-request"
    title = "Write a raw HTTP/1.1 request"
    names = ("raw_request",)
    solution_file = "http/raw_request.py"
    time_limit = 10.0
    hints = (
        "A request is a request line (`METHOD target HTTP/1.1`), header lines (`Name: value`), "
        'then an empty line. Bytes, not str: `b"..."` or `"...".encode()`.',
        "HTTP wants CRLF (`\\r\\n`) at the end of every line, and HTTP/1.1 requires a `Host` "
        "header. The empty line at the end is one more `\\r\\n`.",
        "Three headers: `Host: {sb.host}:{sb.port}`, `Accept: application/json`, "
        "`Connection: close`. The request target is the path with its query string.",
    )

    def verify(self, raw_request: Any) -> None:
        if isinstance(raw_request, str):
            raise Incorrect(
                '`raw_request` is a str, but a socket sends bytes. Write it as b"..." or '
                "call .encode() on your string."
            )
        require_type(raw_request, (bytes, bytearray), "`raw_request`")
        raw = bytes(raw_request)
        head, sep, _ = raw.partition(b"\r\n\r\n")
        if not sep:
            if b"\n\n" in raw:
                raise Incorrect(
                    "Your lines end with a bare \\n. HTTP/1.1 lines end with CRLF, \\r\\n "
                    "(many servers tolerate \\n, but the standard does not promise it)."
                )
            raise Incorrect(
                "The request never ends its head with an empty line (\\r\\n\\r\\n), so a server "
                "would keep waiting for more headers."
            )
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            raise Incorrect(
                f"The request line {request_line!r} should be three parts: method, target and "
                "version, separated by single spaces."
            )
        names = {line.partition(":")[0].strip().lower() for line in header_lines}
        if "host" not in names:
            raise Incorrect("HTTP/1.1 requires a Host header; the sandbox answers 400 without it.")
        status, echo = self._send(raw)
        if status != 200:
            raise Incorrect(f"The sandbox answered {status} instead of 200 to your request.")
        if echo.get("method") != "GET":
            raise Incorrect(f"The sandbox saw a {echo.get('method')} request; this one is a GET.")
        if echo.get("path") != "/anything/trek":
            raise Incorrect(
                f"The sandbox saw the path {echo.get('path')!r}; ask for /anything/trek."
            )
        if echo.get("args") != {"level": "1"}:
            raise Incorrect(
                f"The sandbox saw the query {echo.get('args')!r}; the target needs ?level=1."
            )
        if "application/json" not in echo.get("headers", {}).get("accept", ""):
            raise Incorrect("The request does not ask for JSON: it needs an Accept header.")
        if "close" not in echo.get("headers", {}).get("connection", "").lower():
            raise Incorrect("Ask the server to close the connection after answering (Connection).")

    def _send(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        import json

        sb = self.sandbox()
        with socket.create_connection((sb.host, sb.port), timeout=5) as conn:
            conn.sendall(raw)
            chunks = []
            try:
                while chunk := conn.recv(65536):
                    chunks.append(chunk)
            except TimeoutError:
                raise Incorrect(
                    "The sandbox was still waiting after 5 s: did you ask it to close the "
                    "connection, and is the head complete?"
                ) from None
        response = b"".join(chunks)
        head, _, body = response.partition(b"\r\n\r\n")
        try:
            status = int(head.split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise Incorrect(
                "The sandbox's answer could not be read; is the request valid?"
            ) from None
        try:
            return status, json.loads(body) if status == 200 else {}
        except ValueError:
            return status, {}


# ---------------------------------------------------------------------------------------------
def _capture(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> bytes:
    """A raw response from the sandbox, exactly as the bytes arrived."""
    sb = sandbox.start()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {sb.host}:{sb.port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    with socket.create_connection((sb.host, sb.port), timeout=5) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data


class ParseResponse(HTTPExercise):
    label = "http-ex-parse-response"
    title = "Parse a raw HTTP response"
    names = ("parse_response",)
    solution_file = "http/parse_response.py"
    hints = (
        'The head and the body are separated by the first empty line, b"\\r\\n\\r\\n". '
        "`bytes.partition` splits at the first occurrence only.",
        "The status line is `HTTP/1.1 302 Found`: the code is the second field. Each header "
        "line is `Name: value`; header names are case-insensitive, so lower-case them.",
        "Split each header line at its *first* colon only — `Location: http://host:port/x` has "
        "more. Strip the spaces around the value.",
    )

    def cases(self) -> list[tuple[str, bytes]]:
        body_with_blank_line = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n"
            b"X-Trek:   spaced value  \r\n\r\nfirst part\r\n\r\nsecond part"
        )
        return [
            ("a 200 response from /json", _capture("/json")),
            ("a 302 redirect with an absolute Location", _capture("/redirect/2?absolute=true")),
            ("a 404 from /status/404", _capture("/status/404")),
            ("a 204 with no body", _capture("/status/204")),
            ("a response whose body contains an empty line", body_with_blank_line),
        ]

    @staticmethod
    def expected(raw: bytes) -> tuple[int, dict[str, str], bytes]:
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split(" ", 2)[1]), headers, body

    def verify(self, parse_response: Any) -> None:
        for description, raw in self.cases():
            result = call_learner(parse_response, raw, name="parse_response")
            if not isinstance(result, tuple) or len(result) != 3:
                raise Incorrect(
                    "parse_response should return a tuple of three things: (status, headers, "
                    f"body); it returned {type(result).__name__} {str(result)[:60]}."
                )
            status, headers, body = result
            want_status, want_headers, want_body = self.expected(raw)
            if not isinstance(status, int) or isinstance(status, bool):
                raise Incorrect(
                    f"The status should be an int like 200; for {description} you returned "
                    f"{status!r} ({type(status).__name__})."
                )
            if status != want_status:
                raise Incorrect(f"For {description} the status should not be {status}.")
            require_type(headers, dict, "The headers")
            if any(name != name.lower() for name in headers):
                raise Incorrect(
                    "Header names are case-insensitive: return them lower-cased "
                    f"(you returned {sorted(headers)[:3]})."
                )
            for name, value in want_headers.items():
                if name not in headers:
                    raise Incorrect(f"For {description} the header {name!r} is missing.")
                if headers[name] != value:
                    raise Incorrect(
                        f"For {description}, header {name!r} should be {value!r}, not "
                        f"{headers[name]!r}. Split at the first colon only and strip spaces."
                    )
            if isinstance(body, str):
                raise Incorrect("Return the body as bytes, as it came off the wire, not as str.")
            if body != want_body:
                raise Incorrect(
                    f"For {description} the body is wrong: it should be everything after the "
                    f"first empty line ({len(want_body)} bytes); you returned {len(body)} bytes."
                )


# ---------------------------------------------------------------------------------------------
_STATUS_ANSWERS = {
    "a new order was created": (201, "a resource was created"),
    "the order list was fetched": (200, "the request simply succeeded"),
    "the order was deleted and there is nothing to return": (
        204,
        "success with deliberately no body",
    ),
    "the request body is not valid JSON": (400, "the request itself is malformed"),
    "the user is not logged in": (401, "the client has not authenticated"),
    "the user is logged in but may not see this order": (
        403,
        "the client is known but not allowed",
    ),
    "no order has this id": (404, "the target resource does not exist"),
    "the client is sending too many requests": (429, "the client is being rate limited"),
    "the database is down so the service cannot answer for now": (
        503,
        "a temporary server-side condition",
    ),
    "the resource moved permanently to a new URL": (301, "a permanent move"),
}
#: Scenarios with more than one right answer: 308 is the permanent move that keeps the method.
_ALSO_RIGHT = {"the resource moved permanently to a new URL": {308}}


class StatusCodes(HTTPExercise):
    label = "http-ex-status-codes"
    title = "Choose the status code"
    names = ("status_codes",)
    solution_file = "http/status_codes.py"
    hints = (
        "First pick the class: 2xx success, 3xx go elsewhere, 4xx the client's fault, 5xx the "
        "server's fault. Then the exact code.",
        'Not logged in is 401 ("unauthenticated", despite its name), logged in but not '
        "allowed is 403. Created is 201, success with no body is 204.",
        "Too many requests and temporary unavailability both come with Retry-After: 429 and 503.",
    )

    def verify(self, status_codes: Any) -> None:
        require_type(status_codes, dict, "`status_codes`")
        missing = [s for s in _STATUS_ANSWERS if s not in status_codes]
        if missing:
            raise Incorrect(f"Keep every scenario key; missing: {missing[0]!r}.")
        wrong = []
        for scenario, (code, reason) in _STATUS_ANSWERS.items():
            given = status_codes[scenario]
            if not isinstance(given, int) or isinstance(given, bool):
                raise Incorrect(f"Use int codes like 200; for {scenario!r} you gave {given!r}.")
            if given != code and given not in _ALSO_RIGHT.get(scenario, ()):
                if given // 100 != code // 100:
                    wrong.append(f"{scenario!r}: {given} is the wrong class ({reason})")
                else:
                    wrong.append(f"{scenario!r}: right class, but not {given} ({reason})")
        if wrong:
            raise Incorrect(
                f"{len(wrong)} of {len(_STATUS_ANSWERS)} are not right yet. " + "; ".join(wrong[:3])
            )
        # Ask the sandbox for each code so the learner sees real reason phrases in the message.
        sb = self.sandbox()
        with httpx.Client(timeout=5) as client:
            for code, _ in _STATUS_ANSWERS.values():
                if client.get(sb.url(f"/status/{code}")).status_code != code:
                    raise Incorrect(f"The sandbox could not produce {code}; please report this.")


# ---------------------------------------------------------------------------------------------
_METHODS = {"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"}
_SAFE = {"GET", "HEAD", "OPTIONS"}
_IDEMPOTENT = _SAFE | {"PUT", "DELETE"}


class MethodSemantics(HTTPExercise):
    label = "http-ex-method-semantics"
    title = "Safe and idempotent methods"
    names = ("safe_methods", "idempotent_methods")
    solution_file = "http/method_semantics.py"
    hints = (
        "Safe means the client asks for no change on the server. Idempotent means sending the "
        "same request twice has the same intended effect as sending it once.",
        "Every safe method is also idempotent. Of the methods that change things, two are "
        "idempotent: one replaces a resource, one removes it.",
    )

    def verify(self, safe_methods: Any, idempotent_methods: Any) -> None:
        for name, value in (
            ("safe_methods", safe_methods),
            ("idempotent_methods", idempotent_methods),
        ):
            require_type(value, (set, frozenset, list, tuple), f"`{name}`")
            unknown = {str(m) for m in value} - _METHODS
            if unknown:
                raise Incorrect(
                    f"`{name}` holds {sorted(unknown)}; use upper-case names from "
                    f"{sorted(_METHODS)}."
                )
        safe, idem = set(safe_methods), set(idempotent_methods)
        if "POST" in safe or "POST" in idem:
            raise Incorrect(
                "POST is neither safe nor idempotent: sending an order twice makes two orders."
            )
        if "PATCH" in safe or "PATCH" in idem:
            raise Incorrect(
                'PATCH is not guaranteed idempotent ("add 1 to the quantity" applied twice adds 2).'
            )
        if safe != _SAFE:
            raise Incorrect(
                "`safe_methods` is not right yet: "
                + _diff(safe, _SAFE, "changes nothing on the server")
            )
        if not safe <= idem:
            raise Incorrect("Every safe method is also idempotent: doing nothing twice is nothing.")
        if idem != _IDEMPOTENT:
            raise Incorrect(
                "`idempotent_methods` is not right yet: "
                + _diff(idem, _IDEMPOTENT, "has the same effect when repeated")
            )


def _diff(given: set[str], expected: set[str], meaning: str) -> str:
    extra, missing = given - expected, expected - given
    if extra:
        return f"{sorted(extra)[0]} does not belong (it is not a method that {meaning})."
    return f"one more method {meaning}; {len(missing)} missing."


# ---------------------------------------------------------------------------------------------
class Negotiation(HTTPExercise):
    label = "http-ex-negotiation"
    title = "Ask for the representation you want"
    names = ("accept_header",)
    solution_file = "http/accept_header.py"
    hints = (
        "An Accept header lists media types separated by commas; each may carry a quality "
        "`;q=` between 0 and 1 (1 when omitted).",
        "CSV is `text/csv`, JSON is `application/json`, HTML is `text/html`. q=0 means "
        '"not acceptable".',
    )

    def verify(self, accept_header: Any) -> None:
        require_type(accept_header, str, "`accept_header`")
        sb = self.sandbox()
        scenarios = [
            ("json,csv,html", "text/csv", "the server can send CSV, JSON or HTML"),
            ("json,html", "application/json", "the server can send only JSON or HTML"),
            ("html", None, "the server can send only HTML"),
        ]
        with httpx.Client(timeout=5) as client:
            for offer, wanted, situation in scenarios:
                response = client.get(
                    sb.url(f"/negotiate?offer={offer}"), headers={"Accept": accept_header}
                )
                got = response.headers.get("content-type", "").split(";")[0]
                if wanted is None:
                    if response.status_code != 406:
                        raise Incorrect(
                            f"When {situation}, your header still accepted {got}: it should get "
                            "406 Not Acceptable, because you never want HTML."
                        )
                    continue
                if response.status_code == 406:
                    raise Incorrect(
                        f"When {situation}, the sandbox found nothing acceptable (406). "
                        "Is every type you want listed, and spelled as a media type?"
                    )
                if got != wanted:
                    raise Incorrect(f"When {situation}, your header got {got} instead of {wanted}.")


# ---------------------------------------------------------------------------------------------
class RedirectChain(HTTPExercise):
    label = "http-ex-redirect-chain"
    title = "Follow a redirect chain by hand"
    names = ("follow_redirects",)
    solution_file = "http/follow_redirects.py"
    hints = (
        "Loop: send a GET; record (status, url); if the status is a redirect (301, 302, 303, 307 "
        "or 308) take the `Location` header as the next URL, else stop.",
        "`Location` is often relative (`/redirect/2`). `urllib.parse.urljoin(current_url, "
        "location)` turns it into an absolute URL.",
        "Count the hops; when you have followed more than `max_hops` redirects, raise "
        "RuntimeError instead of looping forever.",
    )

    def verify(self, follow_redirects: Any) -> None:
        sb = self.sandbox()
        with httpx.Client(follow_redirects=False, timeout=5) as client:
            for path in ("/redirect/4", "/redirect/3?absolute=true"):
                expected = self._expected(client, sb.url(path))
                try:
                    hops = call_learner(
                        follow_redirects, client, sb.url(path), name="follow_redirects"
                    )
                except httpx.UnsupportedProtocol:
                    raise Incorrect(
                        f"Starting at {path}, your code requested a relative Location such as "
                        "'/redirect/3' as it was; resolve it against the current URL first."
                    ) from None
                require_type(hops, list, "What follow_redirects returns")
                try:
                    hops = [(int(status), str(url)) for status, url in hops]
                except (TypeError, ValueError):
                    raise Incorrect("Return a list of (status, url) pairs.") from None
                if hops and hops[-1][0] in (301, 302, 303, 307, 308):
                    raise Incorrect(
                        f"Starting at {path}, your list ends with a {hops[-1][0]}: keep going "
                        "until a response that is not a redirect, and include that one."
                    )
                if len(hops) != len(expected):
                    raise Incorrect(
                        f"Starting at {path}, the chain has {len(expected)} responses (final one "
                        f"included); you returned {len(hops)}."
                    )
                if hops != expected:
                    first = next(
                        i for i, (a, b) in enumerate(zip(hops, expected, strict=False)) if a != b
                    )
                    raise Incorrect(
                        f"Starting at {path}, response {first + 1} should be {expected[first]}, "
                        f"you have {hops[first]}. Are relative Locations resolved against the "
                        "current URL?"
                    )
            try:
                call_learner(follow_redirects, client, sb.url("/redirect-loop/a"), 5)
            except RuntimeError:
                return
            except NotAttempted:
                raise
            except Exception as exc:
                raise Incorrect(
                    "On an endless redirect loop your function raised "
                    f"{type(exc).__name__}; raise RuntimeError after max_hops redirects."
                ) from None
            raise Incorrect(
                "On an endless loop (/redirect-loop/a with max_hops=5) your function returned "
                "instead of raising RuntimeError."
            )

    @staticmethod
    def _expected(client: httpx.Client, url: str) -> list[tuple[int, str]]:
        hops = []
        while True:
            response = client.get(url)
            hops.append((response.status_code, url))
            if response.status_code not in (301, 302, 303, 307, 308):
                return hops
            url = str(httpx.URL(url).join(response.headers["location"]))


# ---------------------------------------------------------------------------------------------
class ConditionalGet(HTTPExercise):
    label = "http-ex-conditional-get"
    title = "Revalidate with an ETag"
    names = ("cached_get",)
    solution_file = "http/cached_get.py"
    hints = (
        "Keep `cache[url] = (etag, body)` after a 200. Next time, send the stored ETag in an "
        "`If-None-Match` header.",
        "A 304 Not Modified has no body: return the body you cached. A 200 means the document "
        "changed: store the new ETag and body.",
    )

    def verify(self, cached_get: Any) -> None:
        sb = self.sandbox()
        name = f"doc-{uuid.uuid4().hex[:8]}"
        url = sb.url(f"/etag/{name}")
        cache: dict[str, Any] = {}
        with httpx.Client(timeout=5) as client:
            original = client.get(url).content  # the checker's own read, not counted below
            before = client.get(sb.url(f"/etag/{name}/stats")).json()
            bodies = [
                call_learner(cached_get, client, url, cache, name="cached_get") for _ in range(3)
            ]
            stats = client.get(sb.url(f"/etag/{name}/stats")).json()
            full = stats["full_responses"] - before["full_responses"]
            not_modified = stats["not_modified"] - before["not_modified"]
            for body in bodies:
                if isinstance(body, str):
                    raise Incorrect("Return the body as bytes (`response.content`), not str.")
                if body != original:
                    if not body:
                        raise Incorrect(
                            "After a 304 you returned an empty body: a 304 has none, so return "
                            "the body you cached."
                        )
                    raise Incorrect("cached_get returned a body that is not the document's.")
            if full == 3:
                raise Incorrect(
                    "All three calls downloaded the full document: send the cached ETag in an "
                    "If-None-Match header so the server can answer 304."
                )
            if full != 1 or not_modified != 2:
                raise Incorrect(
                    f"Three calls should cost 1 full response and 2 not-modified ones; the "
                    f"sandbox saw {full} full and {not_modified} not-modified."
                )
            client.put(url, json={"text": "a newer version"})
            newer = client.get(url).content
            body = call_learner(cached_get, client, url, cache, name="cached_get")
            if body != newer:
                raise Incorrect(
                    "After the document changed, cached_get still returned the old version: on "
                    "a 200, store the new ETag and body."
                )


# ---------------------------------------------------------------------------------------------
class ClientConfig(HTTPExercise):
    label = "http-ex-client-config"
    title = "A client with timeouts and a connection pool"
    names = ("make_client",)
    solution_file = "http/make_client.py"
    time_limit = 20.0
    hints = (
        "`httpx.Client(...)` keeps a pool of connections alive between requests; its default "
        "timeout is 5 s, too long here.",
        "Pass `timeout=httpx.Timeout(1.0)` (or `timeout=1.0`). Do not turn keep-alive off in "
        "`limits`.",
    )

    def verify(self, make_client: Any) -> None:
        sb = self.sandbox()
        client = call_learner(make_client, name="make_client")
        if not isinstance(client, httpx.Client):
            raise Incorrect(
                f"make_client should return an httpx.Client, not a {type(client).__name__}."
            )
        with client:
            ports = [client.get(sb.url("/anything")).json()["client"]["port"] for _ in range(3)]
            if len(set(ports)) != 1:
                raise Incorrect(
                    f"Three requests used {len(set(ports))} different connections (client ports "
                    f"{ports}): keep-alive is off, so every request pays for a new connection."
                )
            fast = client.get(sb.url("/delay/0.2"))
            if fast.status_code != 200:
                raise Incorrect(f"A 0.2 s response failed with {fast.status_code}.")
            started = time.monotonic()
            try:
                client.get(sb.url("/delay/3"))
            except httpx.TimeoutException:
                waited = time.monotonic() - started
                if waited > 2.0:
                    raise Incorrect(
                        f"The client gave up, but only after {waited:.1f} s; about 1 s is the goal."
                    ) from None
                return
            raise Incorrect(
                "A response that took 3 s got through: the client waited for it. Give it a "
                "timeout of about 1 s."
            )


# ---------------------------------------------------------------------------------------------
class TLSTrust(HTTPExercise):
    label = "http-ex-tls-trust"
    title = "Trust the local CA, and only that"
    names = ("make_tls_client",)
    solution_file = "http/make_tls_client.py"
    time_limit = 20.0
    hints = (
        "`ssl.create_default_context(cafile=...)` makes a context that trusts the CA in that "
        "file, with hostname checking on.",
        "Pass that context as `httpx.Client(verify=context)`. Never `verify=False`: it accepts "
        "any certificate at all.",
    )

    def verify(self, make_tls_client: Any) -> None:
        tls = sandbox.start_tls()
        impostor = sandbox.start_impostor()
        client = call_learner(make_tls_client, tls.ca_file, name="make_tls_client")
        if not isinstance(client, httpx.Client):
            raise Incorrect(
                f"make_tls_client should return an httpx.Client, not a {type(client).__name__}."
            )
        with client:
            try:
                response = client.get(tls.url("/anything"))
            except httpx.ConnectError as exc:
                if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                    raise Incorrect(
                        "Your client could not verify the sandbox's certificate: it does not "
                        "trust the course CA yet (the file in `ca_file`)."
                    ) from None
                raise Incorrect(f"Could not connect to the TLS sandbox: {exc}") from None
            if response.status_code != 200:
                raise Incorrect(f"The TLS sandbox answered {response.status_code}.")
            try:
                client.get(impostor.url("/anything"))
            except httpx.ConnectError:
                return
            except ssl.SSLError:
                return
            raise Incorrect(
                "Your client also accepted an impostor: a server claiming to be localhost with a "
                "certificate from a different CA. Verification is off (verify=False?)."
            )


# ---------------------------------------------------------------------------------------------
class Retries(HTTPExercise):
    label = "http-ex-retries"
    title = "Retry with backoff, jitter and Retry-After"
    names = ("get_with_retries",)
    solution_file = "http/get_with_retries.py"
    time_limit = 30.0
    hints = (
        "Loop up to max_attempts times. Return at once on a response that is not 429/502/503/504; "
        "a 404 will not get better by asking again.",
        "Before retrying, sleep. If the response has a `Retry-After` header (seconds), sleep "
        "that long; otherwise `random.uniform(0, min(max_delay, base_delay * 2**attempt))`.",
        "Track `time.monotonic()` from the start; if sleeping would pass `deadline`, stop and "
        "return the last response.",
    )

    def _log(self, client: httpx.Client, key: str) -> list[dict[str, Any]]:
        return client.get(self.sandbox().url(f"/log/{key}")).json()["requests"]

    def _run(self, fn: Any, client: httpx.Client, path: str, **kwargs: Any) -> httpx.Response:
        response = call_learner(
            fn, client, self.sandbox().url(path), name="get_with_retries", **kwargs
        )
        if not isinstance(response, httpx.Response):
            raise Incorrect(
                f"get_with_retries should return the httpx.Response, not {type(response).__name__}."
            )
        return response

    def verify(self, get_with_retries: Any) -> None:
        with httpx.Client(timeout=5) as client:
            # 1. A transient failure: three 503s, then success.
            gaps_per_run = []
            for _ in range(2):
                key = uuid.uuid4().hex
                response = self._run(get_with_retries, client, f"/flaky/{key}?failures=3")
                log = self._log(client, key)
                if response.status_code != 200:
                    raise Incorrect(
                        f"/flaky fails 3 times, then succeeds; you returned {response.status_code} "
                        f"after {len(log)} requests."
                    )
                if len(log) != 4:
                    raise Incorrect(f"That takes exactly 4 requests; the sandbox saw {len(log)}.")
                gaps = [b["t"] - a["t"] for a, b in zip(log, log[1:], strict=False)]
                if max(gaps) < 0.01:
                    raise Incorrect(
                        "Your retries came back immediately (gaps of "
                        f"{', '.join(f'{g * 1000:.0f} ms' for g in gaps)}): wait between "
                        "attempts so a struggling server can recover."
                    )
                gaps_per_run.append(gaps)
            if all(abs(a - b) < 0.004 for a, b in zip(*gaps_per_run, strict=False)):
                raise Incorrect(
                    "Two runs waited exactly the same times: add random jitter, or every client "
                    "that failed together will retry together."
                )
            # 2. A client error is final.
            key = uuid.uuid4().hex
            response = self._run(get_with_retries, client, f"/flaky/{key}?failures=5&status=404")
            if len(self._log(client, key)) != 1:
                raise Incorrect(
                    "You retried a 404. Only retry what may succeed later (429, 502, 503, 504): "
                    "a missing resource stays missing."
                )
            # 3. Rate limited: honour Retry-After.
            key = uuid.uuid4().hex
            client.get(self.sandbox().url(f"/rate-limited/{key}?limit=1&window=1"))
            response = self._run(get_with_retries, client, f"/rate-limited/{key}?limit=1&window=1")
            log = self._log(client, key)
            waits = [b["t"] - a["t"] for a, b in zip(log[1:], log[2:], strict=False)]
            if waits and min(waits) < 0.9:
                raise Incorrect(
                    "After a 429 with `Retry-After: 1` you came back after "
                    f"{min(waits):.2f} s: wait as long as the server asked."
                )
            if response.status_code != 200:
                raise Incorrect(f"The rate-limited endpoint ended with {response.status_code}.")
            # 4. A permanent failure: give up within the deadline.
            key = uuid.uuid4().hex
            started = time.monotonic()
            response = self._run(
                get_with_retries,
                client,
                f"/flaky/{key}?failures=100",
                max_attempts=8,
                base_delay=0.2,
                deadline=1.0,
            )
            elapsed = time.monotonic() - started
            if elapsed > 1.6:
                raise Incorrect(
                    f"With deadline=1.0 your function kept trying for {elapsed:.1f} s: stop when "
                    "the next wait would pass the deadline."
                )
            if response.status_code != 503:
                raise Incorrect("When giving up, return the last response (here a 503).")
            key = uuid.uuid4().hex
            self._run(get_with_retries, client, f"/flaky/{key}?failures=100", base_delay=0.01)
            if len(self._log(client, key)) != 5:
                raise Incorrect(
                    f"With max_attempts=5 the sandbox saw {len(self._log(client, key))} requests."
                )


EXERCISES = [
    RawRequest,
    ParseResponse,
    StatusCodes,
    MethodSemantics,
    Negotiation,
    RedirectChain,
    ConditionalGet,
    ClientConfig,
    TLSTrust,
    Retries,
]


def bind(namespace: dict[str, Any]) -> list[Exercise]:
    """Put q1 … q10 and ____ into the notebook's namespace."""
    return core.bind(EXERCISES, namespace)
