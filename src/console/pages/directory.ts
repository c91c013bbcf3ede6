// (Being built: registers nothing yet.)
import type { ConsoleSite } from '../site.js';

export function directoryPages(_site: ConsoleSite): void {}
