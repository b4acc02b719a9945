import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, it } from "mocha";
import { parse } from "yaml";
import { publishedSchema, publishedSchemaText, SCHEMA_PATH } from "./published-schema.js";

describe("published JSON Schema (schema/scenario.schema.json)", () => {
  it("is exactly what the TypeBox source generates (run `npm run schema` after changing it)", () => {
    assert.equal(readFileSync(SCHEMA_PATH, "utf8"), publishedSchemaText());
  });

  it("accepts the examples and rejects a misspelled NetworkPolicy field, as an editor would", () => {
    const validate = new Ajv({ strict: false }).compile(publishedSchema());
    const example = parse(readFileSync("specs/examples/01-shop-api-isolation.yaml", "utf8")) as { resources: { spec: Record<string, unknown> }[] };
    assert.ok(validate(example), JSON.stringify(validate.errors));
    example.resources[0].spec.podSelektor = {};
    assert.equal(validate(example), false);
  });
});
