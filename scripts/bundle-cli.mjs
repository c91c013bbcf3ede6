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

// Node's built-ins are loaded with require, not import: an ES module import of a built-in builds
// its ES module facade, which reads every export, and reading `fs.ReadStream`, `crypto.webcrypto`
// and the like loads whole subsystems (streams, web crypto) that `alter --help` never uses. And
// each is loaded only when first used: commander requires node:child_process (and so node:net and
// streams) at its top for the executable subcommands alter does not have. A module of ours that
// imports a built-in lists its exports at once (esbuild's interop), which loads it: correct, just
// not lazy.
const lazyBuiltin = (name) => `let loaded;
const load = () => (loaded ??= __alterRequire(${JSON.stringify(name)}));
module.exports = new Proxy({}, {
  get: (_, key) => load()[key],
  has: (_, key) => key in load(),
  ownKeys: () => Reflect.ownKeys(load()),
  getOwnPropertyDescriptor: (_, key) => {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});`;
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    // A dynamic import() stays one: it is lazy already, and expects the module's named exports.
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: lazyBuiltin(args.path), loader: 'js' }));
  },
};

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
  banner: { js: "import { createRequire as __alterCreateRequire } from 'node:module'; const require = __alterCreateRequire(import.meta.url); const __alterRequire = require;" },
  plugins: [builtinsByRequire],
  outdir: OUT,
  logLevel: 'warning',
});
