// Entry point of the `alter` binary (bin/alter). Only light modules load here: the server's
// libraries are imported by `alter server …` alone.
import { createContext } from './context.js';
import { processTerminal } from './io/confirm.js';
import { runCli } from './program.js';

// A reader that goes away early (`alter … | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const ctx = createContext({
  env: process.env,
  cwd: process.cwd(),
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  get terminal() {
    return processTerminal();
  },
});

void runCli(process.argv.slice(2), ctx).then((code) => {
  process.exitCode = code;
});
