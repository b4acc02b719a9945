/**
 * The prober's side of an HTTP probe (ProbeSpec.http): the request it writes on a connection the
 * launcher made in the source's namespace, and the parser of the answer.
 *
 * Why not node:http's client: it upper-cases the method (a route's method match is
 * case-sensitive, RFC 9110 §9.1: `get` must reach the gateway as `get`), adds a
 * `Content-Length: 0` to bodiless POSTs and replaces an empty Host. The request goes out exactly as
 * the cell asks; the answer is parsed as RFC 9112 frames a response (§4 status line, §5 fields,
 * §6.3 message body length, §7.1 chunked coding), which covers the echo servers' keep-alive
 * answers and HAProxy's chunked or close-delimited error pages alike.
 *
 * Runs under the node image's Node.js with node: built-ins only.
 */
import type { HttpRequest } from '../scenario/target.js';
import type { EchoBody, EchoedRequest, HttpAnswer } from './protocol.js';
import { httpRequestProblems, TOKEN } from '../scenario/http-request.js';

/** A response head longer than this is not an answer worth waiting for (HAProxy's tune.bufsize is 16 KiB). */
const HEAD_MAX = 64 * 1024;
/** Body bytes kept: an echo body is a few hundred bytes; past this the answer is its status and Location alone. */
const BODY_MAX = 256 * 1024;

/** Why `req` cannot be sent as asked (a bad batch), or undefined: the scenario's own rules. */
export function requestProblem(req: unknown): string | undefined {
  return httpRequestProblems(req)[0]?.message;
}

/** The request on the wire (RFC 9112 §3): `METHOD path HTTP/1.1`, Host, the cell's headers, `Connection: close`, no body. */
export function encodeRequest(req: HttpRequest): Buffer {
  const fields = Object.entries(req.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  return Buffer.from(`${req.method} ${req.path} HTTP/1.1\r\nHost: ${req.host}\r\n${fields}Connection: close\r\n\r\n`, 'latin1');
}

export interface HttpResponse {
  status: number;
  /** Field lines in order, names in lower case. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** The body ran past BODY_MAX and was cut there. */
  truncated: boolean;
}

export type ParsedResponse =
  | { kind: 'complete'; response: HttpResponse }
  | { kind: 'incomplete' }
  | { kind: 'malformed'; reason: string };

/** A response once the server has closed: complete or malformed, never still to come. */
export type FinalResponse = Exclude<ParsedResponse, { kind: 'incomplete' }>;

const INCOMPLETE = { kind: 'incomplete' } as const;

function malformed(reason: string): ParsedResponse {
  return { kind: 'malformed', reason };
}

/** The line starting at `from` (without its CRLF, or a bare LF: RFC 9112 §2.2) and where the next begins; undefined until its end has come. */
function lineAt(data: Buffer, from: number): { line: string; next: number } | undefined {
  const lf = data.indexOf(0x0a, from);
  if (lf === -1) return undefined;
  const end = lf > from && data[lf - 1] === 0x0d ? lf - 1 : lf;
  return { line: data.toString('latin1', from, end), next: lf + 1 };
}

function quoted(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

type Head = { status: number; headers: Array<[string, string]>; bodyStart: number };

/** A response head at `from`: status line and fields up to the empty line. */
function parseHead(data: Buffer, from: number, eof: boolean): Head | ParsedResponse {
  const short = (): ParsedResponse => {
    if (data.length - from > HEAD_MAX) return malformed(`response head over ${HEAD_MAX} bytes`);
    if (!eof) return INCOMPLETE;
    return malformed(data.length === from ? 'connection closed without a response' : `connection closed inside the response head: ${quoted(data.toString('latin1', from))}`);
  };
  const first = lineAt(data, from);
  if (!first) {
    // A server that is not speaking HTTP (a banner, an identity line) is told apart before its first line ends.
    const start = data.toString('latin1', from, from + 7);
    return 'HTTP/1.'.startsWith(start) ? short() : malformed(`not an HTTP/1.x response: ${quoted(data.toString('latin1', from, from + 80))}`);
  }
  // RFC 9112 §4: HTTP-version SP 3DIGIT SP [reason-phrase]; the SP before an empty reason is often left out.
  const m = /^HTTP\/1\.\d ([1-9]\d\d)(?: .*)?$/.exec(first.line);
  if (!m) return malformed(`not an HTTP/1.x status line: ${quoted(first.line)}`);
  const headers: Array<[string, string]> = [];
  let at = first.next;
  for (;;) {
    const next = lineAt(data, at);
    if (!next) return short();
    at = next.next;
    if (next.line === '') return { status: Number(m[1]), headers, bodyStart: at };
    const last = headers.at(-1);
    if (/^[ \t]/.test(next.line) && last) {
      // RFC 9112 §5.2: a recipient of an obs-fold in a response replaces it with SP.
      last[1] = `${last[1]} ${next.line.trim()}`;
      continue;
    }
    const field = /^([^:\s]+):[ \t]*(.*?)[ \t]*$/.exec(next.line);
    if (!field || !TOKEN.test(field[1]!)) return malformed(`bad header line ${quoted(next.line)}`);
    headers.push([field[1]!.toLowerCase(), field[2]!]);
  }
}

function values(headers: Array<[string, string]>, name: string): string[] {
  return headers.filter(([n]) => n === name).flatMap(([, v]) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function done(head: Head, body: Buffer, truncated = false): ParsedResponse {
  return { kind: 'complete', response: { status: head.status, headers: head.headers, body, truncated } };
}

/** RFC 9112 §7.1: chunk-size [; ext] CRLF data CRLF …, `0` CRLF, trailer fields, CRLF. */
function parseChunked(data: Buffer, head: Head, eof: boolean): ParsedResponse {
  const parts: Buffer[] = [];
  let size = 0;
  let at = head.bodyStart;
  const short = (): ParsedResponse => {
    if (size + Math.max(0, data.length - at) > BODY_MAX) return done(head, Buffer.concat(parts).subarray(0, BODY_MAX), true);
    return eof ? malformed('connection closed inside a chunked body') : INCOMPLETE;
  };
  for (;;) {
    const sizeLine = lineAt(data, at);
    if (!sizeLine) return short();
    const hex = sizeLine.line.split(';', 1)[0]!.trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) return malformed(`bad chunk size line ${quoted(sizeLine.line)}`);
    const n = parseInt(hex, 16);
    at = sizeLine.next;
    if (n === 0) {
      // Trailer fields (ignored) up to the empty line that ends the message.
      for (;;) {
        const trailer = lineAt(data, at);
        if (!trailer) return eof ? malformed('connection closed inside a chunked body\'s trailers') : INCOMPLETE;
        at = trailer.next;
        if (trailer.line === '') return done(head, Buffer.concat(parts));
      }
    }
    if (data.length < at + n) return short();
    parts.push(data.subarray(at, at + n));
    size += n;
    at += n;
    const end = lineAt(data, at);
    if (!end) return short();
    if (end.line !== '') return malformed('a chunk\'s data is not followed by CRLF');
    at = end.next;
  }
}

/**
 * The response in `data` (everything read so far), to a request of `method`; `eof`: the server
 * closed. Interim 1xx answers (100 Continue, 103 Early Hints) are passed over, as RFC 9110 §15.2
 * has a client do; the answer is the final one.
 */
export function parseResponse(data: Buffer, method: string, eof: true): FinalResponse;
export function parseResponse(data: Buffer, method: string, eof: boolean): ParsedResponse;
export function parseResponse(data: Buffer, method: string, eof: boolean): ParsedResponse {
  let from = 0;
  for (;;) {
    const head = parseHead(data, from, eof);
    if (!('bodyStart' in head)) return head;
    if (head.status < 200 && head.status !== 101) { from = head.bodyStart; continue; }
    const rest = data.subarray(head.bodyStart);
    // RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304 (101 switches protocols: nothing more is HTTP).
    if (method === 'HEAD' || head.status < 200 || head.status === 204 || head.status === 304) return done(head, Buffer.alloc(0));
    const codings = values(head.headers, 'transfer-encoding');
    if (codings.length > 0) {
      // §6.3 item 4: Transfer-Encoding overrides Content-Length; chunked last frames the body, else the close does.
      if (codings.at(-1)!.toLowerCase() === 'chunked') return parseChunked(data, head, eof);
    } else {
      const lengths = values(head.headers, 'content-length');
      if (lengths.length > 0) {
        // §6.3 item 5: a list of one repeated valid value is that value; anything else is unrecoverable.
        if (!lengths.every((v) => /^\d{1,15}$/.test(v)) || new Set(lengths.map(Number)).size !== 1) return malformed(`bad Content-Length ${quoted(lengths.join(', '))}`);
        const n = Number(lengths[0]);
        if (rest.length >= n) return done(head, rest.subarray(0, n));
        if (rest.length > BODY_MAX) return done(head, rest.subarray(0, BODY_MAX), true);
        return eof ? malformed(`connection closed after ${rest.length} of ${n} body bytes`) : INCOMPLETE;
      }
    }
    // §6.3 item 8: the body is everything up to the close.
    if (rest.length > BODY_MAX) return done(head, rest.subarray(0, BODY_MAX), true);
    return eof ? done(head, rest) : INCOMPLETE;
  }
}

function isEchoBody(v: unknown): v is EchoBody {
  const b = v as EchoBody;
  const r = b?.request as EchoedRequest | undefined;
  return typeof b?.backend === 'string' && typeof r === 'object' && r !== null
    && typeof r.method === 'string' && typeof r.path === 'string' && typeof r.host === 'string'
    && typeof r.headers === 'object' && r.headers !== null && Object.values(r.headers).every((h) => typeof h === 'string');
}

/** What a response says: its status and Location, and who answered with what request when a pod's echo server did. */
export function answerOf(response: HttpResponse): { http: HttpAnswer; backend?: string; clientSeenAs?: string } {
  const http: HttpAnswer = { status: response.status };
  const location = response.headers.find(([name]) => name === 'location');
  if (location) http.location = location[1];
  let echo: unknown;
  try {
    echo = response.truncated ? undefined : JSON.parse(response.body.toString('utf8'));
  } catch {
    // Not an echo server's answer (a gateway's own error page): status and Location are the answer.
  }
  if (!isEchoBody(echo)) return { http };
  const { method, path, host, headers } = echo.request;
  http.request = { method, path, host, headers };
  return { http, backend: echo.backend, ...(typeof echo.client === 'string' && echo.client ? { clientSeenAs: echo.client } : {}) };
}
