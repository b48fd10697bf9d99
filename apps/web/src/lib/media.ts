/** Image URLs from the API may be absolute or relative to the API's origin. */
export function mediaUrl(url: string, apiUrl: string): string {
  try {
    return new URL(url, apiUrl).toString();
  } catch {
    return url;
  }
}

/** The text used as an image's `alt`: the current caption, or a neutral note while it is being written. */
export function altText(caption: string | null | undefined, status: string): string {
  if (caption && caption.trim()) return caption;
  if (status === 'FAILED') return 'Photo without a caption';
  return 'Photo (caption being written)';
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en', { notation: n >= 10_000 ? 'compact' : 'standard' }).format(n);
}

export function timeAgo(iso: string, now = Date.now()): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 7) return `${d} d ago`;
  return new Date(t).toLocaleDateString('en', { month: 'short', day: 'numeric', year: 'numeric' });
}
