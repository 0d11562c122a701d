# Every line of the head ends with CRLF, and an empty line ends the head.
raw_request = (
    b"GET /anything/trek?level=1 HTTP/1.1\r\n"
    + f"Host: {sb.host}:{sb.port}\r\n".encode()
    + b"Accept: application/json\r\n"
    b"Connection: close\r\n"
    b"\r\n"
)
