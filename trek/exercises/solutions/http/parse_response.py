def parse_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    # The head ends at the first empty line; everything after it is the body.
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
    # "HTTP/1.1 404 Not Found": the code is the second field; the reason may contain spaces.
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        # Split on the first colon only: values such as URLs contain colons too.
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body
