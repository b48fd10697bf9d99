import type Database from 'better-sqlite3';
import type { TranslationRepo } from '../port';
import { placeholders, toTranslation, type Row } from './rows';

export function sqliteTranslations(db: Database.Database): TranslationRepo {
  return {
    async save({ captionId, language, text, model }) {
      return db.transaction(() => {
        const c = db.prepare('SELECT post_id FROM caption_versions WHERE id = ?').get(captionId) as Row | undefined;
        if (!c) return null;
        const now = Date.now();
        db.prepare(
          `INSERT INTO caption_translations (caption_id, post_id, language, text, model, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (caption_id, language) DO UPDATE SET text = excluded.text, model = excluded.model, created_at = excluded.created_at`,
        ).run(captionId, c.post_id, language, text, model, now);
        return toTranslation(
          db.prepare('SELECT * FROM caption_translations WHERE caption_id = ? AND language = ?').get(captionId, language) as Row,
        );
      })();
    },
    async listByCaptions(captionIds) {
      if (captionIds.length === 0) return [];
      return (
        db
          .prepare(
            `SELECT * FROM caption_translations WHERE caption_id IN (${placeholders(captionIds.length)}) ORDER BY caption_id, language`,
          )
          .all(...captionIds) as Row[]
      ).map(toTranslation);
    },
  };
}
