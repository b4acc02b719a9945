// References to pods, Services and addresses, as expectation rules and `probe.from` use them
// (SPEC.md, "References"): ns/pod, globs, svc/ns/name, dns/NAME (any name a pod looks up in
// the cluster DNS: see dns-names.ts), cidr/…, ip/…, a label selector object, the north-south
// targets nodeport/…, loadbalancer/…, externalip/…, host ports hostport/…, and the sources that
// are not pods: node/NAME, external, external/IP.
import { selectorMatches } from "../kube/labels.js";
import { canonicalIp, familyOf, nthAddress, parseCidr, type Cidr, type Family } from "../kube/net.js";
import type { Protocol } from "../kube/types.js";
import { isSrvName, parseClusterName, resolverCandidates } from "./dns-names.js";
import type { ExpectRuleModel, PodModel, Scenario } from "./model.js";
import type { Reference } from "./schema.js";
import type { ExternalTarget } from "./target.js";

export type ParsedReference =
  | { kind: "pods"; namespace?: string; glob: string }
  | { kind: "selector"; namespace?: string; labels: Record<string, string> }
  | { kind: "service"; namespace: string; name: string }
  /**
   * A name the client looks up as written (lower-cased; a trailing dot kept: absolute), through
   * its resolv.conf search path; an SRV name (`_port._proto.…`, dns-names.ts isSrvName) is
   * looked up as SRV, and the client connects to an answer's target at the answer's port.
   */
  | { kind: "dns"; name: string }
  | { kind: "cidr"; cidr: Cidr }
  | { kind: "ip"; ip: string }
  /** A Service reached from outside: on its node port (on every node, or `node` only), load-balancer address or external IPs. */
  | { kind: NorthSouthKind; namespace: string; name: string; node?: string }
  /** The host ports of the pods the glob names, on their nodes' addresses. */
  | { kind: "hostport"; namespace: string; glob: string }
  /** Sources: a process in the host network of the nodes the glob names. */
  | { kind: "node"; glob: string }
  /** Sources: a client outside the cluster network, at the scenario's external address or at `ip`. */
  | { kind: "external"; ip?: string };

export type NorthSouthKind = "nodeport" | "loadbalancer" | "externalip";
const NORTH_SOUTH_PREFIXES: readonly NorthSouthKind[] = ["nodeport", "loadbalancer", "externalip"];

/** Parses a reference; a string result is the problem, phrased for the user. */
export function parseReference(ref: Reference): ParsedReference | string {
  if (typeof ref !== "string") return { kind: "selector", namespace: ref.namespace, labels: { ...(ref.labels ?? {}) } };
  if (ref === "*") return { kind: "pods", glob: "*" };
  if (ref.startsWith("svc/")) {
    const parts = ref.slice(4).split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1]) return `'${ref}' is not a Service reference; write svc/NAMESPACE/NAME`;
    return { kind: "service", namespace: parts[0], name: parts[1] };
  }
  if (ref.startsWith("dns/")) return parseDnsName(ref);
  for (const kind of NORTH_SOUTH_PREFIXES) {
    if (!ref.startsWith(`${kind}/`)) continue;
    const [path, node, extra] = ref.slice(kind.length + 1).split("@");
    const parts = path!.split("/");
    const nodeForm = kind === "nodeport" ? " or nodeport/NAMESPACE/NAME@NODE" : "";
    if (parts.length !== 2 || !parts[0] || !parts[1] || extra !== undefined || (node !== undefined && (kind !== "nodeport" || !node))) {
      return `'${ref}' is not a ${kind} reference; write ${kind}/NAMESPACE/NAME${nodeForm}`;
    }
    return { kind, namespace: parts[0], name: parts[1], ...(node ? { node } : {}) };
  }
  if (ref.startsWith("hostport/")) {
    const parts = ref.slice(9).split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1]) return `'${ref}' is not a host-port reference; write hostport/NAMESPACE/POD (a glob such as hostport/NAMESPACE/* is allowed)`;
    return { kind: "hostport", namespace: parts[0], glob: parts[1] };
  }
  if (ref.startsWith("node/")) {
    const glob = ref.slice(5);
    if (!glob || glob.includes("/")) return `'${ref}' is not a node reference; write node/NAME (a glob such as node/* is allowed)`;
    return { kind: "node", glob };
  }
  if (ref === "external") return { kind: "external" };
  if (ref.startsWith("external/")) {
    const ip = ref.slice(9);
    return familyOf(ip) ? { kind: "external", ip: canonicalIp(ip) } : `'${ref}' is not an external client; write external or external/IP with an IPv4 or IPv6 address`;
  }
  if (ref.startsWith("cidr/")) {
    const parsed = parseCidr(ref.slice(5));
    return typeof parsed === "string" ? parsed : { kind: "cidr", cidr: parsed };
  }
  if (ref.startsWith("ip/")) {
    const ip = ref.slice(3);
    return familyOf(ip) ? { kind: "ip", ip } : `'${ip}' is not an IPv4 or IPv6 address`;
  }
  const parts = ref.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    return `'${ref}' is not a reference; use ns/pod, ns/prefix-*, ns/*, *, svc/ns/name, dns/name.ns, cidr/…, ip/…, nodeport/ns/name, loadbalancer/ns/name, externalip/ns/name (sources also node/NAME, external, external/IP)`;
  }
  return { kind: "pods", namespace: parts[0], glob: parts[1] };
}

const DNS_FORMS = "dns/NAME (a Service of the client's namespace), dns/NAME.NAMESPACE[.svc[.cluster.local]][.], " +
  "dns/_PORT._PROTO.SERVICE.NAMESPACE (SRV), dns/HOSTNAME.SERVICE.NAMESPACE, dns/A-B-C-D.NAMESPACE.pod, or a name of cluster.upstreamDNS";
const LABEL = /^_?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A `dns/` reference, read once: the name as a pod's resolver takes it (DNS names are not
 * case-sensitive; a trailing dot makes it absolute). Some name it stands for, through a pod's
 * search path (`<ns>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`), must be a form of
 * the Kubernetes DNS schema (dns-names.ts), unless it leaves the cluster's zone altogether, as
 * a name of `cluster.upstreamDNS` does; the scenario's checks say whether what it names exists.
 */
function parseDnsName(ref: string): ParsedReference | string {
  const name = ref.slice(4).toLowerCase();
  const wrong = (why: string) => `'${ref}' is not a DNS reference: ${why}; write ${DNS_FORMS}`;
  const labels = (name.endsWith(".") ? name.slice(0, -1) : name).split(".");
  if (name.length > 254 || (!name.endsWith(".") && name.length > 253)) return wrong("a DNS name has at most 253 characters");
  const srv = isSrvName(name);
  const bad = labels.find((label, i) => !LABEL.test(label) || (label.startsWith("_") && (i > 1 || !srv)));
  if (bad !== undefined) return wrong(bad === "" ? "it has an empty label" : `'${bad}' is not a DNS label (lower-case letters, digits and '-'; '_' only before an SRV name's port and protocol)`);
  // A placeholder stands for the client's namespace: only the form matters here.
  const forms = resolverCandidates(name, "client-namespace").map(parseClusterName).filter((f) => f !== undefined);
  if (srv && !forms.some((f) => f.kind === "srv")) return wrong("an SRV name is _PORT._PROTO.SERVICE[.NAMESPACE[.svc[.cluster.local]]], with _tcp, _udp or _sctp");
  if (!srv && forms.length === 0 && labels.some((l) => l === "svc" || l === "pod")) return wrong("no name its search path completes it to is a Service, endpoint or pod record");
  return { kind: "dns", name };
}

export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/**
 * The pods a reference names. A wildcard never includes netspec's own system pods (the
 * cluster DNS); naming one explicitly does.
 */
export function resolvePods(scenario: Scenario, ref: ParsedReference): PodModel[] {
  switch (ref.kind) {
    case "pods": {
      const pattern = globToRegExp(ref.glob);
      const wildcard = ref.glob.includes("*") || ref.namespace === undefined;
      return scenario.pods.filter((p) =>
        (ref.namespace === undefined || p.namespace === ref.namespace) && pattern.test(p.name) && (!wildcard || !p.system));
    }
    case "selector":
      return scenario.pods.filter((p) =>
        !p.system && (ref.namespace === undefined || p.namespace === ref.namespace) &&
        selectorMatches({ matchLabels: ref.labels }, p.labels));
    default:
      return [];
  }
}

/** Canonical text of a reference, for messages. */
export function formatReference(ref: Reference): string {
  if (typeof ref === "string") return ref;
  const labels = Object.entries(ref.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  return `{${ref.namespace ? `namespace: ${ref.namespace}, ` : ""}labels: ${labels || "any"}}`;
}

/**
 * An expectation rule as written, for test titles (`shop/frontend → shop/api-* port http: allow`,
 * `… : as the oracle says, answered by shop/api-0`), so a CI test tab reads on its own.
 */
export function formatRule(rule: ExpectRuleModel): string {
  const port = rule.port === undefined ? "" : typeof rule.port === "object" ? ` ports ${rule.port.from}-${rule.port.to}` : ` port ${rule.port}`;
  const protocol = rule.protocol ? `${port ? "/" : " "}${rule.protocol}` : "";
  const family = rule.family ? ` ${rule.family}` : "";
  const backends = rule.backends ? `, answered by ${rule.backends.join(" or ")}` : "";
  return `${formatReference(rule.from)} → ${formatReference(rule.to)}${port}${protocol}${family}: ${rule.result ?? "as the oracle says"}${backends}`;
}

/** An expectation rule towards an address outside the cluster (cidr/… or ip/…), resolved. */
export interface RuleExternalTarget {
  /** An `ip/` address itself; a `cidr/` block's first host (its base for a /31, /32, /127, /128). */
  readonly target: ExternalTarget;
  readonly family: Family;
  /** The rule's port (a range's first), else 80; a port name is not meaningful here: 80. */
  readonly ports: readonly number[];
  readonly protocol: Protocol;
  /** The pods the rule's `from` names: the sources that probe this address. */
  readonly sources: ReadonlySet<string>;
}

/**
 * The external targets the scenario's rules name, in rule order, each resolved once per
 * scenario. Shared by the oracle's matrix and the providers that simulate external hosts, so
 * both pick the same address.
 */
export function externalTargets(scenario: Scenario): RuleExternalTarget[] {
  const out: RuleExternalTarget[] = [];
  for (const rule of scenario.expect.rules) {
    const to = parseReference(rule.to);
    const from = parseReference(rule.from);
    if (typeof to === "string" || typeof from === "string" || (to.kind !== "cidr" && to.kind !== "ip")) continue;
    const ip = to.kind === "ip" ? to.ip : nthAddress(to.cidr, to.cidr.prefix >= (to.cidr.family === "ipv4" ? 31 : 127) ? 0 : 1);
    const family = familyOf(ip);
    if (!family) continue;
    out.push({
      target: { kind: "external", ip }, family, ports: rulePorts(rule), protocol: rule.protocol ?? "TCP",
      sources: new Set(resolvePods(scenario, from).map((p) => p.id)),
    });
  }
  return out;
}

/** The port a rule probes an address on that has none of its own: its port (a range's first), else 80. */
function rulePorts(rule: ExpectRuleModel): number[] {
  return typeof rule.port === "number" ? [rule.port] : typeof rule.port === "object" ? [rule.port.from] : [80];
}

/** A DNS name the scenario's rules name (`dns/…`), probed as written from their sources. */
export interface RuleDnsName {
  /** As parsed: lower-cased, a trailing dot kept. */
  readonly name: string;
  /** The pods the rules' `from` name. */
  readonly sources: ReadonlySet<string>;
  /**
   * Ports for an answer that brings none (a pod without ports, a name outside the cluster, no
   * answer at all): each rule's port (a range's first), else 80; a port name means 80 here too.
   */
  readonly ports: readonly number[];
  readonly protocol: Protocol;
}

/**
 * The DNS names the scenario's rules name, in rule order, one entry per name (the sources of
 * every rule naming it). Shared by the oracle's matrix, which plans their cells, and the local
 * provider, which serves the ports they may be probed on at the hosts they may lead to.
 */
export function ruleDnsNames(scenario: Scenario): RuleDnsName[] {
  const byName = new Map<string, { name: string; sources: Set<string>; ports: Set<number>; protocol: Protocol }>();
  for (const rule of scenario.expect.rules) {
    const to = parseReference(rule.to);
    const from = parseReference(rule.from);
    if (typeof to === "string" || typeof from === "string" || to.kind !== "dns") continue;
    const entry = byName.get(to.name) ?? { name: to.name, sources: new Set<string>(), ports: new Set<number>(), protocol: rule.protocol ?? "TCP" };
    for (const pod of resolvePods(scenario, from)) entry.sources.add(pod.id);
    for (const port of rulePorts(rule)) entry.ports.add(port);
    byName.set(to.name, entry);
  }
  return [...byName.values()].map((e) => ({ ...e, ports: [...e.ports] }));
}
