// The same N requests to the sandbox, first one after another, then all at once with
// Promise.all. The sandbox's /work/{key} endpoint counts how many overlapped.
// Usage: node fetch_all.mjs SANDBOX_URL [N] [MS]
const [base, n = "6", ms = "100"] = process.argv.slice(2);
const count = Number(n);

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  return response.json();
}

async function peak(key) {
  return (await getJson(`${base}/work/${key}/stats`)).peak;
}

function urls(key) {
  return Array.from({ length: count }, (_, i) => `${base}/work/${key}?ms=${ms}&i=${i}`);
}

console.log(`Node.js ${process.version} · ${count} requests, each takes the server ${ms} ms`);

let key = `node-seq-${process.pid}`;
let start = performance.now();
for (const url of urls(key)) {
  await getJson(url); // waits for each response before sending the next request
}
let seconds = ((performance.now() - start) / 1000).toFixed(2);
console.log(`one after another (await in a loop): ${seconds} s   server saw at most ${await peak(key)} at a time`);

key = `node-all-${process.pid}`;
start = performance.now();
const bodies = await Promise.all(urls(key).map(getJson)); // start all, then wait for all
seconds = ((performance.now() - start) / 1000).toFixed(2);
console.log(`all at once (Promise.all):           ${seconds} s   server saw at most ${await peak(key)} at a time`);
console.log(`results come back in request order: i = ${bodies.map((b) => b.query.i).join(",")}`);
