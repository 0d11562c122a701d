"""Course datasets: deterministic, realistic data generated on the learner's machine.

Nothing is downloaded: each dataset is produced by a seeded generator, so every learner (and
every test run) sees exactly the same rows.

* :mod:`trek.datasets.shop` — a small online shop (customers, products, orders, order items,
  reviews) for Stage 03, loaded into PostgreSQL with ``COPY``.
"""

from trek.datasets.shop import load_shop

__all__ = ["load_shop"]
