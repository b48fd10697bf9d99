import type { CaptionerProvider } from '../caption/captioner';
import type { MediaService } from '../media/media.service';
import type { PubSub } from '../pubsub/pubsub';
import type { JobHandler } from './job.worker';

/**
 * Caption jobs: the real captioner's caption (version 1, source MODEL, unless the author wrote
 * one), its beam alternatives, hashtags for the live caption, and the attention map. The post's
 * captionStatus follows the job (PROCESSING, READY, PENDING with the reason while retrying,
 * FAILED), each change published as postUpdated.
 */
export function captionJobHandler(o: { pubsub: PubSub; media: MediaService; captioner: CaptionerProvider }): JobHandler {
  const published = (postId: string) => () => o.pubsub.publish('POST_UPDATED', { postId }, postId);
  return {
    async run(job, ctx) {
      const post = await ctx.store.posts.findById(job.postId);
      if (!post) return; // deleted meanwhile
      await ctx.apply(async (tx, q) => {
        await tx.posts.setCaptionStatus(post.id, 'PROCESSING');
        q.afterCommit(published(post.id));
      });
      const captioner = await o.captioner();
      const image = o.media.pathOf(post.image.detailJpeg);
      // Beam size and alternatives as the model ships them (its config.json "generation").
      const result = await captioner.caption(image);
      const caption = result.caption.trim();
      if (!caption) throw new Error('The captioner returned an empty caption');
      // The other beams, best first, with their scores (the captioner's length-normalised log-probs).
      const suggestions = result.alternatives
        .map((a) => ({ text: a.text.trim(), score: a.score }))
        .filter((s, i, all) => s.text && s.text !== caption && all.findIndex((x) => x.text === s.text) === i);
      // Hashtags follow the live caption: the author's own when they wrote one (at upload, or an edit meanwhile).
      const liveId = (await ctx.store.posts.findById(post.id))?.currentCaptionId;
      const live = liveId ? await ctx.store.captions.findById(liveId) : null;
      const hashtags = live ? await captioner.suggestHashtags(image, live.text) : result.hashtags;
      await ctx.complete(async (tx, q) => {
        const applied = await tx.posts.applyCaptionResult(post.id, {
          caption,
          suggestions,
          hashtags,
          attention: result.attention,
          model: captioner.modelName,
        });
        if (applied?.addedVersion) await q.queueTranslation(applied.addedVersion);
        q.afterCommit(published(post.id));
      });
      ctx.log.info({ ms: result.timings.totalMs, caption }, 'captioned');
    },
    async onFailure(tx, q, job, { reason, final }) {
      await tx.posts.setCaptionStatus(job.postId, final ? 'FAILED' : 'PENDING', reason);
      q.afterCommit(published(job.postId));
    },
  };
}
