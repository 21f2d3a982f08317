// TLS trust and proxies over real sockets: an HTTPS front (certificate from a test CA made here
// with the openssl command) forwarding to the local server, and a local CONNECT proxy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import { APIConnectionError, ConfigurationError } from 'cadenya';
import { startServer, clientFor, agentBody } from './helpers.mjs';

let server;
let dir;
let ca;
let front;
let proxy;
const tunnels = [];

/** A CA and a certificate for 127.0.0.1 it signed, as PEM files in `dir`. */
function makeCa() {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Cadenya test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext');
  return { pem: readFileSync(join(dir, 'ca.pem'), 'utf8'), path: join(dir, 'ca.pem') };
}

function listen(srv) {
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)));
}

before(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'cadenya-tls-'));
  ca = makeCa();
  const upstream = new URL(server.base_url);
  front = tls.createServer({ key: readFileSync(join(dir, 'leaf.key')), cert: readFileSync(join(dir, 'leaf.pem')) }, (sock) => {
    const up = net.connect(Number(upstream.port), upstream.hostname);
    sock.pipe(up).pipe(sock);
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  front.on('tlsClientError', () => {});
  front.port = await listen(front);
  proxy = http.createServer((req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, sock, head) => {
    tunnels.push(req.url);
    const [host, port] = req.url.split(':');
    const up = net.connect(Number(port), host, () => {
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(sock).pipe(up);
    });
    sock.on('error', () => up.destroy());
    up.on('error', () => sock.destroy());
  });
  proxy.port = await listen(proxy);
});

after(() => {
  server.stop();
  front?.close();
  proxy?.close();
  proxy?.closeAllConnections();
  rmSync(dir, { recursive: true, force: true });
});

const https = (options = {}) => clientFor(server, { baseURL: `https://127.0.0.1:${front.port}`, maxRetries: 0, ...options });

test('without the test CA the call fails with a connection error that says why', async () => {
  const err = await https().agents.list().catch((e) => e);
  assert.ok(err instanceof APIConnectionError, String(err));
  assert.match(err.message, /UnknownIssuer|not signed by a trusted authority/);
  assert.match(err.message, /caBundle|ca_bundle|SSL_CERT_FILE/);
});

test('caBundle as a path, PEM text or a Buffer makes the certificate trusted', async () => {
  for (const caBundle of [ca.path, ca.pem, Buffer.from(ca.pem)]) {
    const client = https({ caBundle });
    const agent = await client.agents.create(agentBody('over-tls'));
    assert.equal((await client.agents.retrieve(agent.metadata.id)).metadata.name, 'over-tls');
  }
  assert.throws(() => https({ caBundle: join(dir, 'missing.pem') }), ConfigurationError);
  assert.throws(() => https({ caBundle: 42 }), ConfigurationError);
});

test('the proxy option sends the traffic through a CONNECT proxy; connectTimeout is checked', async () => {
  tunnels.length = 0;
  const client = https({ caBundle: ca.pem, proxy: `http://127.0.0.1:${proxy.port}`, connectTimeout: 5000 });
  const agent = await client.agents.create(agentBody('proxied'));
  assert.equal((await client.agents.retrieve(agent.metadata.id)).metadata.name, 'proxied');
  assert.ok(tunnels.length > 0 && tunnels.every((t) => t === `127.0.0.1:${front.port}`), JSON.stringify(tunnels));
  assert.throws(() => https({ proxy: 'not a url' }), ConfigurationError);
  assert.throws(() => https({ connectTimeout: 0 }), ConfigurationError);
  assert.throws(() => https({ connectTimeout: -5 }), ConfigurationError);
});
