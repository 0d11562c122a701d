// How late does a 5 ms timer fire while the event loop is idle, blocked, or awaiting?
// Usage: node lag.mjs
const INTERVAL = 5;
let maxLag = 0;
let expected = performance.now() + INTERVAL;
const ticker = setInterval(() => {
  const now = performance.now();
  maxLag = Math.max(maxLag, now - expected);
  expected = now + INTERVAL;
}, INTERVAL);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function phase(label, work) {
  await sleep(20); // let the ticker settle
  maxLag = 0;
  expected = performance.now() + INTERVAL;
  await work();
  await sleep(3 * INTERVAL); // one more tick after the work
  console.log(`${label.padEnd(34)} max lag ${Math.round(maxLag).toString().padStart(4)} ms`);
}

console.log(`Node.js ${process.version}, a timer that should fire every ${INTERVAL} ms`);
await phase("idle", () => sleep(250));
await phase("blocking call (busy loop, 250 ms)", async () => {
  const end = performance.now() + 250;
  while (performance.now() < end) {} // nothing else can run meanwhile
});
await phase("awaiting a timer (250 ms)", () => sleep(250));
clearInterval(ticker);
