// A/B benchmark (not a test): two builds of the `cadenya` package side by side in ONE process,
// against the same local server, alternating run by run, so that a drift in machine speed affects
// both alike. For changes to the addon or the core (a promise bridge, the runtime, the call path)
// whose effect is smaller than the run-to-run noise of a shared machine.
//
//   node node/bench/ab.mjs <package dir A> <package dir B>
//
// Each directory is an unpacked `cadenya` package with its addon next to package.json (for
// instance `git archive <commit> node | tar -x` plus that commit's release addon copied in as
// `cadenya.<platform>.node`). CADENYA_SERVER_BIN names a release `cadenya-server`; REPS sets the
// runs per side and case (default 60). Prints, per case, the median time and CPU (user + system
// of the whole process) per call for each side, and the median of the per-run ratios A/B.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import path from 'node:path';
import assert from 'node:assert/strict';

const require = createRequire(import.meta.url);
const dirs = process.argv.slice(2, 4);
if (dirs.length !== 2) throw new Error('usage: node ab.mjs <package dir A> <package dir B>');
const sides = dirs.map((d) => require(path.resolve(d)));

const server = spawn(process.env.CADENYA_SERVER_BIN, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
const info = JSON.parse(
  await new Promise((resolve) => {
    const rl = createInterface({ input: server.stdout });
    rl.once('line', (l) => (rl.close(), resolve(l)));
  }),
);
try {
  const opts = { apiKey: info.api_key, baseURL: info.base_url, workspaceId: info.workspace_id, maxRetries: 0 };
  const clients = sides.map((m) => new m.Cadenya(opts));
  const spec = { status: 'AGENT_STATUS_DRAFT', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM', description: 'x'.repeat(200) };
  let id;
  for (let i = 0; i < 1000; i++) {
    const a = await clients[0].agents.create({ metadata: { name: `ab-${String(i).padStart(4, '0')}` }, spec });
    id ??= a.metadata.id;
  }
  assert.deepEqual(await clients[0].agents.retrieve(id), await clients[1].agents.retrieve(id));

  const SEQ = 300;
  const CONC = 640;
  const cases = [
    ['sequential agents.retrieve', SEQ, 'call', (c) => async () => {
      for (let i = 0; i < SEQ; i++) await c.agents.retrieve(id);
    }],
    ['32 concurrent agents.retrieve', CONC, 'call', (c) => async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < CONC) {
          next++;
          await c.agents.retrieve(id);
        }
      }));
    }],
    ['auto-paginate 50 pages x 20', 50, 'page', (c) => async () => {
      let n = 0;
      for await (const _ of c.agents.list({ limit: 20 })) n++;
      assert.equal(n, 1000);
    }],
  ];
  const reps = Number(process.env.REPS || 60);
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  console.log(`node ${process.version}; A = ${dirs[0]}, B = ${dirs[1]}; ${reps} alternating runs per side per case`);
  for (const [name, n, unit, make] of cases) {
    const fns = clients.map(make);
    for (const f of fns) await f(); // warm-up
    const res = [0, 1].map(() => ({ time: [], cpu: [] }));
    for (let r = 0; r < reps; r++) {
      for (const k of r % 2 ? [1, 0] : [0, 1]) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await fns[k]();
        const t = performance.now() - t0;
        const c = process.cpuUsage(c0);
        res[k].time.push((t * 1000) / n);
        res[k].cpu.push((c.user + c.system) / n);
      }
    }
    const side = (k) => `${median(res[k].time).toFixed(0)} µs/${unit} (CPU ${median(res[k].cpu).toFixed(0)})`;
    const ratio = (m) => median(res[0][m].map((a, i) => a / res[1][m][i])).toFixed(2);
    console.log(`${name.padEnd(30)} A ${side(0).padStart(24)}   B ${side(1).padStart(24)}   A/B time ${ratio('time')}x, CPU ${ratio('cpu')}x`);
  }
} finally {
  server.stdin.end();
  server.kill('SIGTERM');
}
