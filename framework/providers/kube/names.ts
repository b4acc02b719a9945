// Names on a real cluster. The kind provider uses the scenario's namespaces as they are (the
// cluster is its own); the existing provider gives every namespace a run-unique suffix. The
// NameMap goes both ways, so manifests are rewritten consistently (metadata.namespace,
// namespaceSelectors on kubernetes.io/metadata.name, DNS names) and reports keep the
// scenario's names.
import { createHash } from "node:crypto";
import { inClusterZone, parseClusterName, type ClusterName } from "../../scenario/dns-names.js";
import { CLUSTER_DNS } from "../../scenario/model.js";

/** On every object netspec creates. */
export const LABEL_MANAGED = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "netspec";
/** The run that created an object (a label value: [a-z0-9-]). */
export const LABEL_RUN = "netspec.io/run";
/** The scenario namespace a real namespace stands for. */
export const LABEL_SCENARIO_NS = "netspec.io/scenario-namespace";
/** On nodes: the scenario node a real node plays (kind sets it through its config). */
export const LABEL_NODE = "netspec.io/node";
/** Who created a namespace: host:pid:start (an annotation: ':' is not allowed in label values). */
export const ANNOTATION_OWNER = "netspec.io/owner";
export const METADATA_NAME = "kubernetes.io/metadata.name";

/** Namespaces a cluster already has: used as they are, never created or deleted. */
export const BUILTIN_NAMESPACES = new Set(["kube-system", "kube-public", "kube-node-lease"]);

/** Where each record form of the cluster's zone spells its namespace (0-based label). */
const NAMESPACE_LABEL: Record<ClusterName["kind"], number> = { service: 1, pod: 1, endpoint: 2, srv: 3 };

export function shortHash(text: string, length = 6): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A label value from a run id (at most 63 characters of [a-z0-9-.], alphanumeric at both ends). */
export function runLabel(runId: string): string {
  const cleaned = runId.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  return (cleaned.length > 63 ? `${cleaned.slice(0, 56)}-${shortHash(runId)}` : cleaned) || shortHash(runId);
}

export class NameMap {
  private readonly toReal = new Map<string, string>();
  private readonly toScenario = new Map<string, string>();

  /** suffix undefined: names are kept (kind); otherwise every non-builtin namespace gets `-<suffix>`. */
  constructor(namespaces: readonly string[], readonly suffix?: string) {
    for (const ns of namespaces) {
      const real = suffix === undefined || BUILTIN_NAMESPACES.has(ns) ? ns : suffixed(ns, suffix);
      this.toReal.set(ns, real);
      this.toScenario.set(real, ns);
    }
  }

  namespace(scenarioNs: string): string {
    return this.toReal.get(scenarioNs) ?? scenarioNs;
  }

  scenarioNamespace(realNs: string): string | undefined {
    return this.toScenario.get(realNs);
  }

  /** `ns/name` in scenario terms → real terms. */
  id(scenarioId: string): string {
    const [ns, name] = scenarioId.split("/");
    return `${this.namespace(ns!)}/${name}`;
  }

  /** `ns/name` in real terms → scenario terms (undefined when not one of the scenario's namespaces). */
  scenarioId(realNs: string, name: string): string | undefined {
    const ns = this.scenarioNamespace(realNs);
    return ns === undefined ? undefined : `${ns}/${name}`;
  }

  /**
   * A name as a cell looks it up, with the namespace it spells mapped. `fqdn` is the cluster
   * name it stands for (scenario/dns-names.ts), which says where the namespace sits; a name
   * that leaves it to the client's search path (`api`), or that leaves the cluster, is as is.
   */
  dnsName(name: string, fqdn: string): string {
    const form = parseClusterName(fqdn);
    if (!form) return name;
    const at = NAMESPACE_LABEL[form.kind];
    const labels = name.split(".");
    const real = this.toReal.get(form.namespace);
    if (real === undefined || labels[at] !== form.namespace) return name;
    labels[at] = real;
    return labels.join(".");
  }

  /** An ExternalName Service's target in the cluster's zone names a scenario namespace too. */
  private externalName(name: string): string {
    return inClusterZone(name) ? this.dnsName(name, name) : name;
  }

  get identity(): boolean {
    return this.suffix === undefined;
  }

  /**
   * Rewrites an object's namespace references: metadata.namespace and every label selector on
   * kubernetes.io/metadata.name (matchLabels and matchExpressions), wherever it sits
   * (NetworkPolicy peers, AdminNetworkPolicy subjects and peers, passed-through kinds).
   */
  rewrite<T>(object: T): T {
    if (this.identity) return structuredClone(object);
    const copy = this.walk(structuredClone(object), true) as T;
    const top = copy as { apiVersion?: unknown; spec?: unknown };
    if (typeof top.apiVersion === "string" && top.apiVersion.startsWith("gateway.networking.k8s.io/")) this.gatewayReferences(top.spec);
    return copy;
  }

  /**
   * Gateway API objects name namespaces in their references: parentRefs, backendRefs (and a
   * RequestMirror's), certificateRefs, a ReferenceGrant's from; every `namespace` field of their
   * specs is such a reference (gateway.networking.k8s.io v1 and v1beta1 types).
   */
  private gatewayReferences(value: unknown): void {
    if (Array.isArray(value)) { for (const v of value) this.gatewayReferences(v); return; }
    if (!value || typeof value !== "object") return;
    const object = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(object)) {
      if (key === "namespace" && typeof child === "string") object[key] = this.namespace(child);
      else this.gatewayReferences(child);
    }
  }

  private walk(value: unknown, top: boolean): unknown {
    if (Array.isArray(value)) return value.map((v) => this.walk(v, false));
    if (!value || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    if (top && object.metadata && typeof object.metadata === "object") {
      const metadata = object.metadata as Record<string, unknown>;
      if (typeof metadata.namespace === "string") metadata.namespace = this.namespace(metadata.namespace);
      const spec = object.spec as Record<string, unknown> | undefined;
      if (object.kind === "Service" && typeof spec?.externalName === "string") spec.externalName = this.externalName(spec.externalName);
    }
    const matchLabels = object.matchLabels as Record<string, unknown> | undefined;
    if (matchLabels && typeof matchLabels === "object" && typeof matchLabels[METADATA_NAME] === "string") {
      matchLabels[METADATA_NAME] = this.namespace(matchLabels[METADATA_NAME] as string);
    }
    if (Array.isArray(object.matchExpressions)) {
      for (const expression of object.matchExpressions as Array<Record<string, unknown>>) {
        if (expression?.key === METADATA_NAME && Array.isArray(expression.values)) {
          expression.values = (expression.values as unknown[]).map((v) => (typeof v === "string" ? this.namespace(v) : v));
        }
      }
    }
    for (const [key, child] of Object.entries(object)) {
      if (key === "metadata" && top) continue;
      object[key] = this.walk(child, false);
    }
    return object;
  }
}

function suffixed(ns: string, suffix: string): string {
  const name = `${ns}-${suffix}`;
  if (name.length <= 63) return name;
  // Keep it a DNS-1123 label and still unique: truncate and add a hash of the full name.
  return `${ns.slice(0, 63 - suffix.length - 8).replace(/-+$/, "")}-${shortHash(ns)}-${suffix}`;
}

/** The pod's hostname on the cluster: what agnhost's servers answer with (maps back to the pod). */
export function podHostname(scenarioId: string): string {
  return `nsp-${shortHash(scenarioId, 12)}`;
}

/** The cluster DNS, as kind (kubeadm) deploys it: the scenario's implicit kube-system/coredns. */
export const DNS_POD_ID = `${CLUSTER_DNS.namespace}/${CLUSTER_DNS.podName}`;
export const DNS_SERVICE_ID = `${CLUSTER_DNS.namespace}/${CLUSTER_DNS.serviceName}`;
