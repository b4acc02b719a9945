/**
 * Per-pod server: run inside a pod's network namespace
 *   ip netns exec POD node /netspec/dist/probe/server.js --identity ns/name [--node N] \
 *      [--tcp 80,81] [--udp 53] [--sctp 9]
 * Serves every declared port over both families and answers each TCP
 * connection and each UDP datagram with one JSON line (ServerIdentity), so a
 * prober learns which backend answered and how the server saw the client.
 *
 * With `--control /run/netspec/pod-X.sock` it is also the pod's probe daemon:
 * a connection on that Unix socket (reachable from the node's root netns, as
 * Unix sockets belong to the file system, not the network namespace) sends
 * one ProbeBatch and half-closes; the server probes from inside the pod's
 * netns and streams the result lines back (see probe-core.ts). That saves a
 * Node start-up (~150 ms of CPU) per source pod and probe round.
 *
 * Readiness: when every socket is listening it writes one JSON line
 * (ServerReady) to fd 3 if the launcher gave it one (the node agent does),
 * else to stdout. SCTP ports are reported as skipped: neither this kernel nor
 * Node has SCTP.
 *
 * Runs under Debian's nodejs 18 with node: built-ins only.
 */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { parseBatch, runBatch } from './probe-core.js';
import type { ProbeLine, Protocol, ServerIdentity, ServerPort, ServerReady } from './protocol.js';

interface Options {
  identity: string;
  node?: string;
  ports: ServerPort[];
  control?: string;
  netns?: string;
}

function parseArgs(argv: string[]): Options {
  const ports: ServerPort[] = [];
  let identity = '';
  let node: string | undefined;
  let control: string | undefined;
  let netns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${flag}`);
    i++;
    switch (flag) {
      case '--identity': identity = value; break;
      case '--node': node = value; break;
      case '--netns':
        if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(value)) throw new Error('bad --netns');
        netns = value;
        break;
      case '--control':
        if (!/^\/run\/netspec\/[a-z0-9-]+\.sock$/.test(value)) throw new Error('--control must be /run/netspec/NAME.sock');
        control = value;
        break;
      case '--tcp': case '--udp': case '--sctp': {
        const protocol = flag.slice(2).toUpperCase() as Protocol;
        for (const p of value.split(',').filter(Boolean)) {
          const port = Number(p);
          if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${p}`);
          ports.push({ port, protocol });
        }
        break;
      }
      default: throw new Error(`unknown flag ${flag}`);
    }
  }
  if (!identity) throw new Error('--identity is required');
  return { identity, node, ports, control, netns };
}

/** "::ffff:10.0.0.1" -> "10.0.0.1": dual-stack sockets see IPv4 clients as mapped. */
function unmap(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function reply(o: Options, port: number, protocol: Protocol, client: string | undefined): string {
  const id: ServerIdentity = { backend: o.identity, port, protocol, client: unmap(client) };
  if (o.node) id.node = o.node;
  return JSON.stringify(id) + '\n';
}

function isFamilyError(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL' || err.code === 'EINVAL';
}

function listenTcp(o: Options, port: number): Promise<void> {
  const make = () => net.createServer((sock) => {
    // A client may reset or never read; neither may take the server down.
    sock.on('error', () => {});
    sock.on('data', () => {});
    sock.end(reply(o, port, 'TCP', sock.remoteAddress));
  });
  return new Promise((resolve, reject) => {
    const s = make();
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (!isFamilyError(err)) return reject(err);
      // No IPv6 in this namespace: fall back to IPv4 only.
      const s4 = make();
      s4.once('error', reject);
      s4.listen({ host: '0.0.0.0', port, backlog: 1024 }, () => resolve());
    });
    // One dual-stack socket serves both families (IPv4 clients arrive v4-mapped).
    s.listen({ host: '::', port, ipv6Only: false, backlog: 1024 }, () => resolve());
  });
}

function listenUdp(o: Options, port: number): Promise<void> {
  const make = (type: 'udp4' | 'udp6') => {
    const s = dgram.createSocket(type === 'udp6' ? { type, ipv6Only: false } : { type });
    s.on('message', (_msg, rinfo) => {
      s.send(reply(o, port, 'UDP', rinfo.address), rinfo.port, rinfo.address, () => {});
    });
    return s;
  };
  return new Promise((resolve, reject) => {
    const s = make('udp6');
    s.once('error', (err: NodeJS.ErrnoException) => {
      if (!isFamilyError(err)) return reject(err);
      const s4 = make('udp4');
      s4.once('error', reject);
      s4.bind(port, '0.0.0.0', () => { s4.on('error', () => {}); resolve(); });
    });
    s.bind(port, '::', () => {
      // After bind, errors (e.g. ICMP for a reply) must not kill the server.
      s.removeAllListeners('error');
      s.on('error', () => {});
      resolve();
    });
  });
}

/** The probe daemon: one batch per connection, results streamed back as JSON lines. */
function listenControl(path: string, netns?: string): Promise<void> {
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('error', () => {});
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', async () => {
      const write = (line: ProbeLine) => { if (!sock.destroyed) sock.write(JSON.stringify(line) + '\n'); };
      try {
        const batch = parseBatch(Buffer.concat(chunks).toString('utf8'));
        write(await runBatch(batch, write, { netns }));
      } catch (e) {
        write({ type: 'fatal', error: `bad batch: ${(e as Error).message}` });
      }
      sock.end();
    });
  });
  return new Promise((resolve, reject) => {
    try { fs.unlinkSync(path); } catch { /* none left over */ }
    fs.mkdirSync('/run/netspec', { recursive: true });
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
}

function announce(msg: ServerReady | { ready: false; error: string }): void {
  const line = JSON.stringify(msg) + '\n';
  try {
    fs.writeSync(3, line);
    fs.closeSync(3);
  } catch {
    process.stdout.write(line);
  }
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    announce({ ready: false, error: (e as Error).message });
    process.exit(2);
  }
  const ready: ServerReady = { ready: true, pid: process.pid, serving: [], skipped: [], errors: [] };
  if (o.control) {
    try {
      await listenControl(o.control, o.netns);
    } catch (e) {
      announce({ ready: false, error: `control socket ${o.control}: ${(e as Error).message}` });
      process.exit(1);
    }
  }
  await Promise.all(o.ports.map(async (p) => {
    if (p.protocol === 'SCTP') {
      ready.skipped.push({ ...p, reason: 'SCTP is not supported by the node kernel' });
      return;
    }
    try {
      await (p.protocol === 'TCP' ? listenTcp(o, p.port) : listenUdp(o, p.port));
      ready.serving.push(p);
    } catch (e) {
      ready.errors.push({ ...p, error: (e as NodeJS.ErrnoException).code ?? String(e) });
    }
  }));
  announce(ready);
}

process.on('uncaughtException', (err) => {
  // Keep serving: one bad socket must not take a pod's identity away.
  process.stderr.write(`server: ${err.stack ?? err}\n`);
});

void main();
