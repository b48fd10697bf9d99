import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { JobKind, JobLease, JobRecord, Store } from '../store';
import type { JobQueue, QueueRules } from './job-queue';
import type { JobSignal } from './job-signal';

/** What a handler may do with the job it runs. */
export interface JobContext {
  readonly store: Store;
  readonly log: Logger;
  /**
   * Applies part of the job's result in one store transaction that first checks (and extends)
   * our lease. Throws LeaseLostError, applying nothing, when the lease expired and another worker
   * claimed the job meanwhile.
   */
  apply<T>(fn: (tx: Store, queue: QueueRules) => Promise<T>): Promise<T>;
  /** Like apply, and marks the job DONE in the same transaction: a job's result is applied once. */
  complete<T>(fn?: (tx: Store, queue: QueueRules) => Promise<T>): Promise<T | undefined>;
}

/** What one kind of job does. The worker owns claiming, leases, heartbeats, retries and back-off. */
export interface JobHandler {
  /** Why jobs of this kind cannot run in this process now (e.g. no model): they stay queued. Null when they can. */
  unavailableReason?(): string | null;
  /** Runs the job; the job is DONE when it returns (its result applied through ctx). */
  run(job: JobRecord, ctx: JobContext): Promise<void>;
  /** Errors that would fail the same way every time: no retries. */
  isPermanent?(error: unknown): boolean;
  /** Records a failure in the same transaction as the job's (e.g. the post's caption status). */
  onFailure?(tx: Store, queue: QueueRules, job: JobRecord, failure: { reason: string; final: boolean }): Promise<void>;
}

export class LeaseLostError extends Error {
  constructor(job: JobRecord) {
    super(`The lease on ${job.kind} job ${job.id} expired and the job was claimed again`);
    this.name = 'LeaseLostError';
  }
}

export interface JobWorkerOptions {
  store: Store;
  queue: JobQueue;
  /** Wakes the worker when jobs are queued (here or, with a shared signal, in another process). */
  signal: JobSignal;
  handlers: ReadonlyMap<JobKind, JobHandler>;
  logger: Logger;
  leaseMs: number;
  /** Idle poll interval (jobs whose back-off ended, or queued without a signal). */
  pollMs?: number;
  /** Back-off before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
}

/**
 * The one durable worker for every job kind. Jobs live in the store: PENDING -> PROCESSING
 * (leased, heartbeated) -> DONE, or back to PENDING with back-off, or FAILED with the reason after
 * maxAttempts. One job of each kind runs at a time, kinds side by side (a caption never waits for
 * a translation). A worker killed mid-job (even `kill -9`) stops heartbeating; once its lease
 * expires the job is claimed again, here after a restart or by another worker, and a late result
 * of the dead claim is never applied (every write checks the lease's token).
 */
export class JobWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private readonly busy = new Map<JobKind, Promise<void>>();
  /** The jobs being run, to release on a stop whose grace ran out. */
  private readonly inProgress = new Map<JobKind, JobRecord>();
  private readonly pollMs: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(private readonly o: JobWorkerOptions) {
    this.pollMs = o.pollMs ?? 1000;
    this.backoffMs = o.backoffMs ?? ((n) => Math.min(60_000, 2_000 * 2 ** (n - 1)));
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.stopping = null;
    this.unsubscribe = this.o.signal.subscribe(() => this.wake());
    this.loop = this.run();
  }

  /**
   * Stops claiming and lets the jobs in progress finish, for `graceMs` at most: those still running
   * then are released (PENDING again, this attempt not counted) so another worker takes them at
   * once, and their late results are refused by the lease token. A job cut short without a stop
   * (kill -9) is recovered when its lease expires.
   */
  stop(graceMs = Infinity): Promise<void> {
    this.stopping ??= this.halt(graceMs);
    return this.stopping;
  }

  private async halt(graceMs: number) {
    this.running = false;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.wake();
    if (!this.loop) return;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = Number.isFinite(graceMs) ? new Promise<true>((r) => (timer = setTimeout(() => r(true), graceMs))) : null;
    const finished = this.loop.then(() => false as const);
    const cutShort = graceOver ? await Promise.race([finished, graceOver]) : await finished;
    clearTimeout(timer);
    if (!cutShort) return;
    await Promise.all(
      [...this.inProgress.values()].map(async (job) => {
        const released = await this.o.store.jobs.release(leaseOf(job)).catch(() => false);
        if (released) this.o.logger.info({ jobId: job.id, kind: job.kind }, 'stopping: job released for another worker');
      }),
    );
  }

  wake() {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Claims one runnable job of a kind that can run here and runs it to the end; false when none. */
  async runOnce(): Promise<boolean> {
    const job = await this.claim(this.runnableKinds());
    if (!job) return false;
    await this.process(job);
    return true;
  }

  private runnableKinds(): JobKind[] {
    return [...this.o.handlers].filter(([kind, h]) => !this.busy.has(kind) && !h.unavailableReason?.()).map(([kind]) => kind);
  }

  private claim(kinds: JobKind[]) {
    return this.o.store.jobs.claim(kinds, this.id, new Date(), this.o.leaseMs);
  }

  private async run() {
    while (this.running) {
      let job: JobRecord | null = null;
      try {
        job = await this.claim(this.runnableKinds());
      } catch (e) {
        this.o.logger.error({ err: e }, 'job worker: claim failed');
      }
      if (job && !this.running) {
        await this.o.store.jobs.release(leaseOf(job)).catch(() => undefined); // stopping: give it back untouched
      } else if (job) {
        const { kind } = job;
        this.inProgress.set(kind, job);
        this.busy.set(
          kind,
          this.process(job).finally(() => {
            this.busy.delete(kind);
            this.inProgress.delete(kind);
            this.wake();
          }),
        );
        continue;
      }
      if (this.running) await this.sleep();
    }
    await Promise.all(this.busy.values());
  }

  private async sleep() {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.pollMs);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeUp = null;
    this.woken = false;
  }

  private async process(job: JobRecord) {
    const { store, queue, leaseMs } = this.o;
    const handler = this.o.handlers.get(job.kind)!;
    const lease = leaseOf(job);
    const log = this.o.logger.child({ jobId: job.id, kind: job.kind, postId: job.postId, attempt: job.attempts });
    try {
      if (job.attempts > job.maxAttempts) {
        // Claimed again after repeated crashes mid-job: give up rather than crash-loop.
        await this.fail(
          job,
          handler,
          job.lastError ?? `Worker stopped during this ${job.kind} job ${job.maxAttempts} times`,
          true,
        );
        return;
      }
      let completed = false;
      const ctx: JobContext = {
        store,
        log,
        apply: (fn) =>
          queue.transaction(async (tx, q) => {
            if (!(await tx.jobs.heartbeat(lease, new Date(), leaseMs))) throw new LeaseLostError(job);
            return fn(tx, q);
          }),
        complete: async (fn) => {
          const result = await queue.transaction(async (tx, q) => {
            if (!(await tx.jobs.complete(lease))) throw new LeaseLostError(job);
            return fn?.(tx, q);
          });
          completed = true;
          return result;
        },
      };
      const beat = setInterval(
        () => {
          void store.jobs.heartbeat(lease, new Date(), leaseMs).catch(() => undefined);
        },
        Math.max(1000, Math.floor(leaseMs / 3)),
      );
      try {
        await handler.run(job, ctx);
        if (!completed) await ctx.complete();
      } catch (e) {
        if (e instanceof LeaseLostError) throw e;
        const reason = e instanceof Error ? e.message : String(e);
        const final = handler.isPermanent?.(e) === true || job.attempts >= job.maxAttempts;
        await this.fail(job, handler, reason, final);
        log.warn({ err: e, final }, `${job.kind} job failed`);
      } finally {
        clearInterval(beat);
      }
    } catch (e) {
      if (e instanceof LeaseLostError) log.warn('lease lost to another worker: this result is not applied');
      else log.error({ err: e }, `${job.kind} job: could not record the outcome`);
    }
  }

  /** FAILED for good, or back to PENDING after the back-off; the handler's record in the same transaction. */
  private async fail(job: JobRecord, handler: JobHandler, reason: string, final: boolean) {
    const retryAt = final ? null : new Date(Date.now() + this.backoffMs(job.attempts));
    await this.o.queue.transaction(async (tx, q) => {
      if (!(await tx.jobs.fail(leaseOf(job), reason, retryAt))) throw new LeaseLostError(job);
      await handler.onFailure?.(tx, q, job, { reason, final });
    });
  }
}

function leaseOf(job: JobRecord): JobLease {
  return { id: job.id, token: job.leaseToken! };
}
