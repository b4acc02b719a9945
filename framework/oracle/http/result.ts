// What the Layer 7 oracle says about one HTTP request (SPEC.md, "Layer 7: Ingress and Gateway API"):
// the answer's status, which Services may answer and what they receive, or the redirect sent
// back. Ingress (ingress.ts) and Gateway API (gateway.ts) routers both return an HttpVerdict.
//
// The oracle stops at Service and port: turning a Service into the pods that may answer is
// oracle/services/select.ts's job (the caller feeds `backends[].service`/`port` to it).

/**
 * - `routed`: forwarded to a backend (whose echo server answers 200), possibly alongside shares
 *   that fail (`failures`, status lists both) or redirect;
 * - `redirect`: answered by the gateway with a redirect (`redirect`);
 * - `status`: answered by the gateway itself (404 no route, 500 invalid backends, 503 no ready endpoints);
 * - `undefined`: Kubernetes leaves the answer to the implementation (`reason` says where);
 * - `unserved`: nothing answers HTTP there (no controller serves the object, no listener on the port).
 */
export type HttpOutcome = "routed" | "redirect" | "status" | "undefined" | "unserved";

/** The request as the backend receives it, after the filters. */
export interface HttpBackendRequest {
  readonly method: string;
  /** Path and query, as HttpRequest.path carries them. */
  readonly path: string;
  /** The Host header, as sent (port included) unless a URLRewrite replaced it. */
  readonly host: string;
  /**
   * Header names in lower case. These are the client's headers after the filters; proxies add
   * their own (X-Forwarded-For, …), so a comparison should check these, not only these.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers a filter removed: the backend must not receive them. */
  readonly absentHeaders: readonly string[];
}

/** A Service (and Service port) that receives a share of the traffic. */
export interface HttpBackendShare {
  /** `namespace/name`. */
  readonly service: string;
  /** The Service port (not the target port). */
  readonly port: number;
  /** Relative share among `backends` and `failures` (Gateway API weight; 1 for Ingress). */
  readonly weight: number;
  readonly backendRequest: HttpBackendRequest;
}

/** A share of the traffic the gateway answers itself because its backendRef cannot be used. */
export interface HttpFailedShare {
  /** The backendRef as written: `group/kind ns/name:port` (group and kind only when not a core Service). */
  readonly backendRef: string;
  readonly weight: number;
  readonly status: 500 | 503;
  /** The route condition reason (RefNotPermitted, BackendNotFound, InvalidKind) or NoReadyEndpoints. */
  readonly condition: string;
}

export interface HttpRedirect {
  readonly scheme: "http" | "https";
  readonly host: string;
  readonly port: number;
  /** The path component of the Location (whether the query is kept is not specified). */
  readonly path: string;
  readonly status: number;
}

/** A mirrored copy of the request (RequestMirror): its answer is ignored. */
export interface HttpMirror {
  readonly service: string;
  readonly port: number;
  /** Percentage of requests mirrored (100 when neither percent nor fraction is set). */
  readonly percent: number;
}

/**
 * What decided the answer, as `netspec explain` shows it: the same words as `reason`, one part
 * each (the reason stays the one-line form every report carries).
 */
export interface HttpDecision {
  /** The listener that took the request (a Gateway's), or the Ingress rule's host. */
  readonly listener: string;
  /** The route, rule and match that won (`HTTPRoute ns/name rules[i] matches[j] (PathPrefix /v2)`); none: nothing matched. */
  readonly match?: string;
  /** The match that came next in precedence order, when another rule matched too. */
  readonly runnerUp?: string;
  /** The precedence criterion that won over the runner-up, or why there was none to beat. */
  readonly criterion?: string;
}

export interface HttpVerdict {
  readonly outcome: HttpOutcome;
  /** One status, or every status that may answer (a list; empty for `unserved`, or `undefined` with nothing known). */
  readonly status: number | readonly number[];
  readonly backends: readonly HttpBackendShare[];
  readonly failures?: readonly HttpFailedShare[];
  /** What every backend receives, when all receive the same request (no per-backend filters). */
  readonly backendRequest?: HttpBackendRequest;
  readonly redirect?: HttpRedirect;
  readonly mirrors?: readonly HttpMirror[];
  /**
   * Names the Ingress or listener, the route, rule and match that decided, and the precedence
   * criterion that won over the runner-up (or what the implementation is left to decide).
   */
  readonly reason: string;
  /** The same, part by part, where a router chose (or found no) matching rule. */
  readonly decision?: HttpDecision;
}

/** The statuses of a verdict as a list. */
export function statusList(verdict: HttpVerdict): readonly number[] {
  return typeof verdict.status === "number" ? [verdict.status] : verdict.status;
}

/** One status as a number, several as a sorted list without repeats. */
export function statusOf(statuses: Iterable<number>): number | readonly number[] {
  const list = [...new Set(statuses)].sort((a, b) => a - b);
  return list.length === 1 ? list[0]! : list;
}

/** The gateway answers by itself with `status`. */
export function statusVerdict(status: number, reason: string, failures?: readonly HttpFailedShare[]): HttpVerdict {
  return { outcome: "status", status, backends: [], ...(failures && failures.length > 0 ? { failures } : {}), reason };
}

/** Nothing serves HTTP there. */
export function unservedVerdict(reason: string): HttpVerdict {
  return { outcome: "unserved", status: [], backends: [], reason };
}

/**
 * Left to the implementation. `alternatives` are the verdicts an implementation may give, when
 * known: their statuses and backends are united so that a caller can still say who may answer;
 * without alternatives nothing is known (status []).
 */
export function undefinedVerdict(reason: string, alternatives: readonly HttpVerdict[] = []): HttpVerdict {
  const unknown = alternatives.length === 0 || alternatives.some((v) => v.outcome === "undefined" && statusList(v).length === 0);
  const backends = new Map<string, HttpBackendShare>();
  for (const share of alternatives.flatMap((v) => v.backends)) backends.set(`${share.service}:${share.port}`, share);
  return {
    outcome: "undefined",
    status: unknown ? [] : statusOf(alternatives.flatMap((v) => [...statusList(v)])),
    backends: [...backends.values()],
    reason,
  };
}
