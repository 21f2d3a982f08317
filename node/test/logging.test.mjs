// The `logger` option: the core's log records reach any object with debug/info/warn/error, on
// the JS thread, filtered by `logLevel` / CADENYA_LOG, and never hold a key or a secret.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from 'cadenya';
import { startServer, clientFor, fault, waitFor } from './helpers.mjs';

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** A logger that keeps what it receives. */
function recorder() {
  const records = [];
  const logger = {};
  for (const level of ['debug', 'info', 'warn', 'error']) logger[level] = (message, fields) => records.push({ level, message, fields });
  return { logger, records };
}

test('at debug, each attempt logs operation, method, path template, status, attempt, duration and request id; a retry logs why', async () => {
  const { logger, records } = recorder();
  const client = clientFor(server, { logger, logLevel: 'debug', webhookSecret: server.webhook_secret });
  const agent = await client.agents.list({ limit: 1 }, { headers: fault('status=503;times=1'), maxRetries: 2 });
  assert.ok(agent.items);
  const requests = await waitFor('two request records', () => {
    const r = records.filter((x) => x.message === 'cadenya: http request');
    return r.length >= 2 && r;
  });
  const [first, second] = requests;
  assert.equal(first.level, 'debug');
  assert.equal(first.fields.operation, 'agents.list');
  assert.equal(first.fields.method, 'GET');
  assert.equal(first.fields.path, '/v1/workspaces/{workspaceId}/agents');
  assert.equal(first.fields.status, 503);
  assert.equal(first.fields.attempt, 1);
  assert.equal(typeof first.fields.duration_ms, 'number');
  assert.match(first.fields.request_id, /^req_/);
  assert.equal(second.fields.status, 200);
  assert.equal(second.fields.attempt, 2);
  const retry = records.find((x) => x.message === 'cadenya: retrying');
  assert.ok(retry, 'the retry is logged');
  assert.equal(retry.level, 'info');
  assert.equal(retry.fields.operation, 'agents.list');
  assert.match(String(retry.fields.reason), /503/);
  assert.equal(typeof retry.fields.wait_ms, 'number');
  const text = JSON.stringify(records);
  assert.ok(!text.includes(server.api_key), 'no API key');
  assert.ok(!text.includes(server.webhook_secret.slice(6)), 'no webhook secret');
  assert.ok(!/bearer/i.test(text), 'no authorization header');
});

test('the level filters: at warn a plain call logs nothing, a failed one warns; CADENYA_LOG applies when logLevel is unset', async () => {
  const { logger, records } = recorder();
  const client = clientFor(server, { logger, logLevel: 'warn' });
  await client.account.retrieve();
  await client.agents.list({}, { headers: fault('status=500;times=5'), maxRetries: 0 }).catch(() => {});
  const warned = await waitFor('a warning', () => records.find((r) => r.message === 'cadenya: request failed'));
  assert.equal(warned.level, 'warn');
  assert.equal(warned.fields.operation, 'agents.list');
  assert.ok(!records.some((r) => r.level === 'debug' || r.level === 'info'), JSON.stringify(records));

  process.env.CADENYA_LOG = 'debug';
  try {
    const env = recorder();
    const fromEnv = clientFor(server, { logger: env.logger });
    await fromEnv.account.retrieve();
    await waitFor('a debug record from CADENYA_LOG', () => env.records.some((r) => r.level === 'debug' && r.fields.operation === 'account.retrieve'));
  } finally {
    delete process.env.CADENYA_LOG;
  }
  const off = recorder();
  const silent = clientFor(server, { logger: off.logger, logLevel: 'off' });
  await silent.agents.list({}, { headers: fault('status=500;times=5'), maxRetries: 0 }).catch(() => {});
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(off.records, []);
});

test('a logger that throws never breaks a call; a logger without the four methods is a ConfigurationError', async () => {
  const angry = { debug() { throw new Error('boom'); }, info() {}, warn() {}, error() {} };
  const client = clientFor(server, { logger: angry, logLevel: 'debug' });
  assert.ok(await client.account.retrieve());
  assert.throws(() => clientFor(server, { logger: { debug() {} } }), ConfigurationError);
  assert.throws(() => clientFor(server, { logger: null }), ConfigurationError);
});
