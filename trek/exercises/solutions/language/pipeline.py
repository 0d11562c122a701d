import asyncio


async def pipeline(client, urls, workers):
    """Fetch every URL with ``workers`` workers fed by a queue; return URL -> JSON body."""
    queue = asyncio.Queue()
    results = {}

    async def worker():
        while True:
            url = await queue.get()
            try:
                response = await client.get(url)
                results[url] = response.json()
            finally:
                queue.task_done()  # even if the fetch failed, or join() waits forever

    for url in urls:
        queue.put_nowait(url)
    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    await queue.join()  # every URL taken and marked done
    for task in tasks:
        task.cancel()  # the workers are idle on queue.get(): stop them
    await asyncio.gather(*tasks, return_exceptions=True)
    return results
