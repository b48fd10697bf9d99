import type Database from 'better-sqlite3';
import { newId, newLeaseToken } from '../ids';
import type { JobRepo, JobStatus } from '../port';
import { placeholders, toJob, type Row } from './rows';

const NO_LEASE = 'lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL';

export function sqliteJobs(db: Database.Database): JobRepo {
  /** Updates a job only while `lease` holds it (PROCESSING, same token); true when it did. */
  const leased = (lease: { id: string; token: string }, set: string, ...args: unknown[]) =>
    db
      .prepare(`UPDATE jobs SET ${set}, updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'PROCESSING'`)
      .run(...args, Date.now(), lease.id, lease.token).changes === 1;

  return {
    async enqueue({ kind, postId, captionId = null, maxAttempts }) {
      const now = Date.now();
      const id = newId(now);
      db.prepare(
        `INSERT INTO jobs (id, kind, post_id, caption_id, status, attempts, max_attempts, run_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?, ?, ?)`,
      ).run(id, kind, postId, captionId, maxAttempts, now, now, now);
      return toJob(db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as Row);
    },
    async claim(kinds, owner, now, leaseMs) {
      if (kinds.length === 0) return null;
      const t = now.getTime();
      return db
        .transaction(() => {
          const r = db
            .prepare(
              `SELECT id FROM jobs WHERE kind IN (${placeholders(kinds.length)})
                 AND ((status = 'PENDING' AND run_at <= ?) OR (status = 'PROCESSING' AND lease_expires_at < ?))
               ORDER BY created_at, id LIMIT 1`,
            )
            .get(...kinds, t, t) as Row | undefined;
          if (!r) return null;
          db.prepare(
            `UPDATE jobs SET status = 'PROCESSING', attempts = attempts + 1, lease_owner = ?, lease_token = ?,
               lease_expires_at = ?, updated_at = ? WHERE id = ?`,
          ).run(owner, newLeaseToken(), t + leaseMs, t, r.id);
          return toJob(db.prepare('SELECT * FROM jobs WHERE id = ?').get(r.id) as Row);
        })
        .immediate();
    },
    async heartbeat(lease, now, leaseMs) {
      return leased(lease, 'lease_expires_at = ?', now.getTime() + leaseMs);
    },
    async complete(lease) {
      return leased(lease, `status = 'DONE', ${NO_LEASE}`);
    },
    async fail(lease, error, retryAt) {
      return leased(
        lease,
        `status = ?, last_error = ?, run_at = COALESCE(?, run_at), ${NO_LEASE}`,
        retryAt ? 'PENDING' : 'FAILED',
        error,
        retryAt ? retryAt.getTime() : null,
      );
    },
    async release(lease) {
      return leased(lease, `status = 'PENDING', attempts = MAX(attempts - 1, 0), ${NO_LEASE}`);
    },
    async findByPost(postId, kind) {
      const rows = kind
        ? db.prepare('SELECT * FROM jobs WHERE post_id = ? AND kind = ? ORDER BY created_at, id').all(postId, kind)
        : db.prepare('SELECT * FROM jobs WHERE post_id = ? ORDER BY created_at, id').all(postId);
      return (rows as Row[]).map(toJob);
    },
    async findByCaptions(captionIds) {
      if (captionIds.length === 0) return [];
      return (
        db
          .prepare(`SELECT * FROM jobs WHERE caption_id IN (${placeholders(captionIds.length)}) ORDER BY created_at, id`)
          .all(...captionIds) as Row[]
      ).map(toJob);
    },
    async countByStatus(kind) {
      const out: Record<JobStatus, number> = { PENDING: 0, PROCESSING: 0, DONE: 0, FAILED: 0 };
      const rows = kind
        ? db.prepare('SELECT status, COUNT(*) AS n FROM jobs WHERE kind = ? GROUP BY status').all(kind)
        : db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all();
      for (const r of rows as Row[]) out[r.status as JobStatus] = r.n as number;
      return out;
    },
  };
}
