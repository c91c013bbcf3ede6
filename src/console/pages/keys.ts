// (Being built: registers nothing yet.)
import type { ConsoleSite } from '../site.js';

export function keyPages(_site: ConsoleSite): void {}
