import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CaptionerConfigError } from './errors';

/** `encoder-NAME/preprocessor_config.json`: how pixels are prepared for the encoder graph. */
export const preprocessorConfigSchema = z.object({
  size: z.number().int().positive(),
  channels: z.literal(3),
  resize: z.literal('fill'),
  /**
   * When set, an upload with a longer side than this (the training images' long side) is first
   * reduced to it, aspect kept, before the squash to `size`. Measured and not set in the shipped
   * encoder (captioner card, "Large uploads"): it lowered agreement with the photo's own caption.
   */
  sourceLongSide: z.number().int().positive().optional(),
});
export type PreprocessorConfig = z.infer<typeof preprocessorConfigSchema>;

/** `encoder-NAME/config.json`: shape of the feature grid the encoder emits. */
export const encoderConfigSchema = z.object({
  gridHeight: z.number().int().positive(),
  gridWidth: z.number().int().positive(),
  featureDim: z.number().int().positive(),
});
export type EncoderConfig = z.infer<typeof encoderConfigSchema>;

/**
 * `captioner-NAME/config.json` "generation": how the model is decoded as shipped (tuned with it).
 * Callers may override per captioner or per call; code falls back only when a key is absent.
 */
export const generationConfigSchema = z
  .object({
    beamSize: z.number().int().min(1).max(20).optional(),
    alternatives: z.number().int().min(0).max(20).optional(),
    lengthPenalty: z.number().min(0).max(5).optional(),
    noRepeatNgramSize: z.number().int().min(0).max(10).optional(),
    /** Consensus re-ranking (decoding/consensus.ts): how many nearest training images vote; 0 = off. */
    consensusNeighbours: z.number().int().min(0).max(500).optional(),
    /** ... and the weight of the decoder's own score beside their agreement. */
    consensusModelWeight: z.number().min(0).max(100).optional(),
    /**
     * Other captioner folders (siblings in the models folder, same encoder and vocabulary) whose
     * decoders join this one in beam search, probabilities averaged (decoding/ensemble.ts); [] = alone.
     */
    ensemble: z
      .array(z.string().regex(/^[A-Za-z0-9._-]+$/))
      .max(4)
      .optional(),
  })
  .strict();
export type GenerationConfig = z.infer<typeof generationConfigSchema>;

/** `captioner-NAME/config.json`: decoder architecture, special token ids and generation settings. */
export const decoderConfigSchema = z.object({
  architecture: z.enum(['att-lstm', 'lstm', 'gru']),
  encoder: z.string().min(1),
  hiddenSize: z.number().int().positive(),
  bos: z.number().int().nonnegative(),
  eos: z.number().int().nonnegative(),
  pad: z.number().int().nonnegative(),
  unk: z.number().int().nonnegative(),
  maxLength: z.number().int().positive(),
  generation: generationConfigSchema.optional(),
});
export type DecoderConfig = z.infer<typeof decoderConfigSchema>;

export const vocabSchema = z.array(z.string()).min(5);

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CaptionerConfigError(`Model file missing: "${file}" (re-export the model or check the models folder)`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CaptionerConfigError(`Model file "${file}" is not valid JSON`, { cause: err });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CaptionerConfigError(`Model file "${file}" is malformed: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export function loadPreprocessorConfig(encoderDir: string): PreprocessorConfig {
  return readJson(path.join(encoderDir, 'preprocessor_config.json'), preprocessorConfigSchema);
}

export function loadEncoderConfig(encoderDir: string): EncoderConfig {
  return readJson(path.join(encoderDir, 'config.json'), encoderConfigSchema);
}

export function loadDecoderConfig(decoderDir: string): DecoderConfig {
  return readJson(path.join(decoderDir, 'config.json'), decoderConfigSchema);
}

/** `captioner-NAME/vocab.json`: array of tokens, index = id. */
export function loadVocab(decoderDir: string): string[] {
  return readJson(path.join(decoderDir, 'vocab.json'), vocabSchema);
}
