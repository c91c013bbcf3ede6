// A part of a page the token may not be allowed to see: the API's 403 (or 404 for "not configured")
// becomes a sentence in place of that part, and the rest of the page still shows.
import { AlterError } from '../../errors.js';

export type Optional<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

export async function optional<T>(read: () => Promise<T>): Promise<Optional<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    if (err instanceof AlterError && (err.status === 403 || err.status === 404)) return { ok: false, status: err.status, message: err.message };
    throw err;
  }
}
