"""Where embedded services keep their data: a per-user cache directory, never the repo."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

CONNECT_TIMEOUT = 5


def cache_dir(*parts: str) -> Path:
    """``$TREK_CACHE`` or ``$XDG_CACHE_HOME/backend-trek`` or ``~/.cache/backend-trek``."""
    root = os.environ.get("TREK_CACHE")
    if root:
        base = Path(root)
    elif hasattr(os, "geteuid") and os.geteuid() == 0:
        # As root, pgserver runs PostgreSQL as an unprivileged user and opens up every parent
        # directory of its data dir for it: keep that away from /root.
        base = Path(tempfile.gettempdir()) / "backend-trek-root"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg) if xdg else Path.home() / ".cache") / "backend-trek"
    path = base.joinpath(*parts).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        url = urlunsplit(parts._replace(netloc=netloc))
    # libpq also takes "host=… password=…" strings and ?password=… in URLs.
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)", r"\1***", url, flags=re.I)
