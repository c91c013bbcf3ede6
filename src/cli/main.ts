// Entry point of the `alter` binary (bin/alter). Only light modules load here: the server's
// libraries are imported by `alter server …` alone.
import { createContext } from './context.js';
import { processTerminal } from './io/confirm.js';
import { runCli } from './program.js';

const ctx = createContext({
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  terminal: processTerminal(),
});

process.exitCode = await runCli(process.argv.slice(2), ctx);
