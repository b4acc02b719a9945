// Small builders for Layer 7 test objects, and one assertion over an HttpVerdict, shared by the
// ingress, gateway and validate tests. The base objects re-encode the Gateway API conformance
// suite's shared manifests (conformance/base/manifests.yaml) under short namespace names:
// infra (gateway-conformance-infra), web and app (the two backend namespaces, labelled
// gateway-conformance=backend).
import assert from "node:assert/strict";
import {
  GATEWAY_CLASS_PLACEHOLDER,
  type Gateway, type HTTPRoute, type Ingress, type IngressClass, type Listener, type ReferenceGrant,
} from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import type { HttpBackendRequest, HttpOutcome, HttpRedirect, HttpVerdict } from "./result.js";
import { statusList } from "./result.js";

const split = (id: string) => {
  const [namespace, name] = id.split("/");
  return { namespace: namespace!, name: name! };
};

/** A Service `ns/name` with the given ports (a number, or [name, number]). */
export function service(id: string, ...ports: (number | [string, number])[]): Service {
  return {
    apiVersion: "v1", kind: "Service", metadata: split(id),
    spec: { selector: { app: split(id).name }, ports: ports.map((p) => (typeof p === "number" ? { port: p } : { name: p[0], port: p[1] })) },
  };
}

export function gateway(id: string, listeners: Listener[], gatewayClassName = GATEWAY_CLASS_PLACEHOLDER): Gateway {
  return { apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: split(id), spec: { gatewayClassName, listeners } };
}

/** An HTTP listener; `from` is allowedRoutes.namespaces.from. */
export function httpListener(name: string, port: number, more: Partial<Listener> & { from?: "All" | "Same" | "Selector" } = {}): Listener {
  const { from, ...rest } = more;
  return { name, port, protocol: "HTTP", ...(from ? { allowedRoutes: { namespaces: { from } } } : {}), ...rest };
}

export function httpRoute(id: string, spec: HTTPRoute["spec"], creationTimestamp?: string): HTTPRoute {
  return {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute",
    metadata: { ...split(id), ...(creationTimestamp ? { creationTimestamp } : {}) }, spec,
  };
}

export function referenceGrant(id: string, from: [string, string, string][], to: [string, string, string?][]): ReferenceGrant {
  return {
    apiVersion: "gateway.networking.k8s.io/v1beta1", kind: "ReferenceGrant", metadata: split(id),
    spec: {
      from: from.map(([group, kind, namespace]) => ({ group, kind, namespace })),
      to: to.map(([group, kind, name]) => ({ group, kind, ...(name !== undefined ? { name } : {}) })),
    },
  };
}

export function ingress(id: string, spec: NonNullable<Ingress["spec"]>, annotations?: Record<string, string>, creationTimestamp?: string): Ingress {
  return {
    apiVersion: "networking.k8s.io/v1", kind: "Ingress",
    metadata: { ...split(id), ...(annotations ? { annotations } : {}), ...(creationTimestamp ? { creationTimestamp } : {}) }, spec,
  };
}

export function ingressClass(name: string, controller: string, isDefault = false, creationTimestamp?: string): IngressClass {
  return {
    apiVersion: "networking.k8s.io/v1", kind: "IngressClass",
    metadata: {
      name,
      ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}),
      ...(creationTimestamp ? { creationTimestamp } : {}),
    },
    spec: { controller },
  };
}

/** A request; the Host defaults to an address, as the conformance suite sends when a test names no host. */
export function request(path: string, more: Partial<Omit<HttpRequest, "path">> = {}): HttpRequest {
  return { method: "GET", host: "192.0.2.80", headers: {}, ...more, path };
}

/** The conformance suite's shared objects. */
export const BASE_SERVICES: readonly Service[] = [
  service("infra/infra-backend-v1", ["first-port", 8080], ["second-port", 8081], ["third-port", 8082]),
  service("infra/infra-backend-v2", 8080),
  service("infra/infra-backend-v3", 8080),
  service("app/app-backend-v1", 8080),
  service("app/app-backend-v2", 8080),
  service("web/web-backend", 8080),
];

export const BASE_GATEWAYS: readonly Gateway[] = [
  gateway("infra/same-namespace", [httpListener("http", 80, { from: "Same" })]),
  gateway("infra/all-namespaces", [httpListener("http", 80, { from: "All" })]),
  gateway("infra/backend-namespaces", [{
    name: "http", port: 80, protocol: "HTTP",
    allowedRoutes: { namespaces: { from: "Selector", selector: { matchLabels: { "gateway-conformance": "backend" } } } },
  }]),
];

export const NAMESPACE_LABELS = {
  infra: { "gateway-conformance": "infra" },
  web: { "gateway-conformance": "backend" },
  app: { "gateway-conformance": "backend" },
} as const;

/** What a case expects of a verdict; unset fields are not checked. */
export interface Expectation {
  readonly outcome?: HttpOutcome;
  readonly status?: number | readonly number[];
  /** The Services (`ns/name`) that may answer, in any order. */
  readonly backends?: readonly string[];
  /** Fields of the backend request; `headers` names are compared case-insensitively. */
  readonly backendRequest?: Partial<Omit<HttpBackendRequest, "headers">> & { readonly headers?: Readonly<Record<string, string>> };
  readonly redirect?: Partial<HttpRedirect>;
  readonly reason?: RegExp;
}

export function assertVerdict(verdict: HttpVerdict, expected: Expectation): void {
  const context = `verdict: ${JSON.stringify(verdict)}`;
  const outcome = expected.outcome ?? (expected.redirect ? "redirect" : expected.backends && expected.backends.length > 0 ? "routed" : undefined);
  if (outcome) assert.equal(verdict.outcome, outcome, context);
  if (expected.status !== undefined) {
    const want = typeof expected.status === "number" ? [expected.status] : [...expected.status];
    assert.deepEqual([...statusList(verdict)].sort(), want.sort(), context);
  } else if (outcome === "routed") {
    assert.deepEqual(statusList(verdict), [200], context);
  }
  if (expected.backends) assert.deepEqual(verdict.backends.map((b) => b.service).sort(), [...expected.backends].sort(), context);
  if (expected.backendRequest) {
    const actual = verdict.backendRequest ?? verdict.backends[0]?.backendRequest;
    assert.ok(actual, `no backend request; ${context}`);
    const { headers, absentHeaders, ...rest } = expected.backendRequest;
    for (const [key, value] of Object.entries(rest)) assert.equal(actual[key as keyof typeof rest], value, `backendRequest.${key}; ${context}`);
    for (const [name, value] of Object.entries(headers ?? {})) assert.equal(actual.headers[name.toLowerCase()], value, `header ${name}; ${context}`);
    for (const name of absentHeaders ?? []) {
      assert.equal(actual.headers[name.toLowerCase()], undefined, `header ${name} should be absent; ${context}`);
      assert.ok(actual.absentHeaders.includes(name.toLowerCase()), `absentHeaders lacks ${name}; ${context}`);
    }
  }
  if (expected.redirect) {
    assert.ok(verdict.redirect, `no redirect; ${context}`);
    for (const [key, value] of Object.entries(expected.redirect)) assert.equal(verdict.redirect[key as keyof HttpRedirect], value, `redirect.${key}; ${context}`);
  }
  if (expected.reason) assert.match(verdict.reason, expected.reason);
}
