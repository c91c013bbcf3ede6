// SCIM filters as SQL conditions, so that a look-up such as `userName eq "ann@example.com"` is an
// indexed query rather than a scan of every user in memory. Each supported attribute maps to one
// column; userName and emails compare without regard to case (RFC 7643: caseExact false).
import { sql, type Expression, type SqlBool } from 'kysely';
import { ScimError } from './errors.js';
import type { Filter } from './filter.js';

interface Column {
  ref: string;
  /** Compared lower-cased on both sides. */
  caseless: boolean;
}

type Compare = Extract<Filter, { kind: 'compare' }>;

const USER_COLUMNS: Record<string, Column> = {
  id: { ref: 'u.id', caseless: false },
  userName: { ref: 's.user_name_key', caseless: true },
  externalId: { ref: 's.external_id', caseless: false },
  'emails.value': { ref: 'u.email', caseless: true },
  displayName: { ref: 'u.name', caseless: false },
  'meta.lastModified': { ref: 's.updated_at', caseless: false },
};

const GROUP_COLUMNS: Record<string, Column> = {
  id: { ref: 'g.id', caseless: false },
  displayName: { ref: 'sg.display_name', caseless: false },
  externalId: { ref: 'sg.external_id', caseless: false },
  'meta.lastModified': { ref: 'sg.updated_at', caseless: false },
};

const SQL_OP = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = value.replace(/[\\%_]/g, (c) => `\\${c}`);
  return op === 'co' ? `%${escaped}%` : op === 'sw' ? `${escaped}%` : `%${escaped}`;
}

function compareColumn(column: Column, f: Compare): Expression<SqlBool> {
  if (f.value === null) {
    if (f.op === 'eq') return sql<SqlBool>`${sql.ref(column.ref)} is null`;
    if (f.op === 'ne') return sql<SqlBool>`${sql.ref(column.ref)} is not null`;
    throw new ScimError(400, 'invalidFilter', `${f.attribute} ${f.op} null: only eq and ne compare with null`);
  }
  if (typeof f.value !== 'string') throw new ScimError(400, 'invalidFilter', `${f.attribute}: compare with a string`);
  const target = column.caseless ? sql`lower(${sql.ref(column.ref)})` : sql.ref(column.ref);
  const value = column.caseless ? f.value.toLowerCase() : f.value;
  if (f.op === 'co' || f.op === 'sw' || f.op === 'ew') return sql<SqlBool>`${target} like ${likePattern(f.op, value)} escape '\\'`;
  return sql<SqlBool>`${target} ${sql.raw(SQL_OP[f.op])} ${value}`;
}

function translate(f: Filter, leaf: (f: Exclude<Filter, { kind: 'and' | 'or' | 'not' }>) => Expression<SqlBool>): Expression<SqlBool> {
  switch (f.kind) {
    case 'and':
      return sql<SqlBool>`(${translate(f.left, leaf)} and ${translate(f.right, leaf)})`;
    case 'or':
      return sql<SqlBool>`(${translate(f.left, leaf)} or ${translate(f.right, leaf)})`;
    case 'not':
      return sql<SqlBool>`not (${translate(f.filter, leaf)})`;
    default:
      return leaf(f);
  }
}

function presentOr(columns: Record<string, Column>, f: Exclude<Filter, { kind: 'and' | 'or' | 'not' }>, special: (f: Compare) => Expression<SqlBool> | null): Expression<SqlBool> {
  const column = columns[f.attribute];
  if (f.kind === 'present') {
    if (!column) throw new ScimError(400, 'invalidFilter', `filtering on ${f.attribute} is not supported`);
    return sql<SqlBool>`${sql.ref(column.ref)} is not null`;
  }
  const handled = special(f);
  if (handled) return handled;
  if (!column) throw new ScimError(400, 'invalidFilter', `filtering on ${f.attribute} is not supported`);
  return compareColumn(column, f);
}

/** For a query over users `u` joined to scim_users `s`. */
export function userFilterSql(filter: Filter): Expression<SqlBool> {
  return translate(filter, (f) =>
    presentOr(USER_COLUMNS, f, (c) => {
      if (c.attribute !== 'active') return null;
      if (typeof c.value !== 'boolean' || (c.op !== 'eq' && c.op !== 'ne')) throw new ScimError(400, 'invalidFilter', 'active: compare with true or false using eq or ne');
      const active = c.op === 'eq' ? c.value : !c.value;
      return active ? sql<SqlBool>`u.status = 'active'` : sql<SqlBool>`u.status <> 'active'`;
    }),
  );
}

/** For a query over groups `g` joined to scim_groups `sg`. */
export function groupFilterSql(filter: Filter): Expression<SqlBool> {
  return translate(filter, (f) =>
    presentOr(GROUP_COLUMNS, f, (c) => {
      if (c.attribute !== 'members.value') return null;
      if (c.op !== 'eq' || typeof c.value !== 'string') throw new ScimError(400, 'invalidFilter', 'members.value: only eq with a string');
      return sql<SqlBool>`exists (select 1 from memberships m where m.group_id = g.id and m.user_id = ${c.value})`;
    }),
  );
}
