from urllib.parse import urljoin


def follow_redirects(client, url, max_hops=10):
    hops = []
    for _ in range(max_hops + 1):
        response = client.get(url)
        hops.append((response.status_code, url))
        if response.status_code not in (301, 302, 303, 307, 308):
            return hops
        # Location may be relative ("/redirect/2"): resolve it against where we are now.
        url = urljoin(url, response.headers["location"])
    raise RuntimeError(f"more than {max_hops} redirects, starting at {hops[0][1]}")
