// Direction results interned by verdict and reason, so that equal results are one object with a
// dense id: partitions merge by it and decisions are memoised per pair of ids.
import type { DirectionResult } from "../policy/context.js";

export interface InternedResult extends DirectionResult {
  readonly id: number;
}

export class ResultTable {
  private readonly byObject = new Map<DirectionResult, InternedResult>();
  private readonly byText = new Map<string, InternedResult>();

  intern(result: DirectionResult): InternedResult {
    let interned = this.byObject.get(result);
    if (interned) return interned;
    const text = `${result.verdict}\u0000${result.reason}`;
    interned = this.byText.get(text);
    if (!interned) {
      interned = { verdict: result.verdict, reason: result.reason, id: this.byText.size };
      this.byText.set(text, interned);
    }
    this.byObject.set(result, interned);
    return interned;
  }
}
