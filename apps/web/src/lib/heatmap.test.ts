import { describeRegion, heatmapPixels, peak, rampColor } from './heatmap';

describe('heatmap', () => {
  it('maps the ramp ends', () => {
    expect(rampColor(0)).toEqual([49, 46, 129]);
    expect(rampColor(1)).toEqual([253, 224, 71]);
    expect(rampColor(5)).toEqual([253, 224, 71]);
  });

  it('scales each word to its own maximum', () => {
    const px = heatmapPixels([0, 0.1, 0.2, 0.7], 2, 2)!;
    expect(px).toHaveLength(16);
    expect(px[3]).toBe(Math.round(255 * 0.12)); // weight 0 → faint
    expect(px[15]).toBe(Math.round(255 * 0.72)); // max weight → strongest
  });

  it('refuses a grid of the wrong size', () => {
    expect(heatmapPixels([1, 2, 3], 2, 2)).toBeNull();
  });

  it('finds and describes the peak', () => {
    const p = peak([0, 0, 0, 0, 0, 0, 0, 0, 1], 3, 3)!;
    expect(describeRegion(p)).toBe('the bottom right');
    expect(describeRegion(peak([0, 0, 0, 0, 1, 0, 0, 0, 0], 3, 3)!)).toBe('the centre');
    expect(describeRegion(peak([1, 0, 0, 0], 2, 2)!)).toBe('the top left');
  });
});
