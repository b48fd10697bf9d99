import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Decoder } from './decoder';

// The training pipeline, smoke-tested end to end: training/smoke_test.py trains the real
// train_captioner.py for one epoch on a tiny synthetic dataset, exports it with export_decoder.py
// and writes PyTorch's log-probabilities; the TypeScript runtime must give the same.
const training = path.resolve(__dirname, '..', 'training');
const probe = spawnSync('python3', ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
const reason =
  probe.status === 0
    ? null
    : `python3 with training/requirements.txt is not installed (pip install --retries 0 --timeout 2 -r packages/ml/training/requirements.txt)`;
if (reason) console.warn(`training smoke test skipped: ${reason}`);

(reason ? test.skip : test)(
  `${reason ? `PENDING (${reason}): ` : ''}one tiny batch trained and exported: onnxruntime gives PyTorch's log-probabilities`,
  async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pixtale-train-smoke-'));
    try {
      const run = spawnSync('python3', ['smoke_test.py', out], { cwd: training, encoding: 'utf8', timeout: 240_000 });
      expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
      const reference = JSON.parse(fs.readFileSync(path.join(out, 'reference.json'), 'utf8')) as {
        tokens: number[];
        logprobs: number[][][];
      };
      const raw = fs.readFileSync(path.join(out, 'features.f32'));
      const features = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
      const decoder = await Decoder.load(path.join(out, 'model'), { gridSize: 64, featureDim: 480 }, { threads: 1 });
      try {
        let state = await decoder.start(features, 2);
        let worst = 0;
        for (const [i, token] of reference.tokens.entries()) {
          const step = await decoder.step(Int32Array.from([token, token]), state);
          state = step.state;
          const expected = reference.logprobs[i]!.flat();
          expect(step.logprobs.length).toBe(expected.length);
          expected.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - step.logprobs[k]!))));
        }
        expect(worst).toBeLessThan(1e-4);
      } finally {
        await decoder.dispose();
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  },
  300_000,
);
