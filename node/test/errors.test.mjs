// Error mapping, retries, timeouts and the per-request options, over real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CadenyaError, APIError, APIStatusError, BadRequestError, AuthenticationError, NotFoundError, ConflictError, RateLimitError,
  InternalServerError, PermissionDeniedError, UnprocessableEntityError, APIConnectionError, APITimeoutError,
  APIResponseValidationError, InvalidRequestError,
} from 'cadenya';
import { startServer, clientFor, fault, agentBody } from './helpers.mjs';

let server;
let client;
before(async () => {
  server = await startServer();
  client = clientFor(server);
});
after(() => server.stop());

test('404 is a NotFoundError with status, requestId, body, code and headers', async () => {
  const err = await client.agents.retrieve('agt_missing').then(() => null, (e) => e);
  assert.ok(err instanceof NotFoundError && err instanceof APIError && err instanceof CadenyaError && err instanceof Error);
  assert.equal(err.name, 'NotFoundError');
  assert.equal(err.status, 404);
  assert.match(err.requestId, /^req_/);
  assert.equal(err.headers['x-request-id'], err.requestId);
  assert.equal(err.code, 5);
  assert.equal(typeof err.body, 'object');
  assert.match(err.body.message, /agt_missing/);
  assert.equal(err.details[0].reason, 'NOT_FOUND');
  assert.match(err.message, /agt_missing/);
  assert.match(err.stack, /errors\.test\.mjs/, 'the stack leads back to the caller');
});

test('a validation failure is a BadRequestError naming the field', async () => {
  const err = await client.agents.create({ metadata: { name: 'x' }, spec: { status: 'AGENT_STATUS_DRAFT' } }).catch((e) => e);
  assert.ok(err instanceof BadRequestError);
  assert.equal(err.status, 400);
  assert.match(err.message, /variationSelectionMode/);
});

test('a wrong API key is an AuthenticationError', async () => {
  const bad = clientFor(server, { apiKey: 'cdn_wrong' });
  await assert.rejects(bad.agents.list(), (e) => e instanceof AuthenticationError && e.status === 401);
});

test('each status maps to its class', async () => {
  const cases = [
    [400, BadRequestError], [401, AuthenticationError], [403, PermissionDeniedError], [404, NotFoundError],
    [409, ConflictError], [422, UnprocessableEntityError], [429, RateLimitError], [500, InternalServerError],
    [503, InternalServerError], [418, APIStatusError],
  ];
  for (const [status, cls] of cases) {
    const err = await client.agents.list({}, { headers: fault(`status=${status}`), maxRetries: 0 }).catch((e) => e);
    assert.ok(err instanceof cls, `${status} -> ${cls.name}, got ${err && err.constructor.name}`);
    assert.equal(err.status, status);
    assert.equal(err.constructor, cls);
  }
});

test('503 twice then success: retried by the core, the third attempt wins', async () => {
  await server.clearRequests();
  const h = fault('status=503;retry-after-ms=10;times=2');
  const page = await client.agents.list({}, { headers: h });
  assert.ok(Array.isArray(page.items));
  const seen = (await server.requests()).filter((r) => r.headers['x-cadenya-fault'] === h['x-cadenya-fault']);
  assert.deepEqual(seen.map((r) => r.headers['x-cadenya-retry-count']), ['0', '1', '2']);
  assert.deepEqual(seen.map((r) => r.status), [503, 503, 200]);
});

test('maxRetries per request and per client', async () => {
  await server.clearRequests();
  const h = fault('status=503;retry-after-ms=5;times=5');
  await assert.rejects(client.agents.list({}, { headers: h, maxRetries: 1 }), InternalServerError);
  let seen = (await server.requests()).filter((r) => r.headers['x-cadenya-fault'] === h['x-cadenya-fault']);
  assert.equal(seen.length, 2, 'first attempt + 1 retry');
  const noRetry = clientFor(server, { maxRetries: 0 });
  const h2 = fault('status=503;times=5');
  await assert.rejects(noRetry.agents.list({}, { headers: h2 }), InternalServerError);
  seen = (await server.requests()).filter((r) => r.headers['x-cadenya-fault'] === h2['x-cadenya-fault']);
  assert.equal(seen.length, 1);
});

test('a POST is not retried after a 503 unless it carries an idempotency key', async () => {
  await server.clearRequests();
  const h = fault('status=503;retry-after-ms=5;times=1');
  await assert.rejects(client.agents.create(agentBody('no-key'), { headers: h }), InternalServerError);
  const h2 = fault('status=503;retry-after-ms=5;times=1');
  const agent = await client.agents.create(agentBody('with-key'), { headers: h2, idempotencyKey: 'idem-1' });
  assert.equal(agent.metadata.name, 'with-key');
  const reqs = await server.requests();
  assert.equal(reqs.filter((r) => r.headers['x-cadenya-fault'] === h['x-cadenya-fault']).length, 1);
  const keyed = reqs.filter((r) => r.headers['x-cadenya-fault'] === h2['x-cadenya-fault']);
  assert.equal(keyed.length, 2);
  assert.ok(keyed.every((r) => r.headers['idempotency-key'] === 'idem-1'));
});

test('a dropped connection is an APIConnectionError (after retries)', async () => {
  const err = await client.agents.list({}, { headers: fault('drop;times=10'), maxRetries: 1 }).catch((e) => e);
  assert.ok(err instanceof APIConnectionError, String(err));
  assert.ok(err instanceof APIError && !(err instanceof APIStatusError));
  assert.equal(err.status, null);
});

test('a slow response is an APITimeoutError after the per-request timeout', async () => {
  const t0 = performance.now();
  const err = await client.agents.list({}, { headers: fault('delay-ms=1500;times=5'), timeout: 100, maxRetries: 0 }).catch((e) => e);
  const took = performance.now() - t0;
  assert.ok(err instanceof APITimeoutError && err instanceof APIConnectionError, String(err));
  assert.ok(took < 1000, `rejected after ${took} ms`);
  const slowClient = clientFor(server, { timeout: 100, maxRetries: 0 });
  await assert.rejects(slowClient.agents.list({}, { headers: fault('delay-ms=1500') }), APITimeoutError);
});

test('a malformed 200 body is an APIResponseValidationError', async () => {
  const err = await client.agents.list({}, { headers: fault('malformed-json'), maxRetries: 0 }).catch((e) => e);
  assert.ok(err instanceof APIResponseValidationError, String(err));
  assert.equal(err.status, 200);
  assert.match(err.requestId, /^req_/);
});

test('bad arguments are refused before anything is sent', async () => {
  await server.clearRequests();
  await assert.rejects(client.agents.retrieve(''), InvalidRequestError);
  await assert.rejects(client.agents.retrieve('..'), InvalidRequestError);
  await assert.rejects(client.agents.retrieve(undefined), InvalidRequestError);
  await assert.rejects(client.agents.list({ nope: 1 }), (e) => e instanceof InvalidRequestError && /nope/.test(e.message));
  await assert.rejects(client.agents.list({}, { timeout: -5 }), InvalidRequestError);
  await assert.rejects(client.agents.list({}, { signal: 'yes' }), InvalidRequestError);
  assert.deepEqual(await server.requests(), []);
});

test('hostile ids stay one path segment', async () => {
  await server.clearRequests();
  await assert.rejects(client.agents.retrieve('../x/y?z=1#f'), NotFoundError);
  const [r] = await server.requests();
  assert.equal(r.path, `/v1/workspaces/${server.workspace_id}/agents/..%2Fx%2Fy%3Fz%3D1%23f`);
});

test('workspaceId in params overrides the client default', async () => {
  await server.clearRequests();
  await assert.rejects(client.agents.list({ workspaceId: 'ws_other' }), (e) => e instanceof APIError);
  const [r] = await server.requests();
  assert.equal(r.path, '/v1/workspaces/ws_other/agents');
  const noWs = clientFor(server, { workspaceId: undefined });
  await assert.rejects(noWs.agents.list(), (e) => e instanceof InvalidRequestError && /workspace/.test(e.message));
  const page = await noWs.agents.list({ workspaceId: server.workspace_id });
  assert.ok(Array.isArray(page.items));
});
