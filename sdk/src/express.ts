// Express (4 and 5) and connect-style middleware: `app.use(alterMiddleware(alter, { required }))`
// puts the identity on `req.alter` (null for an optional request without a token).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Alter } from './client.js';
import { decide, type AlterMiddlewareOptions } from './middleware.js';
import type { AlterIdentity } from './types.js';

export type { AlterMiddlewareOptions } from './middleware.js';
export type { AlterIdentity } from './types.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Who sent the request, as alter resolved its bearer token; null when optional and it had none. */
      alter?: AlterIdentity | null;
    }
  }
}

export type AlterRequest = IncomingMessage & { alter?: AlterIdentity | null };

export function alterMiddleware(alter: Alter, options: AlterMiddlewareOptions = {}): (req: AlterRequest, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    decide(alter, req, options).then(
      (d) => {
        if (d.next) {
          req.alter = d.identity;
          next();
          return;
        }
        res.statusCode = d.status;
        for (const [name, value] of Object.entries(d.headers)) res.setHeader(name, value);
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(d.body));
      },
      (err: unknown) => next(err),
    );
  };
}
