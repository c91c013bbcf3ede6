// OpenID Connect discovery: fetch <issuer>/.well-known/openid-configuration and its JWKS through
// safeFetch, check what token verification will rely on (the issuer's exact spelling, a jwks_uri,
// at least one usable asymmetric signing key), recognise the provider and suggest claim mappings.
// Every failure is an AlterError whose message names the cause, since the operator has to fix it.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { AlterError } from '../errors.js';
import { OutboundError, safeFetch, type SafeResponse } from '../net/safe-fetch.js';
import { discoveryUrlOf, issuerUrlProblem, sameIssuerButSlash } from './issuer-url.js';
import { quote } from './verify.js';
import { PRIVATE_MEMBERS } from './verify/keys.js';
import { detectProvider, type ClaimMappings, type ProviderType, type Warning, type WebhookSchemeName } from './providers/index.js';

export interface DiscoveredKey {
  kid: string | null;
  kty: string;
  alg: string | null;
}

/** The `discover` object of CONTRACT §5. */
export interface DiscoveryView {
  issuer: string;
  provider_type: ProviderType;
  detected_as: string | null;
  jwks_uri: string;
  authorization_endpoint: string | null;
  token_endpoint: string | null;
  signing_algorithms: string[];
  keys: DiscoveredKey[];
  claim_mappings: ClaimMappings;
  webhook_scheme: WebhookSchemeName;
  warnings: Warning[];
}

export interface Discovery {
  view: DiscoveryView;
  /** The discovery document as fetched. */
  document: Record<string, unknown>;
}

const ASYMMETRIC_KTY = new Set(['RSA', 'EC', 'OKP']);
const SYMMETRIC_ALG = /^HS\d+$/;
const MIN_RSA_BITS = 2048;

/** The AlterError for a refused or failed outbound fetch; anything else is a bug and rethrown. */
export function outboundFailure(what: string, url: string, err: unknown): AlterError {
  if (!(err instanceof OutboundError)) throw err;
  if (err.kind === 'scheme' || err.kind === 'blocked_address') {
    return new AlterError('issuer_not_allowed', `${what} ${url} may not be fetched: ${err.message}`, { cause: err.kind });
  }
  return new AlterError('discovery_failed', `${what} ${url} could not be fetched: ${err.message}`, { cause: err.kind });
}

async function fetchJson(what: string, url: string, allowPrivate: boolean): Promise<unknown> {
  let res: SafeResponse;
  try {
    res = await safeFetch(url, { allowPrivate, headers: { accept: 'application/json' } });
  } catch (err) {
    throw outboundFailure(what, url, err);
  }
  if (res.status !== 200) {
    const hint = res.status === 404 && what === 'the discovery document at' ? ' (is this the issuer URL? the document must be at <issuer>/.well-known/openid-configuration)' : '';
    throw new AlterError('discovery_failed', `${what} ${url} answered HTTP ${res.status}${hint}`, { cause: 'http_status', http_status: res.status });
  }
  try {
    return res.json();
  } catch {
    const type = res.headers['content-type'] ?? 'no content type';
    throw new AlterError('discovery_failed', `${what} ${url} is not JSON (got ${type})`, { cause: 'not_json' });
  }
}

function checkIssuer(given: string, doc: Record<string, unknown>, warnings: Warning[]): string {
  const claimed = doc.issuer;
  if (typeof claimed !== 'string' || !claimed) {
    throw new AlterError('discovery_failed', `the discovery document of ${given} has no issuer`, { cause: 'issuer_mismatch' });
  }
  if (claimed === given) return claimed;
  if (sameIssuerButSlash(claimed, given)) {
    const had = claimed.endsWith('/') ? 'with' : 'without';
    warnings.push({
      code: 'issuer_trailing_slash',
      message: `The issuer is spelled ${JSON.stringify(claimed)} (${had} a trailing slash) in its discovery document, not ${JSON.stringify(given)}: the document's spelling is stored and must match the tokens' iss exactly.`,
    });
    return claimed;
  }
  throw new AlterError('discovery_failed', `issuer mismatch: the discovery document at ${discoveryUrlOf(given)} says its issuer is ${JSON.stringify(claimed)}, not ${JSON.stringify(given)}; pass the issuer exactly as the provider spells it`, {
    cause: 'issuer_mismatch',
  });
}

function requireUrl(doc: Record<string, unknown>, field: string, issuer: string): string {
  const value = doc[field];
  if (typeof value !== 'string' || !value) {
    throw new AlterError('discovery_failed', `the discovery document of ${issuer} has no ${field}`, { cause: `no_${field}` });
  }
  try {
    new URL(value);
  } catch {
    throw new AlterError('discovery_failed', `the discovery document of ${issuer} has a ${field} that is not a URL: ${JSON.stringify(value)}`, { cause: `no_${field}` });
  }
  return value;
}

function optionalUrl(doc: Record<string, unknown>, field: string): string | null {
  return typeof doc[field] === 'string' ? doc[field] : null;
}

/** Why a JWK cannot verify signatures here, or null when it can. */
function unusableReason(jwk: Record<string, unknown>): string | null {
  const kty = typeof jwk.kty === 'string' ? jwk.kty : '(no kty)';
  if (kty === 'oct' || (typeof jwk.alg === 'string' && SYMMETRIC_ALG.test(jwk.alg))) return 'symmetric';
  if (!ASYMMETRIC_KTY.has(kty)) return `unsupported key type ${kty}`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use is ${quote(jwk.use)}, not sig`;
  // The verifier refuses such a key (verify/keys.ts): a published private key lets anyone sign.
  if (PRIVATE_MEMBERS.some((m) => jwk[m] !== undefined)) return 'private key material is published: anyone can sign with it';
  let modulusLength: number | undefined;
  try {
    modulusLength = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
  } catch (err) {
    return `broken ${kty} key (${(err as Error).message})`;
  }
  // Shorter RSA keys are forgeable; verifiers (jose included) refuse them.
  if (kty === 'RSA' && (modulusLength ?? 0) < MIN_RSA_BITS) return `broken RSA key (${modulusLength ?? 0}-bit modulus; at least ${MIN_RSA_BITS} bits are required)`;
  return null;
}

function checkKeys(jwks: unknown, jwksUri: string, warnings: Warning[]): DiscoveredKey[] {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys)) {
    throw new AlterError('discovery_failed', `the JWKS at ${jwksUri} has no "keys" array`, { cause: 'jwks_invalid' });
  }
  if (!keys.length) throw new AlterError('discovery_failed', `the JWKS at ${jwksUri} holds no keys`, { cause: 'jwks_empty' });
  const usable: DiscoveredKey[] = [];
  const refused: string[] = [];
  keys.forEach((raw: unknown, i) => {
    const jwk = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const name = typeof jwk.kid === 'string' ? `key ${JSON.stringify(jwk.kid)}` : `key #${i + 1}`;
    const reason = unusableReason(jwk);
    if (reason) refused.push(`${name}: ${reason}`);
    else usable.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : null, kty: String(jwk.kty), alg: typeof jwk.alg === 'string' ? jwk.alg : null });
  });
  if (!usable.length) {
    const onlySymmetric = refused.every((r) => r.endsWith(': symmetric'));
    const why = onlySymmetric ? 'only symmetric (shared-secret) keys, which cannot verify tokens without the secret' : `no usable signing key (${refused.join('; ')})`;
    throw new AlterError('discovery_failed', `the JWKS at ${jwksUri} holds ${why}`, { cause: 'jwks_no_usable_keys' });
  }
  if (usable.some((k) => k.kid === null)) {
    warnings.push({
      code: 'jwks_missing_kid',
      message: 'Some keys in the JWKS have no kid: tokens are then matched to keys by trying each, and a key rotation cannot be told from a forged kid.',
    });
  }
  if (refused.length) {
    warnings.push({ code: 'jwks_keys_ignored', message: `Ignored ${refused.length} key(s) of the JWKS that cannot verify signatures: ${refused.join('; ')}.` });
  }
  return usable;
}

function signingAlgorithms(doc: Record<string, unknown>, keys: DiscoveredKey[], warnings: Warning[]): string[] {
  const advertised = Array.isArray(doc.id_token_signing_alg_values_supported)
    ? doc.id_token_signing_alg_values_supported.filter((a): a is string => typeof a === 'string')
    : [];
  const symmetric = advertised.filter((a) => SYMMETRIC_ALG.test(a));
  if (symmetric.length) {
    warnings.push({
      code: 'symmetric_algorithms_advertised',
      message: `The provider advertises ${symmetric.join(', ')}: tokens signed with a shared secret are always refused here; only asymmetric algorithms are accepted.`,
    });
  }
  const asymmetric = advertised.filter((a) => !SYMMETRIC_ALG.test(a) && a !== 'none');
  if (asymmetric.length) return asymmetric;
  return [...new Set(keys.map((k) => k.alg).filter((a): a is string => a !== null))];
}

/** Runs discovery for an issuer URL given by a user; saves nothing. */
export async function discover(issuerUrl: string, opts: { allowPrivate: boolean }): Promise<Discovery> {
  const problem = issuerUrlProblem(issuerUrl);
  if (problem) throw new AlterError('invalid_request', `issuer_url: ${problem}`, { field: 'issuer_url' });
  const warnings: Warning[] = [];
  const documentUrl = discoveryUrlOf(issuerUrl);
  const raw = await fetchJson('the discovery document at', documentUrl, opts.allowPrivate);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new AlterError('discovery_failed', `the discovery document at ${documentUrl} is not a JSON object`, { cause: 'not_json' });
  }
  const doc = raw as Record<string, unknown>;
  const issuer = checkIssuer(issuerUrl, doc, warnings);
  const jwksUri = requireUrl(doc, 'jwks_uri', issuer);
  const keys = checkKeys(await fetchJson('the JWKS at', jwksUri, opts.allowPrivate), jwksUri, warnings);
  const signing = signingAlgorithms(doc, keys, warnings);
  const detected = { issuer: new URL(issuer), doc };
  const profile = detectProvider(detected);
  return {
    document: doc,
    view: {
      issuer,
      provider_type: profile.providerType,
      detected_as: profile.detectedAs,
      jwks_uri: jwksUri,
      authorization_endpoint: optionalUrl(doc, 'authorization_endpoint'),
      token_endpoint: optionalUrl(doc, 'token_endpoint'),
      signing_algorithms: signing,
      keys,
      claim_mappings: profile.claims(detected),
      webhook_scheme: profile.webhookScheme,
      warnings: [...warnings, ...profile.warnings(detected)],
    },
  };
}
