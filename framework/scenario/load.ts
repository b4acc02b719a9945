// Reading scenario files from disk: YAML → schema-checked object, with every resource (inline
// or included) carrying a locator into the file it came from.
import { readFileSync, statSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import fg from "fast-glob";
import { Diagnostics } from "./diagnostics.js";
import { ScenarioSchema, type ScenarioFile } from "./schema.js";
import { checkSchema } from "./schema-check.js";
import { Locator, parseYaml } from "./yaml-source.js";

export interface LoadedResource {
  readonly object: Record<string, unknown>;
  /** Points at the resource's own node (inline in the scenario, or in an included file). */
  readonly locator: Locator;
}

export interface LoadedScenario {
  readonly file: string;
  readonly raw: ScenarioFile;
  readonly locator: Locator;
  readonly resources: readonly LoadedResource[];
  /** True when reading an included file failed: the scenario is then incomplete and invalid. */
  readonly incomplete: boolean;
}

/** Path as shown in messages: relative to the working directory when that is shorter. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") && rel.length < path.length ? rel : path;
}

function readText(path: string, diags: Diagnostics, from: { locator: Locator; path: (string | number)[] } | undefined): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    const pos = from ? from.locator.at(from.path) : { file: displayPath(path), line: 1, col: 1 };
    diags.error(pos, `cannot read '${displayPath(path)}': ${reason}`);
    return undefined;
  }
}

/** Parses a scenario from text (the file name is used for positions and include paths). */
export function loadScenarioText(file: string, text: string, diags: Diagnostics): LoadedScenario | undefined {
  const errorsBefore = diags.errors.length;
  const shown = displayPath(file);
  const { documents, problems } = parseYaml(shown, text);
  for (const p of problems) diags.error(p, p.message);
  if (problems.length > 0) return undefined;
  if (documents.length !== 1) {
    diags.error({ file: shown, line: 1, col: 1 }, documents.length === 0
      ? "the file is empty; a scenario starts with 'apiVersion: netspec/v1alpha1' and 'kind: Scenario'"
      : `a scenario file holds exactly one YAML document, found ${documents.length}; put extra manifests in a file listed under 'include:'`);
    return undefined;
  }
  const { value, locator } = documents[0]!;
  if (!isObject(value)) {
    diags.error(locator.at(), "a scenario must be a mapping with apiVersion, kind, metadata, namespaces and pods");
    return undefined;
  }
  if (value.kind !== "Scenario") {
    diags.error(locator.at(["kind"]), `kind must be "Scenario", found ${JSON.stringify(value.kind)}`);
    return undefined;
  }
  if (!checkSchema(ScenarioSchema, value, locator, diags, "scenario")) return undefined;
  const raw = value as unknown as ScenarioFile;
  const resources: LoadedResource[] = (raw.resources ?? []).map((object, i) => ({
    object: object as Record<string, unknown>,
    locator: locator.child(["resources", i]),
  }));
  resources.push(...loadIncludes(file, raw.include ?? [], locator, diags));
  return { file: shown, raw, locator, resources, incomplete: diags.errors.length > errorsBefore };
}

export function loadScenarioFile(file: string, diags: Diagnostics): LoadedScenario | undefined {
  const text = readText(file, diags, undefined);
  return text === undefined ? undefined : loadScenarioText(file, text, diags);
}

function loadIncludes(scenarioFile: string, patterns: readonly string[], locator: Locator, diags: Diagnostics): LoadedResource[] {
  const base = dirname(resolve(scenarioFile));
  const out: LoadedResource[] = [];
  patterns.forEach((pattern, i) => {
    const from = { locator, path: ["include", i] };
    const isGlob = fg.isDynamicPattern(pattern);
    const files = isGlob
      ? fg.sync(pattern, { cwd: base, absolute: true, onlyFiles: true }).sort()
      : [resolve(base, pattern)];
    if (isGlob && files.length === 0) {
      diags.error(locator.at(from.path), `include '${pattern}' matches no file (relative to ${displayPath(base) || "."})`);
      return;
    }
    for (const path of files) {
      if (!isGlob && existsAsDirectory(path)) {
        diags.error(locator.at(from.path), `include '${pattern}' is a directory; use a glob such as '${pattern.replace(/\/$/, "")}/*.yaml'`);
        continue;
      }
      const text = readText(path, diags, from);
      if (text === undefined) continue;
      out.push(...manifestsIn(displayPath(path), text, diags));
    }
  });
  return out;
}

function existsAsDirectory(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

/** Every manifest in a multi-document YAML file; `kind: List` is unpacked as kubectl does. */
function manifestsIn(file: string, text: string, diags: Diagnostics): LoadedResource[] {
  const { documents, problems } = parseYaml(file, text);
  for (const p of problems) diags.error(p, p.message);
  const out: LoadedResource[] = [];
  for (const { value, locator } of documents) {
    if (!isObject(value)) {
      diags.error(locator.at(), "expected a Kubernetes object (a mapping with apiVersion, kind and metadata)");
      continue;
    }
    if (value.kind === "List" && Array.isArray(value.items)) {
      value.items.forEach((item, i) => {
        if (isObject(item)) out.push({ object: item, locator: locator.child(["items", i]) });
        else diags.error(locator.at(["items", i]), "expected a Kubernetes object in 'items'");
      });
    } else {
      out.push({ object: value, locator });
    }
  }
  return out;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
