import asyncio


async def fetch_all_or_nothing(client, urls):
    """Every JSON body, in order; if one request fails, cancel the rest and raise."""

    async def fetch_one(url):
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(fetch_one(url)) for url in urls]
    # Leaving the block means every task succeeded (otherwise an ExceptionGroup is raised).
    return [task.result() for task in tasks]
