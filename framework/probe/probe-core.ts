/**
 * Probing logic of the prober (prober.ts): runs a ProbeBatch for one source pod and emits one
 * ProbeResult per attempt as it completes. Every connection and every DNS query leaves from the
 * source pod's network namespace on a socket the launcher made there (a SocketPool, see
 * netns-sockets.ts), one socket per attempt; without a pool (tests on loopback) sockets are
 * made here, in the process's own namespace.
 *
 * DNS names are resolved with the pod's resolv.conf (/etc/netns/POD/resolv.conf, what
 * `ip netns exec` would bind-mount): its first nameserver, search list and ndots, in glibc's
 * order, A for ipv4 and AAAA for ipv6 (dns-client.ts). An SRV target (ProbeSpec.srv) is
 * looked up as SRV the same way, then the chosen answer's target name (absolute) as A/AAAA, and
 * the connection goes to that address at the answer's port.
 *
 * Runs under the node image's Node.js with node: built-ins only.
 */
import * as net from 'node:net';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { HttpRequest } from '../scenario/target.js';
import { query, querySrv, type SrvRecord } from './dns-client.js';
import { answerOf, encodeRequest, parseResponse, requestProblem, type FinalResponse } from './http-client.js';
import { parseSockets, type SocketRequest } from './netns-sockets.js';
import type { AgentProbeRequest, Family, ProbeBatch, ProbeDone, ProbeResult, ProbeTarget, ServerIdentity } from './protocol.js';

/** Unconnected sockets made in the source's namespace: one is taken per connection or query. */
export interface SocketPool {
  /** A descriptor, or why there is none (the launcher's errno, or the pool ran dry: a bug). */
  take(kind: 'tcp' | 'udp', family: Family): number | { error: string };
}

const DEFAULT_TIMEOUT_MS = 1000;
/** Attempts in flight per source: a source probing a few hundred dropped targets waits one timeout, not several. */
export const DEFAULT_CONCURRENCY = 512;

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

/** A socket for one attempt: from the pool when there is one. */
function takeFd(pool: SocketPool | undefined, kind: 'tcp' | 'udp', family: Family, address: string): number | undefined | Attempt {
  if (!pool) return undefined;
  const got = pool.take(kind, family);
  return typeof got === 'number' ? got : { outcome: 'error', latencyMs: 0, address, reason: `no ${family} ${kind} socket in the source's namespace: ${got.error}` };
}

/**
 * What a Layer 4 probe writes once connected: a newline, which is not the start of an HTTP request,
 * so a pod's server answers its identity line at once instead of after its grace period
 * (http-echo.ts). A server that is not ours may skip it as an empty line (RFC 9112 §2.2) and
 * wait: the attempt is then connected without an identity, as for any silent server.
 */
const GREETING = '\n';

/**
 * One TCP attempt. Without `request`, connected is the observation and the server's first line
 * names who answered. With `request` (an HTTP probe) the request is written once connected and the
 * attempt lasts until the response is complete: a complete answer is `connected` with its status
 * (latency: to the answer), a malformed one an `error`, none in time a `timeout`.
 */
function probeTcp(address: string, port: number, family: Family, timeoutMs: number, pool?: SocketPool, request?: HttpRequest): Promise<Attempt> {
  const fd = takeFd(pool, 'tcp', family, address);
  if (typeof fd === 'object') return Promise.resolve(fd);
  return new Promise((resolve) => {
    const start = performance.now();
    let connectedAt = 0;
    let data = Buffer.alloc(0);
    let done = false;
    const sock = fd === undefined
      ? net.connect({ host: address, port, family: family === 'ipv4' ? 4 : 6 })
      : new net.Socket({ fd, readable: true, writable: true }).connect({ host: address, port });
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(a);
    };
    const identified = (extra: Partial<Attempt> = {}): Attempt =>
      ({ outcome: 'connected', latencyMs: round((connectedAt || performance.now()) - start), address, ...extra, ...identityFields(parseIdentity(data.toString('utf8'))) });
    const answered = (parsed: FinalResponse): Attempt => {
      const latencyMs = round(performance.now() - start);
      return parsed.kind === 'complete'
        ? { outcome: 'connected', latencyMs, address, ...answerOf(parsed.response) }
        : { outcome: 'error', latencyMs, address, reason: `malformed HTTP response: ${parsed.reason}` };
    };
    // Decide in setImmediate, after this loop iteration's I/O: on a starved
    // event loop the timer and the connect completion become due together,
    // and timers run first; a connection that made it in time must count.
    const timer = setTimeout(() => setImmediate(() => {
      if (connectedAt && request) {
        finish({ outcome: 'timeout', latencyMs: round(performance.now() - start), address, reason: 'connected, but no complete HTTP response in time' });
      } else if (connectedAt) {
        // The handshake completed: that is the observation; the identity never came.
        finish({ outcome: 'connected', latencyMs: round(connectedAt - start), address, reason: 'no identity from server' });
      } else {
        finish({ outcome: 'timeout', latencyMs: round(performance.now() - start), address });
      }
    }), timeoutMs);
    sock.on('connect', () => {
      connectedAt = performance.now();
      sock.write(request ? encodeRequest(request) : GREETING);
    });
    sock.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (request) {
        const parsed = parseResponse(data, request.method, false);
        if (parsed.kind !== 'incomplete') finish(answered(parsed));
      } else if (data.includes(0x0a)) {
        finish(identified());
      }
    });
    sock.on('end', () => finish(request ? answered(parseResponse(data, request.method, true)) : identified()));
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (!connectedAt) {
        finish({ outcome: classify(err.code), latencyMs: round(performance.now() - start), address, code: err.code });
      } else if (request) {
        // A reset after the answer's last byte (a body that ends with the close) still answered.
        const parsed = parseResponse(data, request.method, true);
        finish(parsed.kind === 'complete' ? answered(parsed) : { outcome: 'error', latencyMs: round(performance.now() - start), address, code: err.code, reason: 'the connection failed before a complete HTTP response' });
      } else {
        finish(identified({ code: err.code }));
      }
    });
  });
}

function probeUdp(address: string, port: number, family: Family, timeoutMs: number, pool?: SocketPool): Promise<Attempt> {
  const fd = takeFd(pool, 'udp', family, address);
  if (typeof fd === 'object') return Promise.resolve(fd);
  return new Promise((resolve) => {
    const start = performance.now();
    let done = false;
    const sock = dgram.createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
    let resend: NodeJS.Timeout | undefined;
    const finish = (a: Attempt) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(resend);
      try { sock.close(); } catch { /* already closed */ }
      resolve(a);
    };
    const timer = setTimeout(() => setImmediate(() => finish({ outcome: 'timeout', latencyMs: round(performance.now() - start), address })), timeoutMs);
    const datagram = () => sock.send('netspec-probe\n', (err) => {
      if (err) finish({ outcome: classify((err as NodeJS.ErrnoException).code), latencyMs: round(performance.now() - start), address, code: (err as NodeJS.ErrnoException).code });
    });
    // A connected UDP socket receives ICMP port unreachable as ECONNREFUSED.
    sock.on('error', (err: NodeJS.ErrnoException) => {
      finish({ outcome: classify(err.code), latencyMs: round(performance.now() - start), address, code: err.code });
    });
    sock.on('message', (msg) => {
      finish({ outcome: 'connected', latencyMs: round(performance.now() - start), address, ...identityFields(parseIdentity(msg.toString('utf8'))) });
    });
    // UDP is unreliable: one datagram or its ICMP answer lost in a burst would read as a
    // timeout. Sent again halfway through the timeout (as TCP retransmits a SYN), a path that
    // delivers and a port that answers are seen; a dropping path still drops both.
    const send = () => sock.connect(port, address, () => {
      datagram();
      resend = setTimeout(() => { if (!done) datagram(); }, Math.floor(timeoutMs / 2));
    });
    if (fd === undefined) send();
    else sock.bind({ fd }, send);
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
 * when the caller names the pod's netns, else /etc/resolv.conf.
 */
export function readResolvConf(netns?: string): ResolvConf {
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

/** Tries per candidate name (glibc's resolv.conf default `attempts:2`). */
const DNS_TRIES = 2;

/** resolv.conf(5): "If there are no nameserver lines, the default is the name server on the local machine". */
function nameserverOf(conf: ResolvConf): string {
  return (conf.nameservers[0] ?? '127.0.0.1').replace(/%.*$/, '');
}

type Lookup = 'A' | 'AAAA' | 'SRV';

/**
 * Resolves a name once per (name, record type) per batch; every answer is kept so attempts
 * spread over them (headless Services, SRV answers). One query per socket, at most DNS_TRIES per
 * candidate name.
 */
function makeResolver(dnsTimeoutMs: number, conf: ResolvConf, pool?: SocketPool) {
  const server = nameserverOf(conf);
  const serverFamily: Family = server.includes(':') ? 'ipv6' : 'ipv4';
  const ask = <T>(name: string, deadline: number, send: (options: Parameters<typeof query>[2]) => Promise<T>): Promise<T> => {
    const left = deadline - performance.now();
    if (left <= 0) return Promise.reject(Object.assign(new Error(`DNS timeout resolving ${name}`), { code: 'ETIMEOUT' }));
    const fd = pool?.take('udp', serverFamily);
    if (typeof fd === 'object') return Promise.reject(Object.assign(new Error(`no socket for a DNS query: ${fd.error}`), { code: 'ECONNREFUSED' }));
    return send({ server, timeoutMs: Math.max(50, Math.min(1000, Math.floor(left / DNS_TRIES))), ...(fd === undefined ? {} : { fd }) });
  };
  const cache = new Map<string, Promise<unknown>>();
  const lookup = <T>(host: string, type: Lookup, send: (name: string, options: Parameters<typeof query>[2]) => Promise<T>): Promise<T> => {
    const key = `${type}|${host}`;
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = (async () => {
        const deadline = performance.now() + dnsTimeoutMs;
        let firstError: NodeJS.ErrnoException | undefined;
        let noData: NodeJS.ErrnoException | undefined;
        for (const name of candidates(host, conf)) {
          let err: NodeJS.ErrnoException | undefined;
          for (let attempt = 1; attempt <= DNS_TRIES; attempt++) {
            try {
              return await ask(name, deadline, (options) => send(name, options));
            } catch (e) {
              err = e as NodeJS.ErrnoException;
              if (err.code !== 'ETIMEOUT' || performance.now() >= deadline) break;
            }
          }
          if (err!.code === 'ENODATA') noData ??= err;
          else firstError ??= err;
          // "No such name" and SERVFAIL move on to the next candidate, as in glibc.
          if (err!.code !== 'ENOTFOUND' && err!.code !== 'ENODATA' && err!.code !== 'ESERVFAIL') break;
        }
        throw noData ?? firstError ?? Object.assign(new Error(`no ${type} record for ${host}`), { code: 'ENODATA' });
      })();
      cache.set(key, p);
    }
    return p;
  };
  return {
    addresses: (host: string, family: Family): Promise<string[]> => {
      const type = family === 'ipv4' ? 'A' : 'AAAA';
      return lookup(host, type, (name, options) => query(name, type, options));
    },
    /** RFC 2782: only the lowest priority is tried while it answers; within it, every answer. */
    srv: async (host: string): Promise<SrvRecord[]> => {
      const records = await lookup(host, 'SRV', (name, options) => querySrv(name, options));
      const best = Math.min(...records.map((r) => r.priority));
      return records.filter((r) => r.priority === best);
    },
  };
}

/**
 * The sockets a batch needs from its source's namespace, by kind and family: one per attempt,
 * and DNS_TRIES per candidate name of each distinct name looked up. The prober and the node
 * agent that asks the launcher for them both count with this.
 */
export function socketNeeds(batch: ProbeBatch, conf: ResolvConf): Map<string, { kind: 'tcp' | 'udp'; family: Family; count: number }> {
  const needs = new Map<string, { kind: 'tcp' | 'udp'; family: Family; count: number }>();
  const add = (kind: 'tcp' | 'udp', family: Family, count: number) => {
    const key = `${kind}/${family}`;
    const entry = needs.get(key) ?? { kind, family, count: 0 };
    entry.count += count;
    needs.set(key, entry);
  };
  const names = new Set<string>();
  const serverFamily: Family = nameserverOf(conf).includes(':') ? 'ipv6' : 'ipv4';
  for (const t of batch.targets ?? []) {
    if (validate(t, 0) || t.protocol === 'SCTP') continue;
    const count = Math.max(1, Math.min(1000, Math.floor(t.count ?? 1)));
    add(t.protocol === 'TCP' ? 'tcp' : 'udp', t.family, count);
    if (net.isIP(t.host)) continue;
    names.add(`${t.srv ? 'SRV' : t.family}|${t.host}`);
    // Each attempt may take another SRV answer, whose target (absolute: one name) is looked up once.
    if (t.srv) add('udp', serverFamily, count * DNS_TRIES);
  }
  for (const key of names) add('udp', serverFamily, candidates(key.slice(key.indexOf('|') + 1), conf).length * DNS_TRIES);
  return needs;
}

function validate(t: ProbeTarget, index: number): string | undefined {
  if (!t || typeof t !== 'object') return `target ${index} is not an object`;
  if (typeof t.id !== 'string') return `target ${index}: id must be a string`;
  if (typeof t.host !== 'string' || t.host.length === 0 || t.host.length > 253) return `target ${t.id}: bad host`;
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) return `target ${t.id}: bad port`;
  if (!['TCP', 'UDP', 'SCTP'].includes(t.protocol)) return `target ${t.id}: bad protocol`;
  if (t.family !== 'ipv4' && t.family !== 'ipv6') return `target ${t.id}: bad family`;
  if (t.http !== undefined) {
    if (t.protocol !== 'TCP') return `target ${t.id}: an HTTP request goes over TCP`;
    const problem = requestProblem(t.http);
    if (problem) return `target ${t.id}: ${problem}`;
  }
  if (t.srv !== undefined && (typeof t.srv !== 'boolean' || (t.srv && net.isIP(t.host)))) return `target ${t.id}: srv must be a boolean, for a DNS name`;
  return undefined;
}

async function attempt(t: ProbeTarget, n: number, batch: ProbeBatch, resolve: ReturnType<typeof makeResolver>, pool?: SocketPool): Promise<ProbeResult> {
  const base = { type: 'result' as const, id: t.id, attempt: n };
  if (t.protocol === 'SCTP') {
    return { ...base, outcome: 'skipped', latencyMs: 0, reason: 'SCTP is not supported by the node kernel' };
  }
  const timeoutMs = t.timeoutMs ?? batch.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let address = t.host;
  let port = t.port;
  const literal = net.isIP(t.host);
  if (literal) {
    if ((literal === 4) !== (t.family === 'ipv4')) {
      return { ...base, outcome: 'error', latencyMs: 0, address, reason: `address ${t.host} is not ${t.family}` };
    }
  } else {
    try {
      let name = t.host;
      if (t.srv) {
        // Attempts take the answers in turn, as they take a headless Service's addresses.
        const records = await resolve.srv(t.host);
        const chosen = records[n % records.length]!;
        name = `${chosen.target}.`;
        port = chosen.port;
      }
      const list = await resolve.addresses(name, t.family);
      address = list[n % list.length]!;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      return { ...base, outcome: 'dns-error', latencyMs: 0, code: err.code, reason: err.message };
    }
  }
  const a = t.protocol === 'TCP'
    ? await probeTcp(address, port, t.family, timeoutMs, pool, t.http)
    : await probeUdp(address, port, t.family, timeoutMs, pool);
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

type SourceBatch = AgentProbeRequest['batches'][number];

/** A source's resolver: the one its batch carries (a shared namespace), else its namespace's file. */
export function sourceResolvConf(b: Pick<SourceBatch, 'netns' | 'resolvConf'>): ResolvConf {
  return b.resolvConf !== undefined ? parseResolvConf(b.resolvConf) : readResolvConf(b.netns);
}

/** Every socket the sources' batches need, in the order the launcher is asked for them; `batch` is the index of the one it serves. */
export function proberSocketRequests(batches: readonly SourceBatch[]): Array<SocketRequest & { batch: number }> {
  return batches.flatMap((b, batch) => [...socketNeeds(b.batch, sourceResolvConf(b)).values()].map((need) => ({
    netns: b.netns, kind: need.kind, family: need.family === 'ipv4' ? 4 as const : 6 as const, port: 0, count: need.count, batch,
  })));
}

/** Each batch's pool (by index), from what the launcher made (NETSPEC_SOCKETS) for proberSocketRequests(batches). */
export function socketPools(batches: readonly SourceBatch[], made: string | undefined): SocketPool[] {
  const requests = proberSocketRequests(batches);
  const results = parseSockets(made, requests);
  const free = batches.map(() => new Map<string, number[] | string>());
  requests.forEach((r, i) => {
    const result = results[i]!;
    free[r.batch]!.set(`${r.kind}/${r.family === 4 ? 'ipv4' : 'ipv6'}`, 'error' in result ? result.error : result.fds.slice());
  });
  return free.map((lists): SocketPool => ({
    take(kind, family) {
      const list = lists.get(`${kind}/${family}`);
      if (typeof list === 'string') return { error: list };
      const fd = list?.pop();
      return fd === undefined ? { error: 'none left (more attempts than sockets asked for)' } : fd;
    },
  }));
}

/** Parses and checks a batch; throws with a readable message. */
export function parseBatch(text: string): ProbeBatch {
  const batch = JSON.parse(text) as ProbeBatch;
  if (!batch || typeof batch !== 'object' || !Array.isArray(batch.targets)) throw new Error('batch.targets must be an array');
  return batch;
}

/** Probes every target of the batch (bounded concurrency), emitting results as they come. */
export async function runBatch(batch: ProbeBatch, emit: (r: ProbeResult) => void, opts: { conf?: ResolvConf; pool?: SocketPool } = {}): Promise<ProbeDone> {
  const start = performance.now();
  const resolve = makeResolver(batch.dnsTimeoutMs ?? (batch.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 1000, opts.conf ?? readResolvConf(), opts.pool);
  const jobs: Array<() => Promise<ProbeResult>> = [];
  batch.targets.forEach((t, i) => {
    const bad = validate(t, i);
    if (bad) {
      jobs.push(async () => ({ type: 'result', id: String(t?.id ?? i), attempt: 0, outcome: 'error', latencyMs: 0, reason: bad }));
      return;
    }
    const count = Math.max(1, Math.min(1000, Math.floor(t.count ?? 1)));
    for (let n = 0; n < count; n++) jobs.push(() => attempt(t, n, batch, resolve, opts.pool));
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
