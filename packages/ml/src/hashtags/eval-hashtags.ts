#!/usr/bin/env node
/**
 * Compares hashtag generators on a Flickr8k split and prints JSON metrics.
 *   npm run -s eval:hashtags -- [--split dev] [--runs packages/ml/training/hashtags/runs] [--model hashtags-gan]
 *                               [--generated captions.jsonl]
 * Needs the training artefacts of training/hashtags (concepts.json from build-references.cjs,
 * vectors.f32/json from image_vectors.py). Without --generated, caption 0 of each image stands in
 * for the generated caption; references come from the other four captions ("leaveOneOut", the
 * honest setting) and from all five ("allFive", the definition, which contains the input
 * caption). With --generated (the output of `npm run -s caption -- --json` over the split's
 * images), the captioner's caption and alternatives are the input, as in the product, and all five
 * human captions are the references ("generated").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDatasetsDir, repoRoot } from '../env';
import { hashtagMetrics, referenceSet, type CaptionConcepts } from './evaluate';
import { keywordHashtags } from './keywords';
import { createHashtagger } from './model';

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      split: { type: 'string', default: 'dev' },
      runs: { type: 'string', default: path.join(repoRoot, 'packages', 'ml', 'training', 'hashtags', 'runs') },
      model: { type: 'string', default: 'hashtags-gan' },
      'models-dir': { type: 'string' },
      generated: { type: 'string' },
    },
  });
  const runs = path.resolve(values.runs);
  const conceptsFile = path.join(runs, 'concepts.json');
  if (!fs.existsSync(conceptsFile)) {
    console.error(
      `"${conceptsFile}" not found: run training/hashtags/build-references.cjs and image_vectors.py first (see models/hashtags-gan/README.md)`,
    );
    return 2;
  }
  const concepts = JSON.parse(fs.readFileSync(conceptsFile, 'utf8')) as Record<string, CaptionConcepts[]>;
  const meta = JSON.parse(fs.readFileSync(path.join(runs, 'vectors.json'), 'utf8')) as { names: string[]; dim: number };
  const buf = fs.readFileSync(path.join(runs, 'vectors.f32'));
  const vectors = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const row = new Map(meta.names.map((n, i) => [n, i]));
  const splitFile = path.join(defaultDatasetsDir(), 'flickr8k', 'splits', `${values.split}.txt`);
  const images = fs
    .readFileSync(splitFile, 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

  const generated = values.generated ? readGeneratedCaptions(values.generated) : undefined;
  const missing = generated ? images.filter((im) => !generated.has(im)) : [];
  if (missing.length) {
    console.error(`${missing.length} images of the split have no caption in "${values.generated}" (first: ${missing[0]})`);
    return 2;
  }

  const model = await createHashtagger({ model: values.model, modelsDir: values['models-dir'] });
  const out: Record<string, unknown> = { split: values.split, images: images.length, model: values.model };
  const preds: Record<string, string[][]> = {
    keywords: [],
    model: [],
    modelCaptionOnly: [],
    modelOutput: [],
    keywordsOutput: [],
  };
  let ms = 0;
  for (const im of images) {
    const { caption, alternatives } = generated?.get(im) ?? { caption: concepts[im]![0]!.caption, alternatives: [] };
    const r = row.get(im)!;
    const imageVector = vectors.subarray(r * meta.dim, (r + 1) * meta.dim);
    const kw = keywordHashtags({ caption, alternatives });
    preds.keywords!.push(kw);
    preds.keywordsOutput!.push(kw);
    preds.model!.push((await model.rank({ caption, alternatives, imageVector }, 5)).map((t) => t.tag));
    preds.modelCaptionOnly!.push((await model.rank({ caption, alternatives }, 5)).map((t) => t.tag));
    const t0 = performance.now();
    preds.modelOutput!.push(await model.generate({ caption, alternatives, imageVector }));
    ms += performance.now() - t0;
  }
  await model.dispose();
  const refs = generated
    ? { generated: images.map((im) => referenceSet(concepts[im]!)) }
    : {
        leaveOneOut: images.map((im) => referenceSet(concepts[im]!.slice(1))),
        allFive: images.map((im) => referenceSet(concepts[im]!)),
      };
  for (const [refName, ref] of Object.entries(refs)) {
    out[refName] = Object.fromEntries(
      ['keywords', 'model', 'modelCaptionOnly'].map((k) => [k, hashtagMetrics(preds[k]!, ref, 5)]),
    );
  }
  const sizes = (lists: string[][]) => lists.reduce((s, l) => s + l.length, 0) / lists.length;
  out.output = {
    modelMeanTags: sizes(preds.modelOutput!),
    modelDistinct: new Set(preds.modelOutput!.flat()).size,
    keywordsMeanTags: sizes(preds.keywordsOutput!),
    keywordsDistinct: new Set(preds.keywordsOutput!.flat()).size,
    modelMsPerImage: ms / images.length,
  };
  console.log(JSON.stringify(out, null, 2));
  return 0;
}

/** Reads `caption --json` lines into image file name → { caption, alternatives }; error lines are skipped. */
function readGeneratedCaptions(file: string): Map<string, { caption: string; alternatives: string[] }> {
  const out = new Map<string, { caption: string; alternatives: string[] }>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { image: string; caption?: string; alternatives?: { text: string }[] };
    if (r.caption)
      out.set(path.basename(r.image), { caption: r.caption, alternatives: (r.alternatives ?? []).map((a) => a.text) });
  }
  return out;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
