"""Backend Trek's support package: exercises, the HTTP sandbox, embedded services, progress."""

__version__ = "0.1.0"
