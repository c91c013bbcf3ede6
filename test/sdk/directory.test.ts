// @alter/sdk/directory against a real alter server: users by id and by external id, all the
// members of a group or role across pages, and the same failures as resolve.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createAlter, AlterConfigError, AlterUnavailableError } from '@alter/sdk';
import { createDirectory, type Directory } from '@alter/sdk/directory';
import { cleanupAll } from '../helpers/env.js';
import { startSdkWorld, type SdkWorld } from './setup.js';

after(cleanupAll);

let w: SdkWorld;
let directory: Directory;
const ids: Record<string, string> = {};

before(async () => {
  w = await startSdkWorld();
  directory = createDirectory({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey });
  const alter = createAlter({ baseUrl: w.server.url, runtimeKey: w.app.runtimeKey });
  for (const [sub, groups, roles] of [['m0', ['team a', 'eng'], ['admin']], ['m1', ['team a'], []], ['m2', ['team a'], ['admin']], ['m3', ['ops'], []]] as const) {
    const res = await alter.resolve(await w.mint({ sub, email: `${sub}@example.com`, groups, roles }));
    assert.ok(res.ok);
    ids[sub] = res.user.id;
  }
});

test('user(id): the user with memberships, or null', async () => {
  const user = await directory.user(ids.m0!);
  assert.ok(user);
  assert.equal(user.external_id, 'm0');
  assert.equal(user.email, 'm0@example.com');
  assert.deepEqual(user.groups, ['eng', 'team a']);
  assert.deepEqual(user.roles, ['admin']);
  assert.equal(user.status, 'active');
  assert.equal(await directory.user('usr_doesnotexist'), null);
  assert.equal(await directory.user('../../v1/apps'), null, 'the id is one path segment');
});

test('userByExternalId: the user, or null', async () => {
  assert.equal((await directory.userByExternalId('m1'))?.id, ids.m1);
  assert.equal(await directory.userByExternalId('nobody'), null);
  assert.equal(await directory.userByExternalId('m1&external_id=m0'), null, 'the value is escaped');
});

test('groupMembers: every member across pages, of a group or a role; [] for an unknown group', async () => {
  const all = await directory.groupMembers('team a', { pageSize: 1 });
  assert.deepEqual(all.map((u) => u.id).sort(), [ids.m0, ids.m1, ids.m2].sort());
  assert.deepEqual((await directory.groupMembers('team a')).map((u) => u.id).sort(), [ids.m0, ids.m1, ids.m2].sort());
  assert.deepEqual((await directory.groupMembers('admin', { kind: 'role', pageSize: 1 })).map((u) => u.id).sort(), [ids.m0, ids.m2].sort());
  assert.deepEqual(await directory.groupMembers('admin'), [], 'admin is a role, not a group');
  assert.deepEqual(await directory.groupMembers('nobody'), []);
});

test('a bad runtime key throws AlterConfigError; a stopped server AlterUnavailableError', async () => {
  const bad = createDirectory({ baseUrl: w.server.url, runtimeKey: 'alter_key_nope' });
  await assert.rejects(bad.user(ids.m0!), AlterConfigError);
  await assert.rejects(bad.groupMembers('team a'), AlterConfigError);
  const stopped = createDirectory({ baseUrl: w.stoppedUrl, runtimeKey: w.app.runtimeKey });
  await assert.rejects(stopped.userByExternalId('m0'), AlterUnavailableError);
});
