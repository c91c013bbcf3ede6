// Every top-level command of the CLI, in help order.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerServer } from './server/index.js';
import { registerAuth } from './auth/index.js';
import { registerLink } from './link.js';
import { registerApps } from './apps/index.js';
import { registerTokens } from './tokens/index.js';
import { registerKeys } from './keys/index.js';
import { registerIdentityProviders } from './idp/index.js';
import { registerAudit } from './audit.js';
import { registerUsers } from './users/index.js';
import { registerGroups } from './groups/index.js';
import { registerDev } from './dev/index.js';
import { registerCompletion } from './completion.js';
import { registerDemo } from './demo.js';
import { registerConsole } from './console.js';

export type Registrar = (program: Command, ctx: CliContext) => void;

export const COMMANDS: Registrar[] = [registerServer, registerAuth, registerLink, registerApps, registerTokens, registerKeys, registerIdentityProviders, registerUsers, registerGroups, registerConsole, registerAudit, registerDev, registerCompletion, registerDemo];
