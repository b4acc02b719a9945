// Bitsets over classes: the transpose the counts rely on, and the population count.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { fullBits, has, popcount, transpose, wordsFor } from "./bits.js";
import { random } from "./random-scenarios.test-helpers.js";

describe("class bitsets", () => {
  it("transpose moves bit c of row r to bit r of row c, for sizes around word boundaries", () => {
    const next = random(7);
    for (const size of [1, 5, 31, 32, 33, 64, 70, 100]) {
      const words = wordsFor(size);
      const matrix = new Uint32Array(size * words);
      const set = new Set<string>();
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          if (next() < 0.3) { matrix[r * words + (c >>> 5)]! |= 1 << (c & 31); set.add(`${r},${c}`); }
        }
      }
      const t = transpose(matrix, size, words);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) {
          assert.equal(has(t.subarray(c * words, (c + 1) * words), r), set.has(`${r},${c}`), `size ${size}: (${r}, ${c})`);
        }
      }
    }
  });

  it("popcount and fullBits agree", () => {
    for (const size of [0, 1, 31, 32, 33, 95]) {
      assert.equal([...fullBits(size)].reduce((n, w) => n + popcount(w), 0), size);
    }
    assert.equal(popcount(0xffffffff), 32);
    assert.equal(popcount(0x80000001), 2);
  });
});
