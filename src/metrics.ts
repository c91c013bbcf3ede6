// Prometheus metrics of the server process (CONTRACT §12), served by `alter server start
// --metrics-port` on a listener of their own. One registry per process: the series count what this
// process did. Label values come from small closed sets (outcomes, reasons, schemes, statuses,
// methods): never a user id, an issuer URL or anything else that grows without bound.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const resolveRequests = new Counter({
  name: 'alter_resolve_requests_total',
  help: 'Identity resolutions by outcome (ok, invalid_token, unauthorized, bad_request, unavailable, error) and refusal reason',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

export const resolveDuration = new Histogram({
  name: 'alter_resolve_duration_seconds',
  help: 'Time to answer POST /v1/identity/resolve, in seconds',
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const jwksFetches = new Counter({
  name: 'alter_jwks_fetches_total',
  help: 'Fetches of identity providers’ key sets by outcome (ok, failed)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'alter_webhook_deliveries_total',
  help: 'Webhook deliveries by scheme and outcome (accepted, rejected, malformed, not_found, too_large, unavailable, error)',
  labelNames: ['scheme', 'outcome'] as const,
  registers: [registry],
});

export const directorySyncRuns = new Counter({
  name: 'alter_directory_sync_runs_total',
  help: 'Directory sync runs by final status (succeeded, failed, aborted)',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const scimRequests = new Counter({
  name: 'alter_scim_requests_total',
  help: 'SCIM requests by method and HTTP status',
  labelNames: ['method', 'status'] as const,
  registers: [registry],
});

export const writeBatchSize = new Histogram({
  name: 'alter_store_write_batch_writes',
  help: 'Writes of concurrent resolves committed together in one transaction (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});
