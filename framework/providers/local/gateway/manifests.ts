// The Layer 7 objects among a scenario's manifests, typed, and their age: Gateway API route
// precedence goes to "the oldest Route based on creation timestamp", then alphabetical
// namespace/name (Listener.AllowedRoutes, HTTPRouteRule.Matches); the default IngressClass
// admission plugin picks the newest default class. The API server sets creationTimestamp when
// an object is created; a manifest may carry one, and one without it is taken as created when
// applied, after every timestamped one, in declaration order.
import type { Gateway, GatewayClass, HTTPRoute, Ingress, IngressClass, ReferenceGrant } from "../../../kube/gateway-types.js";
import type { ManifestModel } from "../../../scenario/model.js";

export interface Named<T> {
  /** The object's namespace ("" for cluster-scoped kinds). */
  readonly namespace: string;
  readonly name: string;
  readonly object: T;
  /** Position among the scenario's manifests. */
  readonly index: number;
  /** metadata.creationTimestamp in ms, when the manifest carries a valid one. */
  readonly created?: number;
}

const GATEWAY_VERSIONS = new Set(["gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"]);
const INGRESS_VERSION = "networking.k8s.io/v1";

export class Layer7Manifests {
  readonly gatewayClasses: readonly Named<GatewayClass>[];
  readonly gateways: readonly Named<Gateway>[];
  readonly routes: readonly Named<HTTPRoute>[];
  readonly grants: readonly Named<ReferenceGrant>[];
  readonly ingresses: readonly Named<Ingress>[];
  readonly ingressClasses: readonly Named<IngressClass>[];

  constructor(manifests: readonly ManifestModel[]) {
    const named = manifests.map((m, index) => ({ m, index }));
    const pick = <T>(versions: (v: string) => boolean, kind: string, clusterScoped = false): Named<T>[] =>
      named.filter(({ m }) => m.kind === kind && versions(m.apiVersion)).map(({ m, index }) => ({
        namespace: clusterScoped ? "" : m.namespace ?? "default",
        name: m.name,
        object: m.object as T,
        index,
        created: creationTime(m.object),
      }));
    const gatewayApi = (v: string) => GATEWAY_VERSIONS.has(v);
    const networking = (v: string) => v === INGRESS_VERSION;
    this.gatewayClasses = pick(gatewayApi, "GatewayClass", true);
    this.gateways = pick(gatewayApi, "Gateway");
    this.routes = pick(gatewayApi, "HTTPRoute");
    this.grants = pick(gatewayApi, "ReferenceGrant");
    this.ingresses = pick(networking, "Ingress");
    this.ingressClasses = pick(networking, "IngressClass", true);
  }
}

function creationTime(object: Record<string, unknown>): number | undefined {
  const stamp = (object["metadata"] as { creationTimestamp?: unknown } | undefined)?.creationTimestamp;
  if (typeof stamp !== "string") return undefined;
  const ms = Date.parse(stamp);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Negative when `a` was created before `b` (timestamps first, then declaration order). */
export function compareAge(a: Named<unknown>, b: Named<unknown>): number {
  if (a.created !== undefined && b.created !== undefined) return a.created - b.created;
  if (a.created !== undefined) return -1;
  if (b.created !== undefined) return 1;
  return a.index - b.index;
}

/** The oldest first; on equal timestamps, "namespace/name" alphabetically. */
export function olderFirst(a: Named<unknown>, b: Named<unknown>): number {
  return compareAge(a, b) || compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`);
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lexicographic order of number tuples of one length. */
export function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
