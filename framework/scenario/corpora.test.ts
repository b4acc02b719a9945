// Public corpora, re-encoded as scenarios (fixtures/corpora/<source>/*.yaml, see its README):
// every object a real API server accepts must validate, every one it rejects must fail at the
// offending field. Each case runs through validatePaths, the entry `netspec validate` uses.
// A case's leading comments carry its expectation:
//   # expect: valid                               no error (warnings allowed)
//   # expect: LINE:COL error|warning: SUBSTRING   reported exactly there; no other error
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";
import { validatePaths } from "../runner/validate-paths.js";
import { formatDiagnostic, type Diagnostic } from "./diagnostics.js";

// dist*/scenario/corpora.test.js → the repository root.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CORPORA = join(ROOT, "fixtures", "corpora");
const SOURCES = ["network-policy-recipes", "netpol-analyzer", "network-policy-api-conformance", "network-policy-api-conformance-v1alpha2", "e2e-netpol", "service-validation"];

interface Expectation { readonly line: number; readonly col: number; readonly severity: "error" | "warning"; readonly text: string; readonly raw: string }
interface Case { readonly file: string; readonly source: string; readonly valid: boolean; readonly expected: Expectation[] }

const EXPECT = /^#\s*expect:\s*(\d+):(\d+)\s+(error|warning):\s*(.*?)\s*$/;

function readCase(file: string): Case {
  const name = relative(ROOT, file);
  const all = readFileSync(file, "utf8").split("\n");
  const end = all.findIndex((l) => !l.startsWith("#"));
  const header = all.slice(0, end < 0 ? all.length : end);
  const source = header.find((l) => l.startsWith("# source: "))?.slice("# source: ".length) ?? "";
  assert.ok(source, `${name}: no '# source: owner/repo@commit:path' line`);
  const lines = header.filter((l) => /^#\s*expect:/.test(l));
  assert.ok(lines.length > 0, `${name}: no '# expect:' line`);
  if (lines.length === 1 && /^#\s*expect:\s*valid\s*$/.test(lines[0]!)) return { file, source, valid: true, expected: [] };
  const expected = lines.map((raw) => {
    const m = EXPECT.exec(raw);
    assert.ok(m, `${name}: malformed '${raw}'; write '# expect: valid' or '# expect: LINE:COL error|warning: TEXT'`);
    return { line: Number(m[1]), col: Number(m[2]), severity: m[3] as Expectation["severity"], text: m[4]!, raw };
  });
  return { file, source, valid: !expected.some((e) => e.severity === "error"), expected };
}

const show = (items: readonly Diagnostic[]) => items.map(formatDiagnostic).join("\n") || "(none)";
const at = (d: Diagnostic, e: Expectation) => d.line === e.line && d.col === e.col && d.severity === e.severity && d.message.includes(e.text);

describe("corpora: public policy and Service manifests (fixtures/corpora)", () => {
  const cases = SOURCES.flatMap((source) => readdirSync(join(CORPORA, source))
    .filter((f) => f.endsWith(".yaml")).sort().map((f) => readCase(join(CORPORA, source, f))));
  const readme = readFileSync(join(CORPORA, "README.md"), "utf8");

  it("holds at least 60 cases, with accepted and rejected ones, one folder per source", () => {
    assert.ok(cases.length >= 60, `only ${cases.length} cases`);
    assert.deepEqual(readdirSync(CORPORA).filter((f) => statSync(join(CORPORA, f)).isDirectory()).sort(), [...SOURCES].sort());
    for (const source of SOURCES.filter((s) => s !== "network-policy-recipes")) { // the recipes hold no invalid manifest
      const mine = cases.filter((c) => c.file.includes(`/${source}/`));
      assert.ok(mine.some((c) => c.valid) && mine.some((c) => !c.valid), `${source}: needs both valid and invalid cases`);
    }
  });

  it("names every source repository and commit in the README", () => {
    for (const repoAtCommit of new Set(cases.map((c) => c.source.split(":")[0]!))) {
      const [repo, commit] = repoAtCommit.split("@");
      assert.ok(readme.includes(repo!) && readme.includes(commit!), `README.md does not name ${repoAtCommit}`);
    }
  });

  for (const c of cases) {
    const name = relative(CORPORA, c.file);
    it(`${name}: ${c.valid ? "accepted" : "rejected at the offending field"}`, () => {
      const { scenarios, diagnostics } = validatePaths([c.file], { lint: false });
      const all = diagnostics.sorted();
      for (const e of c.expected) assert.ok(all.some((d) => at(d, e)), `not reported: ${e.raw}\nreported:\n${show(all)}`);
      const unexpected = all.filter((d) => d.severity === "error" && !c.expected.some((e) => at(d, e)));
      assert.deepEqual(unexpected, [], `unexpected error(s):\n${show(unexpected)}`);
      assert.equal(scenarios.length, c.valid ? 1 : 0, show(all));
    });
  }
});
