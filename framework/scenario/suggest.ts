// "Did you mean …?" hints for misspelled names and fields.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) { best = candidate; bestDistance = distance; }
  }
  return best;
}

/** "; did you mean 'x'?" or "; declared: a, b, c" (short lists only), for appending to a message. */
export function hint(word: string, list: readonly string[], noun = "declared"): string {
  const candidates = [...new Set(list)];
  const near = closest(word, candidates);
  if (near) return `; did you mean '${near}'?`;
  if (candidates.length === 0) return `; none are ${noun}`;
  const shown = candidates.slice(0, 8).join(", ");
  return `; ${noun}: ${shown}${candidates.length > 8 ? `, … (${candidates.length} in all)` : ""}`;
}
