def cached_get(client, url, cache):
    headers = {}
    if url in cache:
        etag, _ = cache[url]
        headers["If-None-Match"] = etag
    response = client.get(url, headers=headers)
    if response.status_code == 304:
        # Not modified: the copy we have is still good, and no body was sent again.
        return cache[url][1]
    response.raise_for_status()
    if "etag" in response.headers:
        cache[url] = (response.headers["etag"], response.content)
    return response.content
