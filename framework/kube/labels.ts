// Label selectors and name/label syntax, as k8s.io/apimachinery defines them.
import type { LabelSelector, LabelSelectorRequirement } from "./types.js";

export type Labels = Readonly<Record<string, string>>;

/**
 * metav1.LabelSelector semantics (apimachinery/pkg/apis/meta/v1/helpers.go
 * LabelSelectorAsSelector): matchLabels and matchExpressions are ANDed; an empty selector
 * ({}) matches everything. `In` with a missing key fails, `NotIn` with a missing key matches,
 * `Exists`/`DoesNotExist` test the key only.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementMatches(req, labels));
}

function requirementMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case "In": return has && values.includes(labels[req.key]!);
    case "NotIn": return !has || !values.includes(labels[req.key]!);
    case "Exists": return has;
    case "DoesNotExist": return !has;
  }
}

/** True when the selector is `{}` (or absent): it selects every object in its scope. */
export function selectsAll(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** Human-readable form, as kubectl prints selectors: `app=api,tier in (a,b)`. */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (selectsAll(selector)) return "{} (all)";
  const parts = Object.entries(selector!.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector!.matchExpressions ?? []) {
    switch (req.operator) {
      case "Exists": parts.push(req.key); break;
      case "DoesNotExist": parts.push(`!${req.key}`); break;
      default: parts.push(`${req.key} ${req.operator === "In" ? "in" : "notin"} (${(req.values ?? []).join(",")})`);
    }
  }
  return parts.join(",");
}

// ---- syntax (apimachinery/pkg/util/validation/validation.go) -------------------------------

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** IsDNS1123Label: returns a problem description, or undefined when valid. */
export function checkDns1123Label(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS1123_LABEL.test(value)) {
    return "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit (e.g. 'my-name')";
  }
  return undefined;
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** IsDNS1035Label (a Service's name: ValidateServiceName = NameIsDNS1035Label). */
export function checkDns1035Label(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!DNS1035_LABEL.test(value)) {
    return "must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (e.g. 'my-name')";
  }
  return undefined;
}

export function checkDns1123Subdomain(value: string): string | undefined {
  if (value.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  }
  return undefined;
}

/** IsQualifiedName, used for label keys: an optional DNS-subdomain prefix and a name. */
export function checkLabelKey(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a label key has at most one '/' (prefix/name)";
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    if (parts[0]!.length === 0) return "the prefix before '/' must not be empty";
    const prefixProblem = checkDns1123Subdomain(parts[0]!);
    if (prefixProblem) return `prefix ${prefixProblem}`;
  }
  if (name.length === 0) return "the name part must not be empty";
  if (name.length > 63) return "the name part must be no more than 63 characters";
  if (!QUALIFIED_NAME.test(name)) {
    return "the name part must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  }
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (!LABEL_VALUE.test(value)) {
    return "must be empty or consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric";
  }
  return undefined;
}

/** IsValidPortName (IANA_SVC_NAME): at most 15 characters, a letter, no '--'. */
export function checkPortName(value: string): string | undefined {
  if (value.length > 15) return "a port name must be no more than 15 characters";
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) return "a port name must be lower-case alphanumerics and '-'";
  if (!/[a-z]/.test(value)) return "a port name must contain at least one letter";
  if (value.includes("--")) return "a port name must not contain '--'";
  return undefined;
}
