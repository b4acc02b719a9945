// The JSON Schema published for editors (schema/scenario.schema.json), generated from the same
// TypeBox definitions the validator uses. Resources get per-kind schemas through if/then on
// apiVersion+kind, so an editor checks a NetworkPolicy inside a scenario like kubectl would.
import { ModelledKinds } from "../kube/kinds.js";
import { ScenarioSchema } from "./schema.js";

export const SCHEMA_PATH = "schema/scenario.schema.json";

export function publishedSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(ScenarioSchema)) as Record<string, any>;
  const perKind = Object.entries(ModelledKinds).map(([key, schema]) => {
    const slash = key.lastIndexOf("/");
    return {
      if: {
        properties: { apiVersion: { const: key.slice(0, slash) }, kind: { const: key.slice(slash + 1) } },
        required: ["apiVersion", "kind"],
      },
      then: JSON.parse(JSON.stringify(schema)),
    };
  });
  plain.properties.resources.items = { ...plain.properties.resources.items, allOf: perKind };
  return { $schema: "http://json-schema.org/draft-07/schema#", ...plain };
}

export function publishedSchemaText(): string {
  return `${JSON.stringify(publishedSchema(), null, 2)}\n`;
}
