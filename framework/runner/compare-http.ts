// Does an HTTP answer satisfy an HTTP cell? (SPEC.md, "Layer 7".) `expected` is about the
// connection to the gateway; the answer is judged against what the `expect.http` entry asserts
// where it asserts it, else against the oracle's answer: the status, the pod that answered (a
// 200 from the wrong backend is a mismatch, as the Gateway API conformance suite's
// ExpectedResponse.Backend makes it), what the backend received, and a redirect's Location.
import { expectationHolds, type ExpectedCell, type HttpAnswer as OracleAnswer, type HttpAssertions } from "../oracle/cells.js";
import type { EchoedRequest } from "../probe/protocol.js";
import { globToRegExp } from "../scenario/references.js";
import type { Observation } from "./provider.js";

export interface HttpVerdict {
  readonly match: boolean;
  readonly mismatch?: string;
}

/** What the cell asserts about the answer: the entry's fields over the oracle's. */
export interface HttpExpectations {
  readonly status: readonly number[];
  /** Pods (or pod globs) that may answer; undefined: any. */
  readonly backends?: readonly string[];
  readonly backendRequest?: (HttpAssertions["backendRequest"] & { readonly absentHeaders?: readonly string[] }) | OracleAnswer["backendRequest"];
  readonly redirect?: HttpAssertions["redirect"] | OracleAnswer["redirect"];
}

export function httpExpectations(cell: ExpectedCell): HttpExpectations {
  const asserted = cell.expectedHttp ?? {};
  const oracle = cell.http;
  const backendRequest = asserted.backendRequest ?? oracle?.backendRequest;
  const redirect = asserted.redirect ?? oracle?.redirect;
  // The oracle's pods matter only where it says who answers: a routed request (status 200 among the answers).
  const oracleBackends = oracle && (oracle.status.includes(200) || (cell.backends?.length ?? 0) > 0) ? cell.backends : undefined;
  const backends = asserted.backends ?? oracleBackends;
  return {
    status: asserted.status ?? oracle?.status ?? [],
    ...(backends ? { backends } : {}),
    ...(backendRequest ? { backendRequest } : {}),
    ...(redirect ? { redirect } : {}),
  };
}

export function compareHttp(cell: ExpectedCell, observation: Observation): HttpVerdict {
  if (observation.observed === "skipped") return { match: false };
  if (!expectationHolds(cell.expected, observation.observed)) {
    return { match: false, mismatch: `expected ${cell.expected} (the connection to ${cell.to}), observed ${observation.observed}` };
  }
  if (cell.expected !== "allow") return { match: true };
  const answer = observation.http;
  if (!answer) return { match: false, mismatch: `connected to ${cell.to}, but no HTTP answer came back` };
  const want = httpExpectations(cell);
  if (want.status.length > 0 && !want.status.includes(answer.status)) {
    return { match: false, mismatch: `expected status ${want.status.join(" or ")}, observed ${answer.status}${observation.backends[0] ? ` from ${observation.backends[0]}` : ""}` };
  }
  if (answer.status >= 200 && answer.status < 300) {
    const wrong = wrongBackend(want.backends, observation.backends);
    if (wrong) return { match: false, mismatch: wrong };
    if (want.backendRequest) {
      const received = receivedMismatch(want.backendRequest, answer.request);
      if (received) return { match: false, mismatch: received };
    }
  }
  if (answer.status >= 300 && answer.status < 400 && want.redirect) {
    const location = locationMismatch(want.redirect, answer.location);
    if (location) return { match: false, mismatch: location };
  }
  return { match: true };
}

function wrongBackend(allowed: readonly string[] | undefined, answered: readonly string[]): string | undefined {
  if (!allowed) return undefined;
  if (answered.length === 0) return allowed.length === 0 ? undefined : `the answer did not come from a pod's echo server, but from ${allowed.join(", ")} it should have`;
  const patterns = allowed.map(globToRegExp);
  const stray = answered.filter((pod) => !patterns.some((p) => p.test(pod)));
  if (stray.length === 0) return undefined;
  return `answered by ${stray.join(", ")}, but only ${allowed.length > 0 ? allowed.join(", ") : "no pod"} may answer`;
}

/** The backend must have received the path, host and headers asserted, and none of the removed headers. */
function receivedMismatch(want: NonNullable<HttpExpectations["backendRequest"]>, got: EchoedRequest | undefined): string | undefined {
  if (!got) return "the answer is not a pod's echo, so what the backend received is unknown";
  const wrong: string[] = [];
  if (want.path !== undefined && got.path !== want.path) wrong.push(`path ${got.path} (expected ${want.path})`);
  if (want.host !== undefined && got.host.toLowerCase() !== want.host.toLowerCase()) wrong.push(`host ${got.host} (expected ${want.host})`);
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const seen = got.headers[name.toLowerCase()];
    if (seen !== value) wrong.push(`header ${name}: ${seen === undefined ? "absent" : seen} (expected ${value})`);
  }
  for (const name of ("absentHeaders" in want ? want.absentHeaders ?? [] : [])) {
    const seen = got.headers[name.toLowerCase()];
    if (seen !== undefined) wrong.push(`header ${name}: ${seen} (expected removed)`);
  }
  return wrong.length > 0 ? `the backend received ${wrong.join(", ")}` : undefined;
}

/** A redirect's Location against the expected scheme, host, port and path (the path component only). */
function locationMismatch(want: NonNullable<HttpExpectations["redirect"]>, location: string | undefined): string | undefined {
  if (!location) return "a redirect without a Location header";
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return `Location ${location} is not an absolute URL`;
  }
  const scheme = url.protocol.replace(/:$/, "");
  const port = url.port ? Number(url.port) : scheme === "https" ? 443 : 80;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const wrong: string[] = [];
  if (want.scheme !== undefined && scheme !== want.scheme) wrong.push(`scheme ${scheme} (expected ${want.scheme})`);
  if (want.host !== undefined && host.toLowerCase() !== want.host.replace(/^\[(.*)\]$/, "$1").toLowerCase()) wrong.push(`host ${host} (expected ${want.host})`);
  if (want.port !== undefined && port !== want.port) wrong.push(`port ${port} (expected ${want.port})`);
  if (want.path !== undefined && url.pathname !== want.path) wrong.push(`path ${url.pathname} (expected ${want.path})`);
  return wrong.length > 0 ? `redirected to ${location}: ${wrong.join(", ")}` : undefined;
}
