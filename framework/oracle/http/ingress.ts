// Which backend an Ingress-served request reaches (networking.k8s.io/v1).
// Sources:
//   [docs]  https://kubernetes.io/docs/concepts/services-networking/ingress/ ("Path types",
//           "Examples", "Multiple matches", "Hostname wildcards", "Default IngressClass")
//   [types] k8s.io/api/networking/v1/types.go (IngressSpec, IngressRule.host, IngressRuleValue,
//           PathType, HTTPIngressPath, IngressBackend, IngressClass)
//   [admission] kubernetes plugin/pkg/admission/network/defaultingressclass (class defaulting)
//
// A controller serves every Ingress of its classes from one address, so a request to
// `ingress/ns/name` is routed over all the Ingresses that controller serves, merged. How merged
// Ingresses resolve conflicts, and several choices inside one Ingress, the API leaves to the
// controller: the verdict is then `undefined`, with the alternatives when they are known.
import {
  DEFAULT_INGRESS_CLASS_ANNOTATION, INGRESS_CLASS_ANNOTATION,
  type Ingress, type IngressBackend, type IngressClass,
} from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import { createdAt, ServiceIndex, type ReadyEndpoints } from "./backends.js";
import { compilePrefix, parseRequest, prefixMatches, unchangedBackendRequest, type ParsedRequest, type PathPrefix } from "./request.js";
import { statusVerdict, undefinedVerdict, unservedVerdict, type HttpVerdict } from "./result.js";

export interface IngressObjects {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses?: readonly IngressClass[];
  readonly services: readonly Service[];
}

/** The Ingress controller under test: which Ingresses it serves. */
export interface IngressImplementation {
  /** IngressClass names it serves whether or not an IngressClass object is declared (the provider's own). */
  readonly classNames?: readonly string[];
  /** IngressClass `spec.controller` values that name it, e.g. `k8s.io/ingress-nginx`. */
  readonly controllers?: readonly string[];
  /** Values of the deprecated `kubernetes.io/ingress.class` annotation it honours (ingress-nginx: `nginx`). */
  readonly annotationClasses?: readonly string[];
  /** Whether it serves Ingresses of no class at all; unset: the controller's choice (undefined). */
  readonly servesClassless?: boolean;
  readonly readyEndpoints?: ReadyEndpoints;
}

export interface IngressClassChoice {
  /** The class name, or undefined when the Ingress has none. */
  readonly name: string | undefined;
  readonly source: "ingressClassName" | "annotation" | "default" | "none";
  /** False when the default class depends on creation times netspec does not know. */
  readonly certain: boolean;
  readonly reason: string;
}

/**
 * The class an Ingress ends up with. [types] IngressSpec.ingressClassName first; controllers
 * "should still honor" the deprecated annotation; the DefaultIngressClass admission plugin
 * assigns the default class only when neither is set ([admission]: it returns early when the
 * annotation is present), and among several default classes "chooses the newest" (ties by name).
 * The plugin runs when the Ingress is created: this assumes IngressClasses are created first.
 */
export function ingressClassOf(ingress: Ingress, classes: readonly IngressClass[]): IngressClassChoice {
  const explicit = ingress.spec?.ingressClassName;
  if (explicit !== undefined) return { name: explicit, source: "ingressClassName", certain: true, reason: `ingressClassName ${explicit}` };
  const annotated = ingress.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (annotated !== undefined) {
    return { name: annotated, source: "annotation", certain: true, reason: `annotation ${INGRESS_CLASS_ANNOTATION}: ${annotated} (deprecated)` };
  }
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === "true");
  if (defaults.length === 0) return { name: undefined, source: "none", certain: true, reason: "no ingressClassName, no class annotation and no default IngressClass" };
  if (defaults.length === 1) {
    return { name: defaults[0]!.metadata.name, source: "default", certain: true, reason: `the default IngressClass ${defaults[0]!.metadata.name}` };
  }
  const times = defaults.map((c) => createdAt(c.metadata));
  const certain = times.every((t) => t !== undefined);
  const newest = [...defaults].sort((a, b) => (createdAt(b.metadata) ?? 0) - (createdAt(a.metadata) ?? 0) || (a.metadata.name < b.metadata.name ? -1 : 1))[0]!;
  const names = defaults.map((c) => c.metadata.name).join(", ");
  return certain
    ? { name: newest.metadata.name, source: "default", certain, reason: `the newest of ${defaults.length} default IngressClasses (${names}): ${newest.metadata.name}` }
    : { name: undefined, source: "default", certain, reason: `${defaults.length} default IngressClasses (${names}): the newest is assigned, and their creation times are not known` };
}

export type IngressServing = { readonly served: boolean | undefined; readonly reason: string };

interface IngressPathEntry {
  readonly ingress: Ingress;
  readonly id: string;
  /** `rules[0].http.paths[1]`. */
  readonly label: string;
  /** 0: the rule names the host exactly, 1: a wildcard host, 2: no host. */
  readonly tier: 0 | 1 | 2;
  readonly type: "Exact" | "Prefix" | "other";
  readonly pathType: string;
  readonly value: string;
  readonly prefix: PathPrefix;
  readonly backend: IngressBackend;
}

type HostPattern =
  | { readonly kind: "exact"; readonly host: string }
  | { readonly kind: "wildcard"; readonly suffix: string }
  | { readonly kind: "any" };

interface IngressRuleEntry {
  readonly id: string;
  readonly label: string;
  readonly host: HostPattern;
  readonly hostText: string;
  /** undefined: the rule has no `http` value. */
  readonly paths: readonly IngressPathEntry[] | undefined;
}

/** The Ingresses one controller serves, compiled once: rules by host kind, default backends. */
interface IngressTable {
  readonly rules: readonly IngressRuleEntry[];
  readonly defaults: readonly { readonly id: string; readonly ingress: Ingress; readonly backend: IngressBackend }[];
}

const ingressId = (ingress: Ingress) => `${ingress.metadata.namespace ?? "default"}/${ingress.metadata.name}`;

function compileTable(ingresses: readonly Ingress[]): IngressTable {
  const rules: IngressRuleEntry[] = [];
  const defaults: IngressTable["defaults"][number][] = [];
  for (const ingress of ingresses) {
    const id = ingressId(ingress);
    if (ingress.spec?.defaultBackend) defaults.push({ id, ingress, backend: ingress.spec.defaultBackend });
    (ingress.spec?.rules ?? []).forEach((rule, r) => {
      const hostText = rule.host ?? "";
      // [types] IngressRule.host: unset matches every host; "*.foo.com" is one wildcard label.
      const host: HostPattern = hostText === ""
        ? { kind: "any" }
        : hostText.startsWith("*.") ? { kind: "wildcard", suffix: hostText.slice(1).toLowerCase() } : { kind: "exact", host: hostText.toLowerCase() };
      const tier = host.kind === "exact" ? 0 : host.kind === "wildcard" ? 1 : 2;
      const paths = rule.http?.paths.map((path, p): IngressPathEntry => {
        const pathType = path.pathType ?? "";
        const value = path.path ?? "";
        return {
          ingress, id, label: `rules[${r}].http.paths[${p}]`, tier,
          type: pathType === "Exact" || pathType === "Prefix" ? pathType : "other",
          pathType, value, prefix: compilePrefix(value), backend: path.backend,
        };
      });
      rules.push({ id, label: `rules[${r}]`, host, hostText, paths });
    });
  }
  return { rules, defaults };
}

/**
 * [types] IngressRule.host: a precise host matches the Host header exactly; a wildcard
 * "matches only a single label" ([docs] `*.foo.com` matches `bar.foo.com`, not
 * `baz.bar.foo.com` nor `foo.com`).
 */
function hostMatches(pattern: HostPattern, host: string): boolean {
  switch (pattern.kind) {
    case "any": return true;
    case "exact": return pattern.host === host;
    case "wildcard": {
      if (!host.endsWith(pattern.suffix)) return false;
      const label = host.slice(0, host.length - pattern.suffix.length);
      return label.length > 0 && !label.includes(".");
    }
  }
}

/** [types] PathTypeExact: exact and case-sensitive; PathTypePrefix: element-wise (request.ts). */
function pathMatches(entry: IngressPathEntry, path: string): boolean {
  return entry.type === "Exact" ? path === entry.value : prefixMatches(entry.prefix, path);
}

const describePath = (e: IngressPathEntry) => `Ingress ${e.id} ${e.label} (${e.pathType} ${e.value || "\"\""})`;
const backendKey = (e: { id: string; backend: IngressBackend }) => {
  const { service, resource } = e.backend;
  const ns = e.id.split("/")[0];
  if (resource) return `resource ${resource.apiGroup ?? ""}/${resource.kind} ${ns}/${resource.name}`;
  return `service ${ns}/${service?.name}:${service?.port?.number ?? service?.port?.name ?? "?"}`;
};

/**
 * [docs] "Multiple matches": "precedence will be given first to the longest matching path. If
 * two paths are still equally matched, precedence will be given to paths with an exact path
 * type over prefix path type." Then the more specific host: [docs] "Name based virtual hosting"
 * sends a named host's traffic to its own rule rather than to a host-less rule. Returns the
 * best matches (several when they tie on all three) and the first one behind them.
 */
function bestPaths(candidates: readonly IngressPathEntry[]): { best: IngressPathEntry[]; runnerUp?: IngressPathEntry } {
  const sorted = [...candidates].sort(comparePaths);
  const top = sorted[0];
  if (!top) return { best: [] };
  const best = sorted.filter((e) => comparePaths(e, top) === 0);
  const runnerUp = sorted.find((e) => comparePaths(e, top) !== 0);
  return runnerUp ? { best, runnerUp } : { best };
}

/**
 * A path's length as it matches: [docs] "Examples" table, Prefix `/aaa/bbb/` matches `/aaa/bbb`
 * ("ignores trailing slash"), so a Prefix path's trailing slashes do not make it longer (a
 * Prefix `/foo/` and an Exact `/foo` are equally long, and Exact wins).
 */
const matchedLength = (e: IngressPathEntry) => (e.type === "Exact" ? e.value.length : e.value.replace(/\/+$/, "").length);

function comparePaths(a: IngressPathEntry, b: IngressPathEntry): number {
  return matchedLength(b) - matchedLength(a) || (a.type === "Exact" ? 0 : 1) - (b.type === "Exact" ? 0 : 1) || a.tier - b.tier;
}

/** Which criterion puts `winner` before `runnerUp`. */
function decidedBy(winner: IngressPathEntry, runnerUp: IngressPathEntry): string {
  if (matchedLength(winner) !== matchedLength(runnerUp)) return `the longest matching path (${matchedLength(winner)} characters)`;
  if (winner.type !== runnerUp.type) return "Exact over Prefix on an equal path";
  return "the more specific host on an equal path";
}

export class IngressRouter {
  private readonly services: ServiceIndex;
  private readonly classes: readonly IngressClass[];
  private readonly serving = new Map<Ingress, IngressServing>();
  /** The Ingresses certainly served, and those whose serving is the controller's choice. */
  private readonly served: readonly Ingress[];
  private readonly maybeServed: readonly Ingress[];
  private readonly definite: IngressTable;
  private readonly possible: IngressTable | undefined;

  constructor(objects: IngressObjects, private readonly implementation: IngressImplementation = {}) {
    this.services = new ServiceIndex(objects.services, implementation.readyEndpoints);
    this.classes = objects.ingressClasses ?? [];
    for (const ingress of objects.ingresses) this.serving.set(ingress, this.judgeServing(ingress));
    this.served = objects.ingresses.filter((i) => this.serving.get(i)!.served === true);
    this.maybeServed = objects.ingresses.filter((i) => this.serving.get(i)!.served === undefined);
    this.definite = compileTable(this.served);
    this.possible = this.maybeServed.length > 0 ? compileTable([...this.served, ...this.maybeServed]) : undefined;
  }

  /** Whether the controller under test serves `ingress`, and why. */
  servingOf(ingress: Ingress): IngressServing {
    return this.serving.get(ingress) ?? this.judgeServing(ingress);
  }

  /** The verdict for `request` sent to the controller that serves the Ingress `entry`. */
  route(entry: { readonly namespace: string; readonly name: string }, request: HttpRequest): HttpVerdict {
    const target = [...this.serving.keys()].find((i) => (i.metadata.namespace ?? "default") === entry.namespace && i.metadata.name === entry.name);
    if (!target) throw new RangeError(`no Ingress ${entry.namespace}/${entry.name} among the scenario's Ingresses`);
    const serving = this.serving.get(target)!;
    if (serving.served === false) return unservedVerdict(`Ingress ${entry.namespace}/${entry.name}: ${serving.reason}`);
    const parsed = parseRequest(request);
    if (serving.served === undefined) {
      return undefinedVerdict(`Ingress ${entry.namespace}/${entry.name}: ${serving.reason}`, [this.decide(this.possible!, parsed)]);
    }
    const verdict = this.decide(this.definite, parsed);
    if (!this.possible) return verdict;
    // Ingresses the controller may or may not serve join the merge only on some clusters.
    const wider = this.decide(this.possible, parsed);
    if (sameAnswer(verdict, wider)) return verdict;
    const maybe = this.maybeServed.map(ingressId).join(", ");
    return undefinedVerdict(`${verdict.reason}; but ${maybe} (${this.serving.get(this.maybeServed[0]!)!.reason}) would change the answer if the controller serves it`, [verdict, wider]);
  }

  private judgeServing(ingress: Ingress): IngressServing {
    const choice = ingressClassOf(ingress, this.classes);
    const impl = this.implementation;
    if (!choice.certain) return { served: undefined, reason: choice.reason };
    if (choice.name === undefined) {
      if (impl.servesClassless === undefined) return { served: undefined, reason: `${choice.reason}: whether a controller serves it is the controller's choice` };
      return { served: impl.servesClassless, reason: `${choice.reason}: the controller ${impl.servesClassless ? "serves" : "ignores"} Ingresses without a class` };
    }
    if (choice.source === "annotation" && (impl.annotationClasses ?? []).includes(choice.name)) {
      return { served: true, reason: `${choice.reason}, which the controller honours` };
    }
    if ((impl.classNames ?? []).includes(choice.name)) return { served: true, reason: `${choice.reason}, a class the controller serves` };
    const declared = this.classes.find((c) => c.metadata.name === choice.name);
    if (!declared) return { served: false, reason: `${choice.reason}: no IngressClass ${choice.name} and not a class the controller serves` };
    const controller = declared.spec?.controller ?? "";
    const ours = (impl.controllers ?? []).includes(controller);
    return { served: ours, reason: `${choice.reason}: IngressClass ${choice.name} has controller ${controller || "(none)"}${ours ? "" : ", not the controller under test"}` };
  }

  private decide(table: IngressTable, parsed: ParsedRequest): HttpVerdict {
    const hostRules = table.rules.filter((rule) => hostMatches(rule.host, parsed.host));
    // [types] IngressRuleValue: "If unspecified, the rule defaults to a http catch-all. Whether
    // that sends just traffic matching the host to the default backend or all traffic to the
    // default backend, is left to the controller".
    const bare = hostRules.find((rule) => rule.paths === undefined);
    if (bare) return undefinedVerdict(`Ingress ${bare.id} ${bare.label} (host ${bare.hostText || "*"}) has no http paths: what such a rule catches is left to the controller`);
    const entries = hostRules.flatMap((rule) => rule.paths!);
    // [types] PathTypeImplementationSpecific: "matching is up to the IngressClass".
    const specific = entries.find((e) => e.type === "other");
    if (specific) return undefinedVerdict(`${describePath(specific)}: pathType ${specific.pathType || "(unset)"} matching is up to the IngressClass`);

    const tiers = [0, 1, 2].map((t) => entries.filter((e) => e.tier === t));
    const matching = tiers.map((tier) => tier.filter((e) => pathMatches(e, parsed.path)));
    // The API says which path wins, not how rules of different hosts combine: all rules that
    // match the host pooled (as the docs' examples read), or only the most specific host's rules
    // (as controllers that build one virtual host per name do), with or without falling through
    // to less specific hosts. The verdict is certain where these readings agree.
    const pooled = bestPaths(matching.flat());
    const mostSpecific = tiers.findIndex((tier) => tier.length > 0);
    const isolated = mostSpecific < 0 ? { best: [] } : bestPaths(matching[mostSpecific]!);
    const fallthrough = bestPaths(matching.find((tier) => tier.length > 0) ?? []);
    const readings = [pooled, isolated, fallthrough];
    const choices = new Set(readings.map((r) => (r.best.length === 0 ? "default" : backendKey(r.best[0]!))));
    if (choices.size > 1) {
      const alternatives = readings.map((r) => (r.best.length === 0 ? this.fallback(table, parsed) : this.forward(r.best[0]!, parsed, "")));
      const winners = readings.map((r) => (r.best.length === 0 ? "no path (default backend)" : describePath(r.best[0]!)));
      const kinds = ["its exact host", "a wildcard host", "no host"].filter((_, t) => tiers[t]!.length > 0).join(", ");
      return undefinedVerdict(
        `host ${parsed.host}: rules for ${kinds} match it, and how their paths combine is left to the controller: ` +
        `pooled ${winners[0]}, most specific host only ${winners[1]}, first host with a match ${winners[2]}`,
        alternatives,
      );
    }
    const { best, runnerUp } = pooled;
    if (best.length === 0) return this.fallback(table, parsed);
    const backends = new Set(best.map(backendKey));
    if (backends.size > 1) {
      // Equal paths with different backends, in one Ingress or several: which one a controller
      // keeps is its own (ingress-nginx: the oldest Ingress); the API does not say.
      return undefinedVerdict(
        `${best.map(describePath).join(" and ")} match equally with different backends: which one wins is left to the controller`,
        best.map((e) => this.forward(e, parsed, "")),
      );
    }
    const winner = best[0]!;
    const why = runnerUp ? `; ${decidedBy(winner, runnerUp)} over ${describePath(runnerUp)}` : "";
    const decision = {
      listener: `host ${parsed.host}`, match: describePath(winner),
      ...(runnerUp ? { runnerUp: describePath(runnerUp), criterion: decidedBy(winner, runnerUp) } : { criterion: "the only matching path" }),
    };
    return { ...this.forward(winner, parsed, why), decision };
  }

  /**
   * [types] IngressSpec.defaultBackend handles "requests that don't match any rule"; without
   * one, "the handling ... will be up to the Ingress controller": every controller netspec
   * knows answers 404 (ingress-nginx's default backend, GKE, Traefik), so 404 it is.
   */
  private fallback(table: IngressTable, parsed: ParsedRequest): HttpVerdict {
    const distinct = new Map(table.defaults.map((d) => [backendKey(d), d]));
    if (distinct.size === 0) return statusVerdict(404, `no rule of the served Ingresses matches host ${parsed.host} path ${parsed.path}, and none has a defaultBackend: 404`);
    if (distinct.size > 1) {
      return undefinedVerdict(
        `no rule matches, and the merged Ingresses have ${distinct.size} different defaultBackends (${[...distinct.values()].map((d) => d.id).join(", ")}): which one applies is left to the controller`,
        [...distinct.values()].map((d) => this.resolve(d.id, d.backend, parsed, `Ingress ${d.id} defaultBackend`)),
      );
    }
    const only = [...distinct.values()][0]!;
    return this.resolve(only.id, only.backend, parsed, `no rule matches host ${parsed.host} path ${parsed.path}: Ingress ${only.id} defaultBackend`);
  }

  private forward(entry: IngressPathEntry, parsed: ParsedRequest, why: string): HttpVerdict {
    return this.resolve(entry.id, entry.backend, parsed, `${describePath(entry)} matches ${parsed.path}${why}`);
  }

  /** [types] IngressServiceBackend: "The service must exist in the same namespace as the Ingress object". */
  private resolve(ingress: string, backend: IngressBackend, parsed: ParsedRequest, why: string): HttpVerdict {
    const namespace = ingress.split("/")[0]!;
    if (backend.resource) {
      return undefinedVerdict(`${why}: a resource backend (${backend.resource.kind} ${backend.resource.name}) is served as the controller implements it`);
    }
    const name = backend.service?.name ?? "";
    const port = backend.service?.port?.number ?? backend.service?.port?.name;
    const id = `${namespace}/${name}`;
    const lookup = port === undefined ? undefined : this.services.port(id, port);
    // The API does not say what a controller answers for a backend it cannot use; ingress-nginx
    // and most others answer 503.
    const unusable = (what: string) => undefinedVerdict(`${why}: ${what}; what the controller answers is its own (typically 503)`);
    if (!lookup) return unusable(`backend Service ${id} names no port`);
    if (lookup.kind === "no-service") return unusable(`Service ${id} does not exist`);
    if (lookup.kind === "no-port") return unusable(`Service ${id} has no port ${port} (ports: ${lookup.ports.join(", ") || "none"})`);
    if (lookup.service.spec.type === "ExternalName") return unusable(`Service ${id} is type ExternalName`);
    if (!this.services.hasReadyEndpoints(id, lookup.port)) {
      return undefinedVerdict(`${why}: Service ${id} port ${lookup.port} has no ready endpoints; controllers answer 503`, [statusVerdict(503, "")]);
    }
    const backendRequest = unchangedBackendRequest(parsed);
    return {
      outcome: "routed", status: 200,
      backends: [{ service: id, port: lookup.port, weight: 1, backendRequest }],
      backendRequest,
      reason: `${why}: Service ${id} port ${lookup.port}`,
    };
  }
}

/** Whether two verdicts give the same answer (outcome, statuses and backends), whatever the reason. */
function sameAnswer(a: HttpVerdict, b: HttpVerdict): boolean {
  const key = (v: HttpVerdict) => JSON.stringify([v.outcome, v.status, v.backends.map((s) => `${s.service}:${s.port}`).sort()]);
  return key(a) === key(b);
}
