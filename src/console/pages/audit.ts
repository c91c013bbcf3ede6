// (Being built: registers nothing yet.)
import type { ConsoleSite } from '../site.js';

export function auditPages(_site: ConsoleSite): void {}
