// Every route module of the server, in one list. A module is `(app, ctx) => void | Promise<void>`.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authRoutes } from './auth.js';
import { appRoutes } from './apps.js';
import { tokenRoutes } from './tokens.js';
import { keyRoutes } from './keys.js';
import { auditRoutes } from './audit.js';
import { identityProviderRoutes } from './identity-providers.js';
import { resolveRoutes } from './resolve.js';
import { testTokenRoutes } from './test-token.js';
import { walletRoutes } from '../../wallet/routes.js';
import { webhookAdminRoutes } from './webhook-admin.js';
import { webhookReceiverRoutes } from './webhooks.js';
import { directoryRoutes } from './directory.js';
import { directorySyncRoutes } from './directory-sync.js';
import { scimAdminRoutes } from './scim-admin.js';
import { scimRoutes } from './scim.js';
import { consoleLinkRoutes } from './console-links.js';
import { consoleRoutes } from '../../console/routes.js';

export type RouteModule = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

export const ROUTES: RouteModule[] = [authRoutes, appRoutes, tokenRoutes, keyRoutes, auditRoutes, identityProviderRoutes, resolveRoutes, testTokenRoutes, webhookAdminRoutes, webhookReceiverRoutes, directoryRoutes, directorySyncRoutes, scimAdminRoutes, scimRoutes, walletRoutes, consoleLinkRoutes, consoleRoutes];
