// Calls a running dev provider's admin routes (src/dev/admin.ts) with the secret from its state file.
import { AlterError } from '../../../errors.js';
import type { DevProviderState } from '../../../dev/state.js';

export async function callDevAdmin(state: DevProviderState, route: 'token' | 'rotate-keys', body: Record<string, unknown>): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(`${state.issuer}/_alter/dev/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${state.admin_secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new AlterError('network', `cannot reach the dev provider at ${state.issuer}: ${(err as Error).message}`);
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown> & { error?: { code?: string; message?: string } };
  if (!res.ok) {
    const message = answer.error?.message ?? `HTTP ${res.status}`;
    throw new AlterError(res.status === 404 ? 'not_found' : res.status === 400 ? 'usage' : 'rejected', `the dev provider refused: ${message}`);
  }
  return answer;
}
