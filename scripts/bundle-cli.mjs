#!/usr/bin/env node
// Bundles the CLI after tsc into one CommonJS file, dist/cli-bundle/main.cjs, which bin/alter
// requires: start-up then costs close to bare node. Measured (README, CLI start-up): against the
// same bundle as ES modules, CommonJS skips node's ES module loader (the async resolve, read and
// link of each module, and the fs/promises it loads for them), about 12 ms of a 30 ms overhead.
//
// npm packages stay external (node_modules as installed), except commander, which every command
// loads: as CommonJS in six files it cost more start-up than all of alter's own modules.
//
// What the CLI imports dynamically (the server for `server init|start`, the dev provider, the
// demo) is not bundled: those import() calls load the compiled modules in dist/ as they are, so
// `alter server start` runs the same server as `node dist/…` does. They hold their own copy of
// modules the bundle also holds (errors.js), which is why the CLI recognises an AlterError by its
// name and code rather than by its class (src/cli/program.ts).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => name !== 'commander');

// Two levels below the repository, like dist/cli/main.js: paths relative to import.meta.url
// (package.json, bin/alter) resolve the same.
const OUT = 'dist/cli-bundle';

// Built-ins that bare node has loaded before running any script are required as they are. Any
// other is required only when first used, when commander (CommonJS) requires it: commander
// requires node:child_process (and so node:net and streams) at its top for executable
// subcommands, which alter does not have. (An ES module of ours that imports a built-in by name
// needs it at once anyway: it is required directly.) The list is asked of a bare node: this
// script's own imports (esbuild spawns its binary) have loaded more.
const bareModules = JSON.parse(execFileSync(process.execPath, ['-e', 'console.log(JSON.stringify(process.moduleLoadList))'], { encoding: 'utf8' }));
const loadedAtStart = new Set(bareModules.filter((m) => m.startsWith('NativeModule ') && !m.includes('internal/')).map((m) => `node:${m.slice('NativeModule '.length)}`));
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
const separateModules = {
  name: 'separate-modules',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'require-call' && !loadedAtStart.has(args.path) ? { path: args.path, namespace: 'lazy-builtin' } : { path: args.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: lazyBuiltin(args.path), loader: 'js' }));
    // Our own modules imported dynamically: the compiled file in dist/, by a path relative to
    // the bundle.
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const target = path.relative(path.resolve(OUT), path.resolve(args.resolveDir, args.path));
      return { path: target.startsWith('.') ? target : `./${target}`, external: true };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: `${OUT}/main.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  // No comments or indentation: V8 reads the whole file before running it.
  minifyWhitespace: true,
  minifySyntax: true,
  define: { 'import.meta.url': '__alterModuleUrl' },
  // __alterRequire: node's require, out of esbuild's reach (it would resolve the lazy module's own
  // require of the built-in to the lazy module itself).
  banner: { js: "const __alterModuleUrl = require('node:url').pathToFileURL(__filename).href; const __alterRequire = require;" },
  plugins: [separateModules],
  logLevel: 'warning',
});
