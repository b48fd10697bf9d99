import fs from 'node:fs';
import path from 'node:path';
import { Encoder } from './encoder';
import { preprocess } from './preprocess';
import { describeWithDatasets, flickrImagesDir, requireModel } from './testing/fixtures';

// The shipped encoder (fine-tuned with the caption loss: its fixtures come from the training path,
// the cached stem through the tuned blocks in PyTorch), the one it was tuned from, and the earlier
// one kept for comparison and the runtime benchmark.
const ENCODERS = ['encoder-centernet-mobilenetv3-ft', 'encoder-centernet-mobilenetv3', 'encoder-inception-v3-mixed5'];

describe.each(ENCODERS)('%s model files', (name) => {
  it('is committed with its configs', () => {
    const dir = requireModel(name);
    expect(fs.existsSync(path.join(dir, 'encoder.onnx'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'preprocessor_config.json'))).toBe(true);
  });
});

for (const ENCODER of ENCODERS) {
  describeWithDatasets(`${ENCODER} features: runtime vs the training cache`, () => {
    const fixturesDir = path.join(__dirname, '__fixtures__', 'training-features', ENCODER);
    let encoder: Encoder;
    beforeAll(async () => {
      encoder = await Encoder.load(requireModel(ENCODER), { threads: 1 });
    });
    afterAll(async () => {
      await encoder?.dispose();
    });

    const fixtures = fs.existsSync(fixturesDir) ? fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.jpg.f32')) : [];

    it('has training-feature fixtures to compare against', () => {
      expect(fixtures.length).toBeGreaterThan(0);
    });

    it.each(fixtures)(
      '%s: runtime preprocessing + encoder.onnx match the cached training features within 1e-4',
      async (fixture) => {
        const image = path.join(flickrImagesDir, fixture.replace(/\.f32$/, ''));
        const pre = await preprocess(image, encoder.preprocessor);
        const features = await encoder.run([pre.pixels]);
        const buf = fs.readFileSync(path.join(fixturesDir, fixture));
        const expected = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
        expect(features.length).toBe(encoder.featureSize);
        expect(expected.length).toBe(features.length);
        let maxDiff = 0;
        for (let i = 0; i < features.length; i++) maxDiff = Math.max(maxDiff, Math.abs(features[i]! - expected[i]!));
        expect(maxDiff).toBeLessThan(1e-4);
      },
    );

    it('gives the same features for an image alone and inside a batch', async () => {
      const files = fixtures.map((f) => path.join(flickrImagesDir, f.replace(/\.f32$/, '')));
      const pre = await Promise.all(files.map((f) => preprocess(f, encoder.preprocessor)));
      const batch = await encoder.run(pre.map((p) => p.pixels));
      const alone = await encoder.run([pre[1]!.pixels]);
      const second = batch.subarray(encoder.featureSize, 2 * encoder.featureSize);
      let maxDiff = 0;
      for (let i = 0; i < alone.length; i++) maxDiff = Math.max(maxDiff, Math.abs(alone[i]! - second[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    });
  });
}
