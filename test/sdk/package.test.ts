// @alter/sdk as a package: what `npm pack` would publish, that it has no runtime dependencies, and
// that its wire types are what the server's OpenAPI document generates today.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer } from '../helpers/server.js';

after(cleanupAll);

const SDK = fileURLToPath(new URL('../../sdk/', import.meta.url));

test('npm pack lists only dist, README.md and package.json', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: SDK, encoding: 'utf8' });
  const [pack] = JSON.parse(out);
  const files: string[] = pack.files.map((f: { path: string }) => f.path);
  assert.equal(pack.name, '@alter/sdk');
  assert.ok(files.includes('README.md') && files.includes('package.json'), files.join(' '));
  for (const f of ['index.js', 'index.d.ts', 'express.js', 'express.d.ts', 'fastify.js', 'fastify.d.ts', 'hono.js', 'hono.d.ts', 'directory.js', 'directory.d.ts']) assert.ok(files.includes(`dist/${f}`), `dist/${f}`);
  const others = files.filter((f) => f !== 'README.md' && f !== 'package.json' && !f.startsWith('dist/'));
  assert.deepEqual(others, []);
});

test('no runtime dependencies; frameworks are optional peers; every export has types', () => {
  const pkg = JSON.parse(readFileSync(`${SDK}package.json`, 'utf8'));
  assert.equal(pkg.dependencies, undefined);
  assert.equal(pkg.type, 'module');
  for (const name of ['express', 'fastify', 'hono']) assert.equal(pkg.peerDependenciesMeta[name].optional, true);
  for (const [path, target] of Object.entries<any>(pkg.exports)) if (path !== './package.json') assert.ok(target.types && target.import, path);
});

test('the checked-in wire types are what the live server\'s /openapi.json generates', async () => {
  const server = await startTestServer();
  const document = await (await fetch(`${server.url}/openapi.json`)).json();
  const script: string = new URL('../../sdk/scripts/generate-types.mjs', import.meta.url).href;
  const { generate, OUTPUT } = (await import(script)) as { generate: (doc: unknown) => Promise<string>; OUTPUT: string };
  const expected = await generate(document);
  assert.ok(expected.includes('"/v1/identity/resolve"'));
  assert.equal(readFileSync(OUTPUT, 'utf8'), expected, 'sdk/src/generated/openapi.ts is out of date: run `npm run build && node sdk/scripts/generate-types.mjs`');
});
