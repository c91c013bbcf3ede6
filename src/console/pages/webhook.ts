// (Being built: registers nothing yet.)
import type { ConsoleSite } from '../site.js';

export function webhookPages(_site: ConsoleSite): void {}
