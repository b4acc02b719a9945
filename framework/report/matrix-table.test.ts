// The text matrix (`netspec expect --format table`): connection blocks, and HTTP requests by source.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "mocha";
import { expectedCells } from "../oracle/index.js";
import { scenarioFromYaml } from "../scenario/build.js";
import { GATEWAY_ROUTING } from "./http.test-helpers.js";
import { renderMatrixTables } from "./matrix-table.js";

describe("text matrix", () => {
  it("draws a Gateway's requests as rows, sources as columns, with the statuses that may answer", () => {
    const yaml = readFileSync(GATEWAY_ROUTING, "utf8").replace("request: { host: other.example.com, path: / }, status: 404", "request: { host: other.example.com, path: / }, status: [404, 421]");
    const text = renderMatrixTables(expectedCells(scenarioFromYaml(yaml, GATEWAY_ROUTING)));
    assert.equal(text, [
      "http gateway/infra/gw 80/TCP ipv4:",
      "                                    | external  |",
      "------------------------------------+-----------+",
      "GET shop.example.com/v2/items       |   . 200   |",
      "GET shop.example.com/ [version=two] |   . 200   |",
      "GET shop.example.com/anything       |   . 200   |",
      "GET shop.example.com/old            |   . 301   |",
      "GET other.example.com/              | . 404|421 |",
      "",
      "legend: . allow  X deny  R refused  D drop  ? undefined  E dns-error",
    ].join("\n"));
  });
});
