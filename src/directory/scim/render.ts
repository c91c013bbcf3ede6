// SCIM resources as the clients read them (RFC 7643): Users, Groups, ListResponse, and the three
// discovery documents that say what this service provider supports.
import type { ScimGroup } from './groups.js';
import type { ScimUser } from './users.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export const MAX_PAGE = 1000;

export function userResource(u: ScimUser, baseUrl: string): Record<string, unknown> {
  const f = u.fields;
  return {
    schemas: [USER_SCHEMA],
    id: u.user.id,
    ...(f.externalId !== null ? { externalId: f.externalId } : {}),
    userName: u.scim.user_name,
    name: { ...(f.givenName !== null ? { givenName: f.givenName } : {}), ...(f.familyName !== null ? { familyName: f.familyName } : {}), ...(f.formatted !== null ? { formatted: f.formatted } : {}) },
    ...(f.displayName !== null ? { displayName: f.displayName } : {}),
    emails: f.emails.map((e) => ({ value: e.value, ...(e.type !== null ? { type: e.type } : {}), primary: e.primary })),
    active: u.user.status === 'active',
    meta: { resourceType: 'User', created: u.scim.created_at, lastModified: u.scim.updated_at, location: `${baseUrl}/Users/${u.user.id}` },
  };
}

export function groupResource(g: ScimGroup, baseUrl: string, withMembers = true): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.group.id,
    displayName: g.scim.display_name,
    ...(g.scim.external_id !== null ? { externalId: g.scim.external_id } : {}),
    ...(withMembers ? { members: g.members.map((m) => ({ value: m.id, ...(m.display !== null ? { display: m.display } : {}), $ref: `${baseUrl}/Users/${m.id}` })) } : {}),
    meta: { resourceType: 'Group', created: g.scim.created_at, lastModified: g.scim.updated_at, location: `${baseUrl}/Groups/${g.group.id}` },
  };
}

export function listResponse(resources: Array<Record<string, unknown>>, total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

export function serviceProviderConfig(baseUrl: string): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'The token printed by `alter idp scim enable` (alter_scim_…)', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Array<Record<string, unknown>> {
  return [
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'User', name: 'User', endpoint: '/Users', schema: USER_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` } },
    { schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'], id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` } },
  ];
}

const attr = (name: string, type: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra });

export function schemas(baseUrl: string): Array<Record<string, unknown>> {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA,
      name: 'User',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('name', 'complex', { subAttributes: [attr('givenName', 'string'), attr('familyName', 'string'), attr('formatted', 'string')] }),
        attr('displayName', 'string'),
        attr('emails', 'complex', { multiValued: true, subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')] }),
        attr('active', 'boolean'),
        attr('externalId', 'string', { caseExact: true }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: GROUP_SCHEMA,
      name: 'Group',
      attributes: [
        attr('displayName', 'string', { required: true, uniqueness: 'server' }),
        attr('members', 'complex', { multiValued: true, subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string', { mutability: 'readOnly' })] }),
        attr('externalId', 'string', { caseExact: true }),
      ],
      meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}
