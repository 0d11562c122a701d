import httpx


def make_client():
    # One client, reused: its pool keeps connections alive between requests.
    # Timeouts: 1 s to connect, and 1 s for each read/write/pool wait.
    return httpx.Client(
        timeout=httpx.Timeout(1.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )
