// Random hex for row ids, drawn from a pooled buffer: resolution's write path makes several ids per
// write, and a call into the CSPRNG for every ten bytes showed in its profile. The bytes are the
// same CSPRNG's, each handed out once; ids are not secrets, but they stay unguessable all the same.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let offset = pool.length;

export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
