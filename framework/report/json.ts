// results.json (SPEC.md), rewritten atomically after every finished scenario so an interrupted
// run keeps what it probed.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResults } from "../runner/results.js";

/** Writes `value` as `dir/name` via a temporary file and a rename, so readers never see half a file. */
export function writeJsonAtomically(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}

export function writeJsonResults(dir: string, results: RunResults): string {
  return writeJsonAtomically(dir, "results.json", results);
}
