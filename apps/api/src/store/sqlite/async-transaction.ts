import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

type AsyncFn = (...args: never[]) => Promise<unknown>;

/**
 * Async transactions on better-sqlite3's one synchronous connection. Its own `db.transaction()`
 * takes a synchronous function; the store's `transaction(fn)` takes an async one, and while `fn`
 * awaits, other requests' store calls would run inside the open transaction (and be rolled back
 * with it). So while a transaction is open, store calls from outside it wait until it ends; calls
 * made inside it (traced with AsyncLocalStorage) go straight through, and nested transactions
 * join it. Each wait re-checks and then calls in the same tick, so nothing slips in between.
 */
export function asyncTransactions(db: Database.Database) {
  const inside = new AsyncLocalStorage<true>();
  let open: Promise<void> | null = null;
  const mustWait = () => open !== null && inside.getStore() !== true;

  return {
    /** `f`, waiting while someone else's transaction is open (no cost when none is). */
    gate<F extends AsyncFn>(f: F): F {
      const waiting = async (...args: Parameters<F>) => {
        while (mustWait()) await open;
        return f(...args);
      };
      return ((...args: Parameters<F>) => (mustWait() ? waiting(...args) : f(...args))) as F;
    },

    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (inside.getStore()) return fn();
      while (mustWait()) await open;
      let done!: () => void;
      open = new Promise<void>((resolve) => (done = resolve));
      try {
        db.exec('BEGIN IMMEDIATE');
        const result = await inside.run(true, fn);
        db.exec('COMMIT');
        return result;
      } catch (e) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      } finally {
        open = null;
        done();
      }
    },
  };
}
