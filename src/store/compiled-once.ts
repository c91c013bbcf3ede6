// Queries of a fixed shape, built and compiled by Kysely once per database and then run with new
// values. Kysely builds an immutable tree for every query and compiles it to SQL on every call: on
// resolution's write path the user's read cost more in building than SQLite took to run it (the
// profile in the README). Only for queries whose SQL cannot depend on their values: every value
// is a bound parameter, none is a list whose length changes the SQL.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema.js';

type Slot = { arg: number } | { value: unknown };

/**
 * `build` with markers in place of its arguments, compiled once; each call then binds the
 * arguments where the markers were. The statement is Kysely's own, so its dialect and plugins apply.
 */
export function compiledOnce<A extends string[], R>(build: (db: Kysely<Database>, ...args: A) => Compilable<R>): (db: Kysely<Database>, ...args: A) => Promise<R[]> {
  // Per database (a transaction is one too): the dialect decides the SQL.
  const compiled = new WeakMap<Kysely<Database>, { sql: string; slots: Slot[] }>();
  const compile = (db: Kysely<Database>, arity: number) => {
    const markers = Array.from({ length: arity }, (_, i) => `\u0000alter-arg-${i}\u0000`);
    const query = build(db, ...(markers as A)).compile();
    const slots = query.parameters.map((p): Slot => (markers.includes(p as string) ? { arg: markers.indexOf(p as string) } : { value: p }));
    for (let i = 0; i < arity; i++) if (!slots.some((s) => 'arg' in s && s.arg === i)) throw new Error(`compiledOnce: argument ${i} is not a bound parameter of ${query.sql}`);
    return { sql: query.sql, slots };
  };
  return async (db, ...args) => {
    let query = compiled.get(db);
    if (!query) compiled.set(db, (query = compile(db, args.length)));
    const parameters = query.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return (await db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters))).rows;
  };
}
