// The world of the console's Directory sync tests (sync.test.ts, sync-scim.test.ts): a real server
// whose identity provider is a loopback Clerk issuer and whose Clerk management API is the loopback
// double, and the API reads the tests check the pages against. Two files so that each stays well
// inside the runner's per-file timeout (together they took 95 s of its 120).
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startFixtureIssuer } from '../helpers/fixture-issuer.js';
import { ClerkDouble } from '../helpers/directory-doubles/clerk.js';
import { startConsoleWorld, type ConsoleWorld } from './world.js';

export const USERS = 12;
// A run page reloads itself every 2 s; a run slowed by the double's rate limit ends within a few.
export const RUN_ENDS_MS = 20_000;

export interface SyncWorld {
  w: ConsoleWorld;
  clerk: ClerkDouble;
  /** The provider's API path. */
  providerApi: string;
  syncStatus(): Promise<any>;
  userCount(): Promise<number>;
  runCount(): Promise<number>;
  /** The text of a panel (a region named `panel`). */
  facts(page: Page, panel: string): Promise<string>;
}

export async function startSyncWorld(): Promise<SyncWorld> {
  const [w, issuer, clerk] = await Promise.all([startConsoleWorld(), startFixtureIssuer({ template: 'clerk-dev.json' }), ClerkDouble.start({ users: USERS, organizations: 2 })]);
  const created = await w.s.api('POST', `/v1/apps/${w.appId}/identity-providers`, { issuer_url: issuer.issuer, group_claim: 'org_slug', role_claim: 'org_role' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.provider_type, 'clerk');
  const providerApi = `/v1/apps/${w.appId}/identity-providers/${created.body.id}`;
  return {
    w,
    clerk,
    providerApi,
    syncStatus: async () => (await w.s.api('GET', `${providerApi}/sync`)).body,
    userCount: async () => (await w.s.api('GET', `/v1/apps/${w.appId}/users?limit=1000`)).body.items.length,
    runCount: async () => (await w.s.api('GET', `${providerApi}/sync/runs`)).body.items.length,
    facts: async (page, panel) => page.getByRole('region', { name: panel, exact: true }).innerText(),
  };
}
