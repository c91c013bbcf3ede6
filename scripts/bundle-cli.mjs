#!/usr/bin/env node
// Bundles the CLI after tsc: one file for everything `alter --help` and most commands load, so that
// start-up costs close to bare node instead of resolving and reading fifty modules. Dynamic imports
// (the server, the dev provider, the demo, prompts) stay separate chunks, loaded only by the
// commands that run them. npm packages stay external (node_modules as installed), except commander,
// which every command loads: as CommonJS in six files it cost more start-up than all of alter's own
// modules (module loading and the CJS export scan).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => name !== 'commander');

// Two levels below the repository, like dist/cli/main.js: paths relative to import.meta.url
// (package.json, bin/alter) resolve the same.
const OUT = 'dist/cli-bundle';
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // commander is CommonJS and requires node's built-ins; an ES module has no require of its own.
  banner: { js: "import { createRequire as __alterCreateRequire } from 'node:module'; const require = __alterCreateRequire(import.meta.url);" },
  outdir: OUT,
  logLevel: 'warning',
});
