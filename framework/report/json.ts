// results.json (SPEC.md), rewritten atomically after every finished scenario so an interrupted
// run keeps what it probed.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResults } from "../runner/results.js";

export function writeJsonResults(dir: string, results: RunResults): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "results.json");
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}
