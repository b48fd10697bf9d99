import fs from 'node:fs';
import path from 'node:path';

/** The caption model `createCaptioner` loads when none is named. */
export const DEFAULT_MODEL = 'captioner-att-lstm';
/** The translation model `createTranslator` loads when none is named. */
export const DEFAULT_TRANSLATION_MODEL = 'translate-multi30k';

/** Whether one model can be loaded from the models folder; `reason` says why not. */
export interface ModelStatus {
  model: string;
  available: boolean;
  reason: string | null;
}

export interface ModelAvailability {
  caption: ModelStatus;
  translation: ModelStatus;
}

export interface ModelAvailabilityOptions {
  /** Caption model folder (default `captioner-att-lstm`). */
  captionModel?: string;
  /** Translation model folder (default `translate-multi30k`). */
  translationModel?: string;
}

/**
 * Which caption and translation models in `modelsDir` are present with every file their loader
 * reads, and why not when they are not. Only looks at files (no onnxruntime), so callers can ask
 * cheaply before loading, e.g. to say why a test or a feature is unavailable.
 */
export function modelAvailability(modelsDir: string, options: ModelAvailabilityOptions = {}): ModelAvailability {
  return {
    caption: captionStatus(modelsDir, options.captionModel ?? DEFAULT_MODEL),
    translation: translationStatus(modelsDir, options.translationModel ?? DEFAULT_TRANSLATION_MODEL),
  };
}

function status(model: string, reason: string | null): ModelStatus {
  return { model, available: reason === null, reason };
}

function missingFiles(dir: string, files: readonly string[]): string[] {
  return files.filter((f) => !fs.existsSync(path.join(dir, f)));
}

function captionStatus(modelsDir: string, name: string): ModelStatus {
  const model = name.startsWith('captioner-') ? name : `captioner-${name}`;
  const entries = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir).filter((f) => !f.startsWith('.')) : [];
  if (entries.length === 0) return status(model, `no trained model in ${modelsDir} (set PIXTALE_MODELS_DIR)`);
  const dir = path.join(modelsDir, model);
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    return status(model, `no trained caption model (models/captioner-*) in ${modelsDir} yet`);
  }
  const missing = missingFiles(dir, ['init.onnx', 'step.onnx', 'vocab.json']);
  if (missing.length) return status(model, `caption model ${dir} is incomplete (missing ${missing.join(', ')})`);
  let config: { encoder?: unknown; generation?: { ensemble?: unknown } };
  try {
    config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as typeof config;
  } catch (e) {
    return status(model, `${dir}/config.json is not valid JSON (${(e as Error).message})`);
  }
  const { encoder } = config;
  if (typeof encoder !== 'string') return status(model, `${dir}/config.json does not name its encoder`);
  const ensemble = Array.isArray(config.generation?.ensemble) ? (config.generation.ensemble as unknown[]) : [];
  for (const member of ensemble.map(String)) {
    // As createCaptioner resolves it: "NAME" means captioner-NAME, else a folder called NAME.
    const prefixed = path.join(modelsDir, member.startsWith('captioner-') ? member : `captioner-${member}`);
    const bare = path.join(modelsDir, member);
    const memberDir = !fs.existsSync(prefixed) && fs.existsSync(path.join(bare, 'config.json')) ? bare : prefixed;
    const memberMissing = missingFiles(memberDir, ['config.json', 'init.onnx', 'step.onnx', 'vocab.json']);
    if (memberMissing.length) {
      return status(model, `ensemble member ${memberDir} of ${model} is incomplete (missing ${memberMissing.join(', ')})`);
    }
  }
  const encoderDir = path.join(modelsDir, encoder.startsWith('encoder-') ? encoder : `encoder-${encoder}`);
  const encoderMissing = missingFiles(encoderDir, ['config.json', 'preprocessor_config.json', 'encoder.onnx']);
  if (encoderMissing.length) {
    return status(model, `the encoder of ${model} is missing from ${encoderDir} (${encoderMissing.join(', ')})`);
  }
  return status(model, null);
}

function translationStatus(modelsDir: string, model: string): ModelStatus {
  const dir = path.join(modelsDir, model);
  const missing = missingFiles(dir, ['config.json', 'bpe.json', 'encoder.onnx', 'decoder.onnx']);
  if (missing.length) {
    return status(
      model,
      `no trained translation model in ${dir} (missing ${missing.join(', ')}; export one or set PIXTALE_MODELS_DIR)`,
    );
  }
  return status(model, null);
}
