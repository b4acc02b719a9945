// The scenario corpora:
//  - specs/examples/: every example is valid, with no error and no warning but those its leading
//    comment declares (`# warns: SUBSTRING`, an example that shows what validate warns about),
//    small enough for the local provider to probe every cell, and together they use every
//    modelled kind;
//  - fixtures/invalid/: every broken scenario carries its expected diagnostics in leading
//    comments, `# expect: [FILE:]LINE:COL SEVERITY: SUBSTRING`, and validation reports exactly
//    those (no unexpected error), at that position, in one pass;
//  - the real CLI on a broken scenario: exit 2, `file:line:col: error:` lines, no stack trace.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";
import { validatePaths } from "../runner/validate-paths.js";
import { DeprecatedKinds, KnownKinds } from "../kube/types.js";
import { lintExpectations } from "../oracle/lint.js";
import { Diagnostics, formatDiagnostic, type Diagnostic } from "./diagnostics.js";

// dist/scenario/corpus.test.js → the repository root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXAMPLES = join(ROOT, "specs", "examples");
const INVALID = join(ROOT, "fixtures", "invalid");
const CLI = join(ROOT, "dist", "cli", "main.js");

const yamlFiles = (dir: string) =>
  readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f));

/** Diagnostics positions are shown relative to the working directory: compare absolute paths. */
const absolute = (d: Diagnostic) => resolve(process.cwd(), d.file);
const show = (items: readonly Diagnostic[]) => items.map(formatDiagnostic).join("\n") || "(none)";

/** The warnings an example declares in its leading comment (`# warns: SUBSTRING`). */
function declaredWarnings(file: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("#")) break;
    const m = /^#\s*warns:\s*(.*?)\s*$/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** Diagnostics no example declares; and declared warnings that did not come. */
function undeclared(items: readonly Diagnostic[], files: readonly string[]): { unexpected: Diagnostic[]; missing: string[] } {
  const declared = new Map(files.map((f) => [resolve(f), declaredWarnings(f)]));
  const unexpected = items.filter((d) => d.severity !== "warning" || !(declared.get(absolute(d)) ?? []).some((text) => d.message.includes(text)));
  const missing = [...declared].flatMap(([file, texts]) => texts.filter((text) => !items.some((d) => absolute(d) === file && d.message.includes(text))).map((text) => `${relative(ROOT, file)}: ${text}`));
  return { unexpected, missing };
}

// ---- specs/examples -------------------------------------------------------------------------

describe("corpus: specs/examples", () => {
  const files = yamlFiles(EXAMPLES);

  it("holds at least 14 numbered scenarios besides the first", () => {
    const numbered = files.filter((f) => /\/(0[2-9]|[1-9]\d)-[a-z0-9-]+\.yaml$/.test(f));
    assert.ok(numbered.length >= 14, `only ${numbered.length} examples numbered 02 onwards`);
  });

  it("validates as a directory with no error and no warning but the declared ones, names unique", () => {
    const { scenarios, diagnostics } = validatePaths([EXAMPLES], { lint: true });
    const { unexpected, missing } = undeclared(diagnostics.items, files);
    assert.deepEqual(unexpected, [], show(unexpected));
    assert.deepEqual(missing, [], "declared warnings validate did not give");
    assert.equal(scenarios.length, files.length);
  });

  it("uses every modelled resource kind (but the deprecated ones, which would warn)", () => {
    const { scenarios } = validatePaths([EXAMPLES], { lint: false });
    const used = new Set(scenarios.flatMap((s) => s.manifests.map((m) => `${m.apiVersion}/${m.kind}`)));
    for (const kind of Object.keys(KnownKinds).filter((k) => !DeprecatedKinds.has(k))) assert.ok(used.has(kind), `no example uses ${kind}`);
  });

  for (const file of files) {
    const name = relative(ROOT, file);
    it(`${name}: valid, documented, small, no undeclared warning`, () => {
      const { scenarios, diagnostics } = validatePaths([file], { lint: true });
      const { unexpected } = undeclared(diagnostics.items, [file]);
      assert.deepEqual(unexpected, [], show(unexpected));
      assert.equal(scenarios.length, 1);
      const scenario = scenarios[0]!;

      const text = readFileSync(file, "utf8");
      assert.match(text.split("\n")[0]!, /^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/scenario\.schema\.json$/);
      assert.ok(scenario.description && scenario.description.length > 20, "metadata.description is missing or too short");
      assert.ok(scenario.tags.length > 0, "metadata.tags is empty");
      assert.ok(scenario.expect.rules.length + scenario.expect.http.length > 0, "no explicit expect.rules or expect.http documenting the intent");

      const pods = scenario.pods.filter((p) => !p.system);
      assert.ok(pods.length >= 2 && pods.length <= 8, `${pods.length} pods; keep examples at 2-8`);
      // The local provider probes every cell with real packets; the kernel has no SCTP.
      assert.ok(!pods.some((p) => p.ports.some((port) => port.protocol === "SCTP")), "SCTP port in an example");
      const { cells } = lintExpectations(scenario, new Diagnostics());
      assert.ok(cells > 0 && cells <= 150, `${cells} cells; keep examples under ~150`);
    });
  }
});

// ---- fixtures/invalid ------------------------------------------------------------------------

interface Expected {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly severity: "error" | "warning";
  readonly text: string;
  readonly source: string;
}

const EXPECT_LINE = /^#\s*expect:\s*(?:([^\s:]+\.ya?ml):)?(\d+):(\d+)\s+(error|warning):\s*(.*?)\s*$/;

/** The `# expect:` lines of a fixture's leading comment block. */
function expectations(file: string): Expected[] {
  const out: Expected[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("#")) break;
    if (!/^#\s*expect:/.test(line)) continue;
    const m = EXPECT_LINE.exec(line);
    assert.ok(m, `${relative(ROOT, file)}: malformed expectation '${line}'; write '# expect: [FILE:]LINE:COL error|warning: TEXT'`);
    out.push({
      file: m[1] ? resolve(ROOT, m[1]) : file,
      line: Number(m[2]), col: Number(m[3]), severity: m[4] as Expected["severity"], text: m[5]!, source: line,
    });
  }
  return out;
}

function matches(d: Diagnostic, e: Expected): boolean {
  return absolute(d) === e.file && d.line === e.line && d.col === e.col && d.severity === e.severity && d.message.includes(e.text);
}

describe("corpus: fixtures/invalid", () => {
  const files = yamlFiles(INVALID);

  it("holds at least 20 broken scenarios", () => {
    assert.ok(files.length >= 20, `only ${files.length} fixtures`);
  });

  for (const file of files) {
    const name = relative(ROOT, file);
    it(`${name}: reports exactly its expected diagnostics`, () => {
      const expected = expectations(file);
      assert.ok(expected.length > 0, "no '# expect:' line in the leading comments");
      for (const e of expected) assert.ok(existsSync(e.file), `${e.source}: no such file`);

      const { diagnostics } = validatePaths([file], { lint: true });
      const all = diagnostics.sorted();
      for (const e of expected) {
        assert.ok(all.some((d) => matches(d, e)), `not reported: ${e.source}\nreported:\n${show(all)}`);
      }
      const unexpected = all.filter((d) => d.severity === "error" && !expected.some((e) => matches(d, e)));
      assert.deepEqual(unexpected, [], `unexpected error(s):\n${show(unexpected)}`);
      // A fixture that expects only warnings must still be a valid scenario.
      if (!expected.some((e) => e.severity === "error")) assert.equal(diagnostics.errors.length, 0);
    });
  }
});

// ---- the CLI ---------------------------------------------------------------------------------

describe("corpus: netspec validate (the real CLI)", function () {
  this.timeout(20_000);

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const noStackTrace = (stderr: string) => {
    assert.doesNotMatch(stderr, /^\s+at /m, `stack trace on stderr:\n${stderr}`);
    assert.doesNotMatch(stderr, /internal error/);
  };

  it("one mistake: exit 2, file:line:col: error: at the right place", () => {
    const fixture = "fixtures/invalid/10-undeclared-node.yaml";
    const result = run("validate", fixture);
    assert.equal(result.status, 2, result.stderr);
    noStackTrace(result.stderr);
    assert.match(result.stderr, /^fixtures\/invalid\/10-undeclared-node\.yaml:12:11: error: pod shop\/a: node 'node-c' is not declared/m);
  });

  it("several mistakes: exit 2, every one reported in one pass, in file order", () => {
    const fixture = "fixtures/invalid/29-several-errors.yaml";
    const result = run("validate", fixture);
    assert.equal(result.status, 2, result.stderr);
    noStackTrace(result.stderr);
    const lines = result.stderr.split("\n").filter((l) => /^\S+:\d+:\d+: (error|warning): /.test(l));
    for (const line of lines) assert.match(line, /^fixtures\/invalid\/29-several-errors\.yaml:\d+:\d+: error: /);
    const positions = lines.map((l) => /:(\d+):(\d+): /.exec(l)!.slice(1, 3).join(":"));
    assert.deepEqual(positions, ["13:11", "15:41", "16:29", "24:43", "27:29"]);
  });

  it("the examples: exit 0, nothing on stderr but the declared warnings", () => {
    const result = run("validate", "specs/examples");
    assert.equal(result.status, 0, result.stderr);
    const declared = yamlFiles(EXAMPLES).flatMap((f) => declaredWarnings(f).map((text) => ({ file: relative(ROOT, f), text })));
    const stray = result.stderr.split("\n").filter((line) => line !== "" && !declared.some((d) => line.startsWith(`${d.file}:`) && line.includes(": warning: ") && line.includes(d.text)));
    assert.deepEqual(stray, []);
  });
});
