// `npm run schema`: regenerates schema/scenario.schema.json from the TypeBox source.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { publishedSchemaText, SCHEMA_PATH } from "./published-schema.js";

mkdirSync(dirname(SCHEMA_PATH), { recursive: true });
writeFileSync(SCHEMA_PATH, publishedSchemaText());
console.log(`wrote ${SCHEMA_PATH}`);
