"""The one error a learner sees when a database or cache cannot be reached."""


class ServiceUnavailable(RuntimeError):
    """A service (PostgreSQL, Redis, …) could not be started or reached. The message says
    what was tried and what to do about it."""
