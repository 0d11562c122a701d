"""Run the course's small Node.js programs (and their Python twins) from a notebook.

Stage 02 shows the same program in both languages: the scripts live in ``trek/node/``
(``server.mjs`` next to ``server.py`` and so on) and run as separate processes, with a time
limit, against the sandbox whose URL they get as an argument.

Node is optional. Where ``node`` is not on ``PATH``, :func:`run_node` and :func:`serve_once`
return the output the script printed when the course was written (stored next to it as
``<script>.expected.txt``), introduced by a sentence that says so, instead of failing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPTS_DIR = Path(__file__).parent / "node"
NOT_INSTALLED = (
    "node is not installed on this machine, so here is the output this script printed when "
    "the course was written (Node.js 20; your timings would differ):\n\n"
)


class ScriptError(RuntimeError):
    """A script exited with an error or ran past its time limit."""


def node_executable() -> str | None:
    """The path of ``node``, or ``None`` if it is not installed."""
    return shutil.which("node")


def node_version() -> str | None:
    """``v20.…`` for the installed ``node``, or ``None``."""
    node = node_executable()
    if node is None:
        return None
    result = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10)
    return result.stdout.strip() or None


def script_path(name: str) -> Path:
    """The file of script ``name`` (e.g. ``"fetch_all.mjs"``) in ``trek/node/``."""
    path = SCRIPTS_DIR / name
    if not path.is_file():
        available = ", ".join(sorted(p.name for p in SCRIPTS_DIR.glob("*.[mp][jy]*")))
        raise FileNotFoundError(f"there is no script {name!r}; there are: {available}")
    return path


def expected_output(name: str) -> str:
    """What ``name`` printed when the course was written."""
    return (SCRIPTS_DIR / f"{name}.expected.txt").read_text(encoding="utf-8")


def _command(name: str) -> list[str] | None:
    path = script_path(name)
    if path.suffix == ".py":
        return [sys.executable, str(path)]
    node = node_executable()
    return [node, str(path)] if node else None


def _finish(name: str, result: subprocess.CompletedProcess) -> str:
    if result.returncode != 0:
        tail = "\n".join((result.stderr or "").strip().splitlines()[-8:])
        raise ScriptError(f"{name} exited with status {result.returncode}:\n{tail}")
    return result.stdout


def run_script(name: str, *args: str, timeout: float = 20.0) -> str:
    """Run ``trek/node/<name>`` (``.mjs`` under node, ``.py`` under this Python) with ``args``
    and return what it printed. Without node, a ``.mjs`` gives its recorded output."""
    command = _command(name)
    if command is None:
        return NOT_INSTALLED + expected_output(name)
    try:
        result = subprocess.run(
            [*command, *map(str, args)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise ScriptError(
            f"{name} was still running after {timeout:g} s, so it was stopped"
        ) from exc
    return _finish(name, result)


def run_node(script: str, *args: str, timeout: float = 20.0) -> str:
    """Run the Node.js script ``script`` (in ``trek/node/``) and return its output, or the
    recorded output with a note when node is not installed."""
    if not script.endswith(".mjs"):
        raise ValueError(f"{script!r} is not a Node.js script (.mjs); use run_script for .py")
    return run_script(script, *args, timeout=timeout)


def serve_once(name: str, path: str = "/hello", timeout: float = 10.0) -> str:
    """Start the one-request server ``name`` (``server.mjs`` or ``server.py``), send it
    ``GET path`` with httpx, and return a transcript: the server's lines, then the response."""
    import httpx

    command = _command(name)
    if command is None:
        return NOT_INSTALLED + expected_output(name)
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    try:
        first = _read_line(process, timeout)
        if not first:  # the process ended without printing anything
            process.wait(timeout)
            errors = process.stderr.read().strip()
            raise ScriptError(f"{name} exited with status {process.returncode}:\n{errors}")
        match = re.search(r"http://127\.0\.0\.1:(\d+)", first)
        if not match:
            raise ScriptError(f"{name} did not say which port it listens on; it said {first!r}")
        response = httpx.get(f"http://127.0.0.1:{match.group(1)}{path}", timeout=timeout)
        rest, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ScriptError(
            f"{name} was still running after {timeout:g} s, so it was stopped"
        ) from exc
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        raise ScriptError(f"{name} exited with status {process.returncode}:\n{errors.strip()}")
    return (
        f"server: {first}"
        + "".join(f"server: {line}\n" for line in rest.splitlines())
        + f"client: HTTP {response.status_code} {response.headers.get('content-type')} "
        + f"{response.text}\n"
    )


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    """The first line the process prints, waiting at most ``timeout`` seconds."""
    import threading

    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not lines:
        raise subprocess.TimeoutExpired(process.args, timeout)
    return lines[0]


def show_side_by_side(stem: str) -> Any:
    """Show ``<stem>.py`` and ``<stem>.mjs`` next to each other, highlighted (for JupyterLab;
    the book shows the same files in tabs)."""
    from html import escape

    from IPython.display import HTML
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import JavascriptLexer, PythonLexer

    formatter = HtmlFormatter(noclasses=True, nobackground=True)
    columns = []
    for suffix, title, lexer in (
        (".py", "Python", PythonLexer()),
        (".mjs", "Node.js", JavascriptLexer()),
    ):
        path = script_path(stem + suffix)
        code = highlight(path.read_text(encoding="utf-8"), lexer, formatter)
        columns.append(
            '<div style="flex:1;min-width:22em;overflow-x:auto;font-size:85%">'
            f"<strong>{title}</strong> · <code>trek/node/{escape(path.name)}</code>{code}</div>"
        )
    return HTML(f'<div style="display:flex;gap:1em;flex-wrap:wrap">{"".join(columns)}</div>')
