"""How late does a 5 ms timer fire while the event loop is idle, blocked, or awaiting?
Usage: python lag.py"""

import asyncio
import platform
import time

INTERVAL = 0.005


async def phase(label, work):
    loop = asyncio.get_running_loop()
    max_lag = 0.0

    async def ticker():
        nonlocal max_lag
        while True:
            before = loop.time()
            await asyncio.sleep(INTERVAL)
            max_lag = max(max_lag, loop.time() - before - INTERVAL)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)  # let the ticker settle
    max_lag = 0.0
    await work()
    await asyncio.sleep(3 * INTERVAL)  # one more tick after the work
    task.cancel()
    print(f"{label:<34} max lag {max_lag * 1000:4.0f} ms")


async def main():
    print(f"Python {platform.python_version()}, a timer that should fire every 5 ms")
    await phase("idle", lambda: asyncio.sleep(0.25))

    async def blocking():
        time.sleep(0.25)  # nothing else can run meanwhile

    await phase("blocking call (time.sleep, 250 ms)", blocking)
    await phase("awaiting a timer (250 ms)", lambda: asyncio.sleep(0.25))


asyncio.run(main())
