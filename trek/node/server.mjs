// The smallest HTTP server in Node.js: bind 127.0.0.1 on a port the OS picks (0),
// say which port, answer exactly one request, then shut down.
import http from "node:http";

const server = http.createServer((request, response) => {
  const body = JSON.stringify({ hello: "from Node.js", method: request.method, path: request.url });
  response.writeHead(200, { "content-type": "application/json" });
  response.end(body);
  console.log(`served ${request.method} ${request.url} -> 200`);
  server.close(); // stop accepting; the process exits once nothing is left to do
});

server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
