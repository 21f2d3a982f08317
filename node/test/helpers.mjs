// Test helpers: a local Cadenya server per test file (the `cadenya-server` binary named by
// CADENYA_SERVER_BIN), a client pointed at it, and access to its request log.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomUUID } from 'node:crypto';
import { before, after } from 'node:test';
import { Cadenya } from 'cadenya';

const ISOLATED_ENV = [
  'CADENYA_API_KEY',
  'CADENYA_BASE_URL',
  'CADENYA_WORKSPACE_ID',
  'CADENYA_WEBHOOK_SECRET',
  'CADENYA_WEBHOOK_KEY',
  'CADENYA_CUSTOM_HEADERS',
  'CADENYA_LOG',
];
for (const k of ISOLATED_ENV) delete process.env[k];

/** Starts a server; resolves to its info plus `stop()`, `requests()`, `clearRequests()`. */
export async function startServer(stepDelayMs = 2) {
  const bin = process.env.CADENYA_SERVER_BIN;
  if (!bin) throw new Error('CADENYA_SERVER_BIN is not set (scripts/test-node.sh sets it)');
  const child = spawn(bin, ['--port', '0', '--step-delay-ms', String(stepDelayMs), '--exit-on-stdin-close'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const info = JSON.parse(line);
  const server = {
    ...info,
    child,
    async stop() {
      child.stdin.end();
      child.kill('SIGTERM');
    },
    async requests() {
      const r = await fetch(`${info.base_url}/_cadenya/requests`);
      // Headers come as [name, value] pairs; tests read them as an object (first value wins).
      return (await r.json()).requests.map((q) => ({
        ...q,
        headers: Object.fromEntries([...q.headers].reverse()),
      }));
    },
    async clearRequests() {
      await fetch(`${info.base_url}/_cadenya/requests`, { method: 'DELETE' });
    },
  };
  return server;
}

/** A client for `server` (explicit options only; the environment is cleared above). */
export function clientFor(server, options = {}) {
  return new Cadenya({
    apiKey: server.api_key,
    baseURL: server.base_url,
    workspaceId: server.workspace_id,
    timeout: 10_000,
    ...options,
  });
}

/** A fault header value unique to this call site, so fault counters are never shared. */
export function fault(spec) {
  return { 'x-cadenya-fault': `id=${randomUUID()};${spec}` };
}

export const agentBody = (name, extra = {}) => ({
  metadata: { name },
  spec: { status: 'AGENT_STATUS_DRAFT', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM', ...extra },
});

/** Polls `f` every 10 ms until it returns a truthy value, for at most `ms`. */
export async function waitFor(what, f, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One server for the test file that calls it (started before its tests, stopped after), with a client. */
export function withServer() {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer();
    ctx.client = clientFor(ctx.server);
  });
  after(() => ctx.server.stop());
  return ctx;
}
