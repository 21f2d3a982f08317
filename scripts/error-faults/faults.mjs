// Drives the shared faults through the Node SDK and prints one JSON line per fault (the same
// shape as faults.py; `scripts/test-errors.sh` compares the three languages).
import { Cadenya, CadenyaError } from 'cadenya';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const fault = (spec) => ({ 'x-cadenya-fault': `id=node-${process.hrtime.bigint()};${spec}` });

const client = new Cadenya();
const body = '{"type":"objective.created"}';
const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' };
const faults = {
  '404': () => client.agents.retrieve('agt_missing'),
  '429 after retries': () => client.agents.list({}, { headers: fault('status=429;retry-after-ms=1;times=10'), maxRetries: 2 }),
  timeout: () => client.agents.list({}, { headers: fault('delay-ms=2000'), timeout: 100, maxRetries: 0 }),
  'dropped connection': () => client.agents.list({}, { headers: fault('drop;times=10'), maxRetries: 0 }),
  'malformed JSON': () => client.agents.list({}, { headers: fault('malformed-json'), maxRetries: 0 }),
  'bad webhook signature': async () => client.webhooks.verify(body, headers, { secret: SECRET }),
};
for (const [name, run] of Object.entries(faults)) {
  try {
    await run();
    console.log(JSON.stringify({ fault: name, class: null }));
  } catch (e) {
    if (!(e instanceof CadenyaError)) throw e;
    console.log(JSON.stringify({
      fault: name,
      class: e.name,
      kind: e.kind,
      status: e.status,
      code: e.code,
      attempts: e.attempts,
      operation: e.operation,
      detail: e.detail,
      has_request_id: e.requestId !== null,
    }));
  }
}
