// `--http-consecutive N` and `--http-deadline SECONDS`: the Gateway API conformance suite's
// consistency rule for HTTP cells (conformance/utils/http: MakeRequestAndExpectEventuallyConsistentResponse
// waits for RequiredConsecutiveSuccesses matching answers in a row within MaxTimeToConsistency;
// the suite's defaults are 3 and 30 s), as RunOptions.httpConsecutive / httpDeadlineMs.
import { UsageError } from "./usage.js";

export interface ConsistencyFlags {
  httpConsecutive?: string;
  httpDeadline?: string;
}

export function httpConsistency(flags: ConsistencyFlags): { httpConsecutive?: number; httpDeadlineMs?: number } {
  const out: { httpConsecutive?: number; httpDeadlineMs?: number } = {};
  if (flags.httpConsecutive !== undefined) {
    const n = Number(flags.httpConsecutive);
    if (!/^\d+$/.test(flags.httpConsecutive.trim()) || n < 1) {
      throw new UsageError(`--http-consecutive must be a whole number >= 1 (matching answers in a row), not '${flags.httpConsecutive}'`);
    }
    out.httpConsecutive = n;
  }
  if (flags.httpDeadline !== undefined) {
    const seconds = Number(flags.httpDeadline);
    if (flags.httpDeadline.trim() === "" || !Number.isFinite(seconds) || seconds <= 0) {
      throw new UsageError(`--http-deadline must be a number of seconds > 0, not '${flags.httpDeadline}'`);
    }
    out.httpDeadlineMs = Math.round(seconds * 1000);
  }
  return out;
}
