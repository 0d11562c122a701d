"""The 13 stages of the trek: number, slug, title, notebook and exercise module.

One list, read by the progress table, the binder of each stage and the tests that keep the
book's trek map honest.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    number: int
    slug: str
    title: str
    #: Notebook file under ``notebooks/``; empty while the stage is still to come.
    notebook: str = ""

    @property
    def available(self) -> bool:
        return bool(self.notebook)

    @property
    def module_name(self) -> str:
        return f"trek.exercises.stage{self.number:02d}"

    def exercises(self) -> list:
        """The stage's exercise classes (empty for a stage that is still to come)."""
        if not self.available:
            return []
        return list(importlib.import_module(self.module_name).EXERCISES)


STAGES: tuple[Stage, ...] = (
    Stage(1, "http", "Web fundamentals & HTTP", "01-http.ipynb"),
    Stage(2, "language", "Choose your language", "02-language.ipynb"),
    Stage(3, "sql", "Databases & SQL", "03-sql.ipynb"),
    Stage(4, "rest", "REST API design & frameworks", "04-rest.ipynb"),
    Stage(5, "auth", "Authentication & authorization"),
    Stage(6, "caching", "Caching strategies"),
    Stage(7, "queues", "Message queues & async processing"),
    Stage(8, "microservices", "Microservices & API design patterns"),
    Stage(9, "testing", "Testing backend systems"),
    Stage(10, "observability", "Observability & logging"),
    Stage(11, "deployment", "Docker & cloud deployment"),
    Stage(12, "security", "Security best practices"),
    Stage(13, "capstone", "Capstone: production backend service"),
)


def stage(number: int) -> Stage:
    for candidate in STAGES:
        if candidate.number == number:
            return candidate
    raise KeyError(f"there is no stage {number}; the trek has stages 1 to {len(STAGES)}")
