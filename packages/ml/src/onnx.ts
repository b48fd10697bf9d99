import fs from 'node:fs';
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { CaptionerConfigError } from './errors';

export interface SessionOptions {
  /** Intra-op threads; default: all cores. */
  threads?: number;
}

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** Loads one ONNX file on the CPU, checking it declares the inputs and outputs the contract names. */
export async function loadSession(
  file: string,
  io: { inputs: readonly string[]; outputs: readonly string[] },
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  if (!fs.existsSync(file)) {
    throw new CaptionerConfigError(`Model file not found at "${file}" (re-export the model or set PIXTALE_MODELS_DIR)`);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      intraOpNumThreads: options.threads ?? defaultThreads(),
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: on a CPU shared with other work spinning
      // burns cycles others need (measured: 2 threads used 2.2x the CPU of 1 thread per caption).
      extra: { session: { intra_op: { allow_spinning: options.threads === 1 ? '1' : '0' } } },
    });
  } catch (err) {
    throw new CaptionerConfigError(`Cannot load ONNX model "${file}": ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const missingIn = io.inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = io.outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    await session.release();
    throw new CaptionerConfigError(
      `ONNX model "${file}" does not follow the contract: missing inputs [${missingIn.join(', ')}] outputs [${missingOut.join(', ')}] ` +
        `(has inputs [${session.inputNames.join(', ')}], outputs [${session.outputNames.join(', ')}])`,
    );
  }
  return session;
}

export function float32(tensor: ort.Tensor | undefined, name: string): Float32Array {
  if (!tensor || tensor.type !== 'float32') throw new Error(`ONNX output "${name}" is missing or not float32`);
  return tensor.data as Float32Array;
}

export { ort };
