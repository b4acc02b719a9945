// The HTML report's wording of counts, durations and times, in the browser (inlined by index.ts
// beside reportClient(), like the other *-client.ts modules: no imports or constants at run time).

/** `1 cell`, `1,024 cells`, `3 mismatches`. */
export function plural(count: number, word: string): string {
  return `${count.toLocaleString("en-US")} ${word}${count === 1 ? "" : /(s|sh|ch|x)$/.test(word) ? "es" : "s"}`;
}

/** `4.2 s`, `3m 12s`. */
export function durationText(ms: number): string {
  return ms >= 60000 ? `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s` : `${(ms / 1000).toFixed(1)} s`;
}

/** `2025-01-15 09:30:00 UTC` from an ISO timestamp. */
export function utcText(iso: string): string {
  return iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** Every function above, in the order index.ts inlines them. */
export const FORMAT_CLIENT = [plural, durationText, utcText] as const;
