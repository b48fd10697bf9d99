import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import { TRANSLATION_LANGUAGES } from '@pixtale/shared';
import type { PubSub } from '../pubsub/pubsub';
import type { Store, TranslationJobRecord } from '../store';
import type { TranslatorProvider } from '../translation/translator';

export interface TranslationWorkerOptions {
  store: Store;
  pubsub: PubSub;
  translator: TranslatorProvider;
  logger: Logger;
  leaseMs: number;
  /** Idle poll interval; `wake()` cuts it short when a caption version is added in this process. */
  pollMs?: number;
  /** Back-off before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
  /** How long a "no model" answer is trusted before the model folder is looked at again. */
  recheckMs?: number;
}

/**
 * Durable translation worker: translates each caption version into every TRANSLATION_LANGUAGE.
 * Jobs live in the store (queued atomically with the caption version), with the caption jobs'
 * lease semantics: a worker killed mid-job (even `kill -9`) loses nothing, the job is claimed
 * again once its lease expires, and languages already stored are not translated twice.
 *
 * Without a trained translation model the worker claims nothing: jobs stay PENDING (so they run
 * once the weights are there), the reason is logged once, and the API works as before.
 */
export class TranslationWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}:tr`;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly recheckMs: number;
  private unavailable: { reason: string | null; at: number } | null = null;
  private loggedReason: string | null = null;

  constructor(private readonly o: TranslationWorkerOptions) {
    this.pollMs = o.pollMs ?? 1000;
    this.backoffMs = o.backoffMs ?? ((n) => Math.min(60_000, 2_000 * 2 ** (n - 1)));
    this.recheckMs = o.recheckMs ?? 30_000;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current job; a job cut short by process exit is recovered by its lease. */
  async stop() {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake() {
    this.wakeUp?.();
  }

  /** Why translations cannot be made now (no model), or null. Logged once per distinct reason. */
  unavailableReason(): string | null {
    const now = Date.now();
    if (!this.unavailable || now - this.unavailable.at >= (this.unavailable.reason ? this.recheckMs : 0)) {
      this.unavailable = { reason: this.o.translator.unavailableReason(), at: now };
    }
    const { reason } = this.unavailable;
    if (reason && reason !== this.loggedReason) {
      this.o.logger.warn({ reason }, 'caption translations are off until a translation model is exported; translation jobs stay queued');
    } else if (!reason && this.loggedReason) {
      this.o.logger.info('translation model found: translating queued captions');
    }
    this.loggedReason = reason;
    return reason;
  }

  /** Claims and processes one job; false when none was runnable (or there is no model). */
  async runOnce(): Promise<boolean> {
    if (this.unavailableReason()) return false;
    const job = await this.o.store.translationJobs.claim(this.id, new Date(), this.o.leaseMs);
    if (!job) return false;
    await this.process(job);
    return true;
  }

  private async run() {
    while (this.running) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (e) {
        this.o.logger.error({ err: e }, 'translation worker loop error');
      }
      if (!worked && this.running) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.pollMs);
          this.wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wakeUp = null;
      }
    }
  }

  private async process(job: TranslationJobRecord) {
    const { store, pubsub, logger } = this.o;
    const log = logger.child({ jobId: job.id, postId: job.postId, captionId: job.captionId, attempt: job.attempts });
    const [caption, post] = await Promise.all([store.captions.findById(job.captionId), store.posts.findById(job.postId)]);
    if (!caption || !post) {
      await store.translationJobs.complete(job.id, this.id); // deleted meanwhile
      return;
    }
    if (post.currentCaptionId !== caption.id) {
      // Edited again before we got to it: versions never go live twice, so only the newest is translated.
      await store.translationJobs.complete(job.id, this.id);
      log.debug('caption version superseded; not translated');
      return;
    }
    if (job.attempts > job.maxAttempts) {
      // Claimed again after repeated crashes mid-job: give up rather than crash-loop.
      await store.translationJobs.fail(job.id, this.id, job.lastError ?? `Worker stopped during translation ${job.maxAttempts} times`, null);
      return;
    }
    const beat = setInterval(() => {
      void store.translationJobs.heartbeat(job.id, this.id, new Date(), this.o.leaseMs).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.o.leaseMs / 3)));
    try {
      const translator = await this.o.translator();
      const done = new Set((await store.translations.listByCaptions([caption.id])).map((t) => t.language));
      for (const language of TRANSLATION_LANGUAGES) {
        if (done.has(language)) continue; // stored before a crash: not translated twice
        if (!translator.languages.includes(language)) {
          log.warn({ language, modelLanguages: translator.languages }, 'the translation model does not translate into this language');
          continue;
        }
        const r = await translator.translate(caption.text, language);
        const text = r.text.trim();
        if (!text) throw new Error(`The translator returned an empty ${language} translation`);
        if (!(await store.translations.save({ captionId: caption.id, language, text, model: translator.modelName }))) break; // post deleted
        log.info({ language, ms: Math.round(r.ms), text }, 'translated');
        pubsub.publish('POST_UPDATED', { postId: post.id }, post.id);
      }
      await store.translationJobs.complete(job.id, this.id);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      // A text the model cannot translate (e.g. only emoji) fails the same way every time: no retries.
      const badText = e instanceof Error && e.name === 'TranslationInputError';
      const final = badText || job.attempts >= job.maxAttempts;
      await store.translationJobs.fail(job.id, this.id, reason, final ? null : new Date(Date.now() + this.backoffMs(job.attempts)));
      log.warn({ err: e, final }, 'translation failed');
    } finally {
      clearInterval(beat);
    }
  }
}
