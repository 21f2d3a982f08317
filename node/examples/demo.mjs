// The Cadenya walkthrough in Node, against the local server: create an agent with a variation,
// start an objective, follow its events, approve the pending tool call, receive the signed
// webhooks on a local receiver, verify and unwrap them.
//
//   node examples/demo.mjs
//
// It starts the local server from CADENYA_SERVER_BIN, else with `cargo run -p cadenya-server`
// (run from inside the repository).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import http from 'node:http';
import { Cadenya, WebhookVerificationError } from 'cadenya';

async function startServer() {
  const args = ['--port', '0', '--step-delay-ms', '120', '--exit-on-stdin-close'];
  const child = process.env.CADENYA_SERVER_BIN
    ? spawn(process.env.CADENYA_SERVER_BIN, args, { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn('cargo', ['run', '-q', '-p', 'cadenya-server', '--', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the local server exited (${code})`)));
  });
  const stop = () => {
    child.stdin.end(); // --exit-on-stdin-close
    child.kill('SIGTERM');
  };
  return { info: JSON.parse(line), stop };
}

/** A local webhook receiver: every POST (raw body + headers) is queued. */
async function startReceiver() {
  const queue = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end('ok');
      const delivery = { body: Buffer.concat(chunks), headers: req.headers };
      const w = waiters.shift();
      if (w) w(delivery);
      else queue.push(delivery);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const next = (ms) =>
    queue.length
      ? Promise.resolve(queue.shift())
      : new Promise((resolve) => {
          const t = setTimeout(() => resolve(null), ms);
          waiters.push((d) => {
            clearTimeout(t);
            resolve(d);
          });
        });
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${server.address().port}/webhooks`, next, close };
}

function describe(d) {
  if (d.userMessage) return `[user]      ${d.userMessage.content ?? ''}`;
  if (d.assistantMessage) return `[assistant] ${d.assistantMessage.content ?? ''}`;
  if (d.toolApprovalRequested) return `[tool]      approval requested for call ${d.toolApprovalRequested.toolCallId ?? '?'}`;
  if (d.toolApproved) return '[tool]      approved';
  if (d.toolCalled) return '[tool]      called';
  if (d.toolResult) return '[tool]      result received';
  if (d.finalized) return '[done]      objective finalized';
  return `[event]     ${d.type ?? '?'}`;
}

async function main() {
  const server = await startServer();
  const receiver = await startReceiver();
  try {
    const { base_url, api_key, workspace_id } = server.info;
    console.log(`Cadenya demo (Node) · local server ${base_url} · workspace ${workspace_id}\n`);
    const client = new Cadenya({ apiKey: api_key, baseURL: base_url, workspaceId: workspace_id });

    // The account's webhook signing secret, as a user would read it from the API.
    const account = await client.account.retrieve();
    const secret = account.info.webhookEventsHmacSecret;
    console.log(`· webhook receiver listening on ${receiver.url}`);

    const agent = await client.agents.create({
      metadata: { name: 'travel-helper' },
      spec: {
        status: 'AGENT_STATUS_PUBLISHED',
        variationSelectionMode: 'VARIATION_SELECTION_MODE_RANDOM',
        description: 'Answers travel questions, asks before calling tools',
        webhookEventsUrl: receiver.url,
      },
    });
    const variation = await client.agents.variations.create(agent.metadata.id, {
      metadata: { name: 'concise' },
      spec: { prompt: 'Be brief and precise.' },
    });
    console.log(`✓ agent "${agent.metadata.name}" (${agent.metadata.id}) with variation "${variation.metadata.name}" (${variation.metadata.id})`);

    const objective = await client.objectives.create({
      agentId: agent.metadata.id,
      variationId: variation.metadata.id,
      data: { initialMessage: "What's the weather in Lisbon tomorrow?" },
    });
    const oid = objective.metadata.id;
    console.log(`✓ objective ${oid} started\n`);

    // Follow the events as they happen (each once, in order) while waiting for the approval.
    const seen = new Set();
    const following = (async () => {
      for await (const e of client.objectives.followEvents(oid, { timeout: 60_000 })) {
        seen.add(e.metadata.id);
        console.log(`  ${describe(e.data)}`);
      }
    })();

    await client.objectives.wait(oid, { states: ['STATE_WAITING'], timeout: 60_000 });
    const calls = await client.objectives.toolCalls.list(oid);
    const pending = calls.items.find((c) => c.status === 'TOOL_CALL_STATUS_WAITING_FOR_APPROVAL');
    if (!pending) throw new Error('the objective waits, but no tool call does');
    const toolName = pending.data.callable.tool?.name ?? 'tool';
    console.log(`\n✓ approving tool call ${pending.metadata.id} (${toolName})\n`);
    await client.objectives.toolCalls.approve(oid, pending.metadata.id);

    // The follower ends by itself once the objective is terminal and its last events are out.
    const done = await client.objectives.wait(oid, { timeout: 60_000 });
    if (done.status.state !== 'STATE_FINALIZED') throw new Error(`the objective ended ${done.status.state}`);
    await following;

    // Every event is also delivered as a signed webhook: verify and unwrap each one.
    console.log('\nWebhooks (Standard Webhooks, HMAC-SHA256):');
    let verified = 0;
    const deadline = Date.now() + 10_000;
    while (verified < seen.size && Date.now() < deadline) {
      const delivery = await receiver.next(2000);
      if (!delivery) break;
      const event = client.webhooks.unwrap(delivery.body, delivery.headers, { secret });
      console.log(`  ✓ verified ${event.type.padEnd(42)} ${delivery.headers['webhook-id']}`);
      verified++;
    }
    // A forged delivery (fresh timestamp, made-up signature) is refused.
    try {
      client.webhooks.verify('{"type":"objective_event.finalized"}', {
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
      }, { secret });
      throw new Error('a forged delivery was accepted');
    } catch (e) {
      if (!(e instanceof WebhookVerificationError)) throw e;
      console.log(`  ✗ forged delivery refused: ${e.message}`);
    }

    const log = await client.agents.webhookDeliveries.list(agent.metadata.id);
    console.log(`\nDone: ${seen.size} events, ${verified} webhooks verified, ${log.items.length} delivery records on the agent.`);
    if (verified < seen.size) throw new Error(`only ${verified} of ${seen.size} webhooks arrived`);
  } finally {
    receiver.close();
    server.stop();
  }
}

main().catch((e) => {
  console.error(`demo failed: ${e.stack ?? e}`);
  process.exit(1);
});
