// client.objectives.wait / followEvents against the local server's deterministic objective run:
// user message, assistant message, a tool call waiting for approval, then (approved) the call, its
// result, an answer and FINALIZED; the label `simulate: fail` makes it fail after two events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WaitTimeoutError, CadenyaError, InvalidRequestError } from 'cadenya';
import { withServer, agentBody } from './helpers.mjs';

const APPROVED_RUN = ['USER_MESSAGE', 'ASSISTANT_MESSAGE', 'TOOL_APPROVAL_REQUESTED', 'TOOL_APPROVED', 'TOOL_CALLED', 'TOOL_RESULT', 'ASSISTANT_MESSAGE', 'FINALIZED'];

const ctx = withServer();

async function startObjective(labels) {
  const agent = await ctx.client.agents.create(agentBody('objective-helper'));
  const objective = await ctx.client.objectives.create({ agentId: agent.metadata.id, metadata: { labels }, data: { initialMessage: 'What is the answer?' } });
  return objective.metadata.id;
}

const kinds = (events) => events.map((e) => (e.data.type ?? '').replace('OBJECTIVE_EVENT_TYPE_', ''));
const ids = (events) => events.map((e) => e.metadata.id);

async function allEvents(id) {
  const out = [];
  for await (const e of ctx.client.objectives.listEvents(id, { sortOrder: 'asc' })) out.push(e);
  return out;
}

async function approvePending(id) {
  const calls = await ctx.client.objectives.toolCalls.list(id);
  const pending = calls.items.find((c) => c.status === 'TOOL_CALL_STATUS_WAITING_FOR_APPROVAL');
  assert.ok(pending, 'a tool call waits for approval');
  await ctx.client.objectives.toolCalls.approve(id, pending.metadata.id);
}

async function collect(iterable) {
  const out = [];
  for await (const e of iterable) out.push(e);
  return out;
}

test('wait for approval, approve, wait for the end; followEvents sees every event once, in order', async () => {
  const id = await startObjective();
  const following = collect(ctx.client.objectives.followEvents(id));
  const waiting = await ctx.client.objectives.wait(id, { states: ['STATE_WAITING'] });
  assert.equal(waiting.metadata.id, id);
  assert.equal(waiting.status.state, 'STATE_WAITING');
  await approvePending(id);
  const done = await ctx.client.objectives.wait(id);
  assert.equal(done.status.state, 'STATE_FINALIZED');
  const events = await following;
  assert.deepEqual(kinds(events), APPROVED_RUN);
  assert.equal(new Set(ids(events)).size, events.length, 'no event twice');
  assert.deepEqual(ids(events), ids(await allEvents(id)), 'none skipped');
});

test('a wait that runs out of time is a WaitTimeoutError carrying the last state', async () => {
  const id = await startObjective();
  await ctx.client.objectives.wait(id, { states: ['STATE_WAITING'] });
  const err = await ctx.client.objectives.wait(id, { timeout: 300 }).catch((e) => e);
  assert.ok(err instanceof WaitTimeoutError && err instanceof CadenyaError, String(err));
  assert.equal(err.kind, 'wait_timeout');
  assert.equal(err.detail, 'STATE_WAITING');
  assert.match(err.message, /STATE_WAITING/);
  // followEvents honours its timeout the same way, after delivering what exists.
  const seen = [];
  const err2 = await (async () => {
    for await (const e of ctx.client.objectives.followEvents(id, { timeout: 300 })) seen.push(e);
  })().catch((e) => e);
  assert.ok(err2 instanceof WaitTimeoutError, String(err2));
  assert.equal(err2.detail, 'STATE_WAITING');
  assert.deepEqual(kinds(seen), APPROVED_RUN.slice(0, 3));
});

test('a failing objective ends the stream with its ERROR event and the wait with STATE_FAILED', async () => {
  const id = await startObjective({ simulate: 'fail' });
  const events = await collect(ctx.client.objectives.followEvents(id));
  assert.deepEqual(kinds(events), ['USER_MESSAGE', 'ASSISTANT_MESSAGE', 'ERROR']);
  const failed = await ctx.client.objectives.wait(id);
  assert.equal(failed.status.state, 'STATE_FAILED');
  const err = await ctx.client.objectives.wait(id, { states: ['STATE_FINALIZED'], timeout: 200 }).catch((e) => e);
  assert.ok(err instanceof WaitTimeoutError);
  assert.equal(err.detail, 'STATE_FAILED');
});

test('followEvents resumes after an event id, while the run goes on', async () => {
  const id = await startObjective();
  await ctx.client.objectives.wait(id, { states: ['STATE_WAITING'] });
  const first = [];
  for await (const e of ctx.client.objectives.followEvents(id)) {
    first.push(e);
    if (first.length === 2) break;
  }
  await approvePending(id);
  const rest = await collect(ctx.client.objectives.followEvents(id, { afterEventId: first[1].metadata.id }));
  const joined = [...first, ...rest];
  assert.deepEqual(kinds(joined), APPROVED_RUN);
  assert.deepEqual(ids(joined), ids(await allEvents(id)));
  // After the last event of a finished run: nothing more.
  assert.deepEqual(await collect(ctx.client.objectives.followEvents(id, { afterEventId: joined.at(-1).metadata.id })), []);
});

test('bad arguments are refused before anything is sent', async () => {
  await assert.rejects(ctx.client.objectives.wait(42), InvalidRequestError);
  await assert.rejects(ctx.client.objectives.wait('obj_x', { timeout: -1 }), InvalidRequestError);
  await assert.rejects(ctx.client.objectives.wait('obj_x', { states: 'STATE_WAITING' }), InvalidRequestError);
  await assert.rejects(collect(ctx.client.objectives.followEvents('obj_x', { timeout: 0 })), InvalidRequestError);
});
