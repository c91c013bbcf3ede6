// GET /openapi.json: an OpenAPI 3.1 description of every JSON route the server registers, generated
// from the routes themselves (never written by hand): each route is seen as it is registered, its
// request body schema is the zod schema the route validates with (declared in its `config.body`,
// converted by zod's own toJSONSchema), and its security scheme follows from where it lives. The
// health probes and the HTML pages (wallet) are left out.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The schema the route validates its JSON body with (parseBody): documented as it is. */
    body?: z.ZodType;
    /** The shapes of its answers by status, for the routes app backends call (see wire.ts). */
    response?: Record<number, z.ZodType>;
  }
}

interface SeenRoute {
  method: string;
  url: string;
  body: z.ZodType | undefined;
  response: Record<number, z.ZodType> | undefined;
}

type Security = 'personalAccessToken' | 'runtimeKey' | 'scimToken' | null;

const LEFT_OUT = [/^\/healthz$/, /^\/readyz$/, /^\/openapi\.json$/, /^\/wallet\//, /^\/console(\/|$)/];

function securityOf(url: string): Security {
  if (url.startsWith('/v1/identity/resolve') || url.startsWith('/v1/directory/')) return 'runtimeKey';
  if (url.startsWith('/scim/')) return 'scimToken';
  // Webhook deliveries authenticate by their signature or shared header secret, per provider.
  if (url.startsWith('/v1/webhooks/')) return null;
  return 'personalAccessToken';
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, reason: { type: 'string' } }, additionalProperties: true } },
};

const SCIM_ERROR_SCHEMA = {
  type: 'object',
  required: ['schemas', 'status'],
  properties: { schemas: { type: 'array', items: { type: 'string' } }, status: { type: 'string' }, scimType: { type: 'string' }, detail: { type: 'string' } },
};

function openapiPath(url: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });
}

function operation(route: SeenRoute): Record<string, unknown> {
  const { params } = openapiPath(route.url);
  const security = securityOf(route.url);
  const scim = route.url.startsWith('/scim/');
  const json = scim ? 'application/scim+json' : 'application/json';
  const error = scim ? { $ref: '#/components/schemas/ScimError' } : { $ref: '#/components/schemas/Error' };
  return {
    operationId: `${route.method.toLowerCase()}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length ? { parameters: params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })) } : {}),
    ...(route.body ? { requestBody: { required: true, content: { [json]: { schema: jsonSchema(route.body) } } } } : {}),
    security: security ? [{ [security]: [] }] : [],
    responses: {
      ...(route.response
        ? Object.fromEntries(Object.entries(route.response).map(([status, schema]) => [status, { description: `HTTP ${status}`, content: { [json]: { schema: jsonSchema(schema) } } }]))
        : { '2XX': { description: 'Success', content: { [json]: { schema: { type: 'object' } } } } }),
      default: { description: 'An error, in the error shape of the API', content: { [json]: { schema: error } } },
    },
  };
}

/** Starts watching route registrations; call before any route is registered. */
export function describeRoutes(app: FastifyInstance): () => Record<string, unknown> {
  const routes: SeenRoute[] = [];
  app.addHook('onRoute', (opts: RouteOptions) => {
    const url = opts.url;
    if (LEFT_OUT.some((re) => re.test(url))) return;
    for (const method of [opts.method].flat()) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url, body: opts.config?.body, response: opts.config?.response });
    }
  });
  let document: Record<string, unknown> | undefined;
  return () => {
    if (document) return document;
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of routes) {
      const { path } = openapiPath(route.url);
      (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
    }
    document = {
      openapi: '3.1.0',
      info: { title: 'alter', version: '1', description: 'Trust an external OpenID Connect identity provider for an app’s end users: management, runtime, webhook and SCIM routes.' },
      paths,
      components: {
        securitySchemes: {
          personalAccessToken: { type: 'http', scheme: 'bearer', description: 'A personal access token (alter_pat_…), for the management API' },
          runtimeKey: { type: 'http', scheme: 'bearer', description: 'An app’s runtime key (alter_key_…), for app backends' },
          scimToken: { type: 'http', scheme: 'bearer', description: 'A provider’s SCIM token (alter_scim_…)' },
        },
        schemas: { Error: ERROR_SCHEMA, ScimError: SCIM_ERROR_SCHEMA },
      },
    };
    return document;
  };
}
