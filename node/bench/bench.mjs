// Benchmark (not a test): the `cadenya` package vs a minimal hand-written `fetch` client against the
// same local server, and webhook verification vs npm `standardwebhooks`. Every case checks that
// both sides return the same data before timing. Prints times and ratios (>1 = ours is faster).
//
//   scripts/bench-node.sh          (release build of the addon and the server; installs standardwebhooks)
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { Cadenya } from 'cadenya';

const require = createRequire(import.meta.url);
const { Webhook: StandardWebhook } = require('standardwebhooks');

const FLOORS = { sequential: 2, concurrent: 1, pagination: 3, webhooks: 5 };

async function startServer() {
  const child = spawn(process.env.CADENYA_SERVER_BIN, ['--port', '0', '--exit-on-stdin-close'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
  });
  return { ...JSON.parse(line), stop: () => (child.stdin.end(), child.kill('SIGTERM')) };
}

/** The minimal hand-written client: what a developer would write with fetch. */
class FetchClient {
  constructor(base, key, ws) {
    this.base = base;
    this.ws = ws;
    this.headers = { authorization: `Bearer ${key}`, accept: 'application/json' };
  }
  async get(path) {
    const r = await fetch(this.base + path, { headers: this.headers });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.json();
  }
  retrieveAgent(id) {
    return this.get(`/v1/workspaces/${this.ws}/agents/${encodeURIComponent(id)}`);
  }
  async *listAgents(limit) {
    let cursor = '';
    for (;;) {
      const q = new URLSearchParams({ limit: String(limit) });
      if (cursor) q.set('cursor', cursor);
      const page = await this.get(`/v1/workspaces/${this.ws}/agents?${q}`);
      yield* page.items;
      cursor = page.pagination?.nextCursor;
      if (!cursor || page.items.length === 0) return;
    }
  }
}

/**
 * Best time of each side over `reps` runs after one warm-up each, the two sides alternating run by
 * run, so that a drift in machine speed during the benchmark affects both alike.
 */
async function timePair(ours, theirs, reps = 3) {
  await ours();
  await theirs();
  const best = [Infinity, Infinity];
  for (let i = 0; i < reps; i++) {
    for (const [k, fn] of [ours, theirs].entries()) {
      const t0 = performance.now();
      await fn();
      best[k] = Math.min(best[k], performance.now() - t0);
    }
  }
  return best;
}

const rows = [];
function report(name, [oursMs, theirsMs], unit, n, floor) {
  const ratio = theirsMs / oursMs;
  const ok = floor === undefined ? '' : ratio >= floor ? `floor ${floor}x: met` : `floor ${floor}x: MISSED`;
  rows.push({ name, ours: oursMs, theirs: theirsMs, ratio, ok });
  const per = (ms) => `${((ms * 1000) / n).toFixed(1)} ${unit}`;
  console.log(`${name.padEnd(34)} ours ${per(oursMs).padStart(12)}   fetch/standard ${per(theirsMs).padStart(12)}   ratio ${ratio.toFixed(2)}x  ${ok}`);
}

async function main() {
  const server = await startServer();
  try {
    const client = new Cadenya({ apiKey: server.api_key, baseURL: server.base_url, workspaceId: server.workspace_id, maxRetries: 0 });
    const raw = new FetchClient(server.base_url, server.api_key, server.workspace_id);
    const spec = { status: 'AGENT_STATUS_DRAFT', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM', description: 'x'.repeat(200) };
    const agents = [];
    for (let i = 0; i < 1000; i++) agents.push(await client.agents.create({ metadata: { name: `bench-${String(i).padStart(4, '0')}` }, spec }));
    const id = agents[0].metadata.id;

    // Correctness first: both clients see the same agent and the same list.
    assert.deepEqual(await client.agents.retrieve(id), await raw.retrieveAgent(id));
    const oursAll = [];
    for await (const a of client.agents.list({ limit: 20 })) oursAll.push(a);
    const rawAll = [];
    for await (const a of raw.listAgents(20)) rawAll.push(a);
    assert.equal(oursAll.length, 1000);
    assert.deepEqual(oursAll, rawAll);

    console.log(`node ${process.version}, ${process.platform}-${process.arch}; local server ${server.base_url}\n`);

    const SEQ = 2000;
    report('sequential agents.retrieve', await timePair(async () => {
      for (let i = 0; i < SEQ; i++) await client.agents.retrieve(id);
    }, async () => {
      for (let i = 0; i < SEQ; i++) await raw.retrieveAgent(id);
    }), 'µs/call', SEQ, FLOORS.sequential);

    const CONC = 32;
    const TOTAL = 4000;
    const concurrently = (call) => async () => {
      let next = 0;
      await Promise.all(Array.from({ length: CONC }, async () => {
        while (next < TOTAL) {
          next++;
          await call();
        }
      }));
    };
    report(`32 concurrent agents.retrieve`, await timePair(concurrently(() => client.agents.retrieve(id)),
      concurrently(() => raw.retrieveAgent(id))), 'µs/call', TOTAL, FLOORS.concurrent);

    // A walk takes a few milliseconds: more runs than the other cases for a stable best.
    report('auto-paginate 50 pages x 20', await timePair(async () => {
      let n = 0;
      for await (const _ of client.agents.list({ limit: 20 })) n++;
      assert.equal(n, 1000);
    }, async () => {
      let n = 0;
      for await (const _ of raw.listAgents(20)) n++;
      assert.equal(n, 1000);
    }, 10), 'µs/page', 50, FLOORS.pagination);

    // Webhooks: a 2 KB payload signed by standardwebhooks, verified by both.
    const secret = 'whsec_' + Buffer.from('bench-secret-0123456789abcdefghij').toString('base64');
    const payload = JSON.stringify({ type: 'objective_event.tool_result', timestamp: new Date().toISOString(), data: { blob: 'y'.repeat(1950) } }).slice(0, 2048);
    const msgId = 'msg_bench';
    const ts = new Date();
    const sw = new StandardWebhook(secret);
    const headers = { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': sw.sign(msgId, ts, payload) };
    client.webhooks.verify(payload, headers, { secret });
    sw.verify(payload, headers);
    assert.throws(() => client.webhooks.verify(payload + 'x', headers, { secret }));
    assert.throws(() => sw.verify(payload + 'x', headers));
    const WH = 20000;
    report('webhook verify (2 KB)', await timePair(() => {
      for (let i = 0; i < WH; i++) client.webhooks.verify(payload, headers, { secret });
    }, () => {
      for (let i = 0; i < WH; i++) sw.verify(payload, headers);
    }), 'µs/verify', WH, FLOORS.webhooks);

    // Import time and memory, each in a fresh process.
    const nodeMs = (code) => {
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        execFileSync(process.execPath, ['-e', code], { stdio: 'ignore' });
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const base = nodeMs('0');
    const ours = nodeMs("require('cadenya')");
    const sws = nodeMs("require('standardwebhooks')");
    console.log(`\nimport time (fresh process, minus bare node ${base.toFixed(0)} ms): cadenya ${(ours - base).toFixed(1)} ms, standardwebhooks ${(sws - base).toFixed(1)} ms`);
    const mem = (which) => {
      const code = `
        const { Cadenya } = require('cadenya');
        const [base, key, ws, id, which] = process.argv.slice(1);
        const c = new Cadenya({ apiKey: key, baseURL: base, workspaceId: ws });
        const h = { authorization: 'Bearer ' + key };
        (async () => {
          const before = process.memoryUsage().rss;
          for (let i = 0; i < 2000; i++) {
            if (which === 'ours') await c.agents.retrieve(id);
            else await (await fetch(base + '/v1/workspaces/' + ws + '/agents/' + id, { headers: h })).json();
          }
          console.log(((process.memoryUsage().rss - before) / 1048576).toFixed(1) + ' ' + (process.memoryUsage().rss / 1048576).toFixed(1));
        })();`;
      return execFileSync(process.execPath, ['-e', code, server.base_url, server.api_key, server.workspace_id, id, which]).toString().trim().split(' ');
    };
    const [od, ot] = mem('ours');
    const [fd, ft] = mem('fetch');
    console.log(`memory after 2,000 retrieves (RSS growth / total): cadenya +${od} MB / ${ot} MB, fetch +${fd} MB / ${ft} MB`);
    const missed = rows.filter((r) => r.ok.includes('MISSED'));
    console.log(missed.length ? `\nfloors missed: ${missed.map((r) => r.name).join(', ')}` : '\nall floors met');
  } finally {
    server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
