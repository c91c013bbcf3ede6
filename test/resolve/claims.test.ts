// Claim paths and list coercion: literal names first (URL-named claims, names with dots), then
// JSON pointers and dotted paths; lists from arrays, single strings and space-separated strings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { claimList, readClaim, stringClaim } from '../../src/idp/claims.js';
import { cleanupAll } from '../helpers/env.js';

after(cleanupAll);

const claims = {
  sub: 'u1',
  'https://alter.dev/groups': ['eng', 'ops'],
  'app.roles': 'literal-dotted',
  app: { roles: 'nested-dotted' },
  realm_access: { roles: ['admin', 'user'] },
  'a/b': { 'c~d': 'escaped' },
  list: [{ name: 'first' }],
  scope: 'read write  admin',
  one: 'solo',
  number: 42,
  object: { x: 1 },
  mixed: ['a', 3, null, 'b', 'a', ''],
  empty: '',
  nul: null,
};

test('a URL-named claim is read literally, slashes and dots included', () => {
  assert.deepEqual(readClaim(claims, 'https://alter.dev/groups'), ['eng', 'ops']);
});

test('a literal name with a dot wins over the dotted path', () => {
  assert.equal(readClaim(claims, 'app.roles'), 'literal-dotted');
});

test('a dotted path reaches nested claims', () => {
  assert.deepEqual(readClaim(claims, 'realm_access.roles'), ['admin', 'user']);
  assert.equal(readClaim(claims, 'list.0.name'), 'first');
});

test('a JSON pointer reaches nested claims, with ~1 and ~0 escapes', () => {
  assert.deepEqual(readClaim(claims, '/realm_access/roles'), ['admin', 'user']);
  assert.equal(readClaim(claims, '/a~1b/c~0d'), 'escaped');
  assert.equal(readClaim(claims, '/list/0/name'), 'first');
});

test('absent claims and paths through non-objects are undefined', () => {
  assert.equal(readClaim(claims, 'missing'), undefined);
  assert.equal(readClaim(claims, 'realm_access.missing'), undefined);
  assert.equal(readClaim(claims, 'one.length'), undefined);
  assert.equal(readClaim(claims, '/number/x'), undefined);
  assert.equal(readClaim(claims, 'list.1.name'), undefined);
  assert.equal(readClaim(claims, 'list.01.name'), undefined);
  // Inherited properties are not claims.
  assert.equal(readClaim(claims, 'object.toString'), undefined);
  assert.equal(readClaim(claims, '/object/constructor'), undefined);
});

test('lists come from arrays, single strings and space-separated strings', () => {
  assert.deepEqual(claimList(claims, 'https://alter.dev/groups'), ['eng', 'ops']);
  assert.deepEqual(claimList(claims, 'one'), ['solo']);
  assert.deepEqual(claimList(claims, 'scope'), ['read', 'write', 'admin']);
  assert.deepEqual(claimList(claims, '/realm_access/roles'), ['admin', 'user']);
});

test('non-string array elements, empty strings and duplicates are dropped with a debug note', () => {
  const notes: string[] = [];
  assert.deepEqual(claimList(claims, 'mixed', (m) => notes.push(m)), ['a', 'b']);
  assert.equal(notes.length, 1);
});

test('a claim of any other shape is ignored with a debug note, never an error', () => {
  for (const name of ['number', 'object']) {
    const notes: Array<Record<string, unknown>> = [];
    assert.deepEqual(claimList(claims, name, (_m, d) => notes.push(d)), []);
    assert.equal(notes.length, 1, name);
    assert.equal(notes[0]!.claim, name);
  }
});

test('absent, null, empty or unmapped claims give an empty list silently', () => {
  const notes: string[] = [];
  const debug = (m: string): void => void notes.push(m);
  assert.deepEqual(claimList(claims, 'missing', debug), []);
  assert.deepEqual(claimList(claims, 'nul', debug), []);
  assert.deepEqual(claimList(claims, 'empty', debug), []);
  assert.deepEqual(claimList(claims, null, debug), []);
  assert.deepEqual(notes, []);
});

test('profile claims are strings or null', () => {
  assert.equal(stringClaim({ email: 'a@b.c' }, 'email'), 'a@b.c');
  assert.equal(stringClaim({ email: 5 }, 'email'), null);
  assert.equal(stringClaim({ email: '' }, 'email'), null);
  assert.equal(stringClaim({}, 'email'), null);
});
