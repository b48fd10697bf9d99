#!/usr/bin/env node
/**
 * Concepts per Flickr8k caption, for the hashtag model's reference sets.
 *
 * Each caption is POS-tagged with `compromise`; its nouns (people, animals, objects, scenes) and
 * main verbs (activities) are lemmatised (compromise's root form: dogs -> dog, running -> run;
 * nouns compromise leaves unlemmatised go through the runtime's own `singular()`), lowercased to
 * `[a-z0-9]`, and filtered by a short list of words that make poor tags (function words, "way",
 * "front", generic verbs such as be/have/look/wear/hold). The training script turns these into
 * reference sets: a concept is in an image's set when at least 2 of its captions mention it.
 *
 * Usage: node build-references.cjs DATASETS_DIR OUT.json
 * Needs `npm run build -w @pixtale/ml` first (it reuses dist/hashtags/keywords.js).
 */
const fs = require('node:fs');
const path = require('node:path');
const nlp = require('compromise');
const { singular, lemmaKey } = require('../../dist/hashtags/keywords.js');

const POOR = new Set(
  `way front top side back middle edge end part piece set lot kind type thing something someone area
  picture photo image view background foreground shot one other others while air day time
  be is are was have has do does look see wear hold get go take make stand sit seem appear try
  let use give put keep start begin show watch face wait each`.split(/\s+/),
);
// Never a hashtag: the list the app reads too (models/hashtags-gan/config.json "blocklist").
const BLOCK = new Set(
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../models/hashtags-gan/config.json'), 'utf8')).blocklist,
);

function concepts(caption) {
  const doc = nlp(caption);
  doc.compute('root');
  const out = [];
  for (const sentence of doc.json({ terms: { normal: true, root: true } })) {
    for (const t of sentence.terms) {
      const tags = new Set(t.tags);
      let lemma = null;
      if (tags.has('Noun') && !tags.has('Pronoun') && !tags.has('Possessive') && !tags.has('Value')) {
        lemma = t.root || singular((t.normal || '').toLowerCase());
      } else if (
        tags.has('Verb') &&
        !tags.has('Copula') &&
        !tags.has('Auxiliary') &&
        !tags.has('Particle') &&
        !tags.has('Modal')
      ) {
        lemma = t.root || (t.normal || '').toLowerCase();
      }
      if (!lemma) continue;
      const word = lemma.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (word.length < 3 || /^\d+$/.test(word) || POOR.has(word) || BLOCK.has(word)) continue;
      if (!out.includes(word)) out.push(word);
    }
  }
  return out;
}

function main() {
  const [datasets, outPath] = process.argv.slice(2);
  if (!datasets || !outPath) {
    console.error('usage: node build-references.cjs DATASETS_DIR OUT.json');
    process.exit(2);
  }
  const rows = fs
    .readFileSync(path.join(datasets, 'flickr8k', 'captions.tsv'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const byImage = {};
  const t0 = Date.now();
  const forms = new Map(); // lemmaKey -> Map(surface form -> count)
  for (const row of rows) {
    const [image, index, caption] = row.split('\t');
    const found = concepts(caption);
    for (const w of found) {
      const key = lemmaKey(w);
      if (!forms.has(key)) forms.set(key, new Map());
      forms.get(key).set(w, (forms.get(key).get(w) ?? 0) + 1);
    }
    (byImage[image] ??= [])[Number(index)] = { caption, concepts: found };
  }
  // Near-duplicates (climb/climbing, stair/stairs) fold onto their most frequent surface form.
  const canonical = new Map();
  for (const [key, counts] of forms) {
    const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1))[0][0];
    canonical.set(key, best);
  }
  for (const caps of Object.values(byImage)) {
    for (const c of caps) c.concepts = [...new Set(c.concepts.map((w) => canonical.get(lemmaKey(w))))];
  }
  fs.writeFileSync(outPath, JSON.stringify(byImage));
  console.log(
    `${rows.length} captions, ${Object.keys(byImage).length} images in ${((Date.now() - t0) / 1000).toFixed(0)}s -> ${outPath}`,
  );
}

main();
