// The quickstart story, step by step: a server on a fresh embedded store, a local OpenID Provider,
// and the CLI doing what an operator would — through to a user deprovisioned by a webhook being
// refused. Each step checks that it did what it should; the first one that does not stops the
// story, and the rest are reported as not run.
import { createServer } from 'node:net';
import type { DemoSession, RunResult } from './session.js';

const AUDIENCE = 'https://api.demo-shop.test';
const WALLET_CLIENT = { id: 'alter-wallet', secret: 'demo-wallet-secret' };
const HEALTH_TIMEOUT_MS = 15_000;

export interface Step {
  title: string;
  run(): Promise<void>;
}

/** A port free right now on loopback: the wallet's redirect URIs must be known before alter starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function expectOk(res: RunResult, what: string): void {
  if (res.code !== 0) throw new Error(`${what} exited with code ${res.code}`);
}

function json(res: RunResult, what: string): Record<string, unknown> {
  expectOk(res, what);
  try {
    return JSON.parse(res.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${what} did not print JSON`);
  }
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/healthz did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
}

export function storySteps(s: DemoSession): Step[] {
  const state: { apiUrl?: string; adminToken?: string; issuer?: string; appId?: string; providerId?: string; runtimeKey?: string; userToken?: string; webhookUrl?: string; scimUrl?: string; scimToken?: string } = {};

  /** POST /v1/identity/resolve as the app backend would, shown as the equivalent curl line. */
  const resolve = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
    s.say(`\n$ curl -s -X POST ${state.apiUrl}/v1/identity/resolve -H "Authorization: Bearer $ALTER_KEY" -H 'Content-Type: application/json' -d "{\\"token\\":\\"$TOKEN\\"}"`);
    const res = await fetch(`${state.apiUrl}/v1/identity/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${state.runtimeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token: state.userToken }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    s.say(`HTTP ${res.status}\n${JSON.stringify(body, null, 2)}`);
    return { status: res.status, body };
  };

  return [
    {
      title: 'alter server init: a fresh embedded store and the first admin token',
      async run() {
        const out = json(await s.run(['server', 'init']), 'server init');
        if (typeof out.token !== 'string' || !out.token.startsWith('alter_pat_')) throw new Error('no admin token printed');
        state.adminToken = out.token;
      },
    },
    {
      title: 'alter server start: serving, /healthz answers 200',
      async run() {
        const port = await freePort();
        state.apiUrl = `http://127.0.0.1:${port}`;
        s.env.ALTER_API_URL = state.apiUrl;
        s.say(`\n$ export ALTER_ALLOW_PRIVATE_ISSUERS=1 ALTER_API_URL=${state.apiUrl}   # the dev provider is an http:// loopback issuer`);
        await s.start(['server', 'start', '--port', String(port)], { waitForLine: false });
        await waitForHealth(state.apiUrl);
      },
    },
    {
      title: 'alter dev provider: a local OpenID Provider with test users and the wallet client',
      async run() {
        const uris = `${state.apiUrl}/wallet/callback,${state.apiUrl}/wallet/sign-in`;
        const { firstLine } = await s.start(['dev', 'provider', '--port', '0', '--client', `${WALLET_CLIENT.id}:${WALLET_CLIENT.secret}:${uris}`], { waitForLine: true });
        if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(firstLine)) throw new Error(`unexpected issuer line: ${firstLine}`);
        state.issuer = firstLine;
      },
    },
    {
      title: 'alter auth login: the admin token checked and stored',
      async run() {
        s.file('admin.token', `${state.adminToken}\n`);
        s.say('\n# the demo saved the token printed by `alter server init` to admin.token');
        expectOk(await s.run(['auth', 'login', '--token-file', 'admin.token']), 'auth login');
      },
    },
    {
      title: 'alter apps create: an app to protect',
      async run() {
        const app = json(await s.run(['apps', 'create', '--name', 'demo-shop']), 'apps create');
        if (typeof app.id !== 'string') throw new Error('no app id');
        state.appId = app.id;
        s.env.ALTER_APP_ID = app.id;
        s.say(`\n$ export ALTER_APP_ID=${app.id}`);
      },
    },
    {
      title: 'alter idp discover: the provider is recognised, nothing saved',
      async run() {
        const doc = json(await s.run(['idp', 'discover', '--issuer-url', state.issuer!]), 'idp discover');
        if (doc.issuer !== state.issuer) throw new Error(`discovered issuer ${String(doc.issuer)}, expected ${state.issuer}`);
      },
    },
    {
      title: 'alter idp create: provider saved, wallet credentials verified at the provider',
      async run() {
        s.file('wallet.secret', `${WALLET_CLIENT.secret}\n`);
        const provider = json(
          await s.run([
            'idp', 'create', '--issuer-url', state.issuer!, '--audience', AUDIENCE, '--group-claim', 'groups', '--role-claim', 'roles',
            '--wallet-client-id', WALLET_CLIENT.id, '--wallet-client-secret', '@wallet.secret',
          ]),
          'idp create',
        );
        const wallet = provider.wallet as { verification?: string } | null;
        if (typeof provider.id !== 'string') throw new Error('no provider id');
        state.providerId = provider.id;
        if (wallet?.verification !== 'verified') throw new Error(`wallet verification is ${wallet?.verification ?? 'missing'}, expected verified`);
      },
    },
    {
      title: 'alter keys mint: the app backend’s runtime key',
      async run() {
        const key = json(await s.run(['keys', 'mint', '--name', 'demo-backend']), 'keys mint');
        if (typeof key.key !== 'string' || !key.key.startsWith('alter_key_')) throw new Error('no runtime key printed');
        state.runtimeKey = key.key;
        s.say(`\n$ export ALTER_KEY=${key.key}   # the key printed above, as the app backend would hold it`);
      },
    },
    {
      title: 'alter dev token: an access token for alice, signed by the provider',
      async run() {
        const res = await s.run(['dev', 'token', '--user', 'alice', '--audience', AUDIENCE, '--expires-in', '10m'], {
          shown: `TOKEN=$(alter dev token --user alice --audience ${AUDIENCE} --expires-in 10m)`,
          quiet: true,
        });
        expectOk(res, 'dev token');
        state.userToken = res.stdout.trim();
        if (state.userToken.split('.').length !== 3) throw new Error('dev token did not print a JWT');
        const claims = JSON.parse(Buffer.from(state.userToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
        s.say(`# $TOKEN is a ${state.userToken.length}-character JWT; its claims:\n${JSON.stringify(claims, null, 2)}`);
      },
    },
    {
      title: 'resolve alice’s token: 200 with her identity and groups',
      async run() {
        const { status, body } = await resolve();
        const user = body.user as { external_id?: string } | undefined;
        if (status !== 200) throw new Error(`resolve answered ${status}, expected 200`);
        if (user?.external_id !== 'alice') throw new Error(`resolved ${String(user?.external_id)}, expected alice`);
        if (!(body.groups as unknown[] | undefined)?.includes('engineering')) throw new Error('alice’s group engineering is missing');
      },
    },
    {
      title: 'alter idp webhook enable: the lifecycle webhook URL and its secret',
      async run() {
        const hook = json(await s.run(['idp', 'webhook', 'enable', '--provider', state.providerId!]), 'idp webhook enable');
        if (typeof hook.url !== 'string' || typeof hook.secret !== 'string') throw new Error('no webhook url or secret printed');
        state.webhookUrl = hook.url;
        s.file('webhook.secret', `${hook.secret}\n`);
        s.say('\n# the demo saved the secret to webhook.secret; the dev provider signs its events with it');
      },
    },
    {
      title: 'alter dev webhook send: the provider reports alice deleted',
      async run() {
        expectOk(
          await s.run(['dev', 'webhook', 'send', '--url', state.webhookUrl!, '--secret', '@webhook.secret', '--type', 'user.deleted', '--user', 'alice']),
          'dev webhook send',
        );
      },
    },
    {
      title: 'resolve alice’s still-valid token again: refused, deprovisioned',
      async run() {
        const { status, body } = await resolve();
        const reason = (body.error as { reason?: string } | undefined)?.reason;
        if (status !== 401 || reason !== 'deprovisioned') throw new Error(`resolve answered ${status} ${reason ?? ''}, expected 401 deprovisioned`);
      },
    },
    {
      title: 'alter idp webhook status: the event was received',
      async run() {
        const st = json(await s.run(['idp', 'webhook', 'status', '--provider', state.providerId!]), 'idp webhook status');
        if (typeof st.events_received !== 'number' || st.events_received < 1) throw new Error('no event counted as received');
        if (st.last_event_type !== 'user.deleted') throw new Error(`last event type ${String(st.last_event_type)}, expected user.deleted`);
      },
    },
    {
      title: 'alter idp scim enable: the SCIM base URL and its bearer token',
      async run() {
        const scim = json(await s.run(['idp', 'scim', 'enable', '--provider', state.providerId!]), 'idp scim enable');
        if (typeof scim.base_url !== 'string' || typeof scim.token !== 'string') throw new Error('no SCIM base URL or token printed');
        state.scimUrl = scim.base_url;
        state.scimToken = scim.token;
        s.say(`\n$ export SCIM_TOKEN=${scim.token}   # the token printed above, as Okta or Entra ID would hold it`);
      },
    },
    {
      title: 'a SCIM push, as Okta sends it: bob is provisioned before he ever signs in',
      async run() {
        const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bob@example.com', externalId: 'bob', name: { givenName: 'Bob', familyName: 'Builder' }, emails: [{ primary: true, value: 'bob@example.com', type: 'work' }], active: true };
        s.say(`\n$ curl -s -X POST ${state.scimUrl}/Users -H "Authorization: Bearer $SCIM_TOKEN" -H 'Content-Type: application/scim+json' -d '${JSON.stringify(user)}'`);
        const res = await fetch(`${state.scimUrl}/Users`, { method: 'POST', headers: { authorization: `Bearer ${state.scimToken}`, 'content-type': 'application/scim+json' }, body: JSON.stringify(user) });
        const body = (await res.json()) as Record<string, unknown>;
        s.say(`HTTP ${res.status}\n${JSON.stringify(body, null, 2)}`);
        if (res.status !== 201 || body.active !== true) throw new Error(`SCIM create answered ${res.status}, expected 201 and an active user`);
      },
    },
    {
      title: 'alter users list: the directory, alice deprovisioned by the webhook, bob from SCIM',
      async run() {
        const res = await s.run(['users', 'list', '--output', 'json', '--fields', 'external_id,status,sources']);
        expectOk(res, 'users list');
        const users = JSON.parse(res.stdout) as Array<{ external_id: string; status: string; sources: string[] }>;
        const byId = new Map(users.map((u) => [u.external_id, u]));
        if (byId.get('alice')?.status !== 'deprovisioned') throw new Error('alice is not listed as deprovisioned');
        if (byId.get('bob')?.status !== 'active' || !byId.get('bob')?.sources.includes('scim')) throw new Error('bob is not listed as an active SCIM user');
      },
    },
  ];
}
