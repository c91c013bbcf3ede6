// What every route module receives: the store, the secret sealer, the settings, and the shared
// caches' invalidation. Routes get it as an argument instead of reaching for globals.
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/database.js';
import type { Sealer } from '../crypto/sealed.js';
import type { Invalidation } from './invalidation.js';
import type { StoreFaultLog } from './store-faults.js';
import type { SyncRunner } from '../directory/sync-runner.js';

export interface ServerSettings {
  /** Base URL the outside world reaches this server at, without a trailing slash. */
  publicUrl: string;
  /** ALTER_ALLOW_PRIVATE_ISSUERS=1: outbound calls may reach http:// and private addresses. */
  allowPrivateIssuers: boolean;
}

export interface ServerContext {
  store: Store;
  sealer: Sealer;
  settings: ServerSettings;
  invalidation: Invalidation;
  log: FastifyBaseLogger;
  storeFaults: StoreFaultLog;
  /** Directory sync runs of this server process. */
  syncRunner: SyncRunner;
}
