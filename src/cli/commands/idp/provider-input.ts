// The provider fields of `create` and `update`: per-field flags or `--input -|@file` (a JSON object
// with exactly the API's keys), checked here so that usage mistakes are exit 2 before any request.
import { Option, type Command } from 'commander';
import { AlterError } from '../../../errors.js';
import { issuerUrlProblem } from '../../../idp/issuer-url.js';
import type { CliContext } from '../../context.js';
import { readJsonObjectArg, readValueArg } from '../../io/input.js';

export const PROVIDER_KEYS = ['issuer_url', 'audience', 'user_id_claim', 'group_claim', 'role_claim', 'wallet_client_id', 'wallet_client_secret'] as const;
type ProviderKey = (typeof PROVIDER_KEYS)[number];
export type ProviderBody = Partial<Record<ProviderKey, string | null>>;

export interface ProviderFlags {
  issuerUrl?: string;
  audience?: string;
  userIdClaim?: string;
  groupClaim?: string;
  roleClaim?: string;
  walletClientId?: string;
  walletClientSecret?: string;
  input?: string;
}

const FLAG_OF: Record<ProviderKey, keyof ProviderFlags> = {
  issuer_url: 'issuerUrl',
  audience: 'audience',
  user_id_claim: 'userIdClaim',
  group_claim: 'groupClaim',
  role_claim: 'roleClaim',
  wallet_client_id: 'walletClientId',
  wallet_client_secret: 'walletClientSecret',
};

const flagName = (key: ProviderKey): string => `--${key.replaceAll('_', '-')}`;

/** Adds the per-field flags and --input; `clearable` documents that "" clears a field (update). */
export function addProviderFlags(cmd: Command, opts: { clearable: boolean }): Command {
  const clear = opts.clearable ? ' ("" clears it)' : '';
  return cmd
    .addOption(new Option('--issuer-url <url>', 'OIDC issuer URL (e.g. https://acme.okta.com): the issuer itself, not a /.well-known/… URL'))
    .addOption(new Option('--audience <aud>', `expected aud claim; tokens without it are refused${clear}`))
    .addOption(new Option('--user-id-claim <claim>', 'claim holding the user id (auto-detected; default sub)'))
    .addOption(new Option('--group-claim <claim>', `claim holding group memberships (auto-detected)${clear}`))
    .addOption(new Option('--role-claim <claim>', `claim holding roles (auto-detected)${clear}`))
    .addOption(new Option('--wallet-client-id <id>', 'OIDC client id for wallet sign-in; goes with --wallet-client-secret'))
    .addOption(new Option('--wallet-client-secret <value>', 'its client secret: - reads stdin, @PATH reads a file (preferred over inline)'))
    .addOption(new Option('--input <source>', 'JSON body from stdin (-) or a file (@PATH); replaces the per-field flags'));
}

function fromInput(json: Record<string, unknown>): ProviderBody {
  const unknown = Object.keys(json).filter((k) => !(PROVIDER_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new AlterError('usage', `--input: unknown key(s) ${unknown.join(', ')}; allowed: ${PROVIDER_KEYS.join(', ')}`);
  const body: ProviderBody = {};
  for (const key of PROVIDER_KEYS) {
    const value = json[key];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') throw new AlterError('usage', `--input: ${key} must be a string or null`);
    body[key] = value;
  }
  return body;
}

async function fromFlags(flags: ProviderFlags, ctx: CliContext, clearable: boolean): Promise<ProviderBody> {
  const body: ProviderBody = {};
  for (const key of PROVIDER_KEYS) {
    const value = flags[FLAG_OF[key]];
    if (value === undefined) continue;
    body[key] = key === 'wallet_client_secret' ? await readValueArg(value, flagName(key), ctx) : value;
    if (clearable && value === '' && (key === 'audience' || key === 'group_claim' || key === 'role_claim')) body[key] = null;
  }
  return body;
}

/**
 * The request body from the flags or from --input, with the usage checks of CONTRACT §5:
 * --input excludes the per-field flags, the issuer URL must be a plain issuer URL, and on create
 * the wallet client id and secret come together.
 */
export async function readProviderBody(flags: ProviderFlags, ctx: CliContext, mode: 'create' | 'update'): Promise<ProviderBody> {
  const given = PROVIDER_KEYS.filter((k) => flags[FLAG_OF[k]] !== undefined);
  if (flags.input !== undefined && given.length) {
    throw new AlterError('usage', `--input replaces the per-field flags: drop ${given.map(flagName).join(', ')} or put them in the JSON`);
  }
  if (flags.input === undefined && mode === 'create' && !!flags.walletClientId !== !!flags.walletClientSecret) {
    throw new AlterError('usage', `${flags.walletClientId ? '--wallet-client-secret' : '--wallet-client-id'} is missing: --wallet-client-id and --wallet-client-secret go together`);
  }
  const body = flags.input !== undefined ? fromInput(await readJsonObjectArg(flags.input, '--input', ctx)) : await fromFlags(flags, ctx, mode === 'update');
  const source = flags.input !== undefined ? '--input: issuer_url' : '--issuer-url';
  if (mode === 'create' && !body.issuer_url) throw new AlterError('usage', `${source} is required (e.g. --issuer-url https://acme.okta.com)`);
  if (typeof body.issuer_url === 'string') {
    const problem = issuerUrlProblem(body.issuer_url);
    if (problem) throw new AlterError('usage', `${source}: ${problem}`);
  }
  if (mode === 'create' && !!body.wallet_client_id !== !!body.wallet_client_secret) {
    throw new AlterError('usage', '--input: wallet_client_id and wallet_client_secret go together: give both or neither');
  }
  return body;
}
