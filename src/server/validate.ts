// Request bodies are checked with one zod schema each; the first problem becomes a 400 that names
// the field, so a caller knows what to fix.
import type { z } from 'zod';
import { AlterError } from '../errors.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AlterError('invalid_request', 'request body must be a JSON object', { field: null });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || null;
  const what = issue?.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
  throw new AlterError('invalid_request', field ? `${field}: ${what}` : what, { field: field ?? (issue?.code === 'unrecognized_keys' ? issue.keys[0] : null) });
}

/** The `limit` query parameter of a list route: `dflt` when absent, else an integer from 1 to `max`. */
export function limitParam(value: string | undefined, dflt: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AlterError('invalid_request', `limit: must be an integer from 1 to ${max}`, { field: 'limit' });
  return n;
}
