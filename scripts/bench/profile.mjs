// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function: where the server's
// CPU went during the bench.
import { readFileSync } from 'node:fs';

export function topFunctions(file, limit) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'}\u0000${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '')}:${lineNumber + 1}`;
    const dt = deltas[i] ?? 0;
    total += dt;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([key, t]) => {
      const [name, where] = key.split('\u0000');
      return { name, where, percent: (t / total) * 100 };
    });
}
