import path from 'node:path';
import { loadEncoderConfig, loadPreprocessorConfig, type EncoderConfig, type PreprocessorConfig } from './model-config';
import { float32, loadSession, ort, type SessionOptions } from './onnx';

/** The CNN encoder: uint8 pixels [N, size, size, 3] → float32 features [N, L, D], L = grid cells. */
export class Encoder {
  private constructor(
    readonly dir: string,
    readonly config: EncoderConfig,
    readonly preprocessor: PreprocessorConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  static async load(dir: string, options: SessionOptions = {}): Promise<Encoder> {
    const config = loadEncoderConfig(dir);
    const preprocessor = loadPreprocessorConfig(dir);
    const session = await loadSession(path.join(dir, 'encoder.onnx'), { inputs: ['pixels'], outputs: ['features'] }, options);
    return new Encoder(dir, config, preprocessor, session);
  }

  /** Grid cells per image (L). */
  get gridSize(): number {
    return this.config.gridHeight * this.config.gridWidth;
  }

  /** Floats per image in the feature output (L x D). */
  get featureSize(): number {
    return this.gridSize * this.config.featureDim;
  }

  /** Runs the encoder on `images` preprocessed images (each size x size x 3 uint8). */
  async run(images: readonly Uint8Array[]): Promise<Float32Array> {
    const { size } = this.preprocessor;
    const per = size * size * 3;
    const pixels = new Uint8Array(images.length * per);
    images.forEach((img, i) => {
      if (img.length !== per) throw new Error(`encoder input ${i} has ${img.length} bytes, expected ${per}`);
      pixels.set(img, i * per);
    });
    const out = await this.session.run({ pixels: new ort.Tensor('uint8', pixels, [images.length, size, size, 3]) });
    const features = float32(out.features, 'features');
    const dims = out.features!.dims;
    if (dims[0] !== images.length || dims[1] !== this.gridSize || dims[2] !== this.config.featureDim) {
      throw new Error(
        `encoder returned features [${dims.join(', ')}], config.json says [${images.length}, ${this.gridSize}, ${this.config.featureDim}]`,
      );
    }
    return features;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
