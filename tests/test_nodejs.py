"""The side-by-side programs of stage 02: every Node.js script runs under node (where it is
installed) and its Python twin under this Python, and both print what the notebook promises."""

from __future__ import annotations

import re

import pytest

from trek import nodejs, sandbox

needs_node = pytest.mark.skipif(
    nodejs.node_executable() is None, reason="node is not installed on this machine"
)
NODE_SCRIPTS = sorted(p.name for p in nodejs.SCRIPTS_DIR.glob("*.mjs"))


@pytest.fixture(scope="module")
def sb():
    return sandbox.start()


def test_every_node_script_has_a_python_twin_and_a_recorded_output():
    assert NODE_SCRIPTS == ["fetch_all.mjs", "lag.mjs", "server.mjs", "settled.mjs"]
    for name in NODE_SCRIPTS:
        assert (nodejs.SCRIPTS_DIR / name.replace(".mjs", ".py")).is_file()
        assert nodejs.expected_output(name).strip(), name


def _check_fetch_all(output: str, combinator: str) -> None:
    sequential, concurrent = re.findall(
        r"(\d+\.\d+) s\s+server saw at most (\d+) at a time", output
    )
    assert sequential[1] == "1" and concurrent[1] == "6", output
    assert float(concurrent[0]) < float(sequential[0]) / 2, output
    assert combinator in output
    assert "i = 0,1,2,3,4,5" in output


def _check_lag(output: str) -> None:
    lags = [int(x) for x in re.findall(r"max lag\s+(\d+) ms", output)]
    idle, blocked, awaiting = lags
    assert blocked >= 150, output
    assert idle < 100 and awaiting < 100, output


def _check_server(output: str, who: str) -> None:
    assert re.search(r"server: listening on http://127\.0\.0\.1:\d+", output), output
    assert "server: served GET /hello -> 200" in output
    assert '"hello":' in output and who in output
    assert "client: HTTP 200 application/json" in output


@needs_node
def test_node_fetch_all(sb):
    _check_fetch_all(nodejs.run_node("fetch_all.mjs", sb.base_url), "Promise.all")


def test_python_fetch_all(sb):
    _check_fetch_all(nodejs.run_script("fetch_all.py", sb.base_url), "asyncio.gather")


@needs_node
def test_node_settled(sb):
    output = nodejs.run_node("settled.mjs", sb.base_url)
    assert re.search(r"Promise\.all\s+rejected after 0\.\d\d s: HTTP 503", output), output
    assert "the other two still ran to the end" in output
    assert "settled after" in output and "fulfilled, rejected (HTTP 503), fulfilled" in output


def test_python_settled(sb):
    output = nodejs.run_script("settled.py", sb.base_url)
    assert re.search(r"gather\s+raised after 0\.\d\d s: HTTP 503", output), output
    assert "the other 2 still ran to the end" in output
    assert "returned after" in output and "ok, HTTP 503, ok" in output
    assert "ExceptionGroup [HTTP 503]; the other 2 were cancelled" in output


@needs_node
def test_node_lag():
    _check_lag(nodejs.run_node("lag.mjs"))


def test_python_lag():
    _check_lag(nodejs.run_script("lag.py"))


@needs_node
def test_node_server():
    _check_server(nodejs.serve_once("server.mjs"), "from Node.js")


def test_python_server():
    _check_server(nodejs.serve_once("server.py"), "from Python")


def test_without_node_the_recorded_output_is_shown(monkeypatch, sb):
    monkeypatch.setattr(nodejs, "node_executable", lambda: None)
    output = nodejs.run_node("fetch_all.mjs", sb.base_url)
    assert output.startswith("node is not installed")
    assert nodejs.expected_output("fetch_all.mjs") in output
    assert nodejs.serve_once("server.mjs").startswith("node is not installed")
    assert nodejs.node_version() is None


def test_errors_are_reported(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="not a Node.js script"):
        nodejs.run_node("fetch_all.py")
    with pytest.raises(FileNotFoundError, match="there is no script"):
        nodejs.run_node("nope.mjs")
    # A failing script: its exit status and the end of its stderr.
    monkeypatch.setattr(nodejs, "SCRIPTS_DIR", tmp_path)
    (tmp_path / "fails.py").write_text("import sys; sys.exit('it went wrong')")
    with pytest.raises(nodejs.ScriptError, match="it went wrong"):
        nodejs.run_script("fails.py")
    (tmp_path / "slow.py").write_text("import time; time.sleep(5)")
    with pytest.raises(nodejs.ScriptError, match="still running"):
        nodejs.run_script("slow.py", timeout=0.5)
    with pytest.raises(nodejs.ScriptError, match="exited with status"):
        nodejs.serve_once("fails.py")
