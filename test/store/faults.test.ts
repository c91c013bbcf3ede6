// Which database errors are "the store is unavailable" (503) and which are not: a unique violation
// or a bug must never be retried by clients as if the database had been away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStoreFault, storeUnavailable } from '../../src/store/faults.js';
import { AlterError } from '../../src/errors.js';

function withCode(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

test('faults of the database itself are store faults', () => {
  const faults = [
    withCode('ECONNREFUSED'),
    withCode('ECONNRESET'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Client has encountered a connection error and is not queryable'),
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006'),
    withCode('53100', 'could not extend file: No space left on device'),
    withCode('25006', 'cannot execute INSERT in a read-only transaction'),
    withCode('SQLITE_BUSY'),
    withCode('SQLITE_BUSY_SNAPSHOT'),
    withCode('SQLITE_FULL'),
    withCode('SQLITE_READONLY'),
    withCode('SQLITE_IOERR_WRITE'),
    Object.assign(new Error('wrapped'), { cause: withCode('ECONNREFUSED') }),
    storeUnavailable(),
  ];
  for (const err of faults) assert.equal(isStoreFault(err), true, `${(err as { code?: string }).code ?? err.message}`);
});

test('errors of the request or of alter are not store faults', () => {
  const others = [
    withCode('23505', 'duplicate key value violates unique constraint'),
    withCode('SQLITE_CONSTRAINT_UNIQUE'),
    withCode('42P01', 'relation does not exist'),
    withCode('22P02', 'invalid input syntax'),
    new TypeError('cannot read properties of undefined'),
    new AlterError('not_found', 'no such app'),
    'a string',
    null,
    undefined,
  ];
  for (const err of others) assert.equal(isStoreFault(err), false, String((err as { code?: string } | null)?.code ?? err));
});

test('the 503 error says what to do and carries no cause', () => {
  const e = storeUnavailable();
  assert.equal(e.status, 503);
  assert.equal(e.exitCode, 1);
  assert.deepEqual(Object.keys(e.toJSON().error), ['code', 'message']);
  assert.match(e.message, /retry/);
});
