'use client';

import { useEffect, useRef, useState } from 'react';
import type { PostDetailFieldsFragment } from '@/graphql/generated/graphql';
import { describeRegion, heatmapPixels, peak } from '@/lib/heatmap';
import { cx } from './ui';

type Attention = NonNullable<PostDetailFieldsFragment['attention']>;

/** Canvas drawn over the image: the active word's attention grid, smoothly upscaled. */
export function AttentionOverlay({ attention, activeIndex }: { attention: Attention; activeIndex: number | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });

  useEffect(() => {
    const el = canvas.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const dpr = Math.min(2, window.devicePixelRatio || 1);
      setSize({ w: Math.round(entry.contentRect.width * dpr), h: Math.round(entry.contentRect.height * dpr) });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    el.width = size.w;
    el.height = size.h;
    ctx.clearRect(0, 0, size.w, size.h);
    const word = activeIndex === null ? undefined : attention.words[activeIndex];
    if (!word || size.w === 0) return;
    const px = heatmapPixels(word.weights, attention.gridWidth, attention.gridHeight);
    if (!px) return;
    const grid = document.createElement('canvas');
    grid.width = attention.gridWidth;
    grid.height = attention.gridHeight;
    grid.getContext('2d')?.putImageData(new ImageData(px, attention.gridWidth, attention.gridHeight), 0, 0);
    ctx.fillStyle = 'rgba(15, 23, 42, 0.25)';
    ctx.fillRect(0, 0, size.w, size.h);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(grid, 0, 0, size.w, size.h);
  }, [attention, activeIndex, size]);

  return (
    <canvas
      ref={canvas}
      aria-hidden
      data-testid="attention-canvas"
      data-active-word={activeIndex ?? ''}
      className={cx(
        'pointer-events-none absolute inset-0 h-full w-full transition-opacity duration-200',
        activeIndex === null ? 'opacity-0' : 'opacity-100',
      )}
    />
  );
}

/**
 * "What the model looked at": one button per word of the model's caption. Hover or focus shows
 * that word's heatmap; a click or tap pins it (press again to clear), so it works by mouse,
 * keyboard and touch.
 */
export function AttentionWords({
  attention,
  activeIndex,
  onActive,
}: {
  attention: Attention;
  activeIndex: number | null;
  onActive: (i: number | null) => void;
}) {
  const [pinned, setPinned] = useState<number | null>(null);
  const active = activeIndex === null ? null : attention.words[activeIndex];
  const where = active ? peak(active.weights, attention.gridWidth, attention.gridHeight) : null;

  return (
    <section aria-labelledby="attention-title" className="rounded-2xl border border-line bg-surface p-4">
      <h2 id="attention-title" className="text-sm font-semibold text-ink">
        What the model looked at
      </h2>
      <p className="mt-0.5 text-sm text-muted">Hover, focus or tap a word of the model’s caption.</p>
      <ul className="mt-3 flex flex-wrap gap-1.5" onMouseLeave={() => onActive(pinned)}>
        {attention.words.map((w, i) => (
          <li key={`${i}-${w.word}`}>
            <button
              type="button"
              aria-pressed={pinned === i}
              data-testid="attention-word"
              onMouseEnter={() => onActive(i)}
              onFocus={() => onActive(i)}
              onBlur={() => onActive(pinned)}
              onClick={() => {
                const next = pinned === i ? null : i;
                setPinned(next);
                onActive(next ?? i);
              }}
              className={cx(
                'min-h-9 rounded-lg border px-2.5 text-sm font-medium transition-colors',
                activeIndex === i
                  ? 'border-brand-700 bg-brand-700 text-white'
                  : 'border-line bg-canvas text-ink hover:border-brand-500',
              )}
            >
              {w.word}
            </button>
          </li>
        ))}
      </ul>
      <p className="mt-2 min-h-5 text-sm text-muted" aria-live="polite">
        {active && where ? `“${active.word}”: the model looked most at ${describeRegion(where)} of the photo.` : ''}
      </p>
    </section>
  );
}
