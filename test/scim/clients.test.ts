// The request sequences Okta and Microsoft Entra ID send when they provision an application,
// replayed in order against the real server, with what each step must do to resolution: a SCIM
// user is the token's user, deactivation refuses their unexpired tokens, group changes show in
// resolve answers at once.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll } from '../helpers/env.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { startFixtureIssuer, type FixtureIssuer } from '../helpers/fixture-issuer.js';
import { GROUP_SCHEMA, patch, scimWorld, USER_SCHEMA } from './setup.js';

after(cleanupAll);

let server: TestServer;
let issuer: FixtureIssuer;
before(async () => {
  server = await startTestServer({ ALTER_ALLOW_PRIVATE_ISSUERS: '1' });
  issuer = await startFixtureIssuer();
});

test('Okta: look up, create, get, update, deactivate, reactivate; group create, members add and remove, rename, delete', async () => {
  const w = await scimWorld(server, issuer);
  // Okta checks the user does not exist yet.
  const lookup = await w.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ann@example.com"')}&startIndex=1&count=100`);
  assert.equal(lookup.status, 200);
  assert.match(lookup.contentType ?? '', /application\/scim\+json/);
  assert.deepEqual({ total: lookup.body.totalResults, items: lookup.body.Resources }, { total: 0, items: [] });

  const created = await w.scim('POST', '/Users', {
    schemas: [USER_SCHEMA],
    userName: 'ann@example.com',
    externalId: '00u1ann',
    name: { givenName: 'Ann', familyName: 'Lee' },
    emails: [{ primary: true, value: 'ann@example.com', type: 'work' }],
    displayName: 'Ann Lee',
    locale: 'en-US',
    groups: [],
    password: 'never-stored-1!',
    active: true,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  assert.equal(created.body.userName, 'ann@example.com');
  assert.equal(created.body.active, true);
  assert.ok(!JSON.stringify(created.body).includes('never-stored'), 'a password is never kept or echoed');
  assert.equal(created.body.meta.location, `${w.baseUrl}/Users/${id}`);
  assert.equal((await w.scim('GET', `/Users/${id}`)).body.externalId, '00u1ann');
  assert.equal((await w.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ANN@example.com"')}`)).body.totalResults, 1, 'userName matches without regard to case');

  // The SCIM user is the token's user: externalId carries the sub.
  const first = await w.resolve('00u1ann');
  assert.equal(first.status, 200);
  assert.equal(first.body.user.id, id);
  assert.equal(first.body.user.email, 'ann@example.com');

  const updated = await w.scim('PUT', `/Users/${id}`, { schemas: [USER_SCHEMA], id, userName: 'ann@example.com', externalId: '00u1ann', name: { givenName: 'Annie', familyName: 'Lee' }, emails: [{ primary: true, value: 'annie@example.com', type: 'work' }], active: true });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.equal(updated.body.name.givenName, 'Annie');

  const token = await issuer.mint({ sub: '00u1ann', jti: 'held-token' });
  assert.equal((await w.app.resolve({ token })).status, 200);
  const deactivated = await w.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: false } }));
  assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));
  assert.equal(deactivated.body.active, false);
  const refused = await w.app.resolve({ token });
  assert.equal(refused.status, 401, 'the unexpired token is refused at once');
  assert.equal(refused.body.error.reason, 'deprovisioned');

  const reactivated = await w.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', value: { active: true } }));
  assert.equal(reactivated.body.active, true);
  assert.equal((await w.app.resolve({ token })).status, 200);

  const group = await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Engineering', members: [] });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  const gid = group.body.id as string;
  assert.equal((await w.scim('PATCH', `/Groups/${gid}`, patch({ op: 'add', path: 'members', value: [{ value: id, display: 'ann@example.com' }] }))).status, 200);
  assert.deepEqual((await w.resolve('00u1ann')).body.groups, ['Engineering'], 'a token without the group does not remove what SCIM stated');
  assert.deepEqual((await w.scim('GET', `/Groups/${gid}`)).body.members.map((m: any) => m.value), [id]);

  const renamed = await w.scim('PATCH', `/Groups/${gid}`, patch({ op: 'replace', value: { id: gid, displayName: 'Platform' } }));
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.deepEqual((await w.resolve('00u1ann')).body.groups, ['Platform'], 'a rename shows in resolve answers at once');

  assert.equal((await w.scim('PATCH', `/Groups/${gid}`, patch({ op: 'remove', path: `members[value eq "${id}"]` }))).status, 200);
  assert.deepEqual((await w.resolve('00u1ann')).body.groups, []);
  const old = await issuer.mint({ sub: '00u1ann', groups: ['Platform'], iat: Math.floor(Date.now() / 1000) - 120, jti: 'older' });
  assert.deepEqual((await w.app.resolve({ token: old })).body.groups, [], 'a token issued before the removal does not bring it back');

  assert.equal((await w.scim('DELETE', `/Groups/${gid}`)).status, 204);
  assert.equal((await w.scim('GET', `/Groups/${gid}`)).status, 404);

  const status = await server.api('GET', `${w.adminPath}/status`);
  assert.equal(status.body.users, 1);
  assert.equal(status.body.groups, 0);
  assert.ok(status.body.requests >= 14);
  assert.ok(!JSON.stringify(status.body).includes(w.token));
});

test('Entra ID: capitalised ops, "False" strings, emails[type eq "work"].value, member removal by value, DELETE; groups by filter without members', async () => {
  const w = await scimWorld(server, issuer);
  // A user first seen by a token: the POST that links it answers 201, and they are one record.
  assert.equal((await w.resolve('a1b2c3-object-id')).status, 200);
  const absent = await w.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bo@contoso.com"')}`);
  assert.equal(absent.body.totalResults, 0);
  const created = await w.scim('POST', '/Users', {
    schemas: [USER_SCHEMA, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    externalId: 'a1b2c3-object-id',
    userName: 'bo@contoso.com',
    active: true,
    displayName: 'Bo Diaz',
    emails: [{ primary: true, type: 'work', value: 'bo@contoso.com' }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Bo Diaz', familyName: 'Diaz', givenName: 'Bo' },
    roles: [],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  assert.equal((await w.resolve('a1b2c3-object-id')).body.user.id, id, 'the user resolve created and the SCIM user are one');
  assert.equal((await w.scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "a1b2c3-object-id"')}`)).body.Resources[0].id, id);

  const edited = await w.scim(
    'PATCH',
    `/Users/${id}`,
    patch({ op: 'Replace', path: 'displayName', value: 'Bo D.' }, { op: 'Add', path: 'emails[type eq "work"].value', value: 'bo.diaz@contoso.com' }, { op: 'Replace', path: 'name.givenName', value: 'Bonnie' }),
  );
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.equal(edited.body.emails.find((e: any) => e.type === 'work').value, 'bo.diaz@contoso.com');
  assert.equal((await w.resolve('a1b2c3-object-id')).body.user.email, 'bo.diaz@contoso.com');

  const off = await w.scim('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'False' }));
  assert.equal(off.body.active, false);
  assert.equal((await w.resolve('a1b2c3-object-id')).status, 401);
  assert.equal((await w.scim('PATCH', `/Users/${id}`, patch({ op: 'Replace', path: 'active', value: 'True' }))).body.active, true);
  assert.equal((await w.resolve('a1b2c3-object-id')).status, 200);

  const missing = await w.scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Sales"')}`);
  assert.equal(missing.body.totalResults, 0);
  const group = await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'grp-object-id', displayName: 'Sales', members: [] });
  assert.equal(group.status, 201);
  const gid = group.body.id as string;
  assert.equal((await w.scim('PATCH', `/Groups/${gid}`, patch({ op: 'Add', path: 'members', value: [{ value: id }] }))).status, 200);
  assert.deepEqual((await w.resolve('a1b2c3-object-id')).body.groups, ['Sales']);
  const listed = await w.scim('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Sales"')}`);
  assert.equal(listed.body.Resources[0].id, gid);
  assert.equal(listed.body.Resources[0].members, undefined, 'excludedAttributes=members leaves them out');
  assert.equal((await w.scim('PATCH', `/Groups/${gid}`, patch({ op: 'Remove', path: 'members', value: [{ value: id }] }))).status, 200);
  assert.deepEqual((await w.resolve('a1b2c3-object-id')).body.groups, []);

  assert.equal((await w.scim('DELETE', `/Users/${id}`)).status, 204);
  assert.equal((await w.scim('GET', `/Users/${id}`)).status, 404);
  const gone = await w.resolve('a1b2c3-object-id');
  assert.equal(gone.status, 401, 'a deleted user is deprovisioned');
  assert.equal(gone.body.error.reason, 'deprovisioned');
});

test('Entra ID with groups named by externalId, as its tokens carry object ids', async () => {
  const w = await scimWorld(server, issuer, { group_name_attribute: 'externalId' });
  const user = await w.scim('POST', '/Users', { schemas: [USER_SCHEMA], externalId: 'oid-1', userName: 'cy@contoso.com', active: true });
  const group = await w.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'e5f6-group-oid', displayName: 'Support', members: [{ value: user.body.id }] });
  assert.equal(group.status, 201, JSON.stringify(group.body));
  assert.deepEqual((await w.resolve('oid-1')).body.groups, ['e5f6-group-oid']);
});
