// Client construction, options, environment fallbacks, both module systems, and redaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import * as esm from 'cadenya';
import Cadenya, { ConfigurationError, CadenyaError, APIResponse, CursorPage, NotFoundError, APIUserAbortError } from 'cadenya';
import { startServer, clientFor, agentBody, fault } from './helpers.mjs';

const require = createRequire(import.meta.url);
let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test('require and import expose the same classes', () => {
  const cjs = require('cadenya');
  assert.equal(cjs.Cadenya, esm.Cadenya);
  assert.equal(cjs.NotFoundError, esm.NotFoundError);
  assert.equal(Cadenya, cjs.Cadenya);
  assert.equal(cjs.default, cjs.Cadenya);
  for (const name of ['APIError', 'BadRequestError', 'AuthenticationError', 'PermissionDeniedError', 'NotFoundError',
    'ConflictError', 'UnprocessableEntityError', 'RateLimitError', 'InternalServerError', 'APIConnectionError',
    'APITimeoutError', 'APIUserAbortError', 'WebhookVerificationError', 'CursorPage', 'PagePromise', 'APIResponse',
    'ResourceBase']) {
    assert.equal(typeof esm[name], 'function', name);
  }
});

test('options are exposed in camelCase, timeout in milliseconds', () => {
  const c = clientFor(server, { timeout: 1500, maxRetries: 5 });
  assert.equal(c.baseURL, server.base_url);
  assert.equal(c.workspaceId, server.workspace_id);
  assert.equal(c.timeout, 1500);
  assert.equal(c.maxRetries, 5);
  const d = new Cadenya({ apiKey: 'k' });
  assert.equal(d.baseURL, 'https://api.cadenya.com');
  assert.equal(d.timeout, 60_000);
  assert.equal(d.maxRetries, 2);
  assert.equal(d.workspaceId, null);
});

test('a missing API key is a ConfigurationError', () => {
  assert.throws(() => new Cadenya(), (e) => e instanceof ConfigurationError && e instanceof CadenyaError && /CADENYA_API_KEY/.test(e.message));
  assert.throws(() => new Cadenya({ apiKey: '  ' }), ConfigurationError, 'blank explicit value');
  assert.throws(() => new Cadenya({ apiKey: 'k', baseURL: 'http://example.com' }), ConfigurationError, 'http to a non-loopback host');
  assert.throws(() => new Cadenya({ apiKey: 'k', timeout: -1 }), ConfigurationError);
  assert.throws(() => new Cadenya({ apiKey: 'k', logLevel: 'loud' }), ConfigurationError);
});

test('environment fallbacks: CADENYA_API_KEY, CADENYA_BASE_URL, CADENYA_WORKSPACE_ID, CADENYA_CUSTOM_HEADERS', async () => {
  process.env.CADENYA_API_KEY = server.api_key;
  process.env.CADENYA_BASE_URL = server.base_url;
  process.env.CADENYA_WORKSPACE_ID = server.workspace_id;
  process.env.CADENYA_CUSTOM_HEADERS = 'X-From-Env: yes\nX-Other: 2';
  try {
    const c = new Cadenya();
    assert.equal(c.baseURL, server.base_url);
    assert.equal(c.workspaceId, server.workspace_id);
    await server.clearRequests();
    const agent = await c.agents.create(agentBody('from-env'));
    assert.match(agent.metadata.id, /^agt_/);
    const [r] = await server.requests();
    assert.equal(r.headers['x-from-env'], 'yes');
    assert.ok(r.headers.authorization, 'authorization sent (the log redacts it)');
    // An explicit option wins over the environment.
    const o = new Cadenya({ workspaceId: 'ws_explicit' });
    assert.equal(o.workspaceId, 'ws_explicit');
  } finally {
    for (const k of ['CADENYA_API_KEY', 'CADENYA_BASE_URL', 'CADENYA_WORKSPACE_ID', 'CADENYA_CUSTOM_HEADERS']) delete process.env[k];
  }
});

test('default headers, user agent and per-request headers reach the server', async () => {
  const c = clientFor(server, { defaultHeaders: { 'X-Team': 'core' } });
  await server.clearRequests();
  await c.agents.list({ limit: 1 }, { headers: new Headers({ 'X-Per-Call': '1' }) });
  const [r] = await server.requests();
  assert.equal(r.headers['x-team'], 'core');
  assert.equal(r.headers['x-per-call'], '1');
  assert.match(r.headers['user-agent'], /^cadenya-node\//);
});

test('secrets never appear in inspect output', () => {
  const c = clientFor(server, { webhookSecret: server.webhook_secret });
  const text = inspect(c, { depth: 5, showHidden: true }) + JSON.stringify(c) + String(c.webhooks) + inspect(c.webhooks);
  assert.ok(!text.includes(server.api_key), text);
  assert.ok(!text.includes(server.webhook_secret.slice(6)), text);
});

test('withRawResponse: status, headers and request id with the value, for models, lists and empty bodies', async () => {
  const client = clientFor(server);
  const agent = await client.agents.create(agentBody('raw-response'));
  const raw = await client.agents.withRawResponse.retrieve(agent.metadata.id);
  assert.ok(raw instanceof APIResponse);
  assert.equal(raw.status, 200);
  assert.match(raw.requestId, /^req_/);
  assert.equal(raw.headers['x-request-id'], raw.requestId);
  assert.equal(raw.headers['content-type'], 'application/json');
  assert.deepEqual(raw.data, await client.agents.retrieve(agent.metadata.id));

  const list = await client.agents.withRawResponse.list({ limit: 1 });
  assert.equal(list.status, 200);
  assert.ok(list.data instanceof CursorPage);
  assert.equal(list.data.items.length, 1);
  const second = await list.data.nextPage();
  assert.ok(second === null || second instanceof CursorPage, 'the page walks on like any page');

  const variation = await client.agents.variations.create(agent.metadata.id, { metadata: { name: 'v' }, spec: { prompt: 'Be brief.' } });
  const nested = await client.agents.withRawResponse.variations.list(agent.metadata.id);
  assert.equal(nested.status, 200);
  assert.ok(Array.isArray(nested.data.items));
  assert.ok(nested.data.items.some((v) => v.metadata.id === variation.metadata.id));

  const removed = await client.agents.withRawResponse.delete(agent.metadata.id);
  assert.equal(removed.status, 200);
  assert.equal(removed.data, undefined);
  assert.match(removed.requestId, /^req_/);
});

test('withRawResponse: errors, abort and argument checks behave as for the plain methods', async () => {
  const client = clientFor(server);
  const err = await client.agents.withRawResponse.retrieve('agt_missing').catch((e) => e);
  assert.ok(err instanceof NotFoundError);
  assert.match(err.requestId, /^req_/);
  const ac = new AbortController();
  const pending = client.agents.withRawResponse.list({}, { signal: ac.signal, headers: fault('delay-ms=2000') });
  ac.abort();
  await assert.rejects(pending, APIUserAbortError);
  await assert.rejects(client.agents.withRawResponse.retrieve(42), /path parameter `id` must be a string/);
  // One view per resource, and a raw view's own view is itself.
  assert.equal(client.agents.withRawResponse, client.agents.withRawResponse);
  assert.equal(client.agents.withRawResponse.withRawResponse, client.agents.withRawResponse);
  assert.equal(client.agents.withRawResponse.variations.withRawResponse, client.agents.withRawResponse.variations);
});

test('.withResponse() on a call resolves to { data, response } and sends the call once', async () => {
  const client = clientFor(server);
  const agent = await client.agents.create(agentBody('with-response'));
  await server.clearRequests();
  const call = client.agents.retrieve(agent.metadata.id);
  assert.ok(call instanceof Promise);
  const { data, response } = await call.withResponse();
  assert.ok(response instanceof APIResponse);
  assert.equal(response.status, 200);
  assert.match(response.requestId, /^req_/);
  assert.equal(data.metadata.id, agent.metadata.id);
  assert.deepEqual(await call, data, 'the call itself resolves to the same value');
  const sent = (await server.requests()).filter((r) => r.method === 'GET' && r.path.endsWith(`/agents/${agent.metadata.id}`));
  assert.equal(sent.length, 1, 'one request');

  // Errors reject withResponse()'s promise (and the call's) with the usual class.
  await assert.rejects(client.agents.retrieve('agt_missing').withResponse(), NotFoundError);
  // A plain call not awaited still runs, and withResponse() after it has started is refused.
  const started = client.agents.retrieve(agent.metadata.id);
  await started;
  await assert.rejects(started.withResponse(), (e) => e.name === 'InvalidRequestError');
  // An empty body: data is undefined.
  const { data: none, response: r } = await client.agents.delete(agent.metadata.id).withResponse();
  assert.equal(none, undefined);
  assert.equal(r.status, 200);
});

test('.withResponse() on a list resolves to { data: first page, response }, one request', async () => {
  const client = clientFor(server);
  await client.agents.create(agentBody('list-with-response'));
  await server.clearRequests();
  const call = client.agents.list({ limit: 1 });
  const { data, response } = await call.withResponse();
  assert.ok(data instanceof CursorPage);
  assert.equal(data.items.length, 1);
  assert.ok(response instanceof APIResponse);
  assert.equal(response.status, 200);
  assert.match(response.requestId, /^req_/);
  assert.equal(await call, data, 'awaiting the call gives the same page');
  assert.equal((await server.requests()).filter((r) => r.method === 'GET').length, 1);
  const started = client.agents.list({ limit: 1 });
  await started;
  await assert.rejects(started.withResponse(), (e) => e.name === 'InvalidRequestError');
});

test('APIConnectionTimeoutError is the official name of APITimeoutError (the same class)', async () => {
  assert.equal(esm.APIConnectionTimeoutError, esm.APITimeoutError);
  assert.equal(require('cadenya').APIConnectionTimeoutError, esm.APITimeoutError);
  const client = clientFor(server, { maxRetries: 0 });
  const err = await client.agents.list({}, { timeout: 50, headers: fault('delay-ms=2000') }).catch((e) => e);
  assert.ok(err instanceof esm.APIConnectionTimeoutError && err instanceof esm.APIConnectionError, String(err));
  assert.equal(err.name, 'APITimeoutError');
});

test('close() ends the calls in flight and refuses later ones', async () => {
  const client = clientFor(server);
  const pending = client.agents.list({}, { headers: fault('delay-ms=2000') });
  setTimeout(() => client.close(), 20);
  await assert.rejects(pending, (e) => e instanceof ConfigurationError && /closed/.test(e.message));
  await assert.rejects(client.account.retrieve(), ConfigurationError);
});

test('close() ends page fetches too: one in flight, and later ones', async () => {
  const client = clientFor(server);
  for (let i = 0; i < 3; i++) await client.agents.create(agentBody(`close-pages-${i}`));
  const first = await client.agents.list({ prefix: 'close-pages-', limit: 1 });
  assert.ok(first.hasNextPage());
  // The server holds the next list request for 5 s.
  const faults = `${server.base_url}/_cadenya/faults`;
  const arm = { method: 'GET', path_prefix: `/v1/workspaces/${server.workspace_id}/agents`, fault: 'delay-ms=5000;times=1' };
  await fetch(faults, { method: 'POST', body: JSON.stringify(arm) });
  try {
    const pending = first.getNextPage();
    setTimeout(() => client.close(), 100);
    const t0 = performance.now();
    await assert.rejects(pending, (e) => e instanceof ConfigurationError && /closed/.test(e.message));
    assert.ok(performance.now() - t0 < 4000, 'the page fetch ran to its answer instead of being cancelled');
  } finally {
    await fetch(faults, { method: 'DELETE' });
  }
  await assert.rejects(first.nextPage(), (e) => e instanceof ConfigurationError && /closed/.test(e.message));
});

test('options.body adds fields to the JSON body and its keys win', async () => {
  const c = clientFor(server);
  await server.clearRequests();
  const agent = await c.agents.create(agentBody('extra'), { body: { labsFlag: true, metadata: { name: 'from-options-body' } } });
  const [r] = await server.requests();
  const sent = JSON.parse(r.body);
  assert.equal(sent.labsFlag, true);
  assert.deepEqual(sent.metadata, { name: 'from-options-body' });
  assert.equal(sent.spec.status, 'AGENT_STATUS_DRAFT');
  assert.equal(agent.metadata.name, 'from-options-body');
  await assert.rejects(c.agents.retrieve(agent.metadata.id, {}, { body: { x: 1 } }), (e) => e instanceof CadenyaError && /takes no body/.test(e.message));
  await assert.rejects(c.agents.create(agentBody('x'), { body: [1] }), /options.body must be an object/);
});
