/**
 * A DNS stub resolver for A, AAAA and SRV over UDP, on a socket the caller supplies.
 *
 * Why not node:dns: its resolvers make their own sockets in the process's network namespace,
 * but a probe's lookup must leave from the source pod's namespace (a pod's egress policy
 * decides whether its lookup reaches the cluster DNS at all), on a socket the launcher made
 * there (netns-sockets.ts). The wire format is RFC 1035 §4 (header, question, resource records,
 * §4.1.4 name compression), RFC 3596 (AAAA, type 28) and RFC 2782 (SRV, type 33: priority,
 * weight, port, target; a target of "." means the service is not available there).
 *
 * Errors carry the codes node:dns uses, so callers treat them alike: ENOTFOUND (NXDOMAIN),
 * ENODATA (the name exists without records of that type), ESERVFAIL, EREFUSED, ETIMEOUT,
 * ECONNREFUSED (ICMP port unreachable: nothing listens, or a policy rejects).
 */
import * as dgram from 'node:dgram';
import { randomInt } from 'node:crypto';

export type RecordType = 'A' | 'AAAA' | 'SRV';
const TYPE_CODE: Record<RecordType, number> = { A: 1, AAAA: 28, SRV: 33 };

/** One SRV answer (RFC 2782); `target` without its trailing dot. */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** A query for `name` (RD set: the cluster DNS is a recursive resolver for its clients). */
export function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) throw Object.assign(new Error(`label too long in ${name}`), { code: 'EBADNAME' });
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0, 0, TYPE_CODE[type], 0, 1]));
  return Buffer.concat(parts);
}

/** Skips a (possibly compressed) name; returns the offset after it. */
function skipName(msg: Buffer, offset: number): number {
  for (let o = offset; o < msg.length;) {
    const len = msg[o]!;
    if (len === 0) return o + 1;
    if ((len & 0xc0) === 0xc0) return o + 2; // a pointer ends the name
    o += len + 1;
  }
  throw Object.assign(new Error('truncated DNS name'), { code: 'EBADRESP' });
}

/** Reads a (possibly compressed) name at `offset`, following pointers backwards only (no loops). */
function readName(msg: Buffer, offset: number): string {
  const labels: string[] = [];
  let o = offset;
  let limit = offset;
  while (o < msg.length) {
    const len = msg[o]!;
    if (len === 0) return labels.join('.');
    if ((len & 0xc0) === 0xc0) {
      const pointer = msg.readUInt16BE(o) & 0x3fff;
      if (pointer >= limit) break;
      o = limit = pointer;
      continue;
    }
    labels.push(msg.subarray(o + 1, o + 1 + len).toString('ascii'));
    o += len + 1;
  }
  throw dnsError('EBADRESP', 'bad DNS name in an answer');
}

function dnsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** The resource records of the answer section to query `id`, of every type; throws with node:dns's codes. */
function answerRecords(msg: Buffer, id: number, name: string): Array<{ type: number; data: Buffer; offset: number }> {
  if (msg.length < 12 || msg.readUInt16BE(0) !== id) throw dnsError('EBADRESP', `bad DNS answer for ${name}`);
  const rcode = msg[3]! & 0x0f;
  if (rcode === 3) throw dnsError('ENOTFOUND', `${name}: no such name`);
  if (rcode === 2) throw dnsError('ESERVFAIL', `${name}: server failure`);
  if (rcode === 5) throw dnsError('EREFUSED', `${name}: refused`);
  if (rcode !== 0) throw dnsError('EBADRESP', `${name}: DNS error ${rcode}`);
  const questions = msg.readUInt16BE(4);
  const answers = msg.readUInt16BE(6);
  let o = 12;
  for (let i = 0; i < questions; i++) o = skipName(msg, o) + 4;
  const out: Array<{ type: number; data: Buffer; offset: number }> = [];
  for (let i = 0; i < answers; i++) {
    o = skipName(msg, o);
    if (o + 10 > msg.length) throw dnsError('EBADRESP', `truncated DNS answer for ${name}`);
    const length = msg.readUInt16BE(o + 8);
    if (o + 10 + length > msg.length) throw dnsError('EBADRESP', `truncated DNS answer for ${name}`);
    out.push({ type: msg.readUInt16BE(o), data: msg.subarray(o + 10, o + 10 + length), offset: o + 10 });
    o += 10 + length;
  }
  return out;
}

/** The addresses of `type` (A or AAAA) in an answer to query `id`; throws with node:dns's codes. */
export function decodeAnswer(msg: Buffer, id: number, type: 'A' | 'AAAA', name: string): string[] {
  const out: string[] = [];
  // CNAMEs in the chain are skipped; their targets' records follow in the same answer.
  for (const { type: rtype, data } of answerRecords(msg, id, name)) {
    if (rtype === TYPE_CODE.A && type === 'A' && data.length === 4) out.push([...data].join('.'));
    if (rtype === TYPE_CODE.AAAA && type === 'AAAA' && data.length === 16) {
      const groups: string[] = [];
      for (let g = 0; g < 16; g += 2) groups.push(data.readUInt16BE(g).toString(16));
      out.push(compress(groups));
    }
  }
  if (out.length === 0) throw dnsError('ENODATA', `${name}: no ${type} record`);
  return out;
}

/** The SRV records in an answer to query `id` (a "." target, RFC 2782's "not available", left out). */
export function decodeSrvAnswer(msg: Buffer, id: number, name: string): SrvRecord[] {
  const out: SrvRecord[] = [];
  for (const { type, data, offset } of answerRecords(msg, id, name)) {
    if (type !== TYPE_CODE.SRV || data.length < 7) continue;
    const target = readName(msg, offset + 6);
    if (target !== '') out.push({ priority: data.readUInt16BE(0), weight: data.readUInt16BE(2), port: data.readUInt16BE(4), target });
  }
  if (out.length === 0) throw dnsError('ENODATA', `${name}: no SRV record`);
  return out;
}

/** RFC 5952 text of eight hextets (the longest run of two or more zero groups becomes ::). */
function compress(groups: string[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLength) { best = i; bestLength = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
}

export interface QueryOptions {
  /** The nameserver (an IP literal) and its port. */
  server: string;
  port?: number;
  timeoutMs: number;
  /** A socket made in the source's namespace (its family is the server's); default: a new one here. */
  fd?: number;
}

/** One query, one socket: resolves the addresses or rejects with node:dns's error codes. */
export function query(name: string, type: 'A' | 'AAAA', options: QueryOptions): Promise<string[]> {
  return exchange(name, type, options, (msg, id) => decodeAnswer(msg, id, type, name));
}

/** One SRV query, one socket: resolves the records or rejects with node:dns's error codes. */
export function querySrv(name: string, options: QueryOptions): Promise<SrvRecord[]> {
  return exchange(name, 'SRV', options, (msg, id) => decodeSrvAnswer(msg, id, name));
}

function exchange<T>(name: string, type: RecordType, options: QueryOptions, decode: (msg: Buffer, id: number) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const id = randomInt(0x10000);
    const six = options.server.includes(':');
    const sock = dgram.createSocket(six ? 'udp6' : 'udp4');
    let done = false;
    const finish = (error: Error | undefined, answer?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { sock.close(); } catch { /* closed */ }
      if (error) reject(error); else resolve(answer!);
    };
    const timer = setTimeout(() => finish(dnsError('ETIMEOUT', `DNS timeout resolving ${name}`)), options.timeoutMs);
    sock.on('error', (err: NodeJS.ErrnoException) => finish(dnsError(err.code ?? 'ECONNREFUSED', `DNS query for ${name}: ${err.message}`)));
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) !== id) return; // a late answer to another query
      try { finish(undefined, decode(msg, id)); } catch (e) { finish(e as Error); }
    });
    const send = () => sock.connect(options.port ?? 53, options.server, () => sock.send(encodeQuery(id, name, type)));
    if (options.fd === undefined) send();
    else sock.bind({ fd: options.fd }, send);
  });
}
