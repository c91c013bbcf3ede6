// Fastify plugin: `app.register(alterPlugin, { alter, required })` checks every request of the
// context it is registered in (onRequest, before the body is read) and puts the identity on
// `request.alter` (null for an optional request without a token).
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import type { Alter } from './client.js';
import { decide, type AlterMiddlewareOptions } from './middleware.js';
import type { AlterIdentity } from './types.js';

export type { AlterIdentity } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, as alter resolved its bearer token; null when optional and it had none. */
    alter: AlterIdentity | null;
  }
}

export interface AlterPluginOptions extends AlterMiddlewareOptions {
  alter: Alter;
}

const plugin: FastifyPluginCallback<AlterPluginOptions> = (app: FastifyInstance, options: AlterPluginOptions, done) => {
  if (!options?.alter || typeof options.alter.resolveRequest !== 'function') return done(new TypeError('alterPlugin: pass { alter: createAlter(...) }'));
  if (!app.hasRequestDecorator('alter')) app.decorateRequest('alter', null);
  app.addHook('onRequest', async (request, reply) => {
    const d = await decide(options.alter, request.raw, options);
    if (d.next) {
      request.alter = d.identity;
      return;
    }
    return reply.code(d.status).headers(d.headers).type('application/json; charset=utf-8').send(d.body);
  });
  done();
};

// What fastify-plugin does, without depending on it: the hook applies to the context that
// registers the plugin (not to a child context of its own).
Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@alter/sdk',
  [Symbol.for('plugin-meta')]: { name: '@alter/sdk', fastify: '4.x || 5.x' },
});

export const alterPlugin: FastifyPluginCallback<AlterPluginOptions> = plugin;
export default alterPlugin;
