// Loads oidc-provider on demand (the CLI must not pay for it unless a dev command runs).
//
// The package prints notices through console.warn/console.info — at import, at construction and on
// some requests — addressed to someone deploying it in production (in-memory store, development
// login form, "default function called", Node 22 preferred). For a provider whose whole purpose is
// development they are noise, and console.info would even land on the stdout of
// `alter dev provider`, whose first line scripts read. So lines with that prefix are dropped in a
// process that loads it; every other console output passes through untouched.
import type ProviderClass from 'oidc-provider';
import type { createMemoryAdapter as CreateMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

export interface OidcProviderModule {
  Provider: typeof ProviderClass;
  createMemoryAdapter: typeof CreateMemoryAdapter;
}

const NOTICE = /^oidc-provider (WARNING|NOTICE): /;
let filtered = false;

function dropOidcProviderNotices(): void {
  if (filtered) return;
  filtered = true;
  for (const level of ['warn', 'info'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && NOTICE.test(args[0])) return;
      original(...args);
    };
  }
}

export async function loadOidcProvider(): Promise<OidcProviderModule> {
  dropOidcProviderNotices();
  const [{ default: Provider }, { createMemoryAdapter }] = await Promise.all([
    import('oidc-provider'),
    import('oidc-provider/lib/adapters/memory_adapter.js'),
  ]);
  return { Provider, createMemoryAdapter };
}
