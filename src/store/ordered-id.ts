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
