// `<path>...` arguments: a scenario file, or a directory holding scenarios (every *.yaml /
// *.yml below it whose document is `kind: Scenario`; other YAML there, such as manifests
// pulled in by `include:`, is left alone).
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fg from "fast-glob";

export interface Discovery {
  readonly files: string[];
  /** Paths that do not exist: reported as usage errors. */
  readonly missing: string[];
}

const SCENARIO_KIND = /^kind:\s*["']?Scenario["']?\s*$/m;

export function discoverScenarios(paths: readonly string[]): Discovery {
  const files: string[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      missing.push(path);
      continue;
    }
    if (!isDirectory) { files.push(path); continue; }
    const found = fg.sync("**/*.{yaml,yml}", { cwd: path, onlyFiles: true, ignore: ["**/node_modules/**"] }).sort();
    for (const rel of found) {
      const file = join(path, rel);
      if (SCENARIO_KIND.test(readFileSync(file, "utf8"))) files.push(file);
    }
  }
  return { files: [...new Set(files)], missing };
}
