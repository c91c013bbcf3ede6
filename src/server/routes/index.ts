// Every route module of the server, in one list. A module is `(app, ctx) => void | Promise<void>`.
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { authRoutes } from './auth.js';
import { appRoutes } from './apps.js';
import { tokenRoutes } from './tokens.js';
import { keyRoutes } from './keys.js';
import { auditRoutes } from './audit.js';

export type RouteModule = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

export const ROUTES: RouteModule[] = [authRoutes, appRoutes, tokenRoutes, keyRoutes, auditRoutes];
