// Cursor pagination: first page, nextPage(), lazy `for await` over every item, options carried over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CursorPage, PagePromise, APIUserAbortError, CadenyaError, InternalServerError } from 'cadenya';
import { startServer, clientFor, agentBody, fault } from './helpers.mjs';

let server;
let client;
const names = [];
before(async () => {
  server = await startServer();
  client = clientFor(server);
  for (let i = 0; i < 45; i++) {
    const name = `agent-${String(i).padStart(2, '0')}`;
    names.push(name);
    await client.agents.create(agentBody(name));
  }
});
after(() => server.stop());

test('await gives the first page; nextPage() walks on; the last page has no next', async () => {
  const pp = client.agents.list({ limit: 20, sortOrder: 'asc' });
  assert.ok(pp instanceof PagePromise);
  const first = await pp;
  assert.ok(first instanceof CursorPage);
  assert.deepEqual(first.items.map((a) => a.metadata.name), names.slice(0, 20));
  assert.ok(first.hasNextPage());
  assert.equal(typeof first.nextCursor, 'string');
  const second = await first.nextPage();
  assert.deepEqual(second.items.map((a) => a.metadata.name), names.slice(20, 40));
  const third = await second.getNextPage();
  assert.deepEqual(third.items.map((a) => a.metadata.name), names.slice(40));
  assert.equal(third.hasNextPage(), false);
  assert.equal(third.nextCursor, null);
  assert.equal(await third.nextPage(), null);
  await assert.rejects(third.getNextPage(), (e) => e instanceof CadenyaError && /No next page expected/.test(e.message));
});

test('for await walks every item of every page, lazily, repeating the query with the cursor', async () => {
  await server.clearRequests();
  const seen = [];
  for await (const agent of client.agents.list({ limit: 10, sortOrder: 'asc' }, { headers: { 'x-trace': 't1' } })) {
    seen.push(agent.metadata.name);
    if (seen.length === 5) assert.equal((await server.requests()).length, 1, 'only the first page is fetched so far');
  }
  assert.deepEqual(seen, names);
  const reqs = await server.requests();
  assert.equal(reqs.length, 5);
  assert.ok(reqs.every((r) => r.headers['x-trace'] === 't1'), 'per-request options apply to every page');
  const q = reqs.map((r) => new URLSearchParams(r.query));
  assert.ok(q.every((p) => p.get('limit') === '10' && p.get('sortOrder') === 'asc'));
  assert.equal(q[0].get('cursor'), null);
  assert.ok(q.slice(1).every((p) => p.get('cursor')));
});

test('breaking out of the loop stops fetching', async () => {
  await server.clearRequests();
  let n = 0;
  for await (const _ of client.agents.list({ limit: 5 })) {
    if (++n === 7) break;
  }
  assert.equal((await server.requests()).length, 2);
});

test('iterPages yields pages; iterating a fetched page continues from it', async () => {
  const first = await client.agents.list({ limit: 20 });
  const sizes = [];
  for await (const page of first.iterPages()) sizes.push(page.items.length);
  assert.deepEqual(sizes, [20, 20, 5]);
  let count = 0;
  for await (const _ of first) count++;
  assert.equal(count, 45);
});

test('an empty list is one empty page', async () => {
  const page = await client.agents.list({ prefix: 'no-such-agent' });
  assert.deepEqual(page.items, []);
  assert.equal(page.hasNextPage(), false);
  const all = [];
  for await (const a of client.agents.list({ prefix: 'no-such-agent' })) all.push(a);
  assert.deepEqual(all, []);
});

test('an error on a later page rejects the iteration; an aborted signal stops it', async () => {
  const first = await client.agents.list({ limit: 20 }, { maxRetries: 0 });
  await server.clearRequests();
  // Arm a server-side fault for the next list request.
  await fetch(`${server.base_url}/_cadenya/faults`, {
    method: 'POST',
    body: JSON.stringify({ method: 'GET', path_prefix: `/v1/workspaces/${server.workspace_id}/agents`, fault: 'status=500;times=1' }),
  });
  await assert.rejects(first.nextPage(), InternalServerError);
  await fetch(`${server.base_url}/_cadenya/faults`, { method: 'DELETE' });
  const ac = new AbortController();
  const got = [];
  await assert.rejects(async () => {
    for await (const a of client.agents.list({ limit: 10 }, { signal: ac.signal })) {
      got.push(a);
      if (got.length === 10) ac.abort();
    }
  }, APIUserAbortError);
  assert.equal(got.length, 10);
});

test('workspace override and query filters apply to the list', async () => {
  await server.clearRequests();
  const page = await client.agents.list({ workspaceId: server.workspace_id, prefix: 'agent-4', limit: 3 });
  assert.deepEqual(page.items.map((a) => a.metadata.name).sort(), ['agent-40', 'agent-41', 'agent-42']);
  const [r] = await server.requests();
  assert.equal(new URLSearchParams(r.query).get('prefix'), 'agent-4');
});

test('page items keep non-ASCII text intact (ASCII and UTF-8 pages take different paths)', async () => {
  const name = 'ünïcødé-名前-✓-😀';
  const created = await client.agents.create(agentBody(name, { description: 'naïve café, 東京, emoji 🎉' }));
  const page = await client.agents.list({ prefix: 'ünïcødé' });
  assert.equal(page.items.length, 1);
  assert.equal(page.items[0].metadata.name, name);
  assert.equal(page.items[0].spec.description, 'naïve café, 東京, emoji 🎉');
  assert.equal(page.items[0].metadata.id, created.metadata.id);
  await client.agents.delete(created.metadata.id);
});

test('for await: an error on a later page ends the loop after the items so far; iterating again starts afresh', async () => {
  const first = await client.agents.list({ limit: 20, sortOrder: 'asc' }, { maxRetries: 0 });
  await fetch(`${server.base_url}/_cadenya/faults`, {
    method: 'POST',
    body: JSON.stringify({ method: 'GET', path_prefix: `/v1/workspaces/${server.workspace_id}/agents`, fault: 'status=500;times=1' }),
  });
  const seen = [];
  await assert.rejects(async () => {
    for await (const a of first) seen.push(a.metadata.name);
  }, InternalServerError);
  await fetch(`${server.base_url}/_cadenya/faults`, { method: 'DELETE' });
  assert.deepEqual(seen, names.slice(0, 20));
  const again = [];
  for await (const a of first) again.push(a.metadata.name);
  assert.deepEqual(again.slice(0, 45), names);
});
