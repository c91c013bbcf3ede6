// Shared set-up of the webhook tests: an app with an identity provider of a given kind, webhook
// deliveries signed or authorised the way each provider sends them (Svix signatures by the real
// svix library), and direct looks at the store to check what a delivery changed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'svix';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { newId } from '../../src/crypto/tokens.js';
import type { TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';

export type Kind = 'clerk' | 'auth0' | 'okta' | 'custom_oidc';

const SCHEME: Record<Kind, string> = { clerk: 'svix', auth0: 'auth0_log_stream', okta: 'okta_event_hook', custom_oidc: 'authorization_header' };

export interface ProviderSetup {
  appId: string;
  providerId: string;
  /** Base URL of the receiver for this provider. */
  hookUrl: string;
  adminPath: string;
}

export function db(server: TestServer): Kysely<Database> {
  return server.server.store.db;
}

const TEMPLATE: Record<Kind, string | undefined> = { clerk: 'clerk-dev.json', auth0: 'auth0-tenant.json', okta: 'okta-org.json', custom_oidc: undefined };
const issuers = new Map<Kind, Promise<FixtureIssuer>>();

/** The loopback issuer behind every provider of `kind` in this test file (it mints their tokens). */
export function issuerOf(kind: Kind): Promise<FixtureIssuer> {
  if (!issuers.has(kind)) issuers.set(kind, startFixtureIssuer({ template: TEMPLATE[kind] }));
  return issuers.get(kind)!;
}

/**
 * A new app with an identity provider of `kind`, created the way an operator does (the create
 * route, against a loopback issuer serving that provider's discovery document). The test server
 * must run with ALTER_ALLOW_PRIVATE_ISSUERS=1.
 */
export async function appWithProvider(server: TestServer, kind: Kind, claims: { groupClaim?: string | null; userIdClaim?: string } = {}): Promise<ProviderSetup> {
  const issuer = await issuerOf(kind);
  const app = await server.api('POST', '/v1/apps', { name: `${kind} app` });
  const appId = app.body.id as string;
  const created = await server.api('POST', `/v1/apps/${appId}/identity-providers`, {
    issuer_url: issuer.issuer,
    user_id_claim: claims.userIdClaim ?? 'sub',
    group_claim: claims.groupClaim ?? null,
  });
  if (created.status !== 201) throw new Error(`creating the ${kind} provider failed: ${created.status} ${JSON.stringify(created.body)}`);
  const providerId = created.body.id as string;
  const row = await db(server).selectFrom('identity_providers').select('webhook_scheme').where('id', '=', providerId).executeTakeFirstOrThrow();
  if (row.webhook_scheme !== SCHEME[kind]) throw new Error(`a ${kind} provider got webhook scheme ${row.webhook_scheme}`);
  return { appId, providerId, hookUrl: `${server.url}/v1/webhooks/idp/${providerId}`, adminPath: `/v1/apps/${appId}/identity-providers/${providerId}/webhook` };
}

/** Test servers that create providers against loopback issuers. */
export const SERVER_ENV = { ALTER_ALLOW_PRIVATE_ISSUERS: '1' };

/** A Svix endpoint secret as Clerk shows it. */
export function svixSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export async function enable(server: TestServer, p: ProviderSetup, secret?: string): Promise<string> {
  const res = await server.api('POST', `${p.adminPath}/enable`, secret === undefined ? {} : { secret });
  if (res.status !== 200) throw new Error(`enable failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.secret as string;
}

export function fixture(name: string, base = 'https://example.okta.com'): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/webhooks/${name}`, import.meta.url)), 'utf8').replaceAll('{{BASE}}', base);
}

export interface Answer {
  status: number;
  body: any;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

export interface SvixOptions {
  id?: string;
  at?: Date;
  /** Replaces the signature header entirely. */
  signature?: string;
  /** Sign with this secret instead. */
  signWith?: string;
  /** Sign these bytes but send `payload` (tampering). */
  signedPayload?: string;
  contentType?: string;
  omit?: Array<'svix-id' | 'svix-timestamp' | 'svix-signature'>;
}

/** POSTs `payload` as Clerk does through Svix, signed by the svix library. */
export async function sendSvix(url: string, secret: string, payload: string, o: SvixOptions = {}): Promise<Answer> {
  const id = o.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const at = o.at ?? new Date();
  const signature = o.signature ?? new Webhook(o.signWith ?? secret).sign(id, at, o.signedPayload ?? payload);
  const headers: Record<string, string> = {
    'content-type': o.contentType ?? 'application/json',
    'svix-id': id,
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': signature,
  };
  for (const h of o.omit ?? []) delete headers[h];
  return answer(await fetch(url, { method: 'POST', headers, body: payload }));
}

/** POSTs `body` with a static Authorization header, as Auth0 log streams, Okta hooks and the generic scheme do. */
export async function sendWithHeader(url: string, authorization: string | null, body: string, contentType = 'application/json'): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (authorization !== null) headers.authorization = authorization;
  return answer(await fetch(url, { method: 'POST', headers, body }));
}

export function clerkEvent(type: string, data: Record<string, unknown>): string {
  return JSON.stringify({ object: 'event', type, timestamp: Date.now(), instance_id: 'ins_test', data });
}

export function genericEvents(...events: Array<Record<string, unknown>>): string {
  return JSON.stringify({ events });
}

/** A user as the first resolve leaves them: seen, active. */
export async function seedUser(server: TestServer, p: ProviderSetup, externalId: string, groups: Array<{ kind?: string; name: string }> = []): Promise<string> {
  const now = new Date().toISOString();
  const id = newId('usr');
  const d = db(server);
  await d
    .insertInto('users')
    .values({ id, app_id: p.appId, provider_id: p.providerId, external_id: externalId, email: null, name: null, status: 'active', status_changed_at: null, seen: 1, created_at: now, updated_at: now })
    .execute();
  for (const g of groups) {
    const kind = g.kind ?? 'group';
    let group = await d.selectFrom('groups').select('id').where('provider_id', '=', p.providerId).where('kind', '=', kind).where('name', '=', g.name).executeTakeFirst();
    if (!group) {
      group = { id: newId('grp') };
      await d.insertInto('groups').values({ id: group.id, provider_id: p.providerId, kind, name: g.name, created_at: now }).execute();
    }
    await d.insertInto('memberships').values({ user_id: id, group_id: group.id, created_at: now }).execute();
  }
  return id;
}

export async function userOf(server: TestServer, p: ProviderSetup, externalId: string) {
  return db(server).selectFrom('users').selectAll().where('provider_id', '=', p.providerId).where('external_id', '=', externalId).executeTakeFirst();
}

export async function groupsOf(server: TestServer, userId: string): Promise<string[]> {
  const rows = await db(server)
    .selectFrom('memberships')
    .innerJoin('groups', 'groups.id', 'memberships.group_id')
    .select(['groups.kind', 'groups.name'])
    .where('memberships.user_id', '=', userId)
    .execute();
  return rows.map((r) => `${r.kind}:${r.name}`).sort();
}

export async function removalsOf(server: TestServer, userId: string): Promise<string[]> {
  const rows = await db(server).selectFrom('membership_removals').select(['kind', 'name']).where('user_id', '=', userId).execute();
  return rows.map((r) => `${r.kind}:${r.name}`).sort();
}

export async function auditActions(server: TestServer, appId: string, prefix = 'webhook.'): Promise<string[]> {
  const rows = await db(server).selectFrom('audit_events').select('action').where('app_id', '=', appId).where('action', 'like', `${prefix}%`).orderBy('at').orderBy('id').execute();
  return rows.map((r) => r.action);
}

export async function status(server: TestServer, p: ProviderSetup): Promise<Record<string, any>> {
  const res = await server.api('GET', `${p.adminPath}/status`);
  if (res.status !== 200) throw new Error(`status failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}
