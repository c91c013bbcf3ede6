// A request refused for its size is answered only once its client has finished sending (up to a
// bound), as nginx's lingering close does. Closing a socket whose receive buffer still holds data
// makes the kernel send a reset, and a client still writing its body then sees EPIPE or
// ECONNRESET instead of the 413 that tells it what went wrong.
import type { IncomingMessage } from 'node:http';

/** Read and discard at most this much of a refused body, for at most this long. */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024;
export const LINGER_MAX_MS = 5_000;

/**
 * True once the body has been read to its end. `complete` is what node's HTTP server sets; a request
 * made in-process (`app.inject`, as the console's calls are) only ever says `readableEnded`.
 */
export function bodyRead(raw: IncomingMessage): boolean {
  return raw.complete || raw.readableEnded;
}

/** Resolves once the rest of the body has been read and discarded, or a bound is reached. */
export function discardBody(raw: IncomingMessage, maxBytes = LINGER_MAX_BYTES, maxMs = LINGER_MAX_MS): Promise<void> {
  if (bodyRead(raw) || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = (): void => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('close', done);
    raw.resume();
  });
}
