/**
 * A pod server's TCP connections: the identity line for Layer 4 probes, HTTP for everything that
 * speaks it (SPEC.md, "Layer 7": "Every pod's server answers HTTP on its TCP ports with its
 * identity and the request it received (path, host, method, headers), as the conformance
 * suite's echo backend does" — the Gateway API conformance echo server,
 * gateway-api/docker/echo-basic, answers every request with a JSON document of the pod and the
 * request it saw).
 *
 * Which one a connection gets is decided by the client's first line: an HTTP/1.x request opens
 * with its request line, `method SP request-target SP HTTP-version` (RFC 9112 §3), the method
 * being a token (RFC 9110 §9.1). Anything else (the Layer 4 prober's greeting, a newline), or
 * nothing within a grace period (a client that only reads), gets the identity line. HTTP
 * connections are kept alive, answering every request on them: an L7 proxy (HAProxy) reuses its
 * connections to a backend.
 *
 * Runs under the node image's Node.js with node: built-ins only.
 */
import * as http from 'node:http';
import type * as net from 'node:net';
import type { EchoBody, EchoedRequest, ServerIdentity } from './protocol.js';

/** How long a connection's first bytes are awaited before a client that only reads gets the identity line. */
export const GRACE_MS = 200;

/**
 * An idle kept-alive connection stays open longer than a proxy keeps its own idle connections
 * to a backend (HAProxy's pool-purge-delay, 5 s by default; Node.js's own default is 5 s too),
 * so the proxy, not this server, closes them: a request is never sent on a connection the
 * server is closing.
 */
const KEEP_ALIVE_MS = 65_000;

/** RFC 9112 §3: method SP request-target SP HTTP-version, the method a token (RFC 9110 §5.6.2, §9.1). */
const REQUEST_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [^\x00-\x20\x7f]+ HTTP\/1\.\d$/;
/** What a request line may look like before its end has come. No registered method is longer than 32 (the IANA registry). */
const REQUEST_LINE_START = /^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]{0,32}|[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [^\x00-\x20\x7f]*|[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32} [^\x00-\x20\x7f]+ (?:H(?:T(?:T(?:P(?:\/(?:1(?:\.\d?)?)?)?)?)?)?)?)$/;
/** A request line this long that is still one is left to node:http (which answers 414 or 431, not an identity line). */
const LINE_MAX = 16 * 1024;

/**
 * What a connection's first bytes open: an HTTP request (a whole request line), something else,
 * or not known yet (the start of a request line). An empty line is not skipped as RFC 9112 §2.2
 * lets a server do: a newline is the Layer 4 prober's greeting.
 */
export function openingOf(head: Buffer): 'http' | 'other' | 'undecided' {
  const lf = head.indexOf(0x0a);
  const line = head.toString('latin1', 0, lf === -1 ? Math.min(head.length, LINE_MAX) : lf).replace(/\r$/, '');
  if (lf !== -1) return REQUEST_LINE.test(line) ? 'http' : 'other';
  if (!REQUEST_LINE_START.test(line)) return 'other';
  return head.length >= LINE_MAX ? 'http' : 'undecided';
}

/** The request as received: its header names in lower case, repeated headers joined with ", " (RFC 9110 §5.3). */
export function echoedRequest(req: http.IncomingMessage): EchoedRequest {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { method: req.method ?? '', path: req.url ?? '', host: headers.host ?? '', headers };
}

/**
 * The HTTP side of one listener: every request answered 200 with its EchoBody. `identity` names
 * the pod for the client address the connection came from.
 */
export function echoServer(identity: (client: string | undefined) => ServerIdentity): http.Server {
  const server = http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    // A request body is read to its end (the connection stays usable), never echoed.
    req.resume();
    req.on('end', () => {
      const body: EchoBody = { ...identity(req.socket.remoteAddress), request: echoedRequest(req) };
      const text = JSON.stringify(body);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  // A malformed request gets node:http's own answer (400, 431, 408) on its 'clientError' default.
  return server;
}

/**
 * Answers one accepted connection: hands it to `echo` when its first bytes open an HTTP request
 * (those bytes put back first), else writes `identityLine` and closes. The listener allows half-open
 * connections (as node:http's own does): a client that sends its bytes and shuts its side still
 * gets its answer.
 */
export function answerConnection(sock: net.Socket, echo: http.Server, identityLine: () => string): void {
  // A client may reset or never read; neither may take the server down.
  sock.on('error', () => {});
  let head = Buffer.alloc(0);
  const decided = () => {
    clearTimeout(grace);
    sock.removeListener('data', onData);
    sock.removeListener('end', identify);
  };
  function identify(): void {
    decided();
    // The rest of what the client sends is read and dropped, so closing does not reset the connection.
    sock.on('data', () => {});
    sock.end(identityLine());
  }
  function onData(chunk: Buffer): void {
    head = Buffer.concat([head, chunk]);
    const opening = openingOf(head);
    if (opening === 'undecided') return;
    if (opening === 'other') { identify(); return; }
    decided();
    sock.pause();
    sock.unshift(head);
    echo.emit('connection', sock);
    sock.resume();
  }
  const grace = setTimeout(identify, GRACE_MS);
  sock.on('data', onData);
  sock.once('end', identify);
  sock.on('close', () => clearTimeout(grace));
}
