import type { Logger } from 'pino';
import { TRANSLATION_LANGUAGES } from '@pixtale/shared';
import type { PubSub } from '../pubsub/pubsub';
import type { TranslatorProvider } from '../translation/translator';
import type { JobHandler } from './job.worker';

/**
 * Translation jobs: one caption version into every TRANSLATION_LANGUAGE, each language stored
 * (and published as postUpdated) as soon as it is made, so a job resumed after a crash does not
 * redo stored languages. Versions superseded by an edit before their turn are skipped. A translation
 * the model flags as low-confidence is withheld (not stored): that language stays missing for the
 * version, the job still ends DONE.
 *
 * Without a trained translation model nothing is claimed: jobs stay PENDING (so they run once the
 * weights are there; the folder is looked at again every `recheckMs`), the reason is logged once.
 */
export function translationJobHandler(o: { pubsub: PubSub; translator: TranslatorProvider; logger: Logger; recheckMs?: number }) {
  const recheckMs = o.recheckMs ?? 30_000;
  let checked: { reason: string | null; at: number } | null = null;
  let loggedReason: string | null = null;

  const handler = {
    /** Why translations cannot be made now (no model), or null. Logged once per distinct reason. */
    unavailableReason(): string | null {
      const now = Date.now();
      // While there is no model the folder is looked at every recheckMs; while there is one, every time (cheap).
      if (!checked || now - checked.at >= (checked.reason ? recheckMs : 0))
        checked = { reason: o.translator.unavailableReason(), at: now };
      const { reason } = checked;
      if (reason && reason !== loggedReason) {
        o.logger.warn(
          { reason },
          'caption translations are off until a translation model is exported; translation jobs stay queued',
        );
      } else if (!reason && loggedReason) {
        o.logger.info('translation model found: translating queued captions');
      }
      loggedReason = reason;
      return reason;
    },

    async run(job, ctx) {
      const [caption, post] = await Promise.all([
        ctx.store.captions.findById(job.captionId!),
        ctx.store.posts.findById(job.postId),
      ]);
      if (!caption || !post) return; // deleted meanwhile
      if (post.currentCaptionId !== caption.id) {
        // Edited again before we got to it: versions never go live twice, so only the newest is translated.
        ctx.log.debug('caption version superseded; not translated');
        return;
      }
      const translator = await o.translator();
      const done = new Set((await ctx.store.translations.listByCaptions([caption.id])).map((t) => t.language));
      for (const language of TRANSLATION_LANGUAGES) {
        if (done.has(language)) continue; // stored before a crash: not translated twice
        if (!translator.languages.includes(language)) {
          ctx.log.warn(
            { language, modelLanguages: translator.languages },
            'the translation model does not translate into this language',
          );
          continue;
        }
        const r = await translator.translate(caption.text, language);
        if (r.lowConfidence) {
          // Likely gibberish (a question or chat unlike the captions the model learnt from): not
          // published. Other readers see the caption as written; the next version is tried afresh.
          ctx.log.info({ language, confidence: r.confidence }, 'translation withheld: the model is not confident in it');
          continue;
        }
        const text = r.text.trim();
        if (!text) throw new Error(`The translator returned an empty ${language} translation`);
        const saved = await ctx.apply(async (tx, q) => {
          const t = await tx.translations.save({ captionId: caption.id, language, text, model: translator.modelName });
          if (t) q.afterCommit(() => o.pubsub.publish('POST_UPDATED', { postId: post.id }, post.id));
          return t;
        });
        if (!saved) return; // post deleted
        ctx.log.info({ language, ms: Math.round(r.ms), text }, 'translated');
      }
      // DONE, and one more postUpdated once it is: translationStatus turns READY with the job, and a
      // caption whose every language was withheld has published nothing before.
      await ctx.complete(async (_tx, q) => q.afterCommit(() => o.pubsub.publish('POST_UPDATED', { postId: post.id }, post.id)));
    },

    /** A text the model cannot translate (e.g. only emoji) fails the same way every time: no retries. */
    isPermanent: (e) => e instanceof Error && e.name === 'TranslationInputError',
  } satisfies JobHandler;
  return handler;
}
