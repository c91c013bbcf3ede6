// Which of this process's caches are still current. Every invalidation (local or from another
// process, see ../invalidation.ts) advances the app's generation and the global epoch:
// - an entry remembers the generation of its app; a different one now means "stale, drop it";
// - a load that began before an invalidation must not store what it read, since it may have read
//   the old state: loaders note the epoch first and store only if it has not moved.
import type { Invalidation } from '../invalidation.js';

export class Epochs {
  private epoch = 0;
  private readonly generations = new Map<string, number>();
  private readonly listeners: Array<(appId: string) => void> = [];

  constructor(invalidation: Invalidation) {
    invalidation.subscribe((appId) => {
      this.epoch++;
      this.generations.set(appId, this.generation(appId) + 1);
      for (const l of this.listeners) l(appId);
    });
  }

  get current(): number {
    return this.epoch;
  }

  generation(appId: string): number {
    return this.generations.get(appId) ?? 0;
  }

  onInvalidate(listener: (appId: string) => void): void {
    this.listeners.push(listener);
  }
}
