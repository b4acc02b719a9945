/**
 * Probing logic shared by the prober CLI (prober.ts) and the per-pod server's
 * control socket (server.ts): runs a ProbeBatch in the current network
 * namespace and emits one ProbeResult per attempt as it completes.
 *
 * DNS names are resolved with the pod's resolv.conf (bind-mounted by
 * `ip netns exec` from /etc/netns/POD/resolv.conf): its nameservers, search
 * list and ndots, in glibc's order, A for ipv4 and AAAA for ipv6.
 *
 * Runs under Debian's nodejs 18 with node: built-ins only.
 */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Family, ProbeBatch, ProbeDone, ProbeResult, ProbeTarget, ServerIdentity } from './protocol.js';

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_CONCURRENCY = 256;

type Attempt = Omit<ProbeResult, 'type' | 'id' | 'attempt'>;

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** errno -> outcome. ICMP unreachables are an active rejection, like a RST. */
function classify(code: string | undefined): ProbeResult['outcome'] {
  switch (code) {
    case 'ECONNREFUSED': // RST, or ICMP port unreachable
    case 'EHOSTUNREACH': // ICMP host unreachable / administratively prohibited
    case 'ECONNRESET':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'error'; // ENETUNREACH (no route: a setup problem), EADDRNOTAVAIL, ...
  }
}

function parseIdentity(text: string): Partial<ServerIdentity> | undefined {
  const line = text.split('\n', 1)[0]?.trim();
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as ServerIdentity;
    if (v && typeof v.backend === 'string') return v;
  } catch {
    // A server that is not ours (e.g. a real workload): the raw line is the identity.
  }
  return { backend: line.slice(0, 200) };
}

function identityFields(id: Partial<ServerIdentity> | undefined): Pick<Attempt, 'backend' | 'clientSeenAs'> {
  const out: Pick<Attempt, 'backend' | 'clientSeenAs'> = {};
  if (id?.backend) out.backend = id.backend;
  if (id?.client) out.clientSeenAs = id.client;
  return out;
}

function probeTcp(address: string, port: number, family: Family, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const start = performance.now();
    let connectedAt = 0;
    let buf = '';
    let done = false;
    const sock = net.connect({ host: address, port, family: family === 'ipv4' ? 4 : 6 });
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    // Decide in setImmediate, after this loop iteration's I/O: on a starved
    // event loop the timer and the connect completion become due together,
    // and timers run first; a connection that made it in time must count.
    const timer = setTimeout(() => setImmediate(() => {
      if (connectedAt) {
        // The handshake completed: that is the observation; the identity never came.
        finish({ outcome: 'connected', latencyMs: round(connectedAt - start), address, reason: 'no identity from server' });
      } else {
        finish({ outcome: 'timeout', latencyMs: round(performance.now() - start), address });
      }
    }), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => { connectedAt = performance.now(); });
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.includes('\n')) {
        finish({ outcome: 'connected', latencyMs: round(connectedAt - start), address, ...identityFields(parseIdentity(buf)) });
      }
    });
    sock.on('end', () => {
      finish({ outcome: 'connected', latencyMs: round((connectedAt || performance.now()) - start), address, ...identityFields(parseIdentity(buf)) });
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (connectedAt) {
        finish({ outcome: 'connected', latencyMs: round(connectedAt - start), address, code: err.code, ...identityFields(parseIdentity(buf)) });
      } else {
        finish({ outcome: classify(err.code), latencyMs: round(performance.now() - start), address, code: err.code });
      }
    });
  });
}

function probeUdp(address: string, port: number, family: Family, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const start = performance.now();
    let done = false;
    const sock = dgram.createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { sock.close(); } catch { /* already closed */ }
      resolve(a);
    };
    const timer = setTimeout(() => setImmediate(() => finish({ outcome: 'timeout', latencyMs: round(performance.now() - start), address })), timeoutMs);
    // A connected UDP socket receives ICMP port unreachable as ECONNREFUSED.
    sock.on('error', (err: NodeJS.ErrnoException) => {
      finish({ outcome: classify(err.code), latencyMs: round(performance.now() - start), address, code: err.code });
    });
    sock.on('message', (msg) => {
      finish({ outcome: 'connected', latencyMs: round(performance.now() - start), address, ...identityFields(parseIdentity(msg.toString('utf8'))) });
    });
    sock.connect(port, address, () => {
      sock.send('netspec-probe\n', (err) => {
        if (err) finish({ outcome: classify((err as NodeJS.ErrnoException).code), latencyMs: round(performance.now() - start), address, code: (err as NodeJS.ErrnoException).code });
      });
    });
  });
}

export interface ResolvConf {
  nameservers: string[];
  search: string[];
  ndots: number;
}

export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const raw of text.split('\n')) {
    const f = raw.replace(/[#;].*/, '').trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1] && net.isIP(f[1].replace(/%.*$/, ''))) conf.nameservers.push(f[1]);
    if (f[0] === 'search' || f[0] === 'domain') conf.search = f.slice(1).filter(Boolean);
    if (f[0] === 'options') {
      for (const o of f.slice(1)) {
        const m = o.match(/^ndots:(\d+)$/);
        if (m) conf.ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return conf;
}

/**
 * The pod's resolv.conf, read fresh for every batch: /etc/netns/POD/resolv.conf
 * when the caller names the pod's netns (a long-running server may have been
 * started before that file was written, so its `ip netns exec` bind mount
 * would be missing), else /etc/resolv.conf.
 */
function readResolvConf(netns?: string): ResolvConf {
  for (const p of [netns ? `/etc/netns/${netns}/resolv.conf` : undefined, '/etc/resolv.conf']) {
    if (!p) continue;
    try { return parseResolvConf(fs.readFileSync(p, 'utf8')); } catch { /* next */ }
  }
  return { nameservers: [], search: [], ndots: 1 };
}

/** Names to try, in glibc's order: as is first iff it has at least ndots dots. */
export function candidates(name: string, conf: ResolvConf): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const withSearch = conf.search.map((d) => `${name}.${d}`);
  const dots = name.split('.').length - 1;
  return dots >= conf.ndots ? [name, ...withSearch] : [...withSearch, name];
}

/**
 * Resolves a name once per (name, family) per batch; every answer is kept so
 * attempts spread over them (headless Services). Uses c-ares (dns.Resolver)
 * with the resolv.conf search list applied here, not getaddrinfo: a timed-out
 * getaddrinfo blocks a thread-pool thread, and Node waits for it at exit.
 */
function makeResolver(dnsTimeoutMs: number, netns?: string) {
  const conf = readResolvConf(netns);
  const cache = new Map<string, Promise<string[]>>();
  const query = async (name: string, family: Family, deadline: number): Promise<string[]> => {
    const left = deadline - performance.now();
    if (left <= 0) throw Object.assign(new Error(`DNS timeout resolving ${name}`), { code: 'ETIMEOUT' });
    const r = new dns.promises.Resolver({ timeout: Math.max(50, Math.min(1000, Math.floor(left / 2))), tries: 2 });
    if (conf.nameservers.length) r.setServers(conf.nameservers);
    let cancelled = false;
    const timer = setTimeout(() => { cancelled = true; r.cancel(); }, left);
    try {
      return family === 'ipv4' ? await r.resolve4(name) : await r.resolve6(name);
    } catch (e) {
      if (cancelled) throw Object.assign(new Error(`DNS timeout resolving ${name}`), { code: 'ETIMEOUT' });
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
  return (host: string, family: Family): Promise<string[]> => {
    const key = `${family}|${host}`;
    let p = cache.get(key);
    if (!p) {
      p = (async () => {
        const deadline = performance.now() + dnsTimeoutMs;
        let firstError: NodeJS.ErrnoException | undefined;
        let noData: NodeJS.ErrnoException | undefined;
        for (const name of candidates(host, conf)) {
          try {
            const list = await query(name, family, deadline);
            if (list.length) return list;
          } catch (e) {
            const err = e as NodeJS.ErrnoException;
            if (err.code === 'ENODATA') noData ??= err;
            else firstError ??= err;
            // "No such name" and SERVFAIL move on to the next candidate, as in glibc.
            if (err.code !== 'ENOTFOUND' && err.code !== 'ENODATA' && err.code !== 'ESERVFAIL') break;
          }
        }
        throw noData ?? firstError ?? Object.assign(new Error(`no address for ${host}`), { code: 'ENODATA' });
      })();
      cache.set(key, p);
    }
    return p;
  };
}

function validate(t: ProbeTarget, index: number): string | undefined {
  if (!t || typeof t !== 'object') return `target ${index} is not an object`;
  if (typeof t.id !== 'string') return `target ${index}: id must be a string`;
  if (typeof t.host !== 'string' || t.host.length === 0 || t.host.length > 253) return `target ${t.id}: bad host`;
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `target ${t.id}: bad port`;
  if (!['TCP', 'UDP', 'SCTP'].includes(t.protocol)) return `target ${t.id}: bad protocol`;
  if (t.family !== 'ipv4' && t.family !== 'ipv6') return `target ${t.id}: bad family`;
  return undefined;
}

async function attempt(t: ProbeTarget, n: number, batch: ProbeBatch, resolve: ReturnType<typeof makeResolver>): Promise<ProbeResult> {
  const base = { type: 'result' as const, id: t.id, attempt: n };
  if (t.protocol === 'SCTP') {
    return { ...base, outcome: 'skipped', latencyMs: 0, reason: 'SCTP is not supported by the node kernel' };
  }
  const timeoutMs = t.timeoutMs ?? batch.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let address = t.host;
  const literal = net.isIP(t.host);
  if (literal) {
    if ((literal === 4) !== (t.family === 'ipv4')) {
      return { ...base, outcome: 'error', latencyMs: 0, address, reason: `address ${t.host} is not ${t.family}` };
    }
  } else {
    try {
      const list = await resolve(t.host, t.family);
      address = list[n % list.length]!;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { ...base, outcome: 'dns-error', latencyMs: 0, code: err.code, reason: err.message };
    }
  }
  const a = t.protocol === 'TCP'
    ? await probeTcp(address, t.port, t.family, timeoutMs)
    : await probeUdp(address, t.port, t.family, timeoutMs);
  return { ...base, ...a };
}

/** Runs `jobs` with at most `limit` in flight, calling `emit` as each completes. */
async function pool<T>(jobs: Array<() => Promise<T>>, limit: number, emit: (r: T) => void): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      emit(await job());
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/** Parses and checks a batch; throws with a readable message. */
export function parseBatch(text: string): ProbeBatch {
  const batch = JSON.parse(text) as ProbeBatch;
  if (!batch || typeof batch !== 'object' || !Array.isArray(batch.targets)) throw new Error('batch.targets must be an array');
  return batch;
}

/** Probes every target of the batch (bounded concurrency), emitting results as they come. */
export async function runBatch(batch: ProbeBatch, emit: (r: ProbeResult) => void, opts: { netns?: string } = {}): Promise<ProbeDone> {
  const start = performance.now();
  const resolve = makeResolver(batch.dnsTimeoutMs ?? (batch.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 1000, opts.netns);
  const jobs: Array<() => Promise<ProbeResult>> = [];
  batch.targets.forEach((t, i) => {
    const bad = validate(t, i);
    if (bad) {
      jobs.push(async () => ({ type: 'result', id: String(t?.id ?? i), attempt: 0, outcome: 'error', latencyMs: 0, reason: bad }));
      return;
    }
    const count = Math.max(1, Math.min(1000, Math.floor(t.count ?? 1)));
    for (let n = 0; n < count; n++) jobs.push(() => attempt(t, n, batch, resolve));
  });
  let results = 0;
  await pool(jobs, Math.max(1, batch.concurrency ?? DEFAULT_CONCURRENCY), (r) => { results++; emit(r); });
  return { type: 'done', results, durationMs: round(performance.now() - start) };
}

/** All of standard input, as text (requests arrive as one JSON document). */
export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
