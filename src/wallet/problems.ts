// Everything that can end a sign-in early, as AlterErrors the wallet's pages render: the code gives
// the HTTP status, `problem` picks the page's headline, and `app_id` (when known) its "Try again"
// link. Messages are shown to end users: they say what happened, never a code, state or token.
import { AlterError, type ErrorCode } from '../errors.js';

export const PROBLEMS = {
  wallet_unavailable: { code: 'not_found', title: 'Sign-in is not available here' },
  flow_unknown: { code: 'invalid_request', title: 'This sign-in link is not valid' },
  flow_expired: { code: 'invalid_request', title: 'This sign-in took too long' },
  provider_error: { code: 'rejected', title: 'The sign-in was not completed' },
  token_exchange: { code: 'network', title: 'The sign-in could not be completed' },
  id_token: { code: 'invalid_token', title: 'The sign-in could not be verified' },
  account_disabled: { code: 'forbidden', title: 'This account cannot sign in' },
  bad_request: { code: 'invalid_request', title: 'That request was not understood' },
  busy: { code: 'rate_limited', title: 'Too many sign-ins at once' },
  store_unavailable: { code: 'store_unavailable', title: 'Sign-in is briefly unavailable' },
} as const satisfies Record<string, { code: ErrorCode; title: string }>;

export type ProblemKind = keyof typeof PROBLEMS;

export function walletError(problem: ProblemKind, message: string, appId: string | null = null, code: ErrorCode = PROBLEMS[problem].code): AlterError {
  return new AlterError(code, message, { problem, app_id: appId });
}

export function problemTitle(err: AlterError): string {
  const problem = err.details.problem;
  if (typeof problem === 'string' && Object.hasOwn(PROBLEMS, problem)) return PROBLEMS[problem as ProblemKind].title;
  return err.code === 'internal' ? 'Something went wrong' : 'The sign-in could not be completed';
}
