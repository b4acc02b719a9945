// Validators for the tests: kind's config schema and the vendored Kubernetes OpenAPI v3 subset
// (fixtures/schemas), the latter applied like `kubectl apply --validate=strict`.
import * as fs from "node:fs";
import * as path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";

const SCHEMAS = path.resolve("fixtures/schemas");

export function kindConfigValidator(): ValidateFunction {
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, "kind-config-v1alpha4.schema.json"), "utf8"));
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

const KINDS: Record<string, string> = {
  "v1/Namespace": "io.k8s.api.core.v1.Namespace",
  "v1/Pod": "io.k8s.api.core.v1.Pod",
  "v1/Service": "io.k8s.api.core.v1.Service",
  "v1/ConfigMap": "io.k8s.api.core.v1.ConfigMap",
  "networking.k8s.io/v1/NetworkPolicy": "io.k8s.api.networking.v1.NetworkPolicy",
};

/** Returns a function giving the problems of one object (empty: valid), or undefined for kinds outside the subset. */
export function kubernetesValidator(): (object: { apiVersion: string; kind: string }) => string[] | undefined {
  const document = JSON.parse(fs.readFileSync(path.join(SCHEMAS, "kubernetes-openapi-v3-subset.json"), "utf8"));
  const schemas = document.components.schemas as Record<string, Record<string, unknown>>;
  const strict = (schema: unknown): unknown => {
    if (Array.isArray(schema)) return schema.map(strict);
    if (!schema || typeof schema !== "object") return schema;
    const s = { ...(schema as Record<string, unknown>) };
    if (s.format === "int-or-string") return { oneOf: [{ type: "integer" }, { type: "string" }] };
    for (const [k, v] of Object.entries(s)) if (k !== "enum") s[k] = strict(v);
    if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
    return s;
  };
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema({ $id: "k8s", components: { schemas: strict(schemas) } });
  const cache = new Map<string, ValidateFunction>();
  return (object) => {
    const name = KINDS[`${object.apiVersion}/${object.kind}`];
    if (!name) return undefined;
    let validate = cache.get(name);
    if (!validate) { validate = ajv.compile({ $ref: `k8s#/components/schemas/${name}` }); cache.set(name, validate); }
    if (validate(object)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` '${String(e.params.additionalProperty)}'` : ""}`);
  };
}
