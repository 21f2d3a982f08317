// Short-lived programs that end while the SDK is busy, run many times to count abnormal exits.
//
//   node node/test/exit_child.mjs --runs 200     # 200 runs per mode against a fresh local server
//
// Modes: `process.exit` with calls in flight, a worker thread terminated mid-call, and a natural
// exit after the calls settle. `runModes` starts each as a fresh process and returns the runs that
// did not exit 0 (a signal shows as its name). exit.test.mjs runs it in CI.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Cadenya } from 'cadenya';

export const MODES = ['exit_in_flight', 'worker_terminated', 'natural'];
const SLOW = { 'x-cadenya-fault': 'delay-ms=30' };
const self = fileURLToPath(import.meta.url);

function options() {
  const e = process.env;
  return { apiKey: e.CADENYA_API_KEY, baseURL: e.CADENYA_BASE_URL, workspaceId: e.CADENYA_WORKSPACE_ID };
}

async function burst(client, perTask) {
  await Promise.all(Array.from({ length: 32 }, async () => {
    for (let i = 0; i < perTask; i++) await client.account.retrieve();
  }));
}

async function child(mode) {
  const client = new Cadenya(options());
  if (mode === 'exit_in_flight') {
    await burst(client, 2);
    for (let i = 0; i < 32; i++) client.account.retrieve({}, { headers: SLOW }).catch(() => {});
    setTimeout(() => process.exit(0), 5);
  } else if (mode === 'worker_terminated') {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { Cadenya } = require(workerData.entry);
      const client = new Cadenya(workerData.options);
      for (let i = 0; i < 16; i++) client.account.retrieve({}, { headers: workerData.slow }).catch(() => {});
      parentPort.postMessage('started');`;
    const entry = import.meta.resolve('cadenya').startsWith('file:') ? fileURLToPath(import.meta.resolve('cadenya')) : 'cadenya';
    const workers = Array.from({ length: 2 }, () => new Worker(code, { eval: true, workerData: { entry, options: options(), slow: SLOW } }));
    await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
    await burst(client, 1);
    await Promise.all(workers.map((w) => w.terminate()));
    // The answers to the terminated workers' calls arrive now; the process then ends by itself.
  } else if (mode === 'natural') {
    await burst(client, 5);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
}

/** Runs every mode `runs` times (`parallel` at once); resolves to the runs that did not exit 0. */
export async function runModes(env, runs, modes = MODES, parallel = 2) {
  const queue = modes.flatMap((m) => Array.from({ length: runs }, () => m));
  const bad = [];
  const one = (mode) =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [self, '--child', mode], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => (err += d));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) bad.push({ mode, code, signal, stderr: err.slice(-500) });
        resolve();
      });
    });
  const lanes = Array.from({ length: parallel }, async () => {
    while (queue.length) await one(queue.pop());
  });
  await Promise.all(lanes);
  return bad;
}

async function main(argv) {
  if (argv[0] === '--child') return child(argv[1]);
  const i = argv.indexOf('--runs');
  const runs = i >= 0 ? Number(argv[i + 1]) : 200;
  const { startServer } = await import('./helpers.mjs');
  const server = await startServer();
  const t0 = performance.now();
  try {
    const env = { CADENYA_API_KEY: server.api_key, CADENYA_BASE_URL: server.base_url, CADENYA_WORKSPACE_ID: server.workspace_id };
    const bad = await runModes(env, runs);
    for (const m of MODES) console.log(`${m.padEnd(18)} ${runs - bad.filter((b) => b.mode === m).length}/${runs} exited 0`);
    for (const b of bad.slice(0, 5)) console.log(`--- ${b.mode}: code ${b.code} signal ${b.signal}\n${b.stderr}`);
    console.log(`${bad.length} abnormal exits in ${runs * MODES.length} runs (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    process.exitCode = bad.length ? 1 : 0;
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === self) await main(process.argv.slice(2));
