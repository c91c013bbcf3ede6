// @alter/sdk: the app backend's side of alter. Middleware lives in @alter/sdk/express,
// @alter/sdk/fastify and @alter/sdk/hono; the directory client in @alter/sdk/directory.
export { createAlter, type Alter, type AlterOptions } from './client.js';
export { AlterConfigError, AlterUnavailableError } from './errors.js';
export { bearerToken, type IncomingRequest } from './request.js';
export type { CacheOptions } from './cache.js';
export type { ClientOptions } from './http.js';
export type { AlterMiddlewareOptions } from './middleware.js';
export type { AlterFailureReason, AlterIdentity, AlterRefusalReason, AlterUser, DirectoryUser, ResolveFailure, ResolveResult, ResolveSuccess } from './types.js';
