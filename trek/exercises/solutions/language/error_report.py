import asyncio


async def fetch_report(client, urls):
    """Fetch every URL at once; return (ok, failed): URL -> JSON body, and the failed URLs."""

    async def fetch_one(url):
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    results = await asyncio.gather(*(fetch_one(url) for url in urls), return_exceptions=True)
    ok, failed = {}, []
    for url, result in zip(urls, results, strict=True):
        if isinstance(result, Exception):
            failed.append(url)
        else:
            ok[url] = result
    return ok, failed
