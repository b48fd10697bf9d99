import { EventEmitter } from 'node:events';
import type { JobKind } from '../store';

/**
 * How workers hear that jobs were queued, so they start at once instead of at their next poll.
 * The store stays the source of truth: a lost signal only delays a job until that poll. The
 * default is in-process; a shared implementation (e.g. Redis pub/sub) wakes workers in other
 * processes behind the same interface.
 */
export interface JobSignal {
  /** Jobs of `kind` were queued (called once the transaction that queued them has committed). */
  notify(kind: JobKind): void;
  /** Calls `listener` on every notify; returns the function that unsubscribes it. */
  subscribe(listener: (kind: JobKind) => void): () => void;
}

export function createInProcessJobSignal(): JobSignal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    notify(kind) {
      emitter.emit('queued', kind);
    },
    subscribe(listener) {
      emitter.on('queued', listener);
      return () => emitter.off('queued', listener);
    },
  };
}
