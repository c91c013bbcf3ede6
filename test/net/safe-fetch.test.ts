// safeFetch against real servers on loopback: what it refuses without ALTER_ALLOW_PRIVATE_ISSUERS,
// and how each failure is named when it is allowed to reach them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { safeFetch, OutboundError, type OutboundErrorKind } from '../../src/net/safe-fetch.js';
import { cleanupAll, tempDir } from '../helpers/env.js';

after(cleanupAll);

async function rejectsWith(promise: Promise<unknown>, kind: OutboundErrorKind, message?: RegExp): Promise<OutboundError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof OutboundError, `expected an OutboundError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected an OutboundError of kind ${kind}`);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(String((server.address() as AddressInfo).port))));
}

describe('safeFetch without private access', () => {
  const opts = { allowPrivate: false };

  test('refuses plain http and other schemes', async () => {
    await rejectsWith(safeFetch('http://example.com/', opts), 'scheme', /https/);
    await rejectsWith(safeFetch('ftp://example.com/', opts), 'scheme', /ftp/);
    await rejectsWith(safeFetch('file:///etc/passwd', opts), 'scheme');
  });

  test('refuses what is not a URL, and URLs with credentials', async () => {
    await rejectsWith(safeFetch('not a url', opts), 'invalid_url');
    await rejectsWith(safeFetch('https://user:pw@example.com/', opts), 'invalid_url');
  });

  for (const host of ['127.0.0.1', '127.1', '0x7f.0.0.1', '2130706433', '017700000001', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '169.254.169.254', '10.0.0.1', '[fd00::1]', '[fe80::1]', '100.64.0.1']) {
    test(`refuses https://${host}/ before connecting`, async () => {
      await rejectsWith(safeFetch(`https://${host}/.well-known/openid-configuration`, opts), 'blocked_address', /ALTER_ALLOW_PRIVATE_ISSUERS/);
    });
  }

  test('refuses a name whose DNS answer is loopback, naming the address', async () => {
    await rejectsWith(safeFetch('https://localhost/', opts), 'blocked_address', /localhost resolves to (127\.0\.0\.1|::1)/);
  });

  test('a name that does not resolve is a DNS failure', async () => {
    await rejectsWith(safeFetch('https://no-such-host.invalid/', opts), 'dns', /no-such-host\.invalid/);
  });
});

describe('safeFetch with private access, against loopback servers', () => {
  const opts = { allowPrivate: true };
  let server: Server;
  let base: string;
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/json': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-multi', ['a', 'b']);
      res.end('{"ok":true}');
    },
    '/echo': (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })));
    },
    '/missing': (_req, res) => {
      res.statusCode = 404;
      res.end('nope');
    },
    '/redirect': (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
      res.end();
    },
    '/big-chunked': (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const write = (): void => {
        while (sent < 10 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', write);
        }
        res.end();
      };
      write();
    },
    '/big-declared': (_req, res) => {
      res.setHeader('content-length', String(10 * 1024 * 1024));
      res.write('a');
    },
    '/never': () => undefined,
    '/slow-body': (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.write('{"partial":');
    },
  };

  before(async () => {
    server = createServer((req, res) => (routes[req.url ?? ''] ?? routes['/missing']!)(req, res));
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  test('returns status, lower-cased headers and the body', async () => {
    const res = await safeFetch(`${base}/json`, opts);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-multi'], 'a, b');
    assert.deepEqual(res.json(), { ok: true });
    assert.equal(res.url, `${base}/json`);
  });

  test('loopback spellings reach the same server when allowed', async () => {
    const port = new URL(base).port;
    for (const host of ['127.1', '0x7f.0.0.1', '2130706433', 'localhost']) {
      const res = await safeFetch(`http://${host}:${port}/json`, opts);
      assert.equal(res.status, 200, host);
    }
  });

  test('posts a body with headers', async () => {
    const res = await safeFetch(`${base}/echo`, { ...opts, method: 'POST', body: 'a=1', headers: { authorization: 'Basic eA==', 'content-type': 'application/x-www-form-urlencoded' } });
    assert.deepEqual(res.json(), { method: 'POST', body: 'a=1', auth: 'Basic eA==' });
  });

  test('an error status is returned, not thrown', async () => {
    const res = await safeFetch(`${base}/missing`, opts);
    assert.equal(res.status, 404);
    assert.equal(res.text(), 'nope');
  });

  test('a redirect is refused and not followed', async () => {
    await rejectsWith(safeFetch(`${base}/redirect`, opts), 'redirect', /302 redirecting to http:\/\/169\.254\.169\.254/);
  });

  test('a 10 MB streamed body stops at the cap', async () => {
    const started = Date.now();
    await rejectsWith(safeFetch(`${base}/big-chunked`, opts), 'too_large', /larger than 1 MiB/);
    assert.ok(Date.now() - started < 5_000);
  });

  test('a declared length over the cap is refused before reading', async () => {
    await rejectsWith(safeFetch(`${base}/big-declared`, { ...opts, maxBytes: 1000 }), 'too_large', /1000 bytes/);
  });

  test('a server that never answers times out', async () => {
    const started = Date.now();
    await rejectsWith(safeFetch(`${base}/never`, { ...opts, timeoutMs: 300 }), 'timeout', /0\.3 s/);
    assert.ok(Date.now() - started < 2_000);
  });

  test('a body that never finishes times out too', async () => {
    await rejectsWith(safeFetch(`${base}/slow-body`, { ...opts, timeoutMs: 300 }), 'timeout');
  });

  test('a closed port is a connection failure', async () => {
    const closed = createServer();
    const port = await listen(closed);
    await new Promise((r) => closed.close(r));
    await rejectsWith(safeFetch(`http://127.0.0.1:${port}/`, opts), 'connect', /ECONNREFUSED/);
  });

  test('a certificate that does not verify is a TLS failure', async () => {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('{}'));
    const port = await listen(tls);
    try {
      await rejectsWith(safeFetch(`https://localhost:${port}/`, opts), 'tls', /TLS handshake with localhost/);
    } finally {
      tls.close();
    }
  });
});
