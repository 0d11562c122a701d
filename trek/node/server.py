"""The smallest HTTP server in Python's standard library: bind 127.0.0.1 on a port the OS
picks (0), say which port, answer exactly one request, then shut down."""

import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"hello": "from Python", "method": self.command, "path": self.path})
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())
        print(f"served {self.command} {self.path} -> 200", flush=True)

    def log_message(self, *args):  # keep the default access log quiet
        pass


with HTTPServer(("127.0.0.1", 0), Hello) as server:
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.handle_request()  # exactly one request, then leave the `with` block
