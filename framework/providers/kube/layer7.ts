// The scenario's Layer 7 objects on a real cluster, and the implementation that serves them.
//
// netspec does not bring a Gateway or Ingress controller to a real cluster: the user names the
// implementation under test (`--gateway-class NAME`, `--ingress-class NAME`) and may install it
// (`--install`). Then:
//  - a Gateway whose gatewayClassName is `{GATEWAY_CLASS_NAME}` (the Gateway API conformance
//    suite's placeholder, conformance/base/manifests.yaml) gets NAME, as the suite's own
//    `--gateway-class` flag does;
//  - an Ingress with neither spec.ingressClassName nor the deprecated kubernetes.io/ingress.class
//    annotation gets `ingressClassName: NAME` (SPEC.md: "an Ingress without ingressClassName [is
//    served] by the default IngressClass, or the provider's"). Both at once the API server rejects
//    (ValidateIngressCreate: the annotation "can not be set when the class field is also set").
// Without the flag of a family (Gateway API, Ingress) its objects are not applied, and its HTTP
// cells are skipped with the reason: netspec would not know which implementation answers.
import { GATEWAY_API_GROUP, GATEWAY_CLASS_PLACEHOLDER, INGRESS_CLASS_ANNOTATION, Layer7Kinds } from "../../kube/gateway-types.js";
import type { ManifestModel, Scenario } from "../../scenario/model.js";
import type { Layer7Implementation } from "../../scenario/implementation.js";
import type { HttpEntry } from "../../scenario/target.js";

export interface Layer7Options {
  /** The GatewayClass of the implementation under test (--gateway-class). */
  readonly gatewayClass?: string;
  /** The IngressClass of the Ingress controller under test (--ingress-class). */
  readonly ingressClass?: string;
}

export type Layer7Family = "gateway" | "ingress";

/** The Layer 7 family of a manifest (Gateway API or Ingress), undefined for any other kind. */
export function layer7Family(manifest: Pick<ManifestModel, "apiVersion" | "kind">): Layer7Family | undefined {
  if (!(`${manifest.apiVersion}/${manifest.kind}` in Layer7Kinds)) return undefined;
  return manifest.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`) ? "gateway" : "ingress";
}

/** Whether a family's objects are applied: its class flag names the implementation that serves them. */
export function familyServed(family: Layer7Family, options: Layer7Options): boolean {
  return family === "gateway" ? options.gatewayClass !== undefined : options.ingressClass !== undefined;
}

/** Why a family's HTTP cells are not probed without its flag. */
export function missingClassReason(family: Layer7Family): string {
  return family === "gateway"
    ? "no --gateway-class: name the GatewayClass of the Gateway API implementation under test (and install it with --install) to probe requests through Gateways"
    : "no --ingress-class: name the IngressClass of the Ingress controller under test (and install it with --install) to probe requests through Ingresses";
}

/**
 * A Layer 7 object as the cluster gets it: the conformance placeholder class replaced by
 * --gateway-class, a classless Ingress given --ingress-class. `object` is already a copy.
 */
export function withImplementationClass(object: Record<string, unknown>, options: Layer7Options): Record<string, unknown> {
  const kind = object.kind;
  const spec = object.spec as Record<string, unknown> | undefined;
  if (kind === "Gateway" && spec && spec.gatewayClassName === GATEWAY_CLASS_PLACEHOLDER && options.gatewayClass !== undefined) {
    return { ...object, spec: { ...spec, gatewayClassName: options.gatewayClass } };
  }
  if (kind === "Ingress" && options.ingressClass !== undefined) {
    const annotations = (object.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
    const classless = (spec?.ingressClassName ?? null) === null && annotations[INGRESS_CLASS_ANNOTATION] === undefined;
    if (classless) return { ...object, spec: { ...(spec ?? {}), ingressClassName: options.ingressClass } };
  }
  return object;
}

/** The Gateways the implementation under test serves once applied: those of --gateway-class. */
export function servedGateways(scenario: Scenario, options: Layer7Options): HttpEntry[] {
  if (options.gatewayClass === undefined) return [];
  return scenario.manifests
    .filter((m) => layer7Family(m) === "gateway" && m.kind === "Gateway")
    .filter((m) => {
      const className = (m.object.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName;
      return className === GATEWAY_CLASS_PLACEHOLDER || className === options.gatewayClass;
    })
    .map((m) => ({ kind: "gateway", namespace: m.namespace ?? "default", name: m.name }));
}

/** The Ingresses the HTTP cells go through (each `expect.http` entry's), when --ingress-class is given. */
export function probedIngresses(scenario: Scenario, options: Layer7Options): HttpEntry[] {
  if (options.ingressClass === undefined) return [];
  const seen = new Map<string, HttpEntry>();
  for (const { entry } of scenario.expect.http) if (entry.kind === "ingress") seen.set(`${entry.namespace}/${entry.name}`, entry);
  return [...seen.values()];
}

/**
 * The implementation under test as the oracle should see it (scenario/implementation.ts): it
 * serves the placeholder class (renamed on the cluster) and --gateway-class, and classless
 * Ingresses (they are given --ingress-class). Whether it isolates listeners is not known.
 */
export function kubeLayer7(options: Layer7Options): Layer7Implementation {
  return {
    gatewayClassNames: options.gatewayClass !== undefined ? [GATEWAY_CLASS_PLACEHOLDER, options.gatewayClass] : [],
    gatewayController: "",
    ingressClassNames: options.ingressClass !== undefined ? [options.ingressClass] : [],
    ingressControllers: [],
    servesClasslessIngress: options.ingressClass !== undefined,
  };
}

/** Whether HTTP cells will be probed, so the pods' TCP ports must answer HTTP with the echo backend. */
export function needsEchoServers(scenario: Scenario, options: Layer7Options): boolean {
  return scenario.expect.http.some((e) => familyServed(e.entry.kind, options));
}

/** The Layer 7 cluster-scoped kinds netspec may create (their objects carry the run's label). */
export const LAYER7_CLUSTER_RESOURCES = ["gatewayclasses.gateway.networking.k8s.io", "ingressclasses.networking.k8s.io"] as const;
