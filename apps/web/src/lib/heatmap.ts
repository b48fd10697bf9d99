/**
 * Attention heatmap colours. Weights are one word's attention over the encoder grid
 * (row-major, gridHeight x gridWidth). They are scaled to the word's own maximum so every word
 * shows where it looked most, then mapped to a warm colour ramp with alpha.
 */

const STOPS: Array<[number, [number, number, number]]> = [
  [0, [49, 46, 129]], // indigo
  [0.35, [124, 58, 237]], // violet
  [0.7, [244, 63, 94]], // rose
  [1, [253, 224, 71]], // yellow
];

export function rampColor(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, c1] = STOPS[i]!;
    const [t0, c0] = STOPS[i - 1]!;
    if (t <= t1) {
      const f = (t - t0) / (t1 - t0 || 1);
      return [0, 1, 2].map((k) => Math.round(c0[k]! + (c1[k]! - c0[k]!) * f)) as [number, number, number];
    }
  }
  return STOPS[STOPS.length - 1]![1];
}

/** RGBA pixels (gridWidth x gridHeight) for one word's weights; null when the grid does not match. */
export function heatmapPixels(
  weights: readonly number[],
  gridWidth: number,
  gridHeight: number,
): Uint8ClampedArray<ArrayBuffer> | null {
  const n = gridWidth * gridHeight;
  if (n <= 0 || weights.length !== n) return null;
  let max = 0;
  for (const w of weights) if (Number.isFinite(w) && w > max) max = w;
  const out = new Uint8ClampedArray(new ArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) {
    const w = weights[i] ?? 0;
    const v = max > 0 && Number.isFinite(w) ? w / max : 0;
    const [r, g, b] = rampColor(v);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = Math.round(255 * (0.12 + 0.6 * v));
  }
  return out;
}

/** The grid cell with the most attention, as fractions of width/height (for a text description). */
export function peak(weights: readonly number[], gridWidth: number, gridHeight: number): { x: number; y: number } | null {
  if (weights.length !== gridWidth * gridHeight || weights.length === 0) return null;
  let best = 0;
  for (let i = 1; i < weights.length; i++) if ((weights[i] ?? 0) > (weights[best] ?? 0)) best = i;
  return { x: ((best % gridWidth) + 0.5) / gridWidth, y: (Math.floor(best / gridWidth) + 0.5) / gridHeight };
}

export function describeRegion(p: { x: number; y: number }): string {
  const v = p.y < 1 / 3 ? 'top' : p.y > 2 / 3 ? 'bottom' : 'middle';
  const h = p.x < 1 / 3 ? 'left' : p.x > 2 / 3 ? 'right' : 'centre';
  if (v === 'middle' && h === 'centre') return 'the centre';
  return `the ${v} ${h}`.replace('middle ', '');
}
