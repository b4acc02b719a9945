// What one gateway pod's proxy does, per port, before it is written as HAProxy text: which
// selector (listener, or Ingress host) a request belongs to, the matches in precedence order,
// and what each matched rule does. gateway-routes.ts and ingress-routes.ts build it from the
// manifests; render.ts writes it out once per address family.
import type { ServiceModel } from "../../../scenario/model.js";

/** A hostname condition on the request's Host header (without its port, lower case). */
export type HostPattern =
  | { readonly kind: "exact"; readonly name: string }
  /** Gateway API `*.suffix`: one or more labels before the suffix, never the bare suffix. */
  | { readonly kind: "wildcard"; readonly suffix: string }
  /** Ingress `*.suffix`: exactly one label before the suffix. */
  | { readonly kind: "one-label"; readonly suffix: string };

export type PathCondition =
  | { readonly kind: "exact"; readonly value: string }
  /** Element-wise prefix; `value` has no trailing slash, "" matches every path. */
  | { readonly kind: "prefix"; readonly value: string }
  /** A PCRE matched against the whole path. */
  | { readonly kind: "regex"; readonly pattern: string };

/** A header or query parameter condition; header names are case-insensitive, parameter names are not. */
export interface ValueCondition {
  readonly name: string;
  readonly kind: "exact" | "regex";
  readonly value: string;
}

/**
 * A listener (or an Ingress host): a request belongs to the first selector, in order, whose
 * host pattern matches; one without a pattern takes every request not taken before.
 */
export interface Selector {
  readonly host?: HostPattern;
  readonly label: string;
}

/** One match of one rule, for one of its effective hostnames. */
export interface MatchEntry {
  /** Index into PortPlan.selectors; undefined when the port has no selectors. */
  readonly selector?: number;
  readonly host?: HostPattern;
  readonly path: PathCondition;
  readonly method?: string;
  readonly headers: readonly ValueCondition[];
  readonly query: readonly ValueCondition[];
  /** Index into PortPlan.actions. */
  readonly action: number;
  readonly label: string;
}

export interface HeaderValue {
  readonly name: string;
  readonly value: string;
}

/** ReplaceFullPath, or ReplacePrefixMatch of the matched prefix (both without a trailing slash, "" for "/"). */
export type PathModifier =
  | { readonly kind: "full"; readonly value: string }
  | { readonly kind: "prefix"; readonly matched: string; readonly replacement: string };

export type Filter =
  | {
    readonly kind: "headers";
    readonly phase: "request" | "response";
    readonly set: readonly HeaderValue[];
    readonly add: readonly HeaderValue[];
    readonly remove: readonly string[];
  }
  | {
    readonly kind: "redirect";
    readonly scheme: "http" | "https";
    readonly hostname?: string;
    readonly port: number;
    readonly path?: PathModifier;
    readonly status: number;
  }
  | { readonly kind: "rewrite"; readonly hostname?: string; readonly path?: PathModifier };

export type Target =
  | { readonly kind: "service"; readonly service: ServiceModel; readonly port: number; readonly label: string }
  | { readonly kind: "status"; readonly status: 404 | 500 | 503 };

/** A weighted share of a rule's traffic (weight > 0) and the filters of that backendRef. */
export interface Share {
  readonly weight: number;
  readonly target: Target;
  readonly filters: readonly Filter[];
}

export interface Action {
  readonly label: string;
  /** Applied first, in order, whatever share is picked. */
  readonly filters: readonly Filter[];
  /** Empty: the rule answers 500. */
  readonly shares: readonly Share[];
}

export interface PortPlan {
  readonly port: number;
  readonly selectors: readonly Selector[];
  /** In precedence order: the first whose conditions hold decides. */
  readonly entries: readonly MatchEntry[];
  readonly actions: readonly Action[];
  /** What answers a request no entry matches. */
  readonly fallback: Target;
}
