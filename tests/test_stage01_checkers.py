"""Contract tests of the Stage 01 checkers: the reference passes, the placeholder is not
attempted, and realistic wrong answers fail with the message meant for them."""

from __future__ import annotations

import random
import ssl
import time
from urllib.parse import urljoin

import httpx
import pytest

from trek import sandbox
from trek.exercises import stage01 as s
from trek.exercises.core import (
    PLACEHOLDER as ____,
)
from trek.exercises.core import (
    assert_check_failed,
    assert_check_passed,
    assert_check_unattempted,
    solution_namespace,
)

pytestmark = pytest.mark.xdist_group("stage01")


@pytest.fixture(scope="module")
def sb():
    return sandbox.start()


def test_every_exercise_is_tested_here():
    tested = {name[len("test_") :].split("_")[0] for name in globals() if name.startswith("test_")}
    for cls in s.EXERCISES:
        assert cls.__name__.lower() in tested, f"{cls.__name__} has no contract tests here"
        assert cls.label.startswith("http-ex-")
        assert cls.hints and cls.solution_source().strip()


@pytest.mark.parametrize("exercise", s.EXERCISES, ids=lambda cls: cls.__name__)
def test_reference_solution_passes(exercise):
    assert_check_passed(exercise)


# --- q1 raw request -------------------------------------------------------------------------
def _request(sb, *lines: str, end: str = "\r\n") -> bytes:
    return (end.join(lines) + end + end).encode()


def test_rawrequest_wrong_answers(sb):
    host = f"Host: {sb.host}:{sb.port}"
    good = ["GET /anything/trek?level=1 HTTP/1.1", host, "Accept: application/json"]
    close = "Connection: close"
    assert_check_failed(s.RawRequest, "is a str", raw_request=_request(sb, *good, close).decode())
    assert_check_failed(s.RawRequest, "bare \\n", raw_request=_request(sb, *good, close, end="\n"))
    assert_check_failed(
        s.RawRequest, "requires a host", raw_request=_request(sb, good[0], good[2], close)
    )
    assert_check_failed(
        s.RawRequest, "empty line", raw_request=("\r\n".join([*good, close]) + "\r\n").encode()
    )
    assert_check_failed(
        s.RawRequest,
        "/anything/trek",
        raw_request=_request(sb, "GET /anything/track?level=1 HTTP/1.1", host, good[2], close),
    )
    assert_check_failed(
        s.RawRequest,
        "?level=1",
        raw_request=_request(sb, "GET /anything/trek HTTP/1.1", host, good[2], close),
    )
    assert_check_failed(s.RawRequest, "accept header", raw_request=_request(sb, *good[:2], close))
    # Forgetting Connection: close keeps the connection open: the check must not hang.
    started = time.monotonic()
    assert_check_failed(s.RawRequest, "close", raw_request=_request(sb, *good))
    assert time.monotonic() - started < 12


# --- q2 parse response ------------------------------------------------------------------------
def test_parseresponse_wrong_answers():
    def splits_every_colon(raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode().split("\r\n")
        headers = {}
        for line in lines:
            name, value = line.split(":")[:2]
            headers[name.lower()] = value.strip()
        return int(status_line.split()[1]), headers, body

    def keeps_case(raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode().split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        return int(status_line.split()[1]), headers, body

    def splits_last_blank_line(raw):
        head, _, body = raw.rpartition(b"\r\n\r\n")
        status_line, *lines = head.decode().split("\r\n")
        headers = {n.lower(): v.strip() for n, _, v in (ln.partition(":") for ln in lines)}
        return int(status_line.split()[1]), headers, body

    def status_as_text(raw):
        status, headers, body = solution_namespace(s.ParseResponse)["parse_response"](raw)
        return str(status), headers, body

    assert_check_failed(s.ParseResponse, "first colon", parse_response=splits_every_colon)
    assert_check_failed(s.ParseResponse, "lower-cased", parse_response=keeps_case)
    assert_check_failed(s.ParseResponse, "body is wrong", parse_response=splits_last_blank_line)
    assert_check_failed(s.ParseResponse, "should be an int", parse_response=status_as_text)
    assert_check_failed(s.ParseResponse, "tuple of three", parse_response=lambda raw: raw)
    assert_check_failed(s.ParseResponse, "IndexError", parse_response=lambda raw: raw.split()[99])
    assert_check_unattempted(s.ParseResponse, parse_response=lambda raw: ____)


# --- q3 status codes ----------------------------------------------------------------------------
def test_statuscodes_wrong_answers():
    reference = dict(solution_namespace(s.StatusCodes)["status_codes"])
    swapped = {
        **reference,
        "the user is not logged in": 403,
        "the user is logged in but may not see this order": 401,
    }
    assert_check_failed(s.StatusCodes, "right class, but not 403", status_codes=swapped)
    created_ok = {**reference, "a new order was created": 200}
    assert_check_failed(s.StatusCodes, "right class, but not 200", status_codes=created_ok)
    server_blamed = {**reference, "the request body is not valid JSON": 500}
    assert_check_failed(s.StatusCodes, "wrong class", status_codes=server_blamed)
    # 308 is a permanent move too (one that keeps the method): also right.
    assert_check_passed(
        s.StatusCodes,
        status_codes={**reference, "the resource moved permanently to a new URL": 308},
    )
    moved_temporarily = {**reference, "the resource moved permanently to a new URL": 302}
    assert_check_failed(s.StatusCodes, "right class, but not 302", status_codes=moved_temporarily)
    as_text = {**reference, "no order has this id": "404"}
    assert_check_failed(s.StatusCodes, "int codes", status_codes=as_text)
    del reference["no order has this id"]
    assert_check_failed(s.StatusCodes, "missing", status_codes=reference)
    partly = {**reference, "no order has this id": ____}
    assert_check_unattempted(s.StatusCodes, status_codes=partly)


# --- q4 method semantics -------------------------------------------------------------------------
def test_methodsemantics_wrong_answers():
    safe = {"GET", "HEAD", "OPTIONS"}
    idem = safe | {"PUT", "DELETE"}
    assert_check_failed(
        s.MethodSemantics, "post is neither", safe_methods=safe, idempotent_methods=idem | {"POST"}
    )
    assert_check_failed(
        s.MethodSemantics, "patch", safe_methods=safe, idempotent_methods=idem | {"PATCH"}
    )
    assert_check_failed(
        s.MethodSemantics,
        "also idempotent",
        safe_methods=safe,
        idempotent_methods={"PUT", "DELETE"},
    )
    assert_check_failed(
        s.MethodSemantics,
        "`safe_methods` is not right",
        safe_methods={"GET"},
        idempotent_methods=idem,
    )
    assert_check_failed(
        s.MethodSemantics, "upper-case", safe_methods={"get"}, idempotent_methods=idem
    )


# --- q5 negotiation -------------------------------------------------------------------------------
def test_negotiation_wrong_answers():
    assert_check_failed(
        s.Negotiation, "406", accept_header="text/csv, application/json;q=0.5, */*;q=0.1"
    )
    # Equal qualities leave the choice to the server, which here prefers JSON.
    assert_check_failed(
        s.Negotiation, "instead of text/csv", accept_header="text/csv, application/json"
    )
    assert_check_failed(
        s.Negotiation, "instead of text/csv", accept_header="application/json, text/csv;q=0.5"
    )
    assert_check_failed(s.Negotiation, "nothing acceptable", accept_header="text/csv")
    assert_check_failed(s.Negotiation, "should be a str", accept_header=["text/csv"])


# --- q6 redirect chain ---------------------------------------------------------------------------
def test_redirectchain_wrong_answers():
    def no_urljoin(client, url, max_hops=10):
        hops = []
        for _ in range(max_hops + 1):
            response = client.get(url)
            hops.append((response.status_code, url))
            if not response.is_redirect:
                return hops
            url = response.headers["location"]
        raise RuntimeError("too many")

    def stops_before_final(client, url, max_hops=10):
        hops = []
        response = client.get(url)
        while response.is_redirect:
            hops.append((response.status_code, url))
            url = urljoin(url, response.headers["location"])
            response = client.get(url)
        return hops

    def never_gives_up(client, url, max_hops=10):
        hops = []
        while True:
            response = client.get(url)
            hops.append((response.status_code, url))
            if not response.is_redirect or len(hops) > 200:
                return hops
            url = urljoin(url, response.headers["location"])

    assert_check_failed(s.RedirectChain, "resolve it against", follow_redirects=no_urljoin)
    assert_check_failed(s.RedirectChain, "include that one", follow_redirects=stops_before_final)
    assert_check_failed(s.RedirectChain, "instead of raising", follow_redirects=never_gives_up)


# --- q7 conditional get ----------------------------------------------------------------------------
def test_conditionalget_wrong_answers():
    def never_revalidates(client, url, cache):
        return client.get(url).content

    def forgets_the_body(client, url, cache):
        headers = {"If-None-Match": cache[url]} if url in cache else {}
        response = client.get(url, headers=headers)
        cache[url] = response.headers["etag"]
        return response.content

    def never_updates(client, url, cache):
        if url in cache:
            response = client.get(url, headers={"If-None-Match": cache[url][0]})
            if response.status_code == 304:
                return cache[url][1]
            return cache[url][1]
        response = client.get(url)
        cache[url] = (response.headers["etag"], response.content)
        return response.content

    assert_check_failed(s.ConditionalGet, "if-none-match header", cached_get=never_revalidates)
    assert_check_failed(s.ConditionalGet, "empty body", cached_get=forgets_the_body)
    assert_check_failed(s.ConditionalGet, "old version", cached_get=never_updates)


# --- q8 client config ---------------------------------------------------------------------------------
def test_clientconfig_wrong_answers():
    assert_check_failed(
        s.ClientConfig, "got through", make_client=lambda: httpx.Client(timeout=None)
    )
    no_keepalive = httpx.Limits(max_keepalive_connections=0)
    assert_check_failed(
        s.ClientConfig,
        "keep-alive is off",
        make_client=lambda: httpx.Client(timeout=1, limits=no_keepalive),
    )
    assert_check_failed(s.ClientConfig, "httpx.Client", make_client=lambda: httpx)


# --- q9 TLS trust ----------------------------------------------------------------------------------
def test_tlstrust_wrong_answers():
    assert_check_failed(
        s.TLSTrust, "does not trust the course ca", make_tls_client=lambda ca: httpx.Client()
    )
    assert_check_failed(
        s.TLSTrust, "impostor", make_tls_client=lambda ca: httpx.Client(verify=False)
    )

    def trusts_the_wrong_file(ca_file):
        return httpx.Client(
            verify=ssl.create_default_context(cafile=sandbox.start_impostor().ca_file)
        )

    assert_check_failed(s.TLSTrust, "does not trust", make_tls_client=trusts_the_wrong_file)


# --- q10 retries --------------------------------------------------------------------------------------
RETRYABLE = {429, 502, 503, 504}


def _retrier(
    *, jitter=True, honour_retry_after=True, retry_everything=False, sleep=True, deadline_aware=True
):
    def get_with_retries(
        client, url, *, max_attempts=5, base_delay=0.1, max_delay=2.0, deadline=5.0
    ):
        start = time.monotonic()
        for attempt in range(max_attempts):
            response = client.get(url)
            if response.status_code < 400 or (
                response.status_code not in RETRYABLE and not retry_everything
            ):
                return response
            if attempt == max_attempts - 1:
                break
            cap = min(max_delay, base_delay * 2**attempt)
            wait = random.uniform(0, cap) if jitter else cap
            if honour_retry_after and "retry-after" in response.headers:
                wait = float(response.headers["retry-after"])
            if deadline_aware and time.monotonic() - start + wait > deadline:
                break
            if sleep:
                time.sleep(wait)
        return response

    return get_with_retries


def test_retries_wrong_answers():
    assert_check_failed(s.Retries, "came back immediately", get_with_retries=_retrier(sleep=False))
    assert_check_failed(s.Retries, "jitter", get_with_retries=_retrier(jitter=False))
    assert_check_failed(
        s.Retries, "retried a 404", get_with_retries=_retrier(retry_everything=True)
    )
    assert_check_failed(
        s.Retries, "retry-after: 1", get_with_retries=_retrier(honour_retry_after=False)
    )
    assert_check_failed(s.Retries, "kept trying", get_with_retries=_retrier(deadline_aware=False))
    assert_check_failed(
        s.Retries,
        "return the httpx.response",
        get_with_retries=lambda client, url, **kw: client.get(url).text,
    )


def test_retries_learner_code_that_hangs_is_stopped(monkeypatch):
    monkeypatch.setattr(s.Retries, "time_limit", 1.0)

    def spins_forever(client, url, **kwargs):
        while True:
            pass

    feedback = assert_check_failed(s.Retries, "still running", get_with_retries=spins_forever)
    assert "Traceback" not in feedback.message
