// What an HTTP request of `expect.http` may hold: what goes on the wire as written (RFC 9110,
// RFC 9112). `validate` reports a request that breaks these at its field; the prober refuses one
// (probe/http-client.ts). No imports: the prober loads this module inside node containers.

/** RFC 9110 §5.6.2: a token (a method, a field name). */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Visible ASCII: a request target and a Host value carry nothing else on the wire (RFC 3986 §2). */
const VISIBLE = /^[\x21-\x7e]*$/;
/**
 * A field value: visible ASCII, spaces and tabs (RFC 9110 §5.5). obs-text is left out: it has no
 * defined charset, so an echoed value could not be compared with the one asked for.
 */
const FIELD_VALUE = /^[\x20-\x7e\t]*$/;
/** Fields the prober writes itself: the cell's Host, `Connection: close`, and no body. */
const OWN_FIELDS = new Set(["host", "connection", "content-length", "transfer-encoding"]);

export interface RequestProblem {
  /** The field concerned, below the request: `["path"]`, `["headers", "X-Env"]`. */
  readonly field: readonly string[];
  readonly message: string;
}

/** Every reason `request` cannot be sent as written. */
export function httpRequestProblems(request: unknown): RequestProblem[] {
  const r = request as { method?: unknown; path?: unknown; host?: unknown; headers?: unknown } | null;
  if (!r || typeof r !== "object") return [{ field: [], message: "the request must be an object" }];
  const problems: RequestProblem[] = [];
  if (typeof r.method !== "string" || !TOKEN.test(r.method)) problems.push({ field: ["method"], message: `HTTP method ${JSON.stringify(r.method)} is not a token (RFC 9110 section 9.1), e.g. GET` });
  if (typeof r.path !== "string" || r.path.length === 0 || !VISIBLE.test(r.path)) problems.push({ field: ["path"], message: `HTTP path ${JSON.stringify(r.path)} must be visible ASCII: percent-encode spaces and other characters (RFC 3986 section 2)` });
  if (typeof r.host !== "string" || !VISIBLE.test(r.host)) problems.push({ field: ["host"], message: `HTTP host ${JSON.stringify(r.host)} must be visible ASCII` });
  if (!r.headers || typeof r.headers !== "object" || Array.isArray(r.headers)) return [...problems, { field: ["headers"], message: "HTTP headers must be a map of names to values" }];
  for (const [name, value] of Object.entries(r.headers as Record<string, unknown>)) {
    if (!TOKEN.test(name)) problems.push({ field: ["headers", name], message: `HTTP header name ${JSON.stringify(name)} is not a token (RFC 9110 section 5.1)` });
    else if (OWN_FIELDS.has(name.toLowerCase())) problems.push({ field: ["headers", name], message: `HTTP header ${name} is set by netspec itself (the request's host, Connection: close, no body); ${name.toLowerCase() === "host" ? "write request.host instead" : "leave it out"}` });
    else if (typeof value !== "string" || !FIELD_VALUE.test(value)) problems.push({ field: ["headers", name], message: `HTTP header ${name}: the value must be a string of visible ASCII, spaces and tabs (RFC 9110 section 5.5)` });
  }
  return problems;
}
