"""A learner's first session, end to end, in a real JupyterLab driven through a real browser.

``jupyter lab`` starts exactly as ``make lab`` starts it (127.0.0.1, a port the OS picks, a
login token), with a throwaway ``TREK_HOME`` and throwaway Jupyter settings. Chromium opens
the **real** Stage 01 notebook (not a copy: a notebook that writes into the course folder must
be caught here), runs every cell through the menus (*Run → Run All Cells*), then solves one
exercise by typing the answer into its cell and running it and its check.

Nothing is ever saved: autosave is off in the throwaway settings and nothing presses save,
and the test proves it by comparing the notebook's bytes before and after. Screenshots of
JupyterLab after *Run All* and after the correct answer go to ``_build/screenshots/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import browser
import nbtools
import psutil
import pytest

from trek.stages import stage

STAGE = stage(1)
NOTEBOOK = nbtools.NOTEBOOKS_DIR / STAGE.notebook
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/lab")
RUN_ALL_TIMEOUT_S = 240

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("jupyterlab"),
    pytest.mark.timeout(600),
]

# JupyterLab settings of the throwaway profile: never save behind the test's back, keep every
# cell in the page (the default windowing leaves far-away cells out of the DOM), and no news or
# update checks (they would go to the internet).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
        "doNotDisturbMode": True,
    },
}


# --------------------------------------------------------------------------------------------
# JupyterLab as a learner starts it
# --------------------------------------------------------------------------------------------
class Lab:
    def __init__(self, process: subprocess.Popen, url: str, token: str, log: Path):
        self.process, self.url, self.token, self.log = process, url, token, log

    def page_url(self, path: str) -> str:
        return f"{self.url}lab/tree/{path}?token={self.token}"


def start_lab(workdir: Path, trek_home: Path) -> Lab:
    settings = workdir / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values), encoding="utf-8")
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        TREK_HOME=str(trek_home),
        JUPYTER_CONFIG_DIR=str(workdir / "jupyter-config"),
        JUPYTER_DATA_DIR=str(workdir / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(workdir / "jupyter-runtime"),
        IPYTHONDIR=str(workdir / "ipython"),
    )
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        "--port=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={nbtools.REPO}",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={workdir / 'lab-workspaces'}",
        # Opening a notebook makes a checkpoint copy next to it; keep those out of the course.
        f"--FileCheckpoints.checkpoint_dir={workdir / 'checkpoints'}",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = workdir / "jupyter-lab.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            command, cwd=nbtools.REPO, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        match = URL_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return Lab(process, f"http://127.0.0.1:{match.group(1)}/", token, log)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    process.wait(10)
    pytest.fail(f"jupyter lab did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop_lab(lab: Lab) -> list[str]:
    """Stop JupyterLab the way Ctrl+C does (it shuts its kernels down); returns the processes
    that outlived it (and were then killed)."""
    try:
        children = psutil.Process(lab.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    lab.process.send_signal(signal.SIGTERM)
    try:
        lab.process.wait(30)
    except subprocess.TimeoutExpired:
        lab.process.kill()
        lab.process.wait(10)
    _, alive = psutil.wait_procs(children, timeout=15)
    leftovers = []
    for proc in alive:
        try:
            leftovers.append(" ".join(proc.cmdline())[:120])
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    return leftovers


# --------------------------------------------------------------------------------------------
# Reading JupyterLab's page
# --------------------------------------------------------------------------------------------
CELLS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell"

# For every code cell: its prompt ("[3]:", "[*]:", "[ ]:") and its error outputs.
# JupyterLab renders error outputs and stderr with the same MIME type; an error output is
# the one whose text starts with a traceback or an "ExceptionName: message" line.
READ_CELLS_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).map((cell, index) => {
  const prompt = cell.querySelector('.jp-InputArea-prompt');
  const errors = Array.from(cell.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    .map(node => node.innerText)
    .filter(text => /Traceback|^\\s*-{10,}|^[A-Za-z_.]+(Error|Exception|Timeout)\\b/m.test(text));
  return {
    index,
    code: cell.classList.contains('jp-CodeCell'),
    prompt: prompt ? prompt.innerText.trim() : '',
    errors,
    unattempted: cell.querySelectorAll('.trek-feedback.trek-unattempted').length,
    correct: cell.querySelectorAll('.trek-feedback.trek-correct').length,
  };
})
"""


def read_cells(page) -> list[dict]:
    return page.evaluate(READ_CELLS_JS, CELLS)


def wait_until_idle_and_run(page, code_cells: int, timeout_s: float) -> list[dict]:
    """Wait until every code cell shows an execution count (none queued or running)."""
    deadline = time.monotonic() + timeout_s
    cells: list[dict] = []
    while time.monotonic() < deadline:
        cells = read_cells(page)
        prompts = [c["prompt"] for c in cells if c["code"]]
        if len(prompts) == code_cells and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            return cells
        time.sleep(0.5)
    pending = [
        c["index"] for c in cells if c["code"] and not re.fullmatch(r"\[\d+\]:", c["prompt"])
    ]
    pytest.fail(f"Run All did not finish in {timeout_s:.0f} s; cells not run: {pending[:20]}")


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


def is_known_quiz_mathjax_error(error: str) -> bool:
    """jupyterquiz 2.9.6.4 typesets its questions with MathJax when ``window.MathJax`` exists,
    and reads ``MathJax.version[0]``; JupyterLab 4 defines ``MathJax`` without ``version``
    until a page shows math, so the quiz's output script throws once, after the quiz has
    rendered (the quiz works; the error is only in the browser console). Our quizzes show no
    math. Anything else raised by an output's script still fails the test."""
    return "reading '0')" in error and "evalInContext" in error


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------
def learner_session(page, lab: Lab, nb, exercises: list[type]) -> None:
    """Open the notebook, Run All, check what it shows, then solve exercise 1 by typing."""
    code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code")
    raises = {i for i, cell in enumerate(nb.cells) if "raises-exception" in nbtools.tags(cell)}
    q1_cell = nbtools.exercise_cells(nb)[1][0]
    q1_check = nbtools.check_cells(nb)[1][0]
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(f"{error}\n{error.stack}"[:1500]))

    page.goto(lab.page_url(f"notebooks/{STAGE.notebook}"))
    page.wait_for_selector(CELLS, timeout=60_000)
    # The kernel starts after the page: wait for the status bar to say it is idle (the toolbar's
    # execution indicator already says "idle" while there is no kernel at all).
    page.wait_for_function(
        """() => /Python 3[^\\n]*\\|\\s*Idle/.test(
                 document.querySelector('.jp-StatusBar-Widget')?.innerText ?? '')""",
        timeout=90_000,
    )
    menu(page, "Run", "Run All Cells")
    cells = wait_until_idle_and_run(page, code_cells, RUN_ALL_TIMEOUT_S)
    page.screenshot(path=str(browser.SCREENSHOTS / "jupyterlab__01-http__run-all-end.png"))
    page.locator(CELLS).nth(q1_check).scroll_into_view_if_needed()
    page.screenshot(path=str(browser.SCREENSHOTS / "jupyterlab__01-http__run-all-q1.png"))
    erroring = {c["index"]: c["errors"] for c in cells if c["errors"]}
    assert set(erroring) == raises, (
        f"after Run All, error outputs appear in cells {sorted(erroring)} (only the "
        f"raises-exception cells {sorted(raises)} may show one): "
        f"{json.dumps(erroring, indent=1)[:3000]}"
    )
    unattempted = sum(c["unattempted"] for c in cells)
    assert unattempted == len(exercises), (
        f"{unattempted} checks say 'Not attempted' after Run All; the stage has "
        f"{len(exercises)} exercises"
    )
    assert not any(c["correct"] for c in cells)

    # The learner solves exercise 1: select the starter code, type the answer, run the cell
    # and its check (Shift+Enter twice).
    editor = page.locator(CELLS).nth(q1_cell).locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(exercises[0].solution_source().strip())
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    check = page.locator(CELLS).nth(q1_check)
    check.locator(".trek-feedback.trek-correct").wait_for(timeout=60_000)
    assert "Correct" in check.inner_text()
    check.scroll_into_view_if_needed()
    page.screenshot(path=str(browser.SCREENSHOTS / "jupyterlab__01-http__q1-correct.png"))
    unexpected = [e for e in page_errors if not is_known_quiz_mathjax_error(e)]
    assert not unexpected, f"JupyterLab raised in the page: {unexpected}"


@browser.needs_browser
def test_stage01_in_jupyterlab(tmp_path):
    nb = nbtools.read(NOTEBOOK)
    exercises = STAGE.exercises()
    trek_home = tmp_path / "trek-home"
    checkpoints = nbtools.NOTEBOOKS_DIR / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    before_hash, before_tree = sha256(NOTEBOOK), nbtools.tree_snapshot()
    browser.SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    lab = start_lab(tmp_path, trek_home)
    try:
        with browser.chromium() as chromium:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            try:
                learner_session(page, lab, nb, exercises)
            except BaseException:
                # What the page looked like when it went wrong, for whoever reads the log.
                page.screenshot(path=str(browser.SCREENSHOTS / "jupyterlab__failure.png"))
                raise
    finally:
        leftovers = stop_lab(lab)

    progress = subprocess.run(
        [sys.executable, "-m", "trek", "progress"],
        env={**os.environ, "TREK_HOME": str(trek_home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert progress.returncode == 0, progress.stderr
    row = next(line for line in progress.stdout.splitlines() if STAGE.title in line)
    assert f"1/{len(exercises)}" in row, f"`python -m trek progress` says:\n{progress.stdout}"

    assert sha256(NOTEBOOK) == before_hash, f"{NOTEBOOK.name} was saved during the session"
    assert had_checkpoints or not checkpoints.exists(), f"JupyterLab wrote {checkpoints}"
    changes = nbtools.changed_files(before_tree, nbtools.tree_snapshot())
    assert not changes, f"the session wrote into the course folder: {changes}"
    assert not leftovers, f"processes outlived JupyterLab: {leftovers}"
