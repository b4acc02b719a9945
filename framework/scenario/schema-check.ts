// JSON Schema validation (Ajv over the TypeBox schemas) turned into messages a person can act
// on: the offending field's position, what is wrong and what would be right.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { TSchema } from "@sinclair/typebox";
import type { Diagnostics } from "./diagnostics.js";
import type { Locator, Path } from "./yaml-source.js";
import { hint } from "./suggest.js";

const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Validates `value` against `schema`; reports every problem. Returns true when valid. */
export function checkSchema(schema: TSchema, value: unknown, locator: Locator, diags: Diagnostics, what: string): boolean {
  const validate = validatorFor(schema);
  if (validate(value)) return true;
  for (const message of explain(validate.errors ?? [])) {
    const pos = locator.at(message.path, message.atKey);
    diags.error(pos, `${what}: ${message.text}`);
  }
  return false;
}

interface Explained { path: Path; atKey: boolean; text: string }

function explain(errors: readonly ErrorObject[]): Explained[] {
  // Union branches (anyOf) report one error per branch: group by place and keep the most
  // useful explanation for each place.
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  const out: Explained[] = [];
  for (const [pointer, list] of byPath) {
    const path = parsePointer(pointer);
    const field = describe(path);
    const consts = list.filter((e) => e.keyword === "const").map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    const structural = list.filter((e) => !["const", "anyOf", "type", "enum"].includes(e.keyword));
    if (structural.length > 0) {
      for (const error of structural) out.push(structuralMessage(error, path, field));
      continue;
    }
    if (consts.length > 0) {
      out.push({ path, atKey: false, text: `${field} must be one of ${consts.join(", ")}` });
      continue;
    }
    const types = [...new Set(list.filter((e) => e.keyword === "type").map((e) => (e.params as { type: string }).type))];
    if (types.length > 0) {
      out.push({ path, atKey: false, text: `${field} must be ${types.map(article).join(" or ")}` });
      continue;
    }
    const enums = list.find((e) => e.keyword === "enum");
    if (enums) {
      out.push({ path, atKey: false, text: `${field} must be one of ${(enums.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}` });
    }
  }
  return out;
}

function structuralMessage(error: ErrorObject, path: Path, field: string): Explained {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperty":
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: [...path, name], atKey: true, text: `unknown field '${name}' in ${field}${hint(name, allowed, "allowed fields")}` };
    }
    case "required":
      return { path, atKey: false, text: `${field} is missing the required field '${String(params.missingProperty)}'` };
    case "minimum":
    case "maximum":
      return { path, atKey: false, text: `${field} must be ${error.keyword === "minimum" ? ">=" : "<="} ${String(params.limit)}` };
    case "pattern": {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return { path, atKey: false, text: `${field} has the wrong format${description ? ` (${description})` : ""}` };
    }
    case "minItems":
      return { path, atKey: false, text: `${field} must have at least ${String(params.limit)} item(s)` };
    case "maxItems":
      return { path, atKey: false, text: `${field} must have at most ${String(params.limit)} item(s)` };
    default:
      return { path, atKey: false, text: `${field} ${error.message ?? "is invalid"}` };
  }
}

function parsePointer(pointer: string): Path {
  if (!pointer) return [];
  return pointer.slice(1).split("/").map((part) => {
    const text = part.replace(/~1/g, "/").replace(/~0/g, "~");
    return /^\d+$/.test(text) ? Number(text) : text;
  });
}

/** `spec.ingress[0].ports[1]`, the way kubectl names fields. */
export function describe(path: Path): string {
  if (path.length === 0) return "the document";
  let text = "";
  for (const segment of path) text += typeof segment === "number" ? `[${segment}]` : text ? `.${segment}` : segment;
  return `'${text}'`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
