// The streamed `expect --format json` document: valid JSON, one line per cell, each line exactly
// JSON.stringify of the SPEC's cell object (keys in order), on every example.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";
import { loadScenario } from "../scenario/build.js";
import { expectedCells } from "./index.js";
import { CellsJson } from "./json.js";

const EXAMPLES = join(resolve(dirname(fileURLToPath(import.meta.url)), "..", ".."), "specs", "examples");

describe("expect --format json document", () => {
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith(".yaml")).sort()) {
    it(`${file}: every line is JSON.stringify of the cell's SPEC fields`, () => {
      const { scenario } = loadScenario(join(EXAMPLES, file));
      const document = new CellsJson(scenario);
      const text = [...document].join("");
      const count = document.cells;
      const expected = [...expectedCells(scenario)].map((cell) => {
        const { from, to, target, port, protocol, family, expected, reason, backends } = cell;
        if (target === "http") {
          // SPEC.md "Layer 7": the request, then what answers (the entry's assertions over the oracle's).
          const asserted = cell.expectedHttp ?? {};
          const status = asserted.status ?? cell.http!.status;
          const backendRequest = asserted.backendRequest ?? cell.http!.backendRequest;
          const redirect = asserted.redirect ?? cell.http!.redirect;
          return JSON.stringify({
            from, to, target, port, protocol, family, request: cell.request, expected,
            status: status.length === 1 ? status[0] : status, backends: asserted.backends ?? backends ?? [],
            ...(backendRequest ? { backendRequest } : {}), ...(redirect ? { redirect } : {}), reason,
            ...(cell.source !== "oracle" ? { source: cell.source, oracle: cell.oracle } : {}),
          });
        }
        return JSON.stringify({
          from, to, target, port, protocol, family, expected, reason,
          ...(backends && target !== "pod" ? { backends } : {}),
          ...(cell.expectedClientAddress && cell.expectedClientAddress !== "any" ? { clientAddress: cell.expectedClientAddress } : {}),
          ...(cell.source !== "oracle" ? { source: cell.source, oracle: cell.oracle } : {}),
        });
      });
      assert.equal(count, expected.length);
      assert.equal(text, `{"scenario":${JSON.stringify(scenario.name)},"cells":[${expected.map((line) => `\n${line}`).join(",")}\n]}\n`);
      assert.equal((JSON.parse(text) as { cells: unknown[] }).cells.length, count);
    });
  }
});
