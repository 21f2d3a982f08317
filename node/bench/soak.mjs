// Soak: 10^5 calls sequential, then 10^5 calls 64-way concurrent, watching memory and fds.
//
//   node node/bench/soak.mjs [--calls 100000]    # `cadenya` must resolve (Linux: /proc)
//
// The script re-runs itself under `--expose-gc` (each mark collects garbage first) with V8's young
// generation pinned at 16 MB (`--min/max-semi-space-size`). Unpinned, V8 doubles its semi-spaces
// once the allocation rate of 64 calls in flight is high enough, which shows as +16 MB of
// heapTotal and RSS that then stays flat: a GC sizing step, not memory the SDK holds. heapUsed
// and heapTotal are printed beside RSS so that either can be told apart.
//
// Prints RSS and open file descriptors after the first 10 % (10^4 calls) of each phase and at its
// end; both must stay flat in each phase (RSS within 5 MB, at most 2 more fds: a pooled
// connection being replaced; a leak grows with the calls). The server is CADENYA_BASE_URL /
// CADENYA_API_KEY / CADENYA_WORKSPACE_ID. Exits 1 when either grows. Not part of the test suite.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Cadenya } from 'cadenya';

const V8_FLAGS = ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'];
if (!V8_FLAGS.every((f) => process.execArgv.includes(f))) {
  const r = spawnSync(process.execPath, [...V8_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const calls = argv.includes('--calls') ? Number(argv[argv.indexOf('--calls') + 1]) : 100_000;
const CONCURRENCY = 64;
const e = process.env;
const client = new Cadenya({ apiKey: e.CADENYA_API_KEY, baseURL: e.CADENYA_BASE_URL, workspaceId: e.CADENYA_WORKSPACE_ID });
const marks = [];
// Each mark collects garbage first, so RSS shows what is still held.
const mark = (name) => {
  globalThis.gc();
  const m = process.memoryUsage();
  const mb = (x) => x / 2 ** 20;
  marks.push({ name, rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), fds: readdirSync('/proc/self/fd').length });
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
for (const m of marks) {
  const heap = `heap used/total ${m.heapUsed.toFixed(1)}/${m.heapTotal.toFixed(1)} MB`;
  console.log(`${m.name.padEnd(22)} RSS ${m.rss.toFixed(1).padStart(7)} MB  ${heap}  fds ${m.fds}`);
}
for (const phase of ['sequential', 'concurrent']) {
  const [a, b] = marks.filter((m) => m.name.startsWith(phase));
  console.log(`${phase}: RSS ${(b.rss - a.rss).toFixed(1)} MB, fds ${b.fds - a.fds} from its first 10% to its end`);
  ok &&= b.rss - a.rss <= 5 && b.fds - a.fds <= 2;
}
console.log(`end against the first 10^4 sequential calls: RSS ${(marks[3].rss - marks[0].rss).toFixed(1)} MB`);
console.log(`${calls} sequential calls in ${((t1 - t0) / 1000).toFixed(1)} s, ${calls} ${CONCURRENCY}-way concurrent in ${((t2 - t1) / 1000).toFixed(1)} s`);
process.exitCode = ok ? 0 : 1;
