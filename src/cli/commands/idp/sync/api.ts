// What the `idp sync` subcommands share: the management path of a provider's sync.
import type { Command } from 'commander';
import type { CliContext } from '../../../context.js';

export function syncPath(ctx: CliContext, cmd: Command, providerId: string, rest = ''): string {
  return `/v1/apps/${encodeURIComponent(ctx.requireApp(cmd))}/identity-providers/${encodeURIComponent(providerId)}/sync${rest}`;
}

export interface RunObject {
  id: string;
  status: string;
  error: { code: string; message: string } | null;
  progress?: { phase: string; done: number; total: number | null } | null;
  [key: string]: unknown;
}
