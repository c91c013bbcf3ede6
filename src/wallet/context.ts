// Which provider an app's wallet signs in with, and whether it can: the app must have an identity
// provider with wallet credentials and a discovery document naming the endpoints the flow needs.
import type { ServerContext } from '../server/context.js';
import { findApp, type AppRow } from '../store/repos/apps.js';
import { findProviderByApp, type ProviderRow } from '../store/repos/identity-providers.js';
import { walletEndpoints, type WalletEndpoints } from './endpoints.js';
import { walletError } from './problems.js';

export interface WalletContext {
  app: AppRow;
  provider: ProviderRow & { wallet_client_id: string; wallet_client_secret: string };
  endpoints: WalletEndpoints;
}

/** App ids are `app_` + hex; anything else cannot name an app and is not echoed into a page or link. */
export function isAppIdShape(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}

/**
 * Relative on purpose: every wallet page and redirect lives under /wallet/, so this resolves to the
 * sign-in page whatever path prefix a proxy serves alter under.
 */
export function signInPath(appId: string): string {
  return `sign-in?app_id=${encodeURIComponent(appId)}`;
}

export async function findWallet(ctx: ServerContext, appId: string): Promise<WalletContext | null> {
  const app = await findApp(ctx.store.db, appId);
  if (!app) return null;
  const provider = await findProviderByApp(ctx.store.db, appId);
  if (!provider?.wallet_client_id || !provider.wallet_client_secret) return null;
  const endpoints = walletEndpoints(provider);
  if (!endpoints) return null;
  return { app, provider: { ...provider, wallet_client_id: provider.wallet_client_id, wallet_client_secret: provider.wallet_client_secret }, endpoints };
}

export async function requireWallet(ctx: ServerContext, appId: unknown): Promise<WalletContext> {
  if (!isAppIdShape(appId)) throw walletError('wallet_unavailable', 'This address does not name an application. Open the sign-in link your application gave you.');
  const wallet = await findWallet(ctx, appId);
  if (!wallet) {
    throw walletError('wallet_unavailable', 'This application has no sign-in configured: it needs an identity provider with wallet credentials. If you run it, add them with `alter identity-providers update`.');
  }
  return wallet;
}
