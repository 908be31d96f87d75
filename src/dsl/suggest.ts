// "Did you mean" for misspelt keys, step kinds and names: edit distance over the
// candidates that are close enough to be a plausible typo. Pure; imports nothing.

/** Damerau-Levenshtein distance (adjacent transpositions count as one edit). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within 40% of the word's length (at least 1 edit, case-insensitive), if any. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.round(lower.length * 0.4));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance && distance <= limit) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) {
    // `snapshot` for `instance.snapshot`, `max-parallel` for `max_parallel`: same word, other dress.
    const bare = (s: string) => s.toLowerCase().replace(/[-_.]/g, '');
    best = candidates.find(
      (c) => bare(c) === bare(word) || (bare(word).length >= 4 && bare(c).endsWith(bare(word))),
    );
  }
  return best;
}

/** `; did you mean 'retry'?` or an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = suggest(word, candidates);
  return best === undefined ? '' : `; did you mean '${best}'?`;
}
