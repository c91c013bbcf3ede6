// Okta: the Management API, with an API token (SSWS, of a read-only administrator) or as an API
// service app (OAuth 2.0 client credentials, authenticated by a JWT signed with the app's private
// key; scopes okta.users.read and okta.groups.read). Every list is paged by its Link header. The
// users list leaves out DEPROVISIONED users, so they are asked for by a search of their own.
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { z } from 'zod';
import { apiUrl, credentialsObject, invalidCredential, requiredString, type Fields, type SourceOptions, type SourceProvider } from './config.js';
import { cachedToken, checkWith, endpoint, getJson, hasAccessToken, requestToken, type Api, type Authorizer, type Call, type Session } from './http.js';
import { nextLink, readPages } from './paging.js';
import { personName, SnapshotBuilder } from './snapshot.js';
import { SourceError, type CredentialCheck, type DirectorySource, type SnapshotUser } from './source.js';
import type { UserStatus } from '../rules.js';

export type OktaCredentials = { provider_type: 'okta'; api_url: string | null } & ({ api_token: string } | { client_id: string; private_key_jwk: JWK });

const ACCEPTS = 'Okta credentials are "api_token" (an API token), or "client_id" and "private_key_jwk" of an API service app; optionally "api_url"';

/** The algorithm a private JWK signs with; Okta takes RS256 and ES256 client assertions from these keys. */
function signingAlg(jwk: Fields): 'RS256' | 'ES256' | null {
  if (jwk.kty === 'RSA' && typeof jwk.n === 'string' && typeof jwk.e === 'string') return 'RS256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') return 'ES256';
  return null;
}

function privateJwk(value: unknown): JWK {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidCredential('private_key_jwk', 'required: the service app’s private key as a JWK (a JSON object)');
  const jwk = value as Fields;
  const alg = signingAlg(jwk);
  if (!alg) throw invalidCredential('private_key_jwk', 'must be an RSA or P-256 EC key in JWK form');
  if (typeof jwk.d !== 'string') throw invalidCredential('private_key_jwk', 'must be the private key (it has no "d"); Okta keeps only the public one');
  if (jwk.alg !== undefined && jwk.alg !== alg) throw invalidCredential('private_key_jwk', `must be a key for ${alg} ("alg" says otherwise)`);
  return jwk;
}

export function parseOktaCredentials(raw: unknown): OktaCredentials {
  const fields = credentialsObject(raw, ['api_token', 'client_id', 'private_key_jwk', 'api_url'], ACCEPTS);
  if (fields.api_token !== undefined || (fields.client_id === undefined && fields.private_key_jwk === undefined)) {
    credentialsObject(raw, ['api_token', 'api_url'], 'with an api_token, Okta credentials take only api_url besides');
    return { provider_type: 'okta', api_token: requiredString(fields, 'api_token', 'an Okta API token, or client_id and private_key_jwk of an API service app'), api_url: apiUrl(fields) };
  }
  return {
    provider_type: 'okta',
    client_id: requiredString(fields, 'client_id', 'the Client ID of an API service app'),
    private_key_jwk: privateJwk(fields.private_key_jwk),
    api_url: apiUrl(fields),
  };
}

const LIMIT = 200;
const SCOPES = 'okta.users.read okta.groups.read';
// Okta signs nothing with SUSPENDED or LOCKED_OUT users in; DEPROVISIONED is Okta's "deactivated".
const STATUS: Partial<Record<string, UserStatus>> = { SUSPENDED: 'blocked', LOCKED_OUT: 'blocked', DEPROVISIONED: 'deprovisioned' };

const member = z.object({ id: z.string().min(1) });
const user = member.extend({ status: z.string(), profile: z.object({ email: z.string().nullish(), firstName: z.string().nullish(), lastName: z.string().nullish() }) });
const group = member.extend({ profile: z.object({ name: z.string().min(1) }) });

function snapshotUser(u: z.infer<typeof user>): SnapshotUser {
  return { externalId: u.id, email: u.profile.email ?? null, name: personName(u.profile.firstName, u.profile.lastName), status: STATUS[u.status] ?? 'active' };
}

/** Every item of a Link-paged list. */
async function linked<T>(s: Session, first: string, item: z.ZodType<T>, onPage: (items: T[]) => void): Promise<T[]> {
  return readPages(
    s.api,
    first,
    async (url) => {
      const { data, headers } = await getJson(s, url, z.array(item));
      return { items: data, next: nextLink(s.api, headers) };
    },
    onPage,
  );
}

/** The service app's token request: its client assertion is made (and signed) anew for each one. */
async function tokenCall(api: Api, clientId: string, jwk: JWK, signal?: AbortSignal): Promise<Call> {
  const url = `${api.base}/oauth2/v1/token`;
  const alg = signingAlg(jwk)!;
  let key: Awaited<ReturnType<typeof importJWK>>;
  try {
    key = await importJWK(jwk, alg);
  } catch (err) {
    throw new SourceError('credentials_refused', `the private_key_jwk cannot sign (${(err as Error).message})`);
  }
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg, ...(jwk.kid ? { kid: jwk.kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(url)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti(randomUUID())
    .sign(key);
  const form = new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPES, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
  return { url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(), signal };
}

export function oktaSource(provider: SourceProvider, credentials: OktaCredentials, opts: SourceOptions): DirectorySource {
  const api: Api = { name: 'the Okta API', base: credentials.api_url ?? new URL(provider.issuer).origin, allowPrivate: opts.allowPrivate, resetHeader: 'x-rate-limit-reset' };
  let auth: Authorizer;
  let check: () => Promise<CredentialCheck>;
  if ('api_token' in credentials) {
    const authorization = { authorization: `SSWS ${credentials.api_token}` };
    auth = { headers: () => Promise.resolve(authorization) };
    check = () => checkWith(api, { url: endpoint(api, '/api/v1/users', { limit: 1 }), headers: { accept: 'application/json', ...authorization } }, Array.isArray);
  } else {
    const { client_id: clientId, private_key_jwk: jwk } = credentials;
    auth = cachedToken(async (signal) => requestToken(api, await tokenCall(api, clientId, jwk, signal)));
    check = async () => {
      try {
        return await checkWith(api, await tokenCall(api, clientId, jwk), hasAccessToken);
      } catch (err) {
        if (err instanceof SourceError) return { outcome: 'refused', reason: err.message };
        throw err;
      }
    };
  }

  return {
    checkCredentials: check,
    async read(onProgress, signal) {
      const s: Session = { api, auth, signal };
      const builder = new SnapshotBuilder(['group'], onProgress);
      const addUsers = (page: Array<z.infer<typeof user>>): void => builder.addUsers(page.map(snapshotUser), null);
      await linked(s, endpoint(api, '/api/v1/users', { limit: LIMIT }), user, addUsers);
      await linked(s, endpoint(api, '/api/v1/users', { search: 'status eq "DEPROVISIONED"', limit: LIMIT }), user, addUsers);
      const groups = await linked(s, endpoint(api, '/api/v1/groups', { limit: LIMIT }), group, (page) => builder.addGroups('group', page.map((g) => g.profile.name), null));
      for (const g of groups) {
        await linked(s, endpoint(api, `/api/v1/groups/${encodeURIComponent(g.id)}/users`, { limit: LIMIT }), member, (page) => builder.addMembers('group', g.profile.name, page.map((m) => m.id)));
      }
      return builder.build();
    },
  };
}
