import type Database from 'better-sqlite3';

/**
 * Makes `db.prepare(sql)` return one compiled statement per SQL text instead of compiling the
 * SQL again on every call (compiling was about a tenth of a feed request's CPU).
 *
 * Safe for how the store uses statements: `get`, `all` and `run` only. A cached statement is
 * shared, so the store must not call `iterate()` (holds it busy) or the mode setters `bind()`,
 * `pluck()`, `raw()`, `expand()`, `safeIntegers()` (they would change it for every caller);
 * a test checks the store's source for them. Bounded: after `max` distinct texts (IN lists of
 * new lengths), further texts are compiled per call as before.
 */
export function cacheStatements(db: Database.Database, max = 2000): Database.Database {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = compile(sql);
      if (cache.size < max) cache.set(sql, st);
    }
    return st;
  };
  db.prepare = prepare as typeof db.prepare;
  return db;
}
