// Writing the file reporters a run (or `netspec report`) asked for into the output directory.
import type { RunResults } from "../runner/results.js";
import { writeConformance, type Implementation } from "./conformance.js";
import { writeHtml } from "./html/index.js";
import { writeJsonAtomically, writeJsonResults } from "./json.js";
import { writeJUnit } from "./junit.js";
import type { Regression } from "./regression.js";

/** Every reporter, in the order they are written. `console` writes to the terminal only. */
export const REPORTER_NAMES = ["console", "json", "junit", "html", "conformance"] as const;
export type ReporterName = (typeof REPORTER_NAMES)[number];

export interface WriteOptions {
  readonly regression?: Regression;
  readonly implementation?: Implementation;
}

/** Writes each file reporter's output into `dir`; returns the paths written. */
export function writeReports(dir: string, results: RunResults, reporters: readonly string[], options: WriteOptions = {}): string[] {
  const paths: string[] = [];
  if (reporters.includes("json")) paths.push(writeJsonResults(dir, results));
  if (reporters.includes("junit")) paths.push(writeJUnit(dir, results));
  if (reporters.includes("html")) paths.push(writeHtml(dir, results, options.regression ? { regression: options.regression } : {}));
  if (reporters.includes("conformance")) paths.push(writeConformance(dir, results, options.implementation ? { implementation: options.implementation } : {}));
  if (options.regression && (reporters.includes("json") || reporters.includes("html"))) paths.push(writeRegressionJson(dir, options.regression));
  return paths;
}

export function writeRegressionJson(dir: string, regression: Regression): string {
  return writeJsonAtomically(dir, "regression.json", regression);
}

/** The implementation named by --implementation-* flags (conformance report). */
export function implementationFromFlags(flags: {
  implementationName?: string; implementationVersion?: string; implementationOrganization?: string;
  implementationUrl?: string; implementationContact?: string;
}): Implementation {
  return {
    ...(flags.implementationName ? { name: flags.implementationName } : {}),
    ...(flags.implementationVersion ? { version: flags.implementationVersion } : {}),
    ...(flags.implementationOrganization ? { organization: flags.implementationOrganization } : {}),
    ...(flags.implementationUrl ? { url: flags.implementationUrl } : {}),
    ...(flags.implementationContact ? { contact: flags.implementationContact.split(",").map((c) => c.trim()).filter(Boolean) } : {}),
  };
}
