// Webhook verification: every vector of spec/webhooks/vectors.json through client.webhooks, with
// the clock fixed at the vector's `now`; payload and header forms; unwrap and unsafeUnwrap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Cadenya, Webhook, WebhookVerificationError, CadenyaError, ConfigurationError } from 'cadenya';

const root = process.env.CADENYA_REPO_ROOT;
const { vectors } = JSON.parse(fs.readFileSync(path.join(root, 'spec/webhooks/vectors.json'), 'utf8'));
const client = new Cadenya({ apiKey: 'cdn_test', baseURL: 'http://127.0.0.1:1' });

function outcome(f) {
  try {
    f();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof WebhookVerificationError && e instanceof CadenyaError, `not a WebhookVerificationError: ${e}`);
    return e.detail;
  }
}

test('there are 80 vectors', () => {
  assert.equal(vectors.length, 80);
});

for (const v of vectors) {
  test(`vector ${v.name}`, () => {
    const want = v.expect === 'ok' ? 'ok' : v.error_kind;
    const opts = { secret: v.secret, _now: v.now };
    // String payload + plain object headers.
    assert.equal(outcome(() => client.webhooks.verify(v.payload, v.headers, opts)), want, 'verify(string, object)');
    // Buffer payload + Fetch Headers (when the names/values are valid for Headers).
    let fetchHeaders = null;
    try {
      fetchHeaders = new Headers(v.headers);
    } catch {
      // Some vectors carry header values Headers refuses; the object form covers them.
    }
    if (fetchHeaders) {
      assert.equal(outcome(() => client.webhooks.verify(Buffer.from(v.payload), fetchHeaders, opts)), want, 'verify(Buffer, Headers)');
    }
    // unwrap verifies first: a failing vector fails with the same kind; a passing one then needs
    // the typed envelope, which these payloads are not.
    assert.equal(outcome(() => client.webhooks.unwrap(v.payload, v.headers, opts)), want === 'ok' ? 'bad_payload' : want, 'unwrap');
  });
}

// A real envelope, signed with a fresh secret.
const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const meta = (id) => ({ id, accountId: 'acct_1', createdAt: '2026-01-01T00:00:00Z', profileId: 'prf_1', workspaceId: 'ws_1' });
const envelope = JSON.stringify({
  type: 'objective_event.finalized',
  timestamp: '2026-01-01T00:00:00Z',
  data: {
    agent: { ...meta('agt_1'), name: 'a' },
    agentVariation: { ...meta('var_1'), name: 'v' },
    objective: meta('obj_1'),
    objectiveEvent: { metadata: meta('evt_1'), data: { type: 'OBJECTIVE_EVENT_TYPE_FINALIZED', finalized: {} } },
  },
});
// Valid JSON, signed correctly, but not the envelope (no data.agent).
const notEnvelope = JSON.stringify({ type: 'x', timestamp: '2026-01-01T00:00:00Z', data: {} });

function signed(body, ts = Math.floor(Date.now() / 1000)) {
  const hook = new Webhook(secret);
  return { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': hook.sign('msg_1', ts, body) };
}

test('unwrap verifies then returns the parsed event (string, Buffer, Uint8Array; object or Headers)', () => {
  const c = new Cadenya({ apiKey: 'k', webhookSecret: secret });
  const h = signed(envelope);
  let ok = 0;
  for (const payload of [envelope, Buffer.from(envelope), new TextEncoder().encode(envelope)]) {
    for (const headers of [h, new Headers(h), { ...h, 'Webhook-Id': undefined }]) {
      const event = c.webhooks.unwrap(payload, headers);
      assert.equal(event.type, 'objective_event.finalized');
      assert.equal(event.data.objectiveEvent.metadata.id, 'evt_1');
      ok++;
    }
  }
  c.webhooks.verify(envelope, h);
  assert.throws(() => c.webhooks.verify(envelope + ' ', h), (e) => e.detail === 'bad_signature');
  assert.equal(ok, 9);
  const hn = signed(notEnvelope);
  c.webhooks.verify(notEnvelope, hn);
  assert.throws(() => c.webhooks.unwrap(notEnvelope, hn), (e) => e instanceof WebhookVerificationError && e.detail === 'bad_payload');
});

test('verify with the client secret, an explicit secret, or CADENYA_WEBHOOK_KEY', () => {
  const h = signed(envelope);
  assert.throws(() => client.webhooks.verify(envelope, h), ConfigurationError, 'no secret configured');
  client.webhooks.verify(envelope, h, { secret });
  process.env.CADENYA_WEBHOOK_KEY = secret;
  try {
    new Cadenya({ apiKey: 'k' }).webhooks.verify(envelope, h);
  } finally {
    delete process.env.CADENYA_WEBHOOK_KEY;
  }
  const other = new Cadenya({ apiKey: 'k', webhookSecret: 'whsec_' + Buffer.from('another key of 32 bytes.........').toString('base64') });
  assert.throws(() => other.webhooks.verify(envelope, h), (e) => e instanceof WebhookVerificationError && e.detail === 'bad_signature');
});

test('errors name the failed check and never the secret', () => {
  const h = signed(envelope);
  const cases = [
    [() => client.webhooks.verify(envelope, { ...h, 'webhook-id': '' }, { secret }), 'missing_header'],
    [() => client.webhooks.verify(envelope, { ...h, 'webhook-timestamp': 'soon' }, { secret }), 'bad_timestamp'],
    [() => client.webhooks.verify(envelope, signed(envelope, 1000), { secret }), 'too_old'],
    [() => client.webhooks.verify(envelope, h, { secret: 'whsec_!!' }), 'bad_secret'],
    [() => new Webhook('whsec_'), 'bad_secret'],
  ];
  for (const [f, kind] of cases) {
    let e;
    try {
      f();
    } catch (x) {
      e = x;
    }
    assert.ok(e instanceof WebhookVerificationError, String(e));
    assert.equal(e.detail, kind);
    assert.ok(!e.message.includes(secret.slice(6)) && !e.stack.includes(secret.slice(6)));
  }
  // Too new, with an injected clock.
  assert.throws(() => client.webhooks.verify(envelope, h, { secret, _now: Number(h['webhook-timestamp']) - 301 }), (e) => e.detail === 'too_new');
});

test('node req.headers style arrays: the first value is used', () => {
  const h = signed(envelope);
  client.webhooks.verify(envelope, { ...h, 'webhook-signature': [h['webhook-signature'], 'v1,bad'] }, { secret });
});

test('unsafeUnwrap parses without verifying; a non-envelope is bad_payload', () => {
  const event = client.webhooks.unsafeUnwrap(Buffer.from(envelope));
  assert.equal(event.data.agent.id, 'agt_1');
  assert.throws(() => client.webhooks.unsafeUnwrap(notEnvelope), (e) => e.detail === 'bad_payload');
  assert.throws(() => client.webhooks.unsafeUnwrap('not json'), (e) => e instanceof WebhookVerificationError && e.detail === 'bad_payload');
  assert.throws(() => client.webhooks.unsafeUnwrap(42), CadenyaError);
});

test("the official SDKs' form unwrap(body, { headers, key }) is accepted beside ours", () => {
  const h = signed(envelope);
  const event = client.webhooks.unwrap(envelope, { headers: h, key: secret });
  assert.equal(event.type, 'objective_event.finalized');
  client.webhooks.verify(envelope, { headers: new Headers(h), key: secret });
  assert.throws(() => client.webhooks.unwrap(envelope, { headers: h, key: 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64') }), (e) => e.name === 'WebhookVerificationError' && e.detail === 'bad_signature');
  assert.throws(() => client.webhooks.unwrap(envelope, { headers: h, key: secret, secret: 'whsec_other' }), (e) => e.name === 'InvalidRequestError');
  // A plain headers object is never mistaken for the options form.
  assert.equal(new Cadenya({ apiKey: 'k', webhookSecret: secret }).webhooks.unwrap(envelope, h).type, 'objective_event.finalized');
});
