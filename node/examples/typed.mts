// A typed walkthrough (ES module): checked with `tsc --noEmit --strict` by scripts/test-node.sh.
import Cadenya, { NotFoundError, APIError, WebhookVerificationError, CursorPage, type APIResponse, type Agent, type AgentVariation, type AgentStatus, type RequestOptions } from 'cadenya';

export async function walkthrough(signal: AbortSignal): Promise<string[]> {
  const client = new Cadenya({ apiKey: 'cdn_test', baseURL: 'http://127.0.0.1:8080', workspaceId: 'ws_1', timeout: 5_000, maxRetries: 1 });
  const status: AgentStatus = 'AGENT_STATUS_DRAFT';
  const options: RequestOptions = { signal, timeout: 1_000, headers: { 'x-trace': '1' }, idempotencyKey: 'k-1' };
  const agent: Agent = await client.agents.create(
    { metadata: { name: 'support' }, spec: { status, variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM' } },
    options,
  );
  const names: string[] = [];
  for await (const a of client.agents.list({ limit: 20 })) names.push(a.metadata.name);
  const first: CursorPage<Agent> = await client.agents.list();
  const second: CursorPage<Agent> | null = first.hasNextPage() ? await first.nextPage() : null;
  if (second) names.push(...second.items.map((a) => a.metadata.id));
  await client.agents.variations.addAssignment(agent.metadata.id, 'var_1', { toolId: 'tool_1', workspaceId: 'ws_2' });
  // Raw responses: status, headers and request id with the value, for any method.
  const raw: APIResponse<Agent> = await client.agents.withRawResponse.retrieve(agent.metadata.id, {}, options);
  names.push(`${raw.status} ${raw.requestId ?? ''} ${raw.headers['content-type']} ${raw.data.metadata.name}`);
  const rawPage: APIResponse<CursorPage<Agent>> = await client.agents.withRawResponse.list({ limit: 5 });
  names.push(...rawPage.data.items.map((a) => a.metadata.id));
  const removed: APIResponse<void> = await client.agents.variations.withRawResponse.delete(agent.metadata.id, 'var_1');
  names.push(String(removed.status));
  const nested: APIResponse<CursorPage<AgentVariation>> = await client.agents.withRawResponse.variations.list(agent.metadata.id);
  names.push(nested.headers['x-request-id'] ?? '');
  // @ts-expect-error: a raw list resolves to one response, it is not an iterable of items
  for await (const a of client.agents.withRawResponse.list()) names.push(a);
  try {
    await client.agents.retrieve('agt_missing');
  } catch (e) {
    if (e instanceof NotFoundError) names.push(`${e.status} ${e.requestId ?? ''}`);
    else if (e instanceof APIError) names.push(String(e.body));
    else throw e;
  }
  try {
    const event = client.webhooks.unwrap(Buffer.from('{}'), new Headers(), { secret: 'whsec_...' });
    names.push(event.type, event.data.objectiveEvent.metadata.id);
  } catch (e) {
    if (e instanceof WebhookVerificationError && e.detail === 'bad_signature') names.push('forged');
  }
  // @ts-expect-error: path parameters are required strings
  await client.agents.retrieve();
  // @ts-expect-error: unknown enum values are refused at compile time
  await client.agents.create({ metadata: { name: 'x' }, spec: { status: 'NOPE', variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM' } });
  return names;
}
