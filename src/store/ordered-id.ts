// Ids that sort in the order this process wrote them, even within one millisecond (the events of
// one webhook delivery share it), so that listing by (at, id) shows what happened in that order.
import { randomHex } from '../crypto/random-hex.js';

let lastMs = 0;
let sequence = 0;

export function orderedId(prefix: string, ms: number): string {
  sequence = ms === lastMs ? sequence + 1 : 0;
  lastMs = ms;
  return `${prefix}_${ms.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomHex(4)}`;
}

/**
 * A new user's or group's id, in the order they are created. Random ids put each new row at a
 * random place in every index that starts with its id (the users' key, memberships both ways, the
 * user's history): a batch of 24 new users rewrote about a hundred scattered pages, and the writer
 * thread spent a third of its time in the kernel writing and syncing them (measured under the
 * write benchmark). In creation order they land together at the end of each index; the writer
 * thread's CPU halved.
 */
export function newRowId(prefix: 'usr' | 'grp', ms = Date.now()): string {
  return orderedId(prefix, ms);
}
