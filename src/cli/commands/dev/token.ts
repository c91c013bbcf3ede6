// `alter dev token --user SUB`: an access token for a test user, minted by the running dev
// provider with its current signing key (so it verifies against the provider's JWKS).
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { parseDuration, withExamples } from '../../help.js';
import { callDevAdmin } from './admin-client.js';
import { defaultDevStateDir, readDevState } from '../../../dev/state.js';
import { AlterError } from '../../../errors.js';
import { readJsonObjectArg } from '../../io/input.js';

interface TokenOpts {
  user: string;
  audience?: string;
  expiresIn?: string;
  claims?: string;
  providerUrl?: string;
  stateDir?: string;
}

export function registerDevToken(dev: Command, ctx: CliContext): void {
  withExamples(
    dev
      .command('token')
      .description('mint an access token (JWT) for a test user of the running dev provider; prints the token alone')
      .requiredOption('--user <sub>', 'the test user’s sub')
      .option('--audience <aud>', 'the aud claim (default: none)')
      .option('--expires-in <duration>', 'lifetime such as 90s, 15m, 1h (default 1h)')
      .option('--claims <json>', 'extra claims as a JSON object: -, @file or inline (they override the user’s)')
      .option('--provider-url <url>', 'the dev provider’s issuer URL (checked against its state file)')
      .option('--state-dir <dir>', 'the state directory the provider was started with (default: $ALTER_DEV_STATE_DIR or ~/.local/state/alter/dev)'),
    [
      'alter dev token --user alice',
      'TOKEN=$(alter dev token --user alice --audience https://api.example.test --expires-in 15m)',
      'alter dev token --user bob --claims \'{"scope":"read:orders"}\' --output json',
    ],
  ).action(async (opts: TokenOpts, cmd: Command) => {
    let expiresIn: number | undefined;
    if (opts.expiresIn !== undefined) {
      expiresIn = parseDuration(opts.expiresIn);
      if (expiresIn === undefined) throw new AlterError('usage', `--expires-in: "${opts.expiresIn}" is not a duration like 90s, 15m or 1h`);
    }
    const claims = opts.claims !== undefined ? await readJsonObjectArg(opts.claims, '--claims', ctx) : undefined;
    const stateDir = opts.stateDir ?? defaultDevStateDir(ctx.env);
    const state = readDevState(stateDir);
    if (opts.providerUrl !== undefined && opts.providerUrl.replace(/\/+$/, '') !== state.issuer) {
      throw new AlterError('not_found', `the dev provider of state directory ${stateDir} is ${state.issuer}, not ${opts.providerUrl}: pass the --state-dir it was started with`);
    }
    const answer = await callDevAdmin(state, 'token', { user: opts.user, audience: opts.audience, expires_in: expiresIn, claims });
    if (ctx.globals(cmd).output) ctx.printObject(cmd, answer);
    else ctx.out(`${String(answer.access_token)}\n`);
  });
}
