// How reports speak of an HTTP cell (SPEC.md, "Layer 7"): its request, the answer it expects
// (the statuses that may answer, the pods that may answer, what the backend must receive, the
// redirect) and the answer observed, each in one line. The console, JUnit, regression and HTML
// reports all say it the same way.
//
// An HTTP cell's `backends` are the pods that MAY answer (SPEC's HTTP cell); the pods that did
// are `backend` and `observedBackends`. For every other cell `backends` are the pods that did
// answer: answeredBy() is the one place that tells the two apart.
import type { EchoedRequest } from "../probe/protocol.js";
import type { CellResult } from "../runner/results.js";
import type { HttpRequest } from "../scenario/target.js";

export type HttpCell = CellResult & { readonly target: "http"; readonly request: HttpRequest };

/** What the backend must receive, as a cell carries it (the oracle's whole request, or the fields an entry asserts). */
export interface BackendRequestExpectation {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers a filter removed (the oracle's HttpBackendRequest carries them). */
  readonly absentHeaders?: readonly string[];
}

/** The redirect a cell expects (the oracle's complete one, or the fields an entry asserts). */
export interface RedirectExpectation {
  readonly scheme?: string;
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly status?: number;
}

export function isHttpCell(cell: CellResult): cell is HttpCell {
  return cell.target === "http" && cell.request !== undefined;
}

/** Headers as `name=value`, sorted by name and joined by `,` (as targetId() writes them). */
export function headersText(headers: Readonly<Record<string, string>>, separator = ","): string {
  return Object.entries(headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(separator);
}

/** `GET foo.example.com/v2?animal=whale [version=two]`: what targetId() adds to `to` for an HTTP cell. */
export function requestText(request: HttpRequest): string {
  const headers = headersText(request.headers);
  return `${request.method} ${request.host}${request.path}${headers ? ` [${headers}]` : ""}`;
}

/** `external → gateway/infra/gw:80 GET foo.example.com/v2 ipv4`. */
export function httpCellTitle(cell: HttpCell): string {
  return `${cell.from} → ${cell.to}:${cell.port} ${requestText(cell.request)} ${cell.family}`;
}

/** Who set a cell's expectation, as the scenario spells it. */
export function expectationSource(source: string): string {
  if (source === "default") return "expect.default";
  if (source.startsWith("rule ")) return `expect.rules[${source.slice("rule ".length)}]`;
  if (source.startsWith("http ")) return `expect.http[${source.slice("http ".length)}]`;
  return source;
}

/** The pods that answered: for HTTP cells `observedBackends` (else `backend`), for others `backends` (else `backend`). */
export function answeredBy(cell: CellResult): readonly string[] {
  const several = cell.target === "http" ? cell.observedBackends : cell.backends;
  if (several && several.length > 0) return several;
  return cell.backend ? [cell.backend] : [];
}

const wellKnownPort = (scheme: string | undefined) => (scheme === "https" ? 443 : scheme === "http" ? 80 : undefined);

/** A redirect as a Location (`https://example.org/new`) when complete, else the fields it asserts. */
export function redirectText(redirect: RedirectExpectation): string {
  const { scheme, host, port, path } = redirect;
  if (scheme !== undefined && host !== undefined && port !== undefined && path !== undefined) {
    return `${scheme}://${host}${port === wellKnownPort(scheme) ? "" : `:${port}`}${path}`;
  }
  return [
    scheme !== undefined ? `scheme ${scheme}` : "", host !== undefined ? `host ${host}` : "",
    port !== undefined ? `port ${port}` : "", path !== undefined ? `path ${path}` : "",
  ].filter(Boolean).join(", ") || "any Location";
}

/** `path /three, host x, header a=b, without header x-remove`: what the backend must receive. */
export function backendRequestText(want: BackendRequestExpectation): string {
  return [
    want.method !== undefined ? `method ${want.method}` : "",
    want.path !== undefined ? `path ${want.path}` : "",
    want.host !== undefined ? `host ${want.host}` : "",
    ...Object.entries(want.headers ?? {}).map(([k, v]) => `header ${k}=${v}`),
    ...(want.absentHeaders ?? []).map((h) => `without header ${h}`),
  ].filter(Boolean).join(", ");
}

/** A header's value in a request, whatever the case of its name (HTTP header names are case-insensitive). */
function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * The part of what the backend must receive worth saying: what differs from the request sent
 * (the route's rewrites and header filters) or from what the backend did receive.
 */
function notableBackendRequest(want: BackendRequestExpectation, sent: HttpRequest, got: EchoedRequest | undefined): BackendRequestExpectation {
  const differs = (wanted: string | undefined, asSent: string | undefined, received: string | undefined) =>
    wanted !== undefined && (wanted !== asSent || (got !== undefined && wanted !== received));
  const headers = Object.entries(want.headers ?? {}).filter(([k, v]) => differs(v, headerValue(sent.headers, k), got && headerValue(got.headers, k)));
  const absent = (want.absentHeaders ?? []).filter((h) => headerValue(sent.headers, h) !== undefined || (got !== undefined && headerValue(got.headers, h) !== undefined));
  return {
    ...(differs(want.method, sent.method, got?.method) ? { method: want.method } : {}),
    ...(differs(want.path, sent.path, got?.path) ? { path: want.path } : {}),
    ...(differs(want.host, sent.host, got?.host) ? { host: want.host } : {}),
    ...(headers.length > 0 ? { headers: Object.fromEntries(headers) } : {}),
    ...(absent.length > 0 ? { absentHeaders: absent } : {}),
  };
}

/**
 * What the backend received where it differs from what it had to receive (the rest of its
 * headers are the client's and the proxies' own): `path /v2, header version=(none)`. Undefined
 * when nothing is asserted, nothing was received, or it received what it had to.
 */
function receivedText(cell: CellResult): string | undefined {
  const want = cell.backendRequest as BackendRequestExpectation | undefined;
  const got = cell.observedRequest;
  if (!want || !got) return undefined;
  const header = (name: string) => `header ${name}=${headerValue(got.headers, name) ?? "(none)"}`;
  const text = [
    want.method !== undefined && want.method !== got.method ? `method ${got.method}` : "",
    want.path !== undefined && want.path !== got.path ? `path ${got.path}` : "",
    want.host !== undefined && want.host !== got.host ? `host ${got.host}` : "",
    ...Object.entries(want.headers ?? {}).filter(([k, v]) => headerValue(got.headers, k) !== v).map(([k]) => header(k)),
    ...(want.absentHeaders ?? []).filter((h) => headerValue(got.headers, h) !== undefined).map(header),
  ].filter(Boolean).join(", ");
  return text || undefined;
}

/** Everything the backend received: `GET /v2 host foo.example.com; headers a=b, c=d`. */
export function fullReceivedText(request: EchoedRequest): string {
  const headers = headersText(request.headers, ", ");
  return `${request.method} ${request.path} host ${request.host}${headers ? `; headers ${headers}` : ""}`;
}

/** `200`, `500 or 503`. */
export function statusText(status: readonly number[] | undefined): string {
  return status && status.length > 0 ? status.join(" or ") : "";
}

/**
 * The answer a cell expects, in one line: `200 from infra/v2-*`, `301 to https://example.org/new`,
 * `200 from apps/v1 (backend receives path /three)` (what it receives, where that differs from
 * the request or from what was received), `deny (no HTTP answer)`.
 */
export function expectedAnswerText(cell: CellResult): string {
  if (cell.expected === "deny") return "deny (no HTTP answer)";
  const status = statusText(cell.status);
  const redirect = cell.redirect as RedirectExpectation | undefined;
  const backendRequest = cell.backendRequest as BackendRequestExpectation | undefined;
  const want = backendRequest && cell.request ? notableBackendRequest(backendRequest, cell.request, cell.observedRequest) : backendRequest;
  const parts = [
    status || (cell.expected === "undefined" ? "any answer (undefined)" : "an answer"),
    cell.backends && cell.backends.length > 0 ? `from ${cell.backends.join(", ")}` : "",
    redirect ? `to ${redirectText(redirect)}` : "",
  ].filter(Boolean);
  const received = want ? backendRequestText(want) : "";
  return `${parts.join(" ")}${received ? ` (backend receives ${received})` : ""}`;
}

/** The answer observed, in one line: `404`, `200 from infra/v1-0 (received path /v2)`, `timeout`, `301 to https://…`. */
export function observedAnswerText(cell: CellResult): string {
  if (cell.skipped || cell.observed === "skipped") return "skipped";
  if (cell.observed !== "connected") return cell.observed;
  if (cell.observedStatus === undefined) return "connected, no HTTP answer";
  const answered = answeredBy(cell);
  const received = receivedText(cell);
  return [
    String(cell.observedStatus),
    answered.length > 0 ? `from ${answered.join(", ")}` : "",
    cell.observedLocation !== undefined ? `to ${cell.observedLocation}` : "",
    received ? `(received ${received})` : "",
  ].filter(Boolean).join(" ");
}
