import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { CaptionerProvider } from '../caption/captioner';
import type { MediaService } from '../media/media.service';
import type { PubSub } from '../pubsub/pubsub';
import type { CaptionJobRecord, Store } from '../store';

export interface CaptionWorkerOptions {
  store: Store;
  pubsub: PubSub;
  media: MediaService;
  captioner: CaptionerProvider;
  logger: Logger;
  leaseMs: number;
  /** Idle poll interval; `wake()` cuts it short when a job is queued in this process. */
  pollMs?: number;
  /** Back-off before retry n (1-based). */
  backoffMs?: (attempt: number) => number;
}

/**
 * Durable caption worker. Jobs live in the store: PENDING -> PROCESSING (leased, heartbeated)
 * -> DONE, or back to PENDING with back-off, or FAILED with the reason after maxAttempts.
 * A worker killed mid-job (even `kill -9`) stops heartbeating; once its lease expires the
 * job is claimed again, by this process after a restart or by another instance.
 */
export class CaptionWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private readonly pollMs: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(private readonly o: CaptionWorkerOptions) {
    this.pollMs = o.pollMs ?? 1000;
    this.backoffMs = o.backoffMs ?? ((n) => Math.min(60_000, 2_000 * 2 ** (n - 1)));
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

  /** Claims and processes one job; false when none was runnable. */
  async runOnce(): Promise<boolean> {
    const job = await this.o.store.jobs.claim(this.id, new Date(), this.o.leaseMs);
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
        this.o.logger.error({ err: e }, 'caption worker loop error');
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

  private async process(job: CaptionJobRecord) {
    const { store, pubsub, logger } = this.o;
    const log = logger.child({ jobId: job.id, postId: job.postId, attempt: job.attempts });
    const post = await store.posts.findById(job.postId);
    if (!post) {
      await store.jobs.complete(job.id, this.id);
      return;
    }
    if (job.attempts > job.maxAttempts) {
      // Claimed again after repeated crashes mid-job: give up rather than crash-loop.
      const reason = job.lastError ?? `Worker stopped during captioning ${job.maxAttempts} times`;
      await store.jobs.fail(job.id, this.id, reason, null);
      await store.posts.setCaptionStatus(post.id, 'FAILED', reason);
      pubsub.publish('POST_UPDATED', { postId: post.id }, post.id);
      return;
    }
    await store.posts.setCaptionStatus(post.id, 'PROCESSING');
    pubsub.publish('POST_UPDATED', { postId: post.id }, post.id);

    const beat = setInterval(() => {
      void store.jobs.heartbeat(job.id, this.id, new Date(), this.o.leaseMs).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.o.leaseMs / 3)));
    try {
      const captioner = await this.o.captioner();
      const result = await captioner.caption(this.o.media.pathOf(post.image.detailJpeg), { beamSize: 3, alternatives: 3 });
      const caption = result.caption.trim();
      if (!caption) throw new Error('The captioner returned an empty caption');
      // The other beams, best first, with their scores (the captioner's length-normalised log-probs).
      const suggestions = result.alternatives
        .map((a) => ({ text: a.text.trim(), score: a.score }))
        .filter((s, i, all) => s.text && s.text !== caption && all.findIndex((x) => x.text === s.text) === i);
      // Hashtags follow the live caption: the author's own when they wrote one (at upload, or an edit meanwhile).
      const liveId = (await store.posts.findById(post.id))?.currentCaptionId;
      const live = liveId ? await store.captions.findById(liveId) : null;
      const hashtags = live ? await captioner.suggestHashtags(this.o.media.pathOf(post.image.detailJpeg), live.text) : result.hashtags;
      await store.posts.applyCaptionResult(post.id, {
        caption,
        suggestions,
        hashtags,
        attention: result.attention,
        model: captioner.modelName,
      });
      await store.jobs.complete(job.id, this.id);
      log.info({ ms: result.timings.totalMs, caption }, 'captioned');
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const final = job.attempts >= job.maxAttempts;
      const retryAt = final ? null : new Date(Date.now() + this.backoffMs(job.attempts));
      await store.jobs.fail(job.id, this.id, reason, retryAt);
      await store.posts.setCaptionStatus(post.id, final ? 'FAILED' : 'PENDING', reason);
      log.warn({ err: e, final }, 'captioning failed');
    } finally {
      clearInterval(beat);
    }
    pubsub.publish('POST_UPDATED', { postId: post.id }, post.id);
  }
}
