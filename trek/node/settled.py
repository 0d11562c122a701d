"""Three requests at once; the middle one fails fast (HTTP 503). What does each way of waiting
for them do? Usage: python settled.py SANDBOX_URL"""

import asyncio
import os
import sys
import time

import httpx

base = sys.argv[1]
key = f"py-settled-{os.getpid()}"
PLAN = [(300, 200), (50, 503), (300, 200)]


async def get_json(client, url):
    response = await client.get(url)
    response.raise_for_status()
    return response.json()


def describe(error):
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


async def main():
    async with httpx.AsyncClient() as client:

        def start_all(tag):
            return [
                asyncio.ensure_future(
                    get_json(client, f"{base}/work/{key}-{tag}?ms={ms}&status={status}&i={i}")
                )
                for i, (ms, status) in enumerate(PLAN)
            ]

        start = time.perf_counter()
        tasks = start_all("gather")
        try:
            await asyncio.gather(*tasks)
        except httpx.HTTPStatusError as error:
            print(
                f"gather                          raised after {time.perf_counter() - start:.2f} s: {describe(error)}"
            )
        # gather does not cancel the others: they are still running.
        await asyncio.wait(tasks)
        ran = sum(not t.cancelled() and t.exception() is None for t in tasks)
        print(
            f"                                the other {ran} still ran to the end ({time.perf_counter() - start:.2f} s)"
        )

        start = time.perf_counter()
        results = await asyncio.gather(*start_all("settled"), return_exceptions=True)
        summary = ", ".join(describe(r) if isinstance(r, Exception) else "ok" for r in results)
        print(
            f"gather(return_exceptions=True)  returned after {time.perf_counter() - start:.2f} s: {summary}"
        )

        start = time.perf_counter()
        tasks = []
        try:
            async with asyncio.TaskGroup() as group:
                for i, (ms, status) in enumerate(PLAN):
                    url = f"{base}/work/{key}-group?ms={ms}&status={status}&i={i}"
                    tasks.append(group.create_task(get_json(client, url)))
        except* httpx.HTTPStatusError as group_error:
            errors = ", ".join(describe(e) for e in group_error.exceptions)
            cancelled = sum(t.cancelled() for t in tasks)
            print(
                f"TaskGroup                       raised after {time.perf_counter() - start:.2f} s: "
                f"ExceptionGroup [{errors}]; the other {cancelled} were cancelled"
            )


asyncio.run(main())
