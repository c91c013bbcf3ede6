// (Being built: registers nothing yet.)
import type { ConsoleSite } from '../site.js';

export function syncPages(_site: ConsoleSite): void {}
