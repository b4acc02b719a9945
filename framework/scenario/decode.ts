// `null` in a manifest, read the way the API server reads it, in one place: every manifest goes
// through decodeManifest before its schema is checked, so `podSelector:` with no value (YAML
// null) means what it means to `kubectl apply`, not "must be an object".
//
// Built-in kinds (Service, NetworkPolicy) are decoded into Go structs by sigs.k8s.io/json, a
// fork of encoding/json with its null rule: "The JSON null value unmarshals into an interface,
// map, pointer, or slice by setting that Go value to nil. Otherwise, unmarshaling a JSON null
// into any other Go type has no effect on the value" (encoding/json Unmarshal). So:
//   - a null field is the field's zero value, which is exactly what leaving it out gives: the
//     field is dropped ("not set"); a non-pointer struct field that netspec's types require
//     (NetworkPolicy spec and spec.podSelector, Service spec) is then its zero value `{}`, as
//     the API server stores it (a NetworkPolicy with `podSelector:` selects every pod);
//   - a null list element is a new element left at its zero value: `from: [null]` is one
//     empty peer (`{}`, which ValidateNetworkPolicyPeer rejects: "must specify a peer"),
//     `ports: [null]` one empty port (every port), `except: [null]` the string "";
//   - a null map value is the value type's zero: `matchLabels: { app: null }` is app="".
// Custom resources (AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy) stay
// unstructured; apiextensions-apiserver prunes them against the CRD's structural schema
// (pkg/apiserver/schema/defaulting/prunenulls.go, PruneNonNullableNullsWithoutDefaults): a
// null field or map value whose schema is not `nullable` is removed, while a null list
// element is kept, so the schema rejects it ("must be of type object").
import type { TSchema } from "@sinclair/typebox";

export type Decoding = "go-struct" | "crd";

type Json = unknown;
type Schema = Record<string, any> | undefined;

/**
 * Go struct fields that are not pointers, which netspec's types mark required: absent or null,
 * they hold their zero value (`{}`), so the API server accepts the object without them.
 * (k8s.io/api networking/v1 NetworkPolicy.Spec, NetworkPolicySpec.PodSelector; core/v1 Service.Spec.)
 */
const ZERO_STRUCT_FIELDS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  "networking.k8s.io/v1/NetworkPolicy": [["spec"], ["spec", "podSelector"]],
  "v1/Service": [["spec"]],
};

/** A decoded copy of `object` (the input is not changed); `kindKey` is `apiVersion/kind`. */
export function decodeManifest(object: Record<string, unknown>, kindKey: string, schema: TSchema, decoding: Decoding): Record<string, unknown> {
  const decoded = decodeValue(object, schema as Schema, decoding) as Record<string, unknown>;
  if (decoding === "go-struct") {
    for (const path of ZERO_STRUCT_FIELDS[kindKey] ?? []) fillZeroStruct(decoded, path);
  }
  return decoded;
}

function decodeValue(value: Json, schema: Schema, decoding: Decoding): Json {
  if (Array.isArray(value)) {
    const items = branch(schema, "array")?.items as Schema;
    return value.map((item) => item === null
      ? (decoding === "go-struct" ? zeroOf(items) : null)
      : decodeValue(item, items, decoding));
  }
  if (value !== null && typeof value === "object") {
    const object = branch(schema, "object");
    const out: Record<string, Json> = {};
    for (const [key, item] of Object.entries(value)) {
      const property = propertySchema(object, key);
      if (item === null) {
        // A field: not set. A map value (a Record's patternProperties): "" in Go, pruned in a CRD.
        if (property.isMapValue && decoding === "go-struct") out[key] = zeroOf(property.schema);
        continue;
      }
      out[key] = decodeValue(item, property.schema, decoding);
    }
    return out;
  }
  return value;
}

/** The branch of a union (TypeBox anyOf) that describes a value of this JSON type, or the schema itself. */
function branch(schema: Schema, type: "array" | "object"): Schema {
  if (!schema) return undefined;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Schema[]).find((s) => s?.type === type);
  return schema.type === type ? schema : undefined;
}

function propertySchema(object: Schema, key: string): { schema: Schema; isMapValue: boolean } {
  if (!object) return { schema: undefined, isMapValue: false };
  const named = (object.properties as Record<string, Schema> | undefined)?.[key];
  if (named) return { schema: named, isMapValue: false };
  const pattern = Object.values((object.patternProperties ?? {}) as Record<string, Schema>)[0];
  if (pattern) return { schema: pattern, isMapValue: true };
  if (object.additionalProperties && typeof object.additionalProperties === "object") {
    return { schema: object.additionalProperties as Schema, isMapValue: true };
  }
  return { schema: undefined, isMapValue: false };
}

/** The JSON form of a Go zero value for a field of this schema (intstr.IntOrString's is 0). */
function zeroOf(schema: Schema): Json {
  if (!schema) return {};
  if (Array.isArray(schema.anyOf)) return zeroOf(schema.anyOf[0] as Schema);
  if ("const" in schema) return typeof schema.const === "string" ? "" : typeof schema.const === "number" ? 0 : false;
  switch (schema.type) {
    case "string": return "";
    case "integer": case "number": return 0;
    case "boolean": return false;
    case "array": return [];
    default: return {};
  }
}

function fillZeroStruct(object: Record<string, unknown>, path: readonly string[]): void {
  let node: Record<string, unknown> = object;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (node[key] === undefined) node[key] = {};
    if (last) return;
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) return; // the schema will say what is wrong
    node = next as Record<string, unknown>;
  }
}

/** API groups that netspec models and that are served from CustomResourceDefinitions, not compiled-in Go types. */
const CRD_GROUPS = new Set(["policy.networking.k8s.io", "gateway.networking.k8s.io"]);

/** How the API server decodes an object of this apiVersion (`group/version`, or `v1` for the core group). */
export function decodingFor(apiVersion: string): Decoding {
  const slash = apiVersion.indexOf("/");
  return slash >= 0 && CRD_GROUPS.has(apiVersion.slice(0, slash)) ? "crd" : "go-struct";
}
