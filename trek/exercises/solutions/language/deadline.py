import asyncio


async def fetch_before(client, urls, deadline):
    """The JSON bodies (URL -> body) of the requests that finished within ``deadline`` s."""

    async def fetch_one(url):
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    tasks = {asyncio.create_task(fetch_one(url)): url for url in urls}
    done, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)  # let the cancellations finish
    return {tasks[task]: task.result() for task in done if task.exception() is None}
