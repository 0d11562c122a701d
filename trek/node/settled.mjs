// Three requests at once; the middle one fails fast (HTTP 503). What does each combinator do?
// Usage: node settled.mjs SANDBOX_URL
const [base] = process.argv.slice(2);
const key = `node-settled-${process.pid}`;
const plan = [
  { ms: 300, status: 200 },
  { ms: 50, status: 503 },
  { ms: 300, status: 200 },
];

async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

const start = performance.now();
const elapsed = () => ((performance.now() - start) / 1000).toFixed(2);
const startAll = (tag) =>
  plan.map(({ ms, status }, i) => getJson(`${base}/work/${key}-${tag}?ms=${ms}&status=${status}&i=${i}`));

// Promise.all rejects as soon as one promise rejects ...
let promises = startAll("all");
try {
  await Promise.all(promises);
} catch (error) {
  console.log(`Promise.all         rejected after ${elapsed()} s: ${error.message}`);
}
// ... but nothing stops the other requests: a promise cannot be cancelled (use AbortController).
await Promise.allSettled(promises);
console.log(`                    the other two still ran to the end (${elapsed()} s)`);

const again = performance.now();
const results = await Promise.allSettled(startAll("settled"));
const seconds = ((performance.now() - again) / 1000).toFixed(2);
const summary = results.map((r) => (r.status === "fulfilled" ? "fulfilled" : `rejected (${r.reason.message})`));
console.log(`Promise.allSettled  settled after ${seconds} s: ${summary.join(", ")}`);
