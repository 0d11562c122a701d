import random
import time

import httpx

RETRYABLE = {429, 502, 503, 504}


def get_with_retries(client, url, *, max_attempts=5, base_delay=0.1, max_delay=2.0, deadline=5.0):
    start = time.monotonic()
    response = None
    for attempt in range(max_attempts):
        try:
            response = client.get(url)
        except httpx.TransportError:
            if attempt == max_attempts - 1:
                raise
            response = None
        if response is not None and response.status_code not in RETRYABLE:
            return response  # success, or an error that retrying will not fix
        if attempt == max_attempts - 1:
            break
        retry_after = response.headers.get("retry-after") if response is not None else None
        if retry_after is not None and retry_after.isdigit():
            wait = float(retry_after)  # the server said when to come back
        else:
            # Exponential backoff with full jitter: random, so clients don't retry in lockstep.
            wait = random.uniform(0, min(max_delay, base_delay * 2**attempt))
        if time.monotonic() - start + wait > deadline:
            break  # waiting would blow the overall deadline: give up now
        time.sleep(wait)
    return response
