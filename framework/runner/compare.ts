// Does an observation satisfy an expectation? (SPEC.md, "Results".)
import { expectationHolds, type ExpectedCell } from "../oracle/cells.js";
import type { Observation } from "./provider.js";

export interface Verdict {
  readonly match: boolean;
  /** Why not, when it does not match. */
  readonly mismatch?: string;
}

export function compare(cell: ExpectedCell, observation: Observation): Verdict {
  if (observation.observed === "skipped") return { match: false };
  if (!expectationHolds(cell.expected, observation.observed)) {
    return { match: false, mismatch: `expected ${cell.expected}, observed ${observation.observed}` };
  }
  if (cell.expected !== "allow") return { match: true };
  // `backends:` in a rule: only the listed pods may answer.
  if (cell.expectedBackends) {
    const stray = observation.backends.filter((b) => !cell.expectedBackends!.includes(b));
    if (stray.length > 0) return { match: false, mismatch: `answered by ${stray.join(", ")}, but only ${cell.expectedBackends.join(", ")} may answer` };
  }
  // The oracle knows which backends may answer this client (traffic policy, topology, policy):
  // another one answering is a data-plane (or oracle) bug worth reporting.
  const target = cell.destination;
  if (cell.source === "oracle" && cell.backends && target.kind !== "pod") {
    const stray = observation.backends.filter((b) => !cell.backends!.includes(b));
    if (stray.length > 0) return { match: false, mismatch: `answered by ${stray.join(", ")}, but the oracle expects only ${cell.backends.join(", ")}` };
  }
  if (target.kind === "pod" && observation.backends.length > 0 && !observation.backends.includes(target.pod.id)) {
    return { match: false, mismatch: `answered by ${observation.backends.join(", ")} instead of ${target.pod.id}` };
  }
  return { match: true };
}
