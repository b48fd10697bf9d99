/** Counts of all n-grams of sizes 1..n, keyed "n|w1 w2 ...". */
export function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i + k <= tokens.length; i++) {
      const key = `${k}|${tokens.slice(i, i + k).join(' ')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export function ngramOrder(key: string): number {
  return Number(key.slice(0, key.indexOf('|')));
}
