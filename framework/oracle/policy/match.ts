// Compiled matchers shared by every tier: label selectors, IP blocks and ports, built once in
// the engine's constructor so that `decide` does no parsing.
import { selectsAll, type Labels } from "../../kube/labels.js";
import { familyOf, ipToBigInt, parseCidr, type Cidr, type Family } from "../../kube/net.js";
import type { LabelSelector, Protocol } from "../../kube/types.js";
import type { PodModel } from "../../scenario/model.js";
import type { Connection, Endpoint } from "./types.js";

// ---- label selectors ------------------------------------------------------------------------

export type LabelPredicate = (labels: Labels) => boolean;

export const MATCH_ALL: LabelPredicate = () => true;
export const MATCH_NONE: LabelPredicate = () => false;

const hasOwn = (labels: Labels, key: string) => Object.prototype.hasOwnProperty.call(labels, key);

/** Compiled selectors by canonical text: equal selectors share one predicate (see compileSelector). */
const compiledSelectors = new Map<string, LabelPredicate>();

/**
 * metav1.LabelSelector as a predicate (apimachinery/pkg/apis/meta/v1/helpers.go
 * LabelSelectorAsSelector): matchLabels and matchExpressions are ANDed; `{}` selects everything.
 * In: key present with one of the values; NotIn: key absent or value not listed; Exists /
 * DoesNotExist: key only. Same semantics as kube/labels.ts selectorMatches, precompiled.
 * A missing selector is treated as `{}` here: callers decide what "absent" means first.
 *
 * Selectors that are equal as sets of requirements return the same function, so that identity
 * classes (identity.ts) and the set-based matrix (../fast/) evaluate each distinct selector once
 * however many policies repeat it.
 */
export function compileSelector(selector: LabelSelector | undefined): LabelPredicate {
  if (selectsAll(selector)) return MATCH_ALL;
  const key = canonicalSelector(selector!);
  let predicate = compiledSelectors.get(key);
  if (!predicate) {
    if (compiledSelectors.size > 100_000) compiledSelectors.clear();
    predicate = buildSelector(selector!);
    compiledSelectors.set(key, predicate);
  }
  return predicate;
}

/** The selector's requirements in a fixed order (requirements are ANDed, so order carries no meaning). */
function canonicalSelector(selector: LabelSelector): string {
  const equal = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => JSON.stringify([k, "=", v]));
  const exprs = (selector.matchExpressions ?? []).map((req) => JSON.stringify([req.key, req.operator, [...(req.values ?? [])].sort()]));
  return [...equal, ...exprs].sort().join(",");
}

function buildSelector(selector: LabelSelector): LabelPredicate {
  const equal = Object.entries(selector.matchLabels ?? {});
  const exprs = (selector.matchExpressions ?? []).map((req) => ({
    key: req.key, op: req.operator, values: new Set(req.values ?? []),
  }));
  return (labels) => {
    for (const [key, value] of equal) {
      if (!hasOwn(labels, key) || labels[key] !== value) return false;
    }
    for (const { key, op, values } of exprs) {
      const has = hasOwn(labels, key);
      switch (op) {
        case "In": if (!has || !values.has(labels[key]!)) return false; break;
        case "NotIn": if (has && values.has(labels[key]!)) return false; break;
        case "Exists": if (!has) return false; break;
        case "DoesNotExist": if (has) return false; break;
      }
    }
    return true;
  };
}

// ---- addresses ----------------------------------------------------------------------------

const ipCache = new Map<string, { family: Family; value: bigint } | null>();

function parseIp(ip: string): { family: Family; value: bigint } | null {
  let parsed = ipCache.get(ip);
  if (parsed === undefined) {
    const family = familyOf(ip);
    parsed = family ? { family, value: ipToBigInt(ip) } : null;
    if (ipCache.size > 200_000) ipCache.clear();
    ipCache.set(ip, parsed);
  }
  return parsed;
}

const width = (family: Family) => (family === "ipv4" ? 32n : 128n);

function inCidr(block: Cidr, ip: { family: Family; value: bigint }): boolean {
  if (ip.family !== block.family) return false;
  const shift = width(block.family) - BigInt(block.prefix);
  return (ip.value >> shift) === (block.base >> shift);
}

/**
 * A CIDR minus its exceptions (NetworkPolicy IPBlock, k8s.io/api/networking/v1/types.go:
 * "IPBlock describes a particular CIDR ... The except entry describes CIDRs that should not be
 * included within this rule"). A block is single-family: it never matches an address of the
 * other family, and an `except` of the other family excludes nothing.
 */
export class IpSet {
  readonly text: string;
  private readonly block: Cidr | undefined;
  private readonly except: Cidr[];
  private readonly memo = new Map<string, boolean>();

  constructor(cidrText: string, exceptTexts: readonly string[] = []) {
    const parsed = parseCidr(cidrText);
    this.block = typeof parsed === "string" ? undefined : parsed;
    this.except = exceptTexts
      .map((text) => parseCidr(text))
      .filter((c): c is Cidr => typeof c !== "string" && c.family === this.block?.family);
    this.text = exceptTexts.length ? `${cidrText} except ${exceptTexts.join(",")}` : cidrText;
  }

  /** Whether the CIDR parsed (validation reports the ones that do not; they match nothing). */
  get valid(): boolean { return this.block !== undefined; }
  get family(): Family | undefined { return this.block?.family; }

  contains(ip: string | undefined): boolean {
    if (ip === undefined || !this.block) return false;
    let hit = this.memo.get(ip);
    if (hit === undefined) {
      const parsed = parseIp(ip);
      hit = parsed !== null && inCidr(this.block, parsed) && !this.except.some((e) => inCidr(e, parsed));
      this.memo.set(ip, hit);
    }
    return hit;
  }

  /**
   * Whether the block's CIDR spans `ip`, its exceptions included: an address the block carves
   * out is still one whose verdict the block decides (an `except` of the Service range, say).
   */
  spans(ip: string): boolean {
    const parsed = parseIp(ip);
    return this.block !== undefined && parsed !== null && inCidr(this.block, parsed);
  }
}

/** The address an endpoint uses for this connection's family (undefined: it has none). */
export function endpointIp(endpoint: Endpoint, family: Family): string | undefined {
  switch (endpoint.kind) {
    case "external": return endpoint.ip;
    case "node": return endpoint.node.ips[family];
    case "pod": return endpoint.seenAt ?? endpoint.pod.ips[family];
  }
}

// ---- ports ----------------------------------------------------------------------------------

/**
 * One compiled port clause. `protocol: undefined` matches any protocol (only used for ANP named
 * ports, whose protocol is the named container port's). Ranges are inclusive.
 */
export type PortMatcher =
  | { readonly kind: "any"; readonly protocol: Protocol }
  | { readonly kind: "range"; readonly protocol: Protocol; readonly from: number; readonly to: number }
  | { readonly kind: "named"; readonly protocol: Protocol | undefined; readonly name: string }
  | { readonly kind: "invalid"; readonly text: string };

/**
 * A named port is resolved on the destination pod: the pod must serve a container port with
 * that name, the connection's protocol, and the connection's port number. An external
 * destination has no named ports, so a named port never matches it.
 * (NetworkPolicyPort.port, k8s.io/api/networking/v1/types.go: "a named port on a pod";
 * ANP namedPort: "NamedPort selects a port on a pod(s) based on name".)
 */
export function portMatches(matcher: PortMatcher, conn: Connection): boolean {
  switch (matcher.kind) {
    case "any": return matcher.protocol === conn.protocol;
    case "range": return matcher.protocol === conn.protocol && conn.port >= matcher.from && conn.port <= matcher.to;
    case "named": {
      if (matcher.protocol !== undefined && matcher.protocol !== conn.protocol) return false;
      if (conn.dst.kind !== "pod") return false;
      return namedPortOn(conn.dst.pod, matcher.name, conn.protocol, conn.port);
    }
    case "invalid": return false;
  }
}

function namedPortOn(pod: PodModel, name: string, protocol: Protocol, port: number): boolean {
  for (const p of pod.ports) {
    if (p.name === name && p.protocol === protocol && p.port === port) return true;
  }
  return false;
}

export function formatPort(matcher: PortMatcher): string {
  switch (matcher.kind) {
    case "any": return `${matcher.protocol}/*`;
    case "range": return matcher.from === matcher.to ? `${matcher.protocol}/${matcher.from}` : `${matcher.protocol}/${matcher.from}-${matcher.to}`;
    case "named": return `${matcher.protocol ?? "*"}/${matcher.name}`;
    case "invalid": return `invalid(${matcher.text})`;
  }
}
