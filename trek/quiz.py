"""End-of-stage quizzes: questions in ``trek/quizzes/<stage>.json``, shown with jupyterquiz.

jupyterquiz renders the questions with JavaScript it embeds in the cell output itself, so a quiz
answers clicks in JupyterLab and on the static book page alike, with no network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

QUIZ_DIR = Path(__file__).parent / "quizzes"
_TYPES = {"multiple_choice", "many_choice", "numeric"}


def load_quiz(name: str) -> list[dict[str, Any]]:
    """The questions of quiz ``name`` (e.g. ``"01-http"``), validated."""
    path = QUIZ_DIR / f"{name}.json"
    questions = json.loads(path.read_text(encoding="utf-8"))
    problems = validate(questions)
    if problems:
        raise ValueError(f"{path.name}: " + "; ".join(problems))
    return questions


def validate(questions: Any) -> list[str]:
    """Everything wrong with a list of jupyterquiz questions (empty when it is fine)."""
    if not isinstance(questions, list) or not questions:
        return ["a quiz is a non-empty list of questions"]
    problems = []
    for number, question in enumerate(questions, start=1):
        kind = question.get("type")
        if kind not in _TYPES:
            problems.append(f"question {number}: type must be one of {sorted(_TYPES)}")
            continue
        if not str(question.get("question", "")).strip():
            problems.append(f"question {number}: no question text")
        answers = question.get("answers") or []
        if kind == "numeric":
            if not any(a.get("correct") for a in answers):
                problems.append(f"question {number}: no correct numeric answer")
            continue
        correct = [a for a in answers if a.get("correct")]
        if len(answers) < 2:
            problems.append(f"question {number}: needs at least two answers")
        if kind == "multiple_choice" and len(correct) != 1:
            problems.append(f"question {number}: a multiple-choice question has one right answer")
        if kind == "many_choice" and not correct:
            problems.append(f"question {number}: no right answer")
        if any(not str(a.get("feedback", "")).strip() for a in answers):
            problems.append(f"question {number}: every answer needs feedback that teaches")
    return problems


def show_quiz(name: str) -> None:
    """Display quiz ``name`` in the notebook (and, once executed, on the book page)."""
    from jupyterquiz import display_quiz

    display_quiz(load_quiz(name), shuffle_answers=False, max_width=760)
