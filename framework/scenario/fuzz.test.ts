// Malformed input never crashes netspec: random structural mutations of every example either
// yield diagnostics or a valid scenario whose matrix can be computed. A seeded generator keeps
// failures reproducible (the seed and the mutated YAML are in the failure message).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "mocha";
import { parse, stringify } from "yaml";
import { expectedCells } from "../oracle/index.js";
import { buildScenario } from "./build.js";
import { Diagnostics } from "./diagnostics.js";
import { loadScenarioText } from "./load.js";

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WEIRD: unknown[] = [null, "", "x", "-1", -1, 0, 70000, 1.5, true, [], {}, [{}], { a: 1 }, "a/b/c", "10.0.0.0/33", "::/0", "*", "UDP", "Exists", "None", "dual", "ipv6"];

function mutate(value: unknown, random: () => number): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((child, i) => { nodes.push({ parent: v, key: i }); walk(child); });
    else if (v && typeof v === "object") for (const [k, child] of Object.entries(v)) { nodes.push({ parent: v as Record<string, unknown>, key: k }); walk(child); }
  };
  walk(value);
  const changes = 1 + Math.floor(random() * 3);
  for (let c = 0; c < changes && nodes.length > 0; c++) {
    const { parent, key } = nodes[Math.floor(random() * nodes.length)]!;
    const roll = random();
    if (roll < 0.3) {
      if (Array.isArray(parent)) parent.splice(key as number, 1); else delete parent[key as string];
    } else if (roll < 0.8) {
      (parent as Record<string | number, unknown>)[key] = structuredClone(WEIRD[Math.floor(random() * WEIRD.length)]);
    } else {
      // Duplicate a sibling: duplicate names, ports and rules.
      if (Array.isArray(parent) && parent.length > 0) parent.push(structuredClone(parent[0]));
    }
  }
  return value;
}

describe("malformed scenarios never crash the loader or the oracle", () => {
  const dir = "specs/examples";
  const examples = readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => ({ file: join(dir, f), doc: parse(readFileSync(join(dir, f), "utf8")) }));

  it("survives 1,500 random mutations of the examples", function () {
    this.timeout(120_000);
    const random = rng(20261125);
    for (let i = 0; i < 1500; i++) {
      const { file, doc } = examples[i % examples.length]!;
      const text = stringify(mutate(structuredClone(doc), random));
      try {
        const diags = new Diagnostics();
        const loaded = loadScenarioText(file, text, diags);
        const scenario = loaded && buildScenario(loaded, diags);
        if (scenario) for (const _cell of expectedCells(scenario)) { /* must not throw */ }
        else assert.ok(diags.hasErrors, "an invalid scenario must say why");
      } catch (error) {
        assert.fail(`mutation ${i} of ${file} crashed: ${(error as Error).stack}\n--- yaml ---\n${text}`);
      }
    }
  });

  it("survives broken YAML text", () => {
    const samples = ["", "---\n---\n", "apiVersion: [", "kind: Scenario\n\tbad: tab", "a: &x [*x]", "- 1\n- 2", "kind: Scenario\nmetadata: {name: a, name: b}\n", "\u0000\u0001", "kind: Scenario\npods: !!binary aGVsbG8="];
    for (const text of samples) {
      const diags = new Diagnostics();
      const loaded = loadScenarioText("broken.yaml", text, diags);
      assert.equal(loaded && buildScenario(loaded, diags), undefined, JSON.stringify(text));
      assert.ok(diags.hasErrors, `no error for ${JSON.stringify(text)}`);
    }
  });
});
