// The commander program: global flags, every command, and the mapping of failures to exit codes.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, Option } from 'commander';
import { AlterError, EXIT, isAlterError } from '../errors.js';
import type { CliContext } from './context.js';
import { COMMANDS } from './commands/index.js';
import { withExamples } from './help.js';
import { addDeferredSubcommands } from './deferred-subcommands.js';
import { checkFieldsBeforeAction } from './output-fields.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function parseFields(value: string): string[] {
  const fields = value.split(',').map((f) => f.trim()).filter(Boolean);
  if (!fields.length) throw new AlterError('usage', '--fields: give at least one field name');
  return fields;
}

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('alter');
  program
    .description('Trust an external OpenID Connect identity provider (Auth0, Clerk, Okta, any OIDC) for your app’s end users.')
    .version(packageVersion(), '-v, --version')
    .addOption(new Option('--api-url <url>', 'alter API base URL (env: ALTER_API_URL; default http://127.0.0.1:8787)'))
    .addOption(new Option('--app <id>', 'the app to act on (env: ALTER_APP_ID; else the linked workspace)'))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'jsonl']))
    .addOption(new Option('--fields <names>', 'only these top-level fields, comma-separated').argParser(parseFields))
    // Every command's --help lists the global options it accepts, as gh shows inherited flags
    // (set before the commands are added: they inherit it).
    // A group's help lists its subcommands, so they are added first (`alter help idp` shows help
    // without dispatching to the group).
    .configureHelp({
      showGlobalOptions: true,
      formatHelp(cmd, helper) {
        addDeferredSubcommands(cmd);
        return Help.prototype.formatHelp.call(this, cmd, helper);
      },
    })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.notice(s.replace(/\n$/, '')) });
  withExamples(program, [
    'alter server init && alter server start',
    'alter auth login --token-file ./admin.token',
    'alter apps create --name shop',
    'alter idp create --issuer-url https://acme.okta.com --app app_0123',
  ]);
  for (const register of COMMANDS) register(program, ctx);
  program.hook('preSubcommand', (_program, group) => addDeferredSubcommands(group));
  program.hook('preAction', (_program, action) => checkFieldsBeforeAction(action));
  return program;
}

function wantsJsonErrors(argv: string[]): boolean {
  const i = argv.findIndex((a) => a === '--output' || a === '-o');
  return argv.includes('--output=json') || argv.includes('-ojson') || (i >= 0 && argv[i + 1] === 'json');
}

/** Runs the CLI and returns the exit code; never throws. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
      // commander has already printed its message (it names the flag or argument).
      if (wantsJsonErrors(argv)) ctx.notice(JSON.stringify({ error: { code: 'usage', message: err.message.replace(/^error: /, '') } }));
      return EXIT.usage;
    }
    const e = isAlterError(err) ? err : new AlterError('internal', err instanceof Error ? err.message : String(err));
    ctx.notice(`error: ${e.message}`);
    if (wantsJsonErrors(argv)) ctx.notice(JSON.stringify({ error: { code: e.code, message: e.message } }));
    return e.exitCode;
  }
}
