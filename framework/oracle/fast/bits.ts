// Sets of identity classes as bitsets: class i is bit (i & 31) of word (i >>> 5). Every set of
// one matrix has the same number of words, so the operations need no bounds checks.

export type Bits = Uint32Array;

export const wordsFor = (size: number): number => (size + 31) >>> 5;

/** The set {0, …, size-1}. */
export function fullBits(size: number): Bits {
  const bits = new Uint32Array(wordsFor(size));
  bits.fill(0xffffffff);
  if (size & 31) bits[bits.length - 1] = (1 << (size & 31)) - 1;
  return bits;
}

export function bitsOf(size: number, members: Iterable<number>): Bits {
  const bits = new Uint32Array(wordsFor(size));
  for (const i of members) bits[i >>> 5] |= 1 << (i & 31);
  return bits;
}

export function has(bits: Bits, i: number): boolean {
  return (bits[i >>> 5] & (1 << (i & 31))) !== 0;
}

export function isEmpty(bits: Bits): boolean {
  for (let w = 0; w < bits.length; w++) if (bits[w] !== 0) return false;
  return true;
}

export function and(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

export function andNot(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & ~b[w];
  return out;
}

export function or(a: Bits, b: Bits): Bits {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] | b[w];
  return out;
}

/** target |= source, where target is `words` words of `matrix` from `offset`. */
export function orInto(matrix: Uint32Array, offset: number, source: Bits): void {
  for (let w = 0; w < source.length; w++) matrix[offset + w] |= source[w];
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * The transpose of a square bit matrix of `size` rows of `words` words each (row r, bit c →
 * row c, bit r), by 32×32 blocks (Hacker's Delight, 7-3 "Transposing a Bit Matrix").
 */
export function transpose(matrix: Uint32Array, size: number, words: number): Uint32Array {
  const out = new Uint32Array(size * words);
  const block = new Uint32Array(32);
  for (let rowWord = 0; rowWord < words; rowWord++) {
    for (let colWord = 0; colWord < words; colWord++) {
      let any = 0;
      for (let i = 0; i < 32; i++) {
        const row = rowWord * 32 + i;
        const value = row < size ? matrix[row * words + colWord] : 0;
        block[i] = value;
        any |= value;
      }
      if (any === 0) continue;
      transpose32(block);
      for (let i = 0; i < 32; i++) {
        const row = colWord * 32 + i;
        if (row < size) out[row * words + rowWord] = block[i];
      }
    }
  }
  return out;
}

/** In place: bit j of word i ↔ bit i of word j. */
function transpose32(a: Uint32Array): void {
  let m = 0x0000ffff;
  for (let j = 16; j !== 0; j >>>= 1, m ^= m << j) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const t = ((a[k] >>> j) ^ a[k + j]) & m;
      a[k + j] ^= t;
      a[k] ^= t << j;
    }
  }
}
