import { newId, newLeaseToken } from '../ids';
import type { JobLease, JobRepo, JobStatus } from '../port';
import type { Models } from './models';
import { toJob, type Doc } from './rows';

const NO_LEASE = { leaseOwner: null, leaseToken: null, leaseExpiresAt: null };

export function mongoJobs(m: Models): JobRepo {
  /** Updates a job only while `lease` holds it (PROCESSING, same token); true when it did. */
  async function leased(lease: JobLease, update: Doc) {
    const r = await m.Job.updateOne({ _id: lease.id, leaseToken: lease.token, status: 'PROCESSING' }, update);
    return r.matchedCount === 1;
  }

  return {
    async enqueue({ kind, postId, captionId = null, maxAttempts }) {
      const now = new Date();
      const id = newId(now.getTime());
      await m.Job.create([
        {
          _id: id,
          kind,
          postId,
          captionId,
          status: 'PENDING',
          attempts: 0,
          maxAttempts,
          runAt: now,
          createdAt: now,
          updatedAt: now,
        },
      ]);
      return toJob((await m.Job.findById(id).lean())!);
    },
    async claim(kinds, owner, now, leaseMs) {
      if (kinds.length === 0) return null;
      const d = await m.Job.findOneAndUpdate(
        {
          kind: { $in: kinds },
          $or: [
            { status: 'PENDING', runAt: { $lte: now } },
            { status: 'PROCESSING', leaseExpiresAt: { $lt: now } },
          ],
        },
        {
          $set: {
            status: 'PROCESSING',
            leaseOwner: owner,
            leaseToken: newLeaseToken(),
            leaseExpiresAt: new Date(now.getTime() + leaseMs),
            updatedAt: now,
          },
          $inc: { attempts: 1 },
        },
        { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
      ).lean();
      return d ? toJob(d) : null;
    },
    async heartbeat(lease, now, leaseMs) {
      return leased(lease, { $set: { leaseExpiresAt: new Date(now.getTime() + leaseMs), updatedAt: new Date() } });
    },
    async complete(lease) {
      return leased(lease, { $set: { status: 'DONE', ...NO_LEASE, updatedAt: new Date() } });
    },
    async fail(lease, error, retryAt) {
      const set: Doc = { status: retryAt ? 'PENDING' : 'FAILED', lastError: error, ...NO_LEASE, updatedAt: new Date() };
      if (retryAt) set.runAt = retryAt;
      return leased(lease, { $set: set });
    },
    async release(lease) {
      return leased(lease, { $set: { status: 'PENDING', ...NO_LEASE, updatedAt: new Date() }, $inc: { attempts: -1 } });
    },
    async findByPost(postId, kind) {
      return (
        await m.Job.find(kind ? { postId, kind } : { postId })
          .sort({ createdAt: 1, _id: 1 })
          .lean()
      ).map(toJob);
    },
    async findByCaptions(captionIds) {
      if (captionIds.length === 0) return [];
      return (
        await m.Job.find({ captionId: { $in: captionIds } })
          .sort({ createdAt: 1, _id: 1 })
          .lean()
      ).map(toJob);
    },
    async countByStatus(kind) {
      const out: Record<JobStatus, number> = { PENDING: 0, PROCESSING: 0, DONE: 0, FAILED: 0 };
      const match = kind ? [{ $match: { kind } }] : [];
      for (const r of await m.Job.aggregate<{ _id: JobStatus; n: number }>([
        ...match,
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ])) {
        out[r._id] = r.n;
      }
      return out;
    },
  };
}
