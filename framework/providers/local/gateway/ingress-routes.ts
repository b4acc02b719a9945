// The Ingress controller's port plan: every networking.k8s.io/v1 Ingress of a class this
// implementation serves, merged by host. Sources: the Ingress concept page
// (https://kubernetes.io/docs/concepts/services-networking/ingress/: Ingress rules, Path
// types, Multiple matches, Hostname wildcards, Default IngressClass, Deprecated annotation),
// k8s.io/api networking/v1 types.go (IngressSpec, IngressRule.Host, HTTPIngressPath,
// ServiceBackendPort), and the DefaultIngressClass admission plugin
// (plugin/pkg/admission/network/defaultingressclass: an Ingress without ingressClassName or
// class annotation gets the newest default IngressClass, by name on a tie).
//
//   class     ingressClassName, else the deprecated kubernetes.io/ingress.class annotation
//             ("widely supported by Ingress controllers"), else the default IngressClass;
//             served when the implementation serves that class by name or a declared
//             IngressClass of that name has one of its controllers; an Ingress left without a
//             class is served when the implementation serves classless Ingresses.
//   hosts     a precise host is compared with the Host header (without its port, lower
//             case); `*.foo.com` matches exactly one label ("bar.foo.com" but not
//             "baz.bar.foo.com" nor "foo.com"); no host: every request. Rules of one host merge
//             across Ingresses. Implementation-specific choice, as ingress-nginx does: a
//             request is served by the paths of its most specific host only (precise, then
//             wildcard, then the rules without host).
//   paths     Exact, Prefix (element-wise, trailing `/` ignored), ImplementationSpecific
//             (served as Prefix); "precedence will be given first to the longest matching
//             path. If two paths are still equally matched, precedence will be given to paths
//             with an exact path type over prefix path type"; then the oldest Ingress.
//   default   a request no path takes goes to spec.defaultBackend (of the oldest Ingress that
//             has one), else 404.
//   backends  a Service port by number or by name, forwarded to the Service's cluster IP. A
//             Service or port that does not exist, or a `resource` backend, answers 503,
//             as ingress-nginx answers for a backend without endpoints (the API does not say).
//   TLS       not served (port 80 only).
import {
  DEFAULT_INGRESS_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION, type HTTPIngressPath, type Ingress, type IngressBackend, type IngressClass,
} from "../../../kube/gateway-types.js";
import type { Layer7Implementation } from "../../../scenario/implementation.js";
import type { ServiceModel } from "../../../scenario/model.js";
import { withoutTrailingSlash } from "./filters.js";
import { hostnameSyntax, representable } from "./haproxy.js";
import { compareAge, compareNumbers, compareText, olderFirst, type Layer7Manifests, type Named } from "./manifests.js";
import type { Action, HostPattern, MatchEntry, PathCondition, PortPlan, Selector, Target } from "./plan.js";

/** Ingress serves HTTP on port 80 (TLS, on 443, is not served here). */
export const INGRESS_HTTP_PORT = 80;

export interface IngressPlanInput {
  readonly manifests: Layer7Manifests;
  readonly implementation: Layer7Implementation;
  /** By `namespace/name`. */
  readonly services: ReadonlyMap<string, ServiceModel>;
}

interface Candidate {
  readonly ingress: Named<Ingress>;
  /** Its value is the length that decides, as element-wise matching sees it (a prefix's trailing `/` ignored). */
  readonly path: IngressPath;
  readonly rule: number;
  readonly index: number;
  readonly action: number;
  readonly label: string;
}

export function planIngress(input: IngressPlanInput, notes: string[]): PortPlan[] {
  const served = input.manifests.ingresses.filter((ing) => {
    const why = refusal(ing, input);
    if (why) notes.push(`Ingress ${ing.namespace}/${ing.name}: ${why}: not served`);
    return !why;
  }).sort(olderFirst);

  const actions: Action[] = [];
  const groups = new Map<string, Candidate[]>();
  for (const ing of served) {
    const id = `Ingress ${ing.namespace}/${ing.name}`;
    if ((ing.object.spec?.tls ?? []).length > 0) notes.push(`${id}: tls is not served (HTTP on port ${INGRESS_HTTP_PORT} only)`);
    (ing.object.spec?.rules ?? []).forEach((rule, r) => {
      const host = rule.host?.toLowerCase() ?? "";
      if (host !== "" && !hostnameSyntax(host)) {
        notes.push(`${id} rule ${r}: host ${JSON.stringify(rule.host)} is not a DNS name or wildcard: left out`);
        return;
      }
      (rule.http?.paths ?? []).forEach((p, k) => {
        const label = `${id} rule ${r} (${host || "any host"}) path ${k} (${p.pathType ?? "no pathType"} ${p.path ?? ""})`;
        const path = pathCondition(p, label, notes);
        if (!path) return;
        const action = actions.push(serviceAction(label, p.backend, ing, input.services, notes)) - 1;
        groups.set(host, [...(groups.get(host) ?? []), { ingress: ing, path, rule: r, index: k, action, label }]);
      });
    });
  }

  const hosts = [...groups.keys()].sort((a, b) => compareNumbers(hostOrder(a), hostOrder(b)) || compareText(a, b));
  const selectors: Selector[] = hosts.map((host) => ({ label: host === "" ? "rules without host" : `host ${host}`, ...hostPattern(host) }));
  const entries: MatchEntry[] = hosts.flatMap((host, selector) => [...groups.get(host)!]
    .sort((a, b) => b.path.value.length - a.path.value.length
      || Number(b.path.kind === "exact") - Number(a.path.kind === "exact")
      || olderFirst(a.ingress, b.ingress)
      || a.rule - b.rule
      || a.index - b.index)
    .map((c) => ({ selector, path: c.path, headers: [], query: [], action: c.action, label: c.label })));

  return [{ port: INGRESS_HTTP_PORT, selectors, entries, actions, fallback: defaultBackend(served, input.services, notes) }];
}

/** Why the implementation does not serve an Ingress, or undefined when it does. */
function refusal(ing: Named<Ingress>, input: IngressPlanInput): string | undefined {
  const impl = input.implementation;
  const annotations = (ing.object.metadata.annotations ?? {}) as Record<string, string>;
  const className = ing.object.spec?.ingressClassName ?? annotations[INGRESS_CLASS_ANNOTATION] ?? defaultClass(input.manifests.ingressClasses)?.name;
  if (className === undefined) return impl.servesClasslessIngress ? undefined : "it has no class";
  if (impl.ingressClassNames.includes(className)) return undefined;
  const declared = input.manifests.ingressClasses.find((c) => c.name === className);
  const controller = declared?.object.spec?.controller;
  if (controller !== undefined && impl.ingressControllers.includes(controller)) return undefined;
  return declared ? `IngressClass ${className} has controller ${controller ?? "(none)"}` : `IngressClass ${className} is not served by this implementation`;
}

/** The default IngressClass the admission plugin would assign: the newest, by name on a tie. */
function defaultClass(classes: readonly Named<IngressClass>[]): Named<IngressClass> | undefined {
  const defaults = classes.filter((c) => c.object.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === "true");
  return defaults.sort((a, b) => -compareAge(a, b) || compareText(a.name, b.name))[0];
}

type IngressPath = Exclude<PathCondition, { kind: "regex" }>;

function pathCondition(p: HTTPIngressPath, label: string, notes: string[]): IngressPath | undefined {
  const value = p.path ?? (p.pathType === "ImplementationSpecific" ? "/" : undefined);
  if (value === undefined || !value.startsWith("/") || !representable(value)) {
    notes.push(`${label}: the path must start with '/' and be printable ASCII: left out`);
    return undefined;
  }
  switch (p.pathType) {
    case "Exact":
      return { kind: "exact", value };
    case "ImplementationSpecific":
      notes.push(`${label}: ImplementationSpecific is served as Prefix`);
      return { kind: "prefix", value: withoutTrailingSlash(value) };
    case "Prefix":
      return { kind: "prefix", value: withoutTrailingSlash(value) };
    default:
      notes.push(`${label}: pathType must be Exact, Prefix or ImplementationSpecific: left out`);
      return undefined;
  }
}

function serviceAction(label: string, backend: IngressBackend, ing: Named<Ingress>, services: ReadonlyMap<string, ServiceModel>, notes: string[]): Action {
  return { label, filters: [], shares: [{ weight: 1, target: backendTarget(label, backend, ing, services, notes), filters: [] }] };
}

function backendTarget(label: string, backend: IngressBackend, ing: Named<Ingress>, services: ReadonlyMap<string, ServiceModel>, notes: string[]): Target {
  const unavailable = (why: string): Target => {
    notes.push(`${label}: ${why}: answers 503`);
    return { kind: "status", status: 503 };
  };
  if (!backend.service) return unavailable(backend.resource ? `resource backend ${backend.resource.kind} ${backend.resource.name} is not supported` : "no service backend");
  const id = `${ing.namespace}/${backend.service.name}`;
  const service = services.get(id);
  if (!service) return unavailable(`Service ${id} does not exist`);
  const wanted = backend.service.port;
  const port = service.ports.find((p) => p.protocol === "TCP" && (wanted?.name !== undefined ? p.name === wanted.name : p.port === wanted?.number));
  if (!port) return unavailable(`Service ${id} has no TCP port ${wanted?.name ?? wanted?.number ?? "(none given)"}`);
  return { kind: "service", service, port: port.port, label: `Service ${id} port ${port.port}` };
}

function defaultBackend(served: readonly Named<Ingress>[], services: ReadonlyMap<string, ServiceModel>, notes: string[]): Target {
  const withDefault = served.filter((ing) => ing.object.spec?.defaultBackend);
  withDefault.slice(1).forEach((ing) => notes.push(`Ingress ${ing.namespace}/${ing.name}: defaultBackend ignored: the older Ingress ${withDefault[0]!.namespace}/${withDefault[0]!.name} has one`));
  const first = withDefault[0];
  if (!first) return { kind: "status", status: 404 };
  return backendTarget(`Ingress ${first.namespace}/${first.name} defaultBackend`, first.object.spec!.defaultBackend!, first, services, notes);
}

/** Precise hosts first, then wildcards (one can match a given host), then the rules without host. */
function hostOrder(host: string): number[] {
  if (host === "") return [2, 0];
  return host.startsWith("*.") ? [1, -host.length] : [0, 0];
}

function hostPattern(host: string): { host?: HostPattern } {
  if (host === "") return {};
  return { host: host.startsWith("*.") ? { kind: "one-label", suffix: host.slice(2) } : { kind: "exact", name: host } };
}
