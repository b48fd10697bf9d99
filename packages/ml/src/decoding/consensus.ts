import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CaptionerConfigError } from '../errors';
import { CiderDScorer, type CiderVector } from '../metrics/cider';
import { tokenizeCaption } from '../metrics/tokenize';

/** `neighbours.json` beside a caption model: the training images' captions, in the order of neighbours.bin. */
const neighboursMetaSchema = z.object({
  /** The encoder whose vectors neighbours.bin holds (indexes built before it was recorded: absent). */
  encoder: z.string().optional(),
  featureDim: z.number().int().positive(),
  count: z.number().int().positive(),
  captions: z.array(z.array(z.string()).min(1)),
});

const META = 'neighbours.json';
const loaded = new Map<string, NeighbourConsensus>();
const VECTORS = 'neighbours.bin';

/**
 * Consensus re-ranking with nearest neighbours (Devlin et al. 2015, "Exploring Nearest Neighbor
 * Approaches for Image Captioning"): the training images whose pooled encoder features are
 * closest (cosine) to the photo's vote, through their human captions, for the beam candidate
 * that agrees with them most (CIDEr-D, with document frequencies over all training images),
 * plus `modelWeight` times the decoder's own score. It pulls the choice away from the safe
 * sentence the decoder falls back to when it is unsure, towards what people wrote for similar photos.
 *
 * neighbours.bin: per training image a float32 scale, then featureDim int8 components of its
 * L2-normalised mean-region vector (vector = scale * int8); made by training/build-neighbours.cjs.
 */
export class NeighbourConsensus {
  private readonly scorer: CiderDScorer;
  private readonly tokenized: string[][][];
  private readonly vectors = new Map<number, CiderVector[]>();

  private constructor(
    readonly featureDim: number,
    private readonly scales: Float32Array,
    private readonly components: Int8Array,
    captions: string[][],
  ) {
    this.tokenized = captions.map((refs) => refs.map(tokenizeCaption));
    this.scorer = new CiderDScorer(this.tokenized);
  }

  /**
   * The index beside a caption model, or null when the model has none. Loaded once per process
   * and shared by its captioners (reading and tokenising the captions takes about a second).
   */
  static load(modelDir: string, featureDim: number, encoder?: string): NeighbourConsensus | null {
    const metaPath = path.join(modelDir, META);
    if (!fs.existsSync(metaPath)) return null;
    const stamps = [metaPath, path.join(modelDir, VECTORS)].map((f) => {
      const st = fs.statSync(f, { throwIfNoEntry: false });
      return st ? `${st.mtimeMs}:${st.size}` : 'missing';
    });
    const key = `${path.resolve(metaPath)}|${stamps.join('|')}|${featureDim}|${encoder ?? ''}`;
    let index = loaded.get(key);
    if (!index) {
      index = NeighbourConsensus.read(modelDir, metaPath, featureDim, encoder);
      loaded.set(key, index);
    }
    return index;
  }

  private static read(modelDir: string, metaPath: string, featureDim: number, encoder?: string): NeighbourConsensus {
    const parsed = neighboursMetaSchema.safeParse(JSON.parse(fs.readFileSync(metaPath, 'utf8')));
    if (!parsed.success)
      throw new CaptionerConfigError(`"${metaPath}" is not a neighbour index: ${z.prettifyError(parsed.error)}`);
    const meta = parsed.data;
    // Two encoders can share a feature size and mean different things (a base and its fine-tuned copy).
    if (encoder !== undefined && meta.encoder !== undefined && meta.encoder !== encoder) {
      throw new CaptionerConfigError(
        `"${modelDir}": the neighbour index holds ${meta.encoder}'s vectors, the captioner reads ${encoder}'s ` +
          "(rebuild it with training/build-neighbours.cjs from that encoder's feature cache)",
      );
    }
    const bin = fs.readFileSync(path.join(modelDir, VECTORS));
    const expected = meta.count * 4 + meta.count * meta.featureDim;
    if (meta.featureDim !== featureDim || meta.captions.length !== meta.count || bin.length !== expected) {
      throw new CaptionerConfigError(
        `"${modelDir}": the neighbour index does not match (featureDim ${meta.featureDim} vs the encoder's ${featureDim}, ` +
          `${meta.captions.length} caption sets, ${bin.length} bytes for ${meta.count} images; rebuild it)`,
      );
    }
    const scales = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + meta.count * 4));
    const components = new Int8Array(bin.buffer.slice(bin.byteOffset + meta.count * 4, bin.byteOffset + bin.length));
    return new NeighbourConsensus(meta.featureDim, scales, components, meta.captions);
  }

  /** Indices of the k training images most similar (cosine) to the image vector, closest first. */
  nearest(imageVector: Float32Array, k: number): number[] {
    const dim = this.featureDim;
    const count = this.scales.length;
    const top: { i: number; s: number }[] = [];
    for (let i = 0; i < count; i++) {
      let dot = 0;
      const off = i * dim;
      for (let d = 0; d < dim; d++) dot += imageVector[d]! * this.components[off + d]!;
      const s = dot * this.scales[i]!;
      if (top.length < k || s > top[top.length - 1]!.s) {
        let j = top.length < k ? top.length : top.length - 1;
        while (j > 0 && top[j - 1]!.s < s) j--;
        top.splice(j, 0, { i, s });
        if (top.length > k) top.pop();
      }
    }
    return top.map((t) => t.i);
  }

  /**
   * The candidates reordered by consensus + modelWeight * score, best first (stable). Each gets its
   * consensus score; an empty or zero-k call returns them as they are.
   */
  rerank<T extends { text: string; score: number }>(
    candidates: readonly T[],
    imageVector: Float32Array,
    opts: { neighbours: number; modelWeight: number },
  ): (T & { consensus: number })[] {
    if (opts.neighbours <= 0 || candidates.length === 0) return candidates.map((c) => ({ ...c, consensus: 0 }));
    const references = this.nearest(imageVector, opts.neighbours).flatMap((i) => this.referenceVectors(i));
    return candidates
      .map((c, order) => {
        const consensus = this.scorer.score(this.scorer.vector(tokenizeCaption(c.text)), references);
        return { c: { ...c, consensus }, order, total: consensus + opts.modelWeight * c.score };
      })
      .sort((a, b) => b.total - a.total || a.order - b.order)
      .map((r) => r.c);
  }

  private referenceVectors(image: number): CiderVector[] {
    let vectors = this.vectors.get(image);
    if (!vectors) {
      vectors = this.tokenized[image]!.map((t) => this.scorer.vector(t));
      this.vectors.set(image, vectors);
    }
    return vectors;
  }
}
