// Soak: 10^5 calls sequential, then 10^5 calls 64-way concurrent, watching memory and fds.
//
//   node --expose-gc node/bench/soak.mjs [--calls 100000]    # `cadenya` must resolve (Linux: /proc)
//
// Prints RSS and open file descriptors after the first 10 % (10^4 calls) of each phase and at its
// end; both must stay flat in each phase (RSS within 5 MB, at most 2 more fds: a pooled
// connection being replaced; a leak grows with the calls). The server is CADENYA_BASE_URL /
// CADENYA_API_KEY / CADENYA_WORKSPACE_ID. Exits 1 when either grows. Not part of the test suite.
import { readdirSync } from 'node:fs';
import { Cadenya } from 'cadenya';

const argv = process.argv.slice(2);
const calls = argv.includes('--calls') ? Number(argv[argv.indexOf('--calls') + 1]) : 100_000;
const CONCURRENCY = 64;
const e = process.env;
const client = new Cadenya({ apiKey: e.CADENYA_API_KEY, baseURL: e.CADENYA_BASE_URL, workspaceId: e.CADENYA_WORKSPACE_ID });
const marks = [];
// With `node --expose-gc` each mark collects garbage first, so RSS shows what is still held.
const mark = (name) => {
  globalThis.gc?.();
  marks.push({ name, rss: process.memoryUsage.rss() / 2 ** 20, fds: readdirSync('/proc/self/fd').length });
};

const t0 = performance.now();
for (let i = 0; i < calls; i++) {
  await client.account.retrieve();
  if (i + 1 === calls / 10) mark('sequential, first 10%');
}
mark('sequential, end');
const t1 = performance.now();
let done = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = 0; i < Math.floor(calls / CONCURRENCY); i++) {
      await client.account.retrieve();
      if (++done === calls / 10) mark('concurrent, first 10%');
    }
  }),
);
mark('concurrent, end');
const t2 = performance.now();
let ok = true;
for (const m of marks) console.log(`${m.name.padEnd(22)} RSS ${m.rss.toFixed(1).padStart(7)} MB  fds ${m.fds}`);
for (const phase of ['sequential', 'concurrent']) {
  const [a, b] = marks.filter((m) => m.name.startsWith(phase));
  console.log(`${phase}: RSS ${(b.rss - a.rss).toFixed(1)} MB, fds ${b.fds - a.fds} from its first 10% to its end`);
  ok &&= b.rss - a.rss <= 5 && b.fds - a.fds <= 2;
}
console.log(`end against the first 10^4 sequential calls: RSS ${(marks[3].rss - marks[0].rss).toFixed(1)} MB`);
console.log(`${calls} sequential calls in ${((t1 - t0) / 1000).toFixed(1)} s, ${calls} ${CONCURRENCY}-way concurrent in ${((t2 - t1) / 1000).toFixed(1)} s`);
process.exitCode = ok ? 0 : 1;
