/**
 * The pod servers of one node, in one process. The node agent starts it through the socket
 * launcher (netns-sockets.ts), which has already made every listener inside its pod's network
 * namespace:
 *   perl -e LAUNCHER N REQUEST… node /netspec/dist/probe/server.js   (servers as JSON on stdin)
 * Each pod's declared ports are served over both families (one dual-stack socket each, IPv4
 * alone where the namespace has no IPv6). Every UDP datagram and every TCP connection that does
 * not open with an HTTP request is answered with one JSON line (ServerIdentity): the pod that
 * answered and the client address it saw, so a prober learns which backend answered and whether
 * the source was preserved. A TCP connection that opens with an HTTP request is served HTTP, kept
 * alive, every request answered with that identity and the request received (http-echo.ts).
 *
 * Readiness: one JSON line (ServersReady) on fd 3 once every socket listens, naming each
 * server's served, skipped (SCTP: neither this kernel nor Node has it) and failed ports with
 * the failure's own errno. Runs under the node image's Node.js with node: built-ins only.
 */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { answerConnection, echoServer } from './http-echo.js';
import { parseSockets, serverSocketRequests } from './netns-sockets.js';
import { readStdin } from './probe-core.js';
import { IDENTITY_RE, NETNS_RE, type Protocol, type ServerIdentity, type ServerReady, type ServerSpec, type ServersReady } from './protocol.js';

/** "::ffff:10.0.0.1" -> "10.0.0.1": dual-stack sockets see IPv4 clients as mapped. */
function unmap(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function identity(s: ServerSpec, port: number, protocol: Protocol, client: string | undefined): ServerIdentity {
  const id: ServerIdentity = { backend: s.identity, port, protocol, client: unmap(client) };
  if (s.node) id.node = s.node;
  return id;
}

function reply(s: ServerSpec, port: number, protocol: Protocol, client: string | undefined): string {
  return JSON.stringify(identity(s, port, protocol, client)) + '\n';
}

function serveTcp(s: ServerSpec, port: number, fd: number): Promise<void> {
  const echo = echoServer((client) => identity(s, port, 'TCP', client));
  const server = net.createServer({ allowHalfOpen: true }, (sock) => answerConnection(sock, echo, () => reply(s, port, 'TCP', sock.remoteAddress)));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ fd }, () => { server.removeListener('error', reject); server.on('error', () => {}); resolve(); });
  });
}

function serveUdp(s: ServerSpec, port: number, fd: number, family: 4 | 6): Promise<void> {
  const sock = dgram.createSocket(family === 6 ? { type: 'udp6', ipv6Only: false } : { type: 'udp4' });
  sock.on('message', (_msg, rinfo) => {
    sock.send(reply(s, port, 'UDP', rinfo.address), rinfo.port, rinfo.address, () => {});
  });
  return new Promise((resolve, reject) => {
    sock.once('error', reject);
    sock.bind({ fd }, () => {
      // After bind, errors (e.g. ICMP for a reply) must not kill the server.
      sock.removeListener('error', reject);
      sock.on('error', () => {});
      resolve();
    });
  });
}

function check(servers: unknown): ServerSpec[] {
  if (!Array.isArray(servers)) throw new Error('servers must be an array');
  for (const s of servers as ServerSpec[]) {
    if (!NETNS_RE.test(s?.netns)) throw new Error(`unsafe netns name ${JSON.stringify(s?.netns)}`);
    if (!IDENTITY_RE.test(s?.identity)) throw new Error(`unsafe identity ${JSON.stringify(s?.identity)}`);
  }
  return servers as ServerSpec[];
}

function announce(msg: ServersReady | { ready: false; error: string }): void {
  const line = JSON.stringify(msg) + '\n';
  try {
    fs.writeSync(3, line);
    fs.closeSync(3);
  } catch {
    process.stdout.write(line);
  }
}

async function main(): Promise<void> {
  let servers: ServerSpec[];
  try {
    servers = check((JSON.parse(await readStdin()) as { servers: unknown }).servers);
  } catch (e) {
    announce({ ready: false, error: `bad server list: ${(e as Error).message}` });
    process.exit(2);
  }
  const requests = serverSocketRequests(servers);
  const sockets = parseSockets(process.env.NETSPEC_SOCKETS, requests);
  const readies = servers.map((s): ServerReady => ({
    ready: true, pid: process.pid, serving: [], errors: [],
    skipped: s.ports.filter((p) => p.protocol === 'SCTP').map((p) => ({ ...p, reason: 'SCTP is not supported by the node kernel' })),
  }));
  await Promise.all(requests.map(async (request, i) => {
    const server = servers[request.server]!;
    const ready = readies[request.server]!;
    const port = { port: request.port, protocol: (request.kind === 'tcp-listen' ? 'TCP' : 'UDP') as Protocol };
    const made = sockets[i]!;
    if ('error' in made) { ready.errors.push({ ...port, error: made.error }); return; }
    try {
      await (port.protocol === 'TCP' ? serveTcp(server, port.port, made.fds[0]!) : serveUdp(server, port.port, made.fds[0]!, made.family));
      ready.serving.push(port);
    } catch (e) {
      ready.errors.push({ ...port, error: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }));
  announce({ ready: true, pid: process.pid, servers: servers.map((s, i) => ({ netns: s.netns, ready: readies[i]! })) });
}

process.on('uncaughtException', (err) => {
  // Keep serving: one bad socket must not take every pod's identity away.
  process.stderr.write(`server: ${err.stack ?? err}\n`);
});

void main();
