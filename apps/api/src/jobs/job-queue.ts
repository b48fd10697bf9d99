import type { JobKind, Store } from '../store';
import type { JobSignal } from './job-signal';

/** Attempts of a translation job before it is FAILED. */
export const TRANSLATION_JOB_MAX_ATTEMPTS = 3;

/** The rules that queue jobs, and what to do after commit: given to a JobQueue.transaction's function. */
export interface QueueRules {
  /** Every new post, and every retry of a failed caption, queues a caption job. */
  queueCaption(postId: string): Promise<void>;
  /** Every new caption version (the model's, one given at upload, every edit) queues its translation. */
  queueTranslation(version: { id: string; postId: string }): Promise<void>;
  /** Runs `fn` once the transaction has committed (publishing events); never when it rolls back. */
  afterCommit(fn: () => void): void;
}

/**
 * Where services queue jobs: in the same store transaction as the writes that call for them
 * (no caption version without its translation job, even after a crash), then wakes the workers
 * through the JobSignal once that transaction has committed.
 */
export class JobQueue {
  constructor(private readonly o: { store: Store; signal: JobSignal; captionMaxAttempts: number }) {}

  /** Runs `fn` in one store transaction (see Store.transaction); not to be nested. */
  async transaction<T>(fn: (tx: Store, queue: QueueRules) => Promise<T>): Promise<T> {
    let after: (() => void)[] = [];
    const enqueue = async (tx: Store, kind: JobKind, postId: string, captionId: string | null, maxAttempts: number) => {
      await tx.jobs.enqueue({ kind, postId, captionId, maxAttempts });
      after.push(() => this.o.signal.notify(kind));
    };
    const result = await this.o.store.transaction((tx) => {
      after = []; // MongoDB may run fn again after a transient conflict
      return fn(tx, {
        queueCaption: (postId) => enqueue(tx, 'caption', postId, null, this.o.captionMaxAttempts),
        queueTranslation: (v) => enqueue(tx, 'translation', v.postId, v.id, TRANSLATION_JOB_MAX_ATTEMPTS),
        afterCommit: (f) => void after.push(f),
      });
    });
    for (const f of after) f();
    return result;
  }
}
