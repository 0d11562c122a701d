"""Small, deterministic workloads for the concurrency demonstrations of stage 02.

They live in a module (not in a notebook cell) because a process pool has to *import* the
function it runs in each worker process: a function defined in a notebook cannot be found by
a freshly spawned interpreter.
"""

from __future__ import annotations

import time


def count_primes(limit: int) -> int:
    """How many primes are below ``limit``, by trial division: pure Python, CPU-bound, and
    holding the GIL the whole time."""
    count = 0
    for candidate in range(2, limit):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


def wait_for_io(seconds: float) -> float:
    """Stand-in for a blocking I/O call (a synchronous database driver, a file on a network
    disk): it sleeps, and sleeping releases the GIL exactly like waiting on a socket does."""
    time.sleep(seconds)
    return seconds
