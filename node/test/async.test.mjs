// The event loop never blocks: abort, a timer during a slow request, 1,000 concurrent calls.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { APIUserAbortError, CadenyaError } from 'cadenya';
import { startServer, clientFor, fault } from './helpers.mjs';

let server;
let client;
before(async () => {
  server = await startServer();
  client = clientFor(server);
});
after(() => server.stop());

test('abort: the server sees the request, the connection is dropped and the client rejects promptly', async () => {
  // A bare TCP server that reads the request and never answers: it shows both that the request
  // was sent and that aborting drops the Rust future (its connection closes).
  let seen;
  let closed;
  const sawRequest = new Promise((r) => (seen = r));
  const sawClose = new Promise((r) => (closed = r));
  const silent = net.createServer((sock) => {
    let head = '';
    sock.on('data', (d) => {
      head += d;
      if (head.includes('\r\n\r\n')) seen(head.split('\r\n')[0]);
    });
    sock.on('close', () => closed());
    sock.on('error', () => {});
  });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const c = clientFor(server, { baseURL: `http://127.0.0.1:${silent.address().port}`, maxRetries: 0 });
    const ac = new AbortController();
    const started = performance.now();
    const pending = c.agents.list({ limit: 3 }, { signal: ac.signal });
    const line = await sawRequest;
    assert.equal(line, `GET /v1/workspaces/${server.workspace_id}/agents?limit=3 HTTP/1.1`);
    ac.abort();
    const err = await pending.then(() => null, (e) => e);
    const took = performance.now() - started;
    assert.ok(err instanceof APIUserAbortError && err instanceof CadenyaError, String(err));
    assert.ok(took < 1000, `rejected after ${took.toFixed(0)} ms`);
    await Promise.race([sawClose, new Promise((_, no) => setTimeout(() => no(new Error('connection not closed')), 2000))]);
  } finally {
    silent.close();
  }
  // Against the real server: the abort wins over a slow answer, and the client stays usable.
  const ac = new AbortController();
  const t0 = performance.now();
  const p = client.agents.list({}, { headers: fault('delay-ms=800'), signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(p, APIUserAbortError);
  assert.ok(performance.now() - t0 < 500);
  assert.ok(Array.isArray((await client.agents.list({ limit: 1 })).items));
});

test('abort of a model call and of an empty call; an already aborted signal sends nothing', async () => {
  const ac = new AbortController();
  const p1 = client.account.retrieve({}, { headers: fault('delay-ms=800'), signal: ac.signal });
  const p2 = client.agents.delete('agt_x', {}, { headers: fault('delay-ms=800'), signal: ac.signal });
  setTimeout(() => ac.abort(), 30);
  await Promise.all([assert.rejects(p1, APIUserAbortError), assert.rejects(p2, APIUserAbortError)]);
  await server.clearRequests();
  await assert.rejects(client.agents.list({}, { signal: AbortSignal.abort() }), APIUserAbortError);
  await assert.rejects(client.agents.retrieve('agt_x', {}, { signal: AbortSignal.abort() }), APIUserAbortError);
  assert.deepEqual(await server.requests(), []);
});

test('AbortSignal.timeout cancels as well', async () => {
  await assert.rejects(client.agents.list({}, { headers: fault('delay-ms=800'), signal: AbortSignal.timeout(50) }), APIUserAbortError);
});

test('a timer keeps firing while a slow request is in flight', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  const t0 = performance.now();
  try {
    await client.agents.list({}, { headers: fault('delay-ms=400') });
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 390, `the request took ${elapsed} ms`);
  // ~40 ticks at 10 ms if the loop is free, 0 if the call blocked it. Not a timing bound: any
  // busy machine still fires the timer more than 3 times in 400 ms.
  assert.ok(ticks >= 3, `only ${ticks} timer ticks during the request`);
});

test('busy polling around a call is bounded: a slow call does not keep a CPU spinning', async () => {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await client.agents.list({}, { headers: fault('delay-ms=400') });
  const wall = performance.now() - t0;
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1000;
  // Spinning for the whole wait would cost about as much CPU as wall time; the window is 250 µs.
  assert.ok(wall >= 390, `the request took ${wall} ms`);
  assert.ok(cpuMs < wall / 3, `${cpuMs.toFixed(1)} ms of CPU during a ${wall.toFixed(0)} ms call`);
});

test('1,000 concurrent calls all succeed', async () => {
  const created = await client.agents.create({
    metadata: { name: 'concurrent' },
    spec: { status: 'AGENT_STATUS_DRAFT', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM' },
  });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const results = await Promise.all(Array.from({ length: 1000 }, () => client.agents.retrieve(created.metadata.id)));
  clearInterval(timer);
  assert.equal(results.length, 1000);
  assert.ok(results.every((a) => a.metadata.id === created.metadata.id));
  assert.ok(ticks > 0, 'the event loop ran timers while the calls were in flight');
});

// A child process with only a client in it: what keeps it alive is the client's doing alone.
function runChild(body) {
  const entry = createRequire(import.meta.url).resolve('cadenya');
  const code = `const { Cadenya } = require(${JSON.stringify(entry)});
    const client = new Cadenya({ apiKey: ${JSON.stringify(server.api_key)}, baseURL: ${JSON.stringify(server.base_url)}, workspaceId: ${JSON.stringify(server.workspace_id)} });
    ${body}`;
  const t0 = performance.now();
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', code], { timeout: 20_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout: stdout.trim(), ms: performance.now() - t0 }),
    ),
  );
}

test('a call in flight keeps the process alive until it settles; an idle client lets it exit', async () => {
  // Nothing but the call is pending: without it holding the loop, the process would exit first.
  const slow = await runChild(
    `client.agents.list({}, { headers: ${JSON.stringify(fault('delay-ms=300'))} }).then((p) => console.log('settled', Array.isArray(p.items)));`,
  );
  assert.equal(slow.stdout, 'settled true');
  assert.ok(slow.ms >= 300, `exited after ${slow.ms} ms, before the call settled`);
  // After its calls have settled the client holds nothing: the process ends by itself.
  const idle = await runChild(`client.agents.list({}).then(() => client.agents.list({})).then(() => console.log('done'));`);
  assert.equal(idle.stdout, 'done');
});

test('exiting with calls in flight is clean: their answers arrive after the environment is gone', async () => {
  // process.exit tears the environment down while 100 slow calls are pending; the runtime's
  // worker then finishes them against a finalised bridge. A crash would show as a signal.
  const exited = await runChild(`
    for (let i = 0; i < 100; i++) client.agents.list({}, { headers: ${JSON.stringify(fault('delay-ms=50'))} }).catch(() => {});
    setTimeout(() => { console.log('exiting'); process.exit(0); }, 20);`);
  assert.equal(exited.stdout, 'exiting');
});

test('calls work from worker threads, and a worker ended mid-call leaves the process healthy', async () => {
  const entry = createRequire(import.meta.url).resolve('cadenya');
  const workerCode = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Cadenya } = require(workerData.entry);
    const client = new Cadenya(workerData.options);
    client.agents.list({}, { headers: workerData.headers }).then(
      (p) => parentPort.postMessage({ ok: Array.isArray(p.items) }),
      (e) => parentPort.postMessage({ error: String(e) }),
    );
    parentPort.postMessage({ started: true });`;
  const options = { apiKey: server.api_key, baseURL: server.base_url, workspaceId: server.workspace_id };
  const start = (headers) => new Worker(workerCode, { eval: true, workerData: { entry, options, headers } });
  const messages = (w) => {
    const seen = [];
    w.on('message', (m) => seen.push(m));
    return seen;
  };

  const quick = start({});
  const quickSeen = messages(quick);
  await new Promise((resolve) => quick.once('exit', resolve));
  assert.deepEqual(quickSeen, [{ started: true }, { ok: true }]);

  // The answer to this worker's call arrives after the worker (and its JS environment) is gone.
  const doomed = start(fault('delay-ms=200'));
  await new Promise((resolve) => doomed.once('message', resolve));
  await doomed.terminate();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const page = await client.agents.list({});
  assert.ok(Array.isArray(page.items));
});
