"""The same N requests to the sandbox, first one after another, then all at once with
asyncio.gather. The sandbox's /work/{key} endpoint counts how many overlapped.
Usage: python fetch_all.py SANDBOX_URL [N] [MS]"""

import asyncio
import os
import platform
import sys
import time

import httpx

base, *rest = sys.argv[1:]
count, ms = (int(rest[0]) if rest else 6), (int(rest[1]) if len(rest) > 1 else 100)


async def get_json(client, url):
    response = await client.get(url)
    response.raise_for_status()
    return response.json()


def urls(key):
    return [f"{base}/work/{key}?ms={ms}&i={i}" for i in range(count)]


async def main():
    print(f"Python {platform.python_version()} · {count} requests, each takes the server {ms} ms")
    async with httpx.AsyncClient() as client:

        async def peak(key):
            return (await get_json(client, f"{base}/work/{key}/stats"))["peak"]

        key = f"py-seq-{os.getpid()}"
        start = time.perf_counter()
        for url in urls(key):
            await get_json(client, url)  # waits for each response before sending the next
        seconds = time.perf_counter() - start
        print(
            f"one after another (await in a loop): {seconds:.2f} s   "
            f"server saw at most {await peak(key)} at a time"
        )

        key = f"py-all-{os.getpid()}"
        start = time.perf_counter()
        bodies = await asyncio.gather(*(get_json(client, url) for url in urls(key)))
        seconds = time.perf_counter() - start
        print(
            f"all at once (asyncio.gather):        {seconds:.2f} s   "
            f"server saw at most {await peak(key)} at a time"
        )
        print(
            f"results come back in request order: i = {','.join(b['query']['i'] for b in bodies)}"
        )


asyncio.run(main())
