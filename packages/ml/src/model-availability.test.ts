import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultModelsDir } from './env';
import { modelAvailability } from './model-availability';

// Copies a model layout of empty files, then takes files away one at a time: each gap gets its reason.
describe('modelAvailability', () => {
  let dir: string;
  const touch = (rel: string, text = '') => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-avail-'));
    touch('captioner-att-lstm/config.json', JSON.stringify({ encoder: 'encoder-small' }));
    for (const f of ['init.onnx', 'step.onnx', 'vocab.json']) touch(`captioner-att-lstm/${f}`);
    for (const f of ['config.json', 'preprocessor_config.json', 'encoder.onnx']) touch(`encoder-small/${f}`);
    for (const f of ['config.json', 'bpe.json', 'encoder.onnx', 'decoder.onnx']) touch(`translate-multi30k/${f}`);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds the shipped models in the repo', () => {
    const shipped = modelAvailability(defaultModelsDir());
    expect(shipped.caption).toEqual({ model: 'captioner-att-lstm', available: true, reason: null });
    expect(shipped.translation).toEqual({ model: 'translate-multi30k', available: true, reason: null });
  });

  it('accepts a complete layout', () => {
    expect(modelAvailability(dir)).toEqual({
      caption: { model: 'captioner-att-lstm', available: true, reason: null },
      translation: { model: 'translate-multi30k', available: true, reason: null },
    });
  });

  it('says why when the folder is missing or empty', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-avail-empty-'));
    try {
      for (const d of [empty, path.join(empty, 'nope')]) {
        const a = modelAvailability(d);
        expect(a.caption).toMatchObject({ available: false, reason: `no trained model in ${d} (set PIXTALE_MODELS_DIR)` });
        expect(a.translation.reason).toBe(
          `no trained translation model in ${path.join(d, 'translate-multi30k')} (missing config.json, bpe.json, encoder.onnx, decoder.onnx; export one or set PIXTALE_MODELS_DIR)`,
        );
      }
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('names a missing ensemble member', () => {
    touch('captioner-att-lstm/config.json', JSON.stringify({ encoder: 'encoder-small', generation: { ensemble: ['second'] } }));
    expect(modelAvailability(dir).caption.reason).toBe(
      `ensemble member ${path.join(dir, 'captioner-second')} of captioner-att-lstm is incomplete (missing config.json, init.onnx, step.onnx, vocab.json)`,
    );
    for (const f of ['config.json', 'init.onnx', 'step.onnx', 'vocab.json']) touch(`captioner-second/${f}`);
    expect(modelAvailability(dir).caption).toMatchObject({ available: true, reason: null });
  });

  it('names the missing caption model, weights or encoder', () => {
    expect(modelAvailability(dir, { captionModel: 'gru' }).caption.reason).toBe(
      `no trained caption model (models/captioner-*) in ${dir} yet`,
    );
    fs.rmSync(path.join(dir, 'encoder-small/encoder.onnx'));
    expect(modelAvailability(dir).caption.reason).toBe(
      `the encoder of captioner-att-lstm is missing from ${path.join(dir, 'encoder-small')} (encoder.onnx)`,
    );
    fs.rmSync(path.join(dir, 'captioner-att-lstm/step.onnx'));
    expect(modelAvailability(dir).caption.reason).toBe(
      `caption model ${path.join(dir, 'captioner-att-lstm')} is incomplete (missing step.onnx)`,
    );
    expect(modelAvailability(dir).translation.available).toBe(true);
  });

  it('names the translation files that are missing', () => {
    fs.rmSync(path.join(dir, 'translate-multi30k/decoder.onnx'));
    expect(modelAvailability(dir).translation).toMatchObject({
      available: false,
      reason: expect.stringContaining('missing decoder.onnx;'),
    });
  });
});
