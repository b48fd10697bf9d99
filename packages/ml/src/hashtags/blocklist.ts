import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { repoRoot } from '../env';
import { CaptionerConfigError } from '../errors';

/** The hashtag model's config.json in this repository: the one list the app and training read. */
export const BLOCKLIST_FILE = path.join(repoRoot, 'models', 'hashtags-gan', 'config.json');

export const blocklistSchema = z.array(z.string().regex(/^[a-z0-9]+$/, 'must be a lower-case word')).min(1);

let shipped: ReadonlySet<string> | undefined;

/**
 * Words never suggested, whatever the caption says: `blocklist` in models/hashtags-gan/config.json
 * (also read by the training scripts). Kept short; a moderation model can do better. Read once.
 */
export function shippedBlocklist(): ReadonlySet<string> {
  if (shipped) return shipped;
  let raw: unknown;
  try {
    raw = (JSON.parse(fs.readFileSync(BLOCKLIST_FILE, 'utf8')) as { blocklist?: unknown }).blocklist;
  } catch (err) {
    throw new CaptionerConfigError(`Cannot read the hashtag blocklist from "${BLOCKLIST_FILE}"`, { cause: err });
  }
  const parsed = blocklistSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CaptionerConfigError(`"${BLOCKLIST_FILE}" needs a "blocklist" of words: ${z.prettifyError(parsed.error)}`);
  }
  shipped = new Set(parsed.data);
  return shipped;
}
