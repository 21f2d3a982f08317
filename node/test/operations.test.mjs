// Every operation of the spec, called through the generated surface against the local server.
// Each call must put exactly one request on the wire with the operation's method and a path that
// instantiates its template, get a 200, and return the documented shape; at the end the set of
// operations exercised must equal the spec's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OPERATIONS, CursorPage } from 'cadenya';
import { startServer, clientFor, agentBody, waitFor } from './helpers.mjs';

let server;
let c;
const seen = new Set();

before(async () => {
  server = await startServer();
  c = clientFor(server);
});
after(() => server.stop());

function matches(template, path) {
  const t = template.split('/');
  const p = path.split('/');
  return t.length === p.length && t.every((seg, i) => (seg.startsWith('{') ? p[i].length > 0 : seg === p[i]));
}

/** Runs one operation and checks the request the server saw. Returns the call's result. */
async function op(id, call, { query, body } = {}) {
  const d = OPERATIONS[id];
  assert.ok(d, `${id} is an operation`);
  await server.clearRequests();
  let result;
  try {
    result = await call();
  } catch (e) {
    e.message = `${id}: ${e.message}`;
    throw e;
  }
  const reqs = await server.requests();
  assert.equal(reqs.length, 1, `${id}: one request, got ${reqs.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  const [r] = reqs;
  assert.equal(r.method, d.method, `${id}: method`);
  assert.ok(matches(d.template, r.path), `${id}: ${r.path} is not an instance of ${d.template}`);
  assert.equal(r.status, 200, `${id}: status`);
  if (query) {
    assert.deepEqual(Object.fromEntries(new URLSearchParams(r.query)), query, `${id}: query`);
  }
  if (body) assert.deepEqual(JSON.parse(r.body), body, `${id}: body`);
  if (d.kind === 0) assert.equal(result, undefined, `${id}: no body`);
  if (d.kind === 1) assert.equal(typeof result, 'object', `${id}: a model`);
  if (d.kind === 2) {
    assert.ok(result instanceof CursorPage, `${id}: a page`);
    assert.ok(Array.isArray(result.items));
  }
  seen.add(id);
  await server.clearRequests();
  return result;
}

const meta = (name, extra = {}) => ({ metadata: { name, ...extra } });
const toolSpec = (description) => ({
  config: { http: { requestMethod: 'GET', path: '/weather', query: 'city={{city}}' } },
  description,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  status: 'TOOL_STATUS_AVAILABLE',
  requiresApproval: true,
});

test('every operation', async () => {
  const ws = server.workspace_id;

  // ---- account, workspaces, administration, API keys
  const account = await op('account.retrieve', () => c.account.retrieve());
  assert.equal(account.metadata.id, server.account_id);
  const rotated = await op('account.rotate_webhook_signing_key', () => c.account.rotateWebhookSigningKey());
  assert.match(rotated.webhookEventsHmacSecret, /^whsec_/);
  assert.equal((await op('workspaces.get', () => c.workspaces.get())).metadata.id, ws);
  const ws2 = (await op('workspace_admin.create', () => c.workspaceAdmin.create({ metadata: { name: 'second' }, spec: { description: 'two' } }),
    { body: { metadata: { name: 'second' }, spec: { description: 'two' } } })).metadata.id;
  await op('workspaces.list', () => c.workspaces.list({ limit: 1, sortOrder: 'asc' }), { query: { limit: '1', sortOrder: 'asc' } });
  const wsPage = await op('workspace_admin.list', () => c.workspaceAdmin.list({ includeArchived: true }), { query: { includeArchived: 'true' } });
  assert.ok(wsPage.items.some((w) => w.metadata.id === ws2));
  assert.equal((await op('workspace_admin.retrieve', () => c.workspaceAdmin.retrieve({ workspaceId: ws2 }))).metadata.id, ws2);
  const renamed = await op('workspace_admin.update', () =>
    c.workspaceAdmin.update({ workspaceId: ws2, metadata: { name: 'second-renamed' }, updateMask: 'metadata.name' }),
  { body: { metadata: { name: 'second-renamed' }, updateMask: 'metadata.name' } });
  assert.equal(renamed.metadata.name, 'second-renamed');
  const member = await op('workspace_admin.members.add', () => c.workspaceAdmin.members.add({ workspaceId: ws2, email: 'dana@example.com' }));
  await op('workspace_admin.members.list', () => c.workspaceAdmin.members.list({ workspaceId: ws2, limit: 5 }));
  const profiles = await op('workspace_admin.profiles.list', () => c.workspaceAdmin.profiles.list({ query: 'dana' }));
  assert.deepEqual(profiles.items.map((p) => p.metadata.id), [member.profileId]);
  await op('workspace_admin.members.remove', () => c.workspaceAdmin.members.remove(member.profileId, { workspaceId: ws2 }));

  const key = await op('api_keys.create', () => c.apiKeys.create({ ...meta('ci-key'), spec: { description: 'ci' }, initialWorkspaceIds: [ws2] }));
  const keyId = key.metadata.id;
  assert.ok(key.spec.token, 'create shows the token');
  await op('api_keys.list', () => c.apiKeys.list({ limit: 10 }));
  assert.equal((await op('api_keys.retrieve', () => c.apiKeys.retrieve(keyId))).metadata.id, keyId);
  await op('api_keys.update', () => c.apiKeys.update(keyId, { ...meta('ci-key-2'), spec: { description: 'rotated' } }));
  assert.ok((await op('api_keys.rotate', () => c.apiKeys.rotate(keyId))).spec.token);
  // Here workspaceId is a body field (the path has no {workspaceId}).
  await op('api_keys.access.add', () => c.apiKeys.access.add(keyId, { workspaceId: ws }), { body: { workspaceId: ws } });
  await op('api_keys.access.list', () => c.apiKeys.access.list(keyId));
  await op('api_keys.access.remove', () => c.apiKeys.access.remove(keyId, { workspaceId: ws2 }));
  await op('api_keys.delete', () => c.apiKeys.delete(keyId));

  // ---- secrets, uploads, models
  const secret = await op('workspace_secrets.create', () => c.workspaceSecrets.create({ ...meta('OPS_TOKEN'), spec: { value: 's3cr3t' } }));
  await op('workspace_secrets.list', () => c.workspaceSecrets.list({ limit: 5 }));
  await op('workspace_secrets.retrieve', () => c.workspaceSecrets.retrieve(secret.metadata.id));
  await op('workspace_secrets.update', () => c.workspaceSecrets.update(secret.metadata.id, { spec: { value: 'n3w' }, updateMask: 'spec.value' }));
  await op('workspace_secrets.delete', () => c.workspaceSecrets.delete(secret.metadata.id));
  const upload = await op('uploads.create', () =>
    c.uploads.create({ ...meta('manual.pdf'), spec: { contentType: 'application/pdf', filename: 'manual.pdf', sizeBytes: '1234567' } }));
  assert.equal((await op('uploads.retrieve', () => c.uploads.retrieve(upload.metadata.id))).spec.sizeBytes, '1234567');
  const models = await op('models.list', () => c.models.list({ limit: 2, status: 'MODEL_STATUS_ENABLED' }), { query: { limit: '2', status: 'MODEL_STATUS_ENABLED' } });
  const modelId = models.items[0].metadata.id;
  await op('models.retrieve', () => c.models.retrieve(modelId));
  const disabled = await op('models.set_status', () => c.models.setStatus(modelId, { status: 'MODEL_STATUS_DISABLED' }), { body: { status: 'MODEL_STATUS_DISABLED' } });
  assert.equal(disabled.spec.status, 'MODEL_STATUS_DISABLED');

  // ---- tool sets, tools, search
  const set = await op('tool_sets.create', () =>
    c.toolSets.create({ ...meta('weather-tools'), spec: { description: 'Weather', adapter: { http: { baseUrl: 'https://weather.example.com' } } } }));
  const setId = set.metadata.id;
  const tool = await op('tool_sets.tools.create', () => c.toolSets.tools.create(setId, { ...meta('get-weather'), spec: toolSpec('Current weather') }));
  const toolId = tool.metadata.id;
  await op('tool_sets.list', () => c.toolSets.list({ limit: 5 }));
  await op('tool_sets.retrieve', () => c.toolSets.retrieve(setId));
  await op('tool_sets.update', () => c.toolSets.update(setId, { ...meta('weather-tools-v2'), spec: { description: 'Weather v2' } }));
  await op('tool_sets.list_events', () => c.toolSets.listEvents(setId));
  await op('tool_sets.get_openapi_spec', () => c.toolSets.getOpenapiSpec(setId));
  await op('tool_sets.tools.list', () => c.toolSets.tools.list(setId));
  await op('tool_sets.tools.retrieve', () => c.toolSets.tools.retrieve(setId, toolId));
  await op('tool_sets.tools.update', () => c.toolSets.tools.update(setId, toolId, { ...meta('get-weather'), spec: toolSpec('Weather now') }));
  const found = await op('search.search_tools_or_tool_sets', () => c.search.searchToolsOrToolSets({ query: 'weather' }), { query: { query: 'weather' } });
  assert.ok(found, 'search returns a result');

  // ---- memory layers and entries
  const layer = await op('memory_layers.create', () => c.memoryLayers.create({ ...meta('ops-skills'), spec: { type: 'MEMORY_LAYER_TYPE_SKILLS' } }));
  const lid = layer.metadata.id;
  await op('memory_layers.list', () => c.memoryLayers.list());
  await op('memory_layers.retrieve', () => c.memoryLayers.retrieve(lid));
  await op('memory_layers.update', () => c.memoryLayers.update(lid, { spec: { type: 'MEMORY_LAYER_TYPE_SKILLS', description: 'Runbooks' }, updateMask: 'spec.description' }));
  const entry = await op('memory_layers.entries.create', () => c.memoryLayers.entries.create(lid, { ...meta('deploys'), spec: { key: 'deploys', content: 'Tuesdays.' } }));
  await op('memory_layers.entries.list', () => c.memoryLayers.entries.list(lid));
  await op('memory_layers.entries.retrieve', () => c.memoryLayers.entries.retrieve(lid, entry.metadata.id));
  await op('memory_layers.entries.update', () => c.memoryLayers.entries.update(lid, entry.metadata.id, { spec: { content: 'Wednesdays.' } }));

  // ---- agents, variations, assignments, schedules
  const agent = await op('agents.create', () => c.agents.create(agentBody('ops-agent')));
  const aid = agent.metadata.id;
  const helper = await c.agents.create(agentBody('ops-helper'));
  await op('agents.list', () => c.agents.list({ limit: 5, prefix: 'ops-' }), { query: { limit: '5', prefix: 'ops-' } });
  await op('agents.retrieve', () => c.agents.retrieve(aid));
  await op('agents.update', () => c.agents.update(aid, { spec: { ...agentBody('x').spec, description: 'ops' }, updateMask: 'spec.description' }));
  const variation = await op('agents.variations.create', () => c.agents.variations.create(aid, { ...meta('concise'), spec: { prompt: 'Be brief.' } }));
  const vid = variation.metadata.id;
  await op('agents.variations.list', () => c.agents.variations.list(aid));
  await op('agents.variations.retrieve', () => c.agents.variations.retrieve(aid, vid));
  await op('agents.variations.update', () => c.agents.variations.update(aid, vid, meta('concise-v2')));
  const assignment = await op('agents.variations.add_assignment', () => c.agents.variations.addAssignment(aid, vid, { toolId }), { body: { toolId } });
  await op('agents.variations.remove_assignment', () => c.agents.variations.removeAssignment(aid, vid, assignment.id ?? assignment.metadata?.id));
  const ml = await op('agents.variations.add_memory_layer', () => c.agents.variations.addMemoryLayer(aid, vid, { memoryLayerId: lid, position: 0 }));
  const mlId = ml.id ?? ml.metadata?.id;
  await op('agents.variations.update_memory_layer', () => c.agents.variations.updateMemoryLayer(aid, vid, mlId, { position: 2 }));
  await op('agents.variations.remove_memory_layer', () => c.agents.variations.removeMemoryLayer(aid, vid, mlId));
  const schedule = await op('agents.schedules.create', () => c.agents.schedules.create(aid, {
    ...meta('hourly'),
    spec: { initialMessage: 'Summarise', schedule: { intervals: [{ every: '3600s' }] }, status: 'AGENT_SCHEDULE_STATUS_ACTIVE', variationId: vid },
  }));
  const sid = schedule.metadata.id;
  await op('agents.schedules.list', () => c.agents.schedules.list(aid));
  await op('agents.schedules.retrieve', () => c.agents.schedules.retrieve(aid, sid));
  await op('agents.schedules.update', () => c.agents.schedules.update(aid, sid, { spec: { initialMessage: 'Summarise', schedule: {}, status: 'AGENT_SCHEDULE_STATUS_PAUSED' }, updateMask: 'spec.status' }));
  await op('agents.schedules.delete', () => c.agents.schedules.delete(aid, sid));

  // ---- objectives: the tool call waits for approval (the variation is assigned the tool again)
  await c.agents.variations.addAssignment(aid, vid, { toolId });
  const objective = await op('objectives.create', () => c.objectives.create({ agentId: aid, variationId: vid, data: { initialMessage: 'Weather?' } }));
  const oid = objective.metadata.id;
  const call = await waitFor('a tool call waiting for approval', async () =>
    (await c.objectives.toolCalls.list(oid)).items.find((x) => x.status === 'TOOL_CALL_STATUS_WAITING_FOR_APPROVAL'));
  await server.clearRequests();
  await op('objectives.tool_calls.list', () => c.objectives.toolCalls.list(oid));
  await op('objectives.tools.list', () => c.objectives.tools.list(oid));
  await op('objectives.tool_calls.approve', () => c.objectives.toolCalls.approve(oid, call.metadata.id));
  await waitFor('finalized', async () => (await c.objectives.retrieve(oid)).status.state === 'STATE_FINALIZED');
  await server.clearRequests();
  await op('objectives.retrieve', () => c.objectives.retrieve(oid));
  await op('objectives.list', () => c.objectives.list({ limit: 5 }));
  const events = await op('objectives.list_events', () => c.objectives.listEvents(oid, { sortOrder: 'asc' }));
  assert.ok(events.items.length > 3);
  await op('objectives.list_context_windows', () => c.objectives.listContextWindows(oid));
  const task = await op('objectives.tasks.list', () => c.objectives.tasks.list(oid));
  if (task.items.length) await op('objectives.tasks.retrieve', () => c.objectives.tasks.retrieve(oid, task.items[0].metadata.id));
  const cont = await op('objectives.continue', () => c.objectives.continue(oid, { message: 'And why?' }), { body: { message: 'And why?' } });
  assert.ok(cont.metadata.id);
  await op('objectives.compact', () => c.objectives.compact(oid, {}));
  await op('objectives.feedback.create', () => c.objectives.feedback.create(oid, { data: { comment: 'Spot on', score: 1 }, metadata: { externalId: 'ext-fb' } }));
  await op('objectives.feedback.list', () => c.objectives.feedback.list(oid));
  await op('agents.feedback.list', () => c.agents.feedback.list(aid));
  await op('agents.webhook_deliveries.list', () => c.agents.webhookDeliveries.list(aid));

  // A second objective: denied, then another cancelled.
  const o2 = (await c.objectives.create({ agentId: aid, variationId: vid, data: { initialMessage: 'Again?' } })).metadata.id;
  const call2 = await waitFor('second tool call', async () =>
    (await c.objectives.toolCalls.list(o2)).items.find((x) => x.status === 'TOOL_CALL_STATUS_WAITING_FOR_APPROVAL'));
  await server.clearRequests();
  await op('objectives.tool_calls.deny', () => c.objectives.toolCalls.deny(o2, call2.metadata.id, { memo: 'Not allowed' }), { body: { memo: 'Not allowed' } });
  const o3 = (await c.objectives.create({ agentId: aid, variationId: vid, data: { initialMessage: 'Cancel me' } })).metadata.id;
  await server.clearRequests();
  await op('objectives.cancel', () => c.objectives.cancel(o3, { reason: 'user gave up' }), { body: { reason: 'user gave up' } });

  // ---- bulk applies
  const applied = await op('bulk_workspace_resources.apply', () => c.bulkWorkspaceResources.apply({
    data: {
      bundleKey: 'ops-bundle',
      agents: { bot: { name: 'bulk-bot', spec: { status: 'AGENT_STATUS_DRAFT', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM' } } },
    },
  }));
  const bwa = applied.metadata.id;
  await op('bulk_workspace_resources.list', () => c.bulkWorkspaceResources.list());
  await op('bulk_workspace_resources.retrieve', () => c.bulkWorkspaceResources.retrieve(bwa));
  await op('bulk_workspace_resources.results.list', () => c.bulkWorkspaceResources.results.list(bwa));

  // ---- deletes last
  await op('agents.variations.delete', () => c.agents.variations.delete(aid, vid));
  await op('agents.delete', () => c.agents.delete(helper.metadata.id));
  await op('memory_layers.entries.delete', () => c.memoryLayers.entries.delete(lid, entry.metadata.id));
  await op('memory_layers.delete', () => c.memoryLayers.delete(lid));
  await op('tool_sets.tools.delete', () => c.toolSets.tools.delete(setId, toolId));
  await op('tool_sets.delete', () => c.toolSets.delete(setId));
  await op('workspace_admin.archive', () => c.workspaceAdmin.archive({ workspaceId: ws2 }));

  const missing = Object.keys(OPERATIONS).filter((id) => !seen.has(id));
  assert.deepEqual(missing, [], 'operations not exercised');
  assert.equal(seen.size, 97);
});
