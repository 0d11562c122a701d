import asyncio


async def fetch_all(client, urls, limit):
    """Fetch every URL with ``client``, never more than ``limit`` at once; bodies in order."""
    semaphore = asyncio.Semaphore(limit)

    async def fetch_one(url):
        async with semaphore:  # waits here while `limit` requests are in flight
            response = await client.get(url)
            response.raise_for_status()
            return response.json()

    return await asyncio.gather(*(fetch_one(url) for url in urls))
