"""``trek.apiserver``: a served FastAPI app's /docs works behind jupyter-server-proxy's path
prefix, and without internet.

The unit tests pin down the prefix logic; the end-to-end tests fetch the docs page and then
every URL it references, the way a browser would, directly and through a stand-in for the proxy
(which strips the prefix and adds its headers, as jupyter-server-proxy does); the last test does
the same through a real Jupyter server with jupyter-server-proxy.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from trek import apiserver
from trek.apiserver import DocsAndProxyPrefix, proxy_root_path, safe_prefix, serve

pytestmark = pytest.mark.xdist_group("stage04-serving")

PREFIX = "/user/ada/proxy/8000"


# --- the prefix logic -------------------------------------------------------------------------
def test_no_proxy_means_no_prefix():
    assert proxy_root_path({}, 8000, environ={}) == ""
    assert proxy_root_path(None, 8000, environ={}) == ""


@pytest.mark.parametrize("header", apiserver.PREFIX_HEADERS)
def test_the_proxy_header_gives_the_prefix(header):
    assert proxy_root_path({header: PREFIX}, 8000, environ={}) == PREFIX


def test_the_header_wins_over_the_environment():
    environ = {"JUPYTERHUB_SERVICE_PREFIX": "/user/bob/"}
    headers = {"x-forwarded-prefix": "/user/ada/proxy/9999"}
    assert proxy_root_path(headers, 8000, environ=environ) == "/user/ada/proxy/9999"


@pytest.mark.parametrize("hub_prefix", ["/user/ada/", "/user/ada"])
def test_the_hub_prefix_and_the_port_are_the_fallback(hub_prefix):
    environ = {"JUPYTERHUB_SERVICE_PREFIX": hub_prefix}
    assert proxy_root_path({}, 8000, environ=environ) == PREFIX


def test_the_fallback_agrees_with_browser_url(monkeypatch):
    from trek.serving import browser_url

    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert browser_url(8000, "/docs") == proxy_root_path({}, 8000) + "/docs"


def test_a_trailing_slash_is_dropped():
    assert proxy_root_path({"x-forwarded-prefix": PREFIX + "/"}, 1, environ={}) == PREFIX


@pytest.mark.parametrize(
    "value",
    [
        "user/ada",  # not absolute
        "//evil.example/x",  # a scheme-relative URL, not a path
        "https://evil.example/x",
        "/user/ada'/x",  # would break out of the docs page's JavaScript string
        '/user/"ada"',
        "/user/<script>",
        "/user/ada/../admin",
        "/user/a b",
        "/user\\ada",
        "/",
        "",
    ],
)
def test_unsafe_prefixes_are_ignored(value):
    assert safe_prefix(value) == ""
    assert proxy_root_path({"x-forwarded-prefix": value}, 8000, environ={}) == ""


def test_percent_encoded_user_names_are_fine():
    assert (
        safe_prefix("/user/ada%40example.org/proxy/8000/") == "/user/ada%40example.org/proxy/8000"
    )


# --- end to end -------------------------------------------------------------------------------
class Item(BaseModel):
    name: str


def make_app() -> FastAPI:
    app = FastAPI(title="Proxy test API")

    @app.get("/items/{item_id}")
    def read_item(item_id: int):
        return {"id": item_id}

    @app.post("/items", status_code=201)
    def create_item(item: Item):
        return item

    return app


def referenced_urls(html: str) -> list[str]:
    """The URLs a browser loads for a Swagger UI or ReDoc page."""
    pattern = r"""(?:href|src|spec-url)=["']([^"']+)["']|url: '([^']+)'"""
    return [a or b for a, b in re.findall(pattern, html)]


class FakeProxy:
    """What jupyter-server-proxy does with /user/ada/proxy/<port>/…: strip, add headers."""

    def __init__(self, server_url: str, prefix: str) -> None:
        self.client = httpx.Client(base_url=server_url)
        self.prefix = prefix

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        assert url.startswith(self.prefix + "/"), f"the browser would not reach {url} via the proxy"
        headers = {
            name: self.prefix
            for name in ("X-Forwarded-Prefix", "X-Forwarded-Context", "X-ProxyContextPath")
        }
        return self.client.request(method, url[len(self.prefix) :], headers=headers, **kwargs)


@pytest.fixture(scope="module")
def served():
    app = make_app()
    server = serve(app, name="test-stage04-serving")
    yield app, server
    server.stop()


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_work_locally_and_offline(served, page):
    _, server = served
    with httpx.Client(base_url=server.url) as client:
        html = client.get(page).text
        urls = referenced_urls(html)
        assert urls and all(u.startswith("/") and not u.startswith("//") for u in urls), urls
        assert "cdn.jsdelivr.net" not in html and "fonts.googleapis.com" not in html
        assert "fastapi.tiangolo.com" not in html
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
        assert "/openapi.json" in urls


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_work_through_the_proxy(served, page):
    _, server = served
    prefix = f"/user/ada/proxy/{server.port}"
    proxy = FakeProxy(server.url, prefix)
    html = proxy.request("GET", prefix + page).text
    urls = referenced_urls(html)
    assert f"{prefix}/openapi.json" in urls
    for url in urls:
        response = proxy.request("GET", url)
        assert response.status_code == 200, url
        if url.endswith(".js"):
            assert "javascript" in response.headers["content-type"]


def test_try_it_out_goes_through_the_proxy(served):
    _, server = served
    prefix = f"/user/ada/proxy/{server.port}"
    proxy = FakeProxy(server.url, prefix)
    document = proxy.request("GET", prefix + "/openapi.json").json()
    base = document["servers"][0]["url"]
    assert base == prefix  # Swagger UI sends "Try it out" requests to servers[0]
    assert proxy.request("GET", base + "/items/3").json() == {"id": 3}
    assert proxy.request("POST", base + "/items", json={"name": "lamp"}).status_code == 201


def test_direct_requests_are_not_prefixed(served):
    _, server = served
    document = httpx.get(f"{server.url}/openapi.json").json()
    assert "servers" not in document
    assert httpx.get(f"{server.url}/items/4").json() == {"id": 4}


def test_the_learners_app_is_not_modified(served):
    app, _ = served
    fresh = make_app()
    assert [getattr(r, "path", None) for r in app.routes] == [
        getattr(r, "path", None) for r in fresh.routes
    ]
    assert app.docs_url == "/docs" and app.root_path == ""


def test_the_hub_environment_is_used_without_the_header():
    app = make_app()
    wrapped = DocsAndProxyPrefix(app, 8000, environ={"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"})

    async def browse():
        transport = httpx.ASGITransport(app=wrapped)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            html = (await client.get("/docs")).text
            assert f"url: '{PREFIX}/openapi.json'" in html
            assert (await client.get("/openapi.json")).json()["servers"] == [{"url": PREFIX}]
            assert (await client.get("/items/5")).json() == {"id": 5}
            assert f"{PREFIX}/_trek-docs/swagger-ui.css" in html
            # the proxy forwards it without the prefix (and, here, without a header)
            assert (await client.get("/_trek-docs/swagger-ui.css")).status_code == 200

    asyncio.run(browse())


def test_serving_again_under_the_same_name_stops_the_first_server():
    first = serve(make_app(), name="test-stage04-again")
    second = serve(make_app(), name="test-stage04-again")
    try:
        assert not first.running
        assert httpx.get(f"{second.url}/items/1").status_code == 200
    finally:
        second.stop()


def test_the_link_is_for_the_browser(served, monkeypatch):
    _, server = served
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert server.link("/docs") == f"http://127.0.0.1:{server.port}/docs"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")
    assert server.link("/docs") == f"/user/ada/proxy/{server.port}/docs"
    assert "/docs" in server._repr_html_()


# --- through a real jupyter-server-proxy --------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_docs_through_a_real_jupyter_server_proxy(served, tmp_path):
    _, server = served
    port, token = _free_port(), secrets.token_hex(8)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    command = [
        sys.executable, "-m", "jupyter_server", "--ServerApp.base_url=/user/ada/",
        f"--IdentityProvider.token={token}", f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0", "--no-browser", f"--ServerApp.root_dir={tmp_path}",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    jupyter = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"Authorization": f"token {token}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/user/ada/api/status", headers=headers).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert jupyter.poll() is None, jupyter.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the Jupyter server did not start"
            time.sleep(0.2)
        prefix = f"/user/ada/proxy/{server.port}"
        with httpx.Client(base_url=base, headers=headers) as browser:
            html = browser.get(f"{prefix}/docs").text
            urls = referenced_urls(html)
            assert f"{prefix}/openapi.json" in urls
            for url in urls:
                assert browser.get(url).status_code == 200, url
            document = browser.get(f"{prefix}/openapi.json").json()
            assert document["servers"] == [{"url": prefix}]
            created = browser.post(f"{prefix}/items", json={"name": "lamp"})
            assert created.status_code == 201
    finally:
        jupyter.terminate()
        try:
            jupyter.wait(10)
        except subprocess.TimeoutExpired:
            jupyter.kill()
            jupyter.wait()
