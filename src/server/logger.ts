// pino options for the server. Secrets must never reach a log line: headers that carry credentials
// and every body field that can hold a secret are redacted, and request URLs are logged without
// their query string (the wallet callback's `code` and `state` travel there).
import type { FastifyServerOptions } from 'fastify';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["svix-signature"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
  '*.key',
  '*.password',
  '*.wallet_client_secret',
  '*.client_secret',
  '*.code_verifier',
  '*.authorization',
];

export function loggerOptions(level = process.env.ALTER_LOG_LEVEL ?? 'info'): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url.split('?')[0],
      }),
    },
  };
}
