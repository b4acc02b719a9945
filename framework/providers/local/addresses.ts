/**
 * Small IP/CIDR helpers (no dependencies): parsing, the gateway address of a
 * pod CIDR, overlap tests for picking a Docker network that collides with
 * nothing on the host.
 */
import { isIP } from 'node:net';
import * as fs from 'node:fs';

export interface Cidr {
  family: 4 | 6;
  /** Network address as a bigint (host bits cleared). */
  base: bigint;
  prefix: number;
}

export function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } {
  const fam = isIP(ip);
  if (fam === 4) {
    return { family: 4, value: ip.split('.').reduce((a, o) => (a << 8n) | BigInt(Number(o)), 0n) };
  }
  if (fam === 6) {
    let text = ip;
    // An embedded dotted quad (::ffff:1.2.3.4) becomes two groups.
    const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
    if (dotted) {
      const v = ipToBigInt(dotted[1]!).value;
      text = text.slice(0, -dotted[1]!.length) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const groups = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    return { family: 6, value: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n) };
  }
  throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
}

export function bigIntToIp(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function parseCidr(text: string): Cidr {
  const [ip, p] = text.split('/');
  const { family, value } = ipToBigInt(ip ?? '');
  const bits = family === 4 ? 32 : 128;
  const prefix = p === undefined ? bits : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits || (p !== undefined && !/^\d+$/.test(p))) {
    throw new Error(`bad CIDR ${JSON.stringify(text)}`);
  }
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { family, base: value & mask, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${bigIntToIp(c.base, c.family)}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const p = Math.min(a.prefix, b.prefix);
  const shift = BigInt(bits - p);
  return a.base >> shift === b.base >> shift;
}

export function contains(c: Cidr, ip: string): boolean {
  const { family, value } = ipToBigInt(ip);
  return overlaps(c, { family, base: value, prefix: family === 4 ? 32 : 128 });
}

/** The n-th address of a CIDR (n=1: the gateway by convention). */
export function nthAddress(cidr: string, n: number): string {
  const c = parseCidr(cidr);
  const bits = c.family === 4 ? 32 : 128;
  if (BigInt(n) >= 1n << BigInt(bits - c.prefix)) throw new Error(`${cidr} has no address #${n}`);
  return bigIntToIp(c.base + BigInt(n), c.family);
}

/** Canonical text of an IP address (validates it). */
export function canonicalIp(ip: string): string {
  const { family, value } = ipToBigInt(ip);
  return bigIntToIp(value, family);
}

/** Addresses no host may hold: unspecified, loopback, link-local, multicast/reserved, IPv4-mapped. */
const SPECIAL_CIDRS = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/127', 'fe80::/10', 'ff00::/8', '::ffff:0:0/96'].map(parseCidr);

/** Whether a (valid) address is a unicast address an ordinary host can hold. */
export function isHostAddress(ip: string): boolean {
  return !SPECIAL_CIDRS.some((c) => contains(c, ip));
}

/** Non-default IPv4 and IPv6 routes of the host (from /proc: no iproute2 needed). */
export function hostRoutes(): Cidr[] {
  const out: Cidr[] = [];
  try {
    for (const line of fs.readFileSync('/proc/net/route', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 8) continue;
      const dest = f[1]!, mask = f[7]!;
      // Little-endian hex.
      const le = (h: string) => BigInt('0x' + (h.match(/../g) ?? []).reverse().join(''));
      const m = le(mask);
      if (m === 0n) continue;
      let prefix = 0;
      for (let b = m; b; b >>= 1n) prefix += Number(b & 1n);
      out.push({ family: 4, base: le(dest), prefix });
    }
  } catch { /* not Linux: nothing to avoid */ }
  try {
    for (const line of fs.readFileSync('/proc/net/ipv6_route', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const prefix = parseInt(f[1]!, 16);
      if (prefix === 0 || f[0]!.startsWith('fe80') || f[0]!.startsWith('ff')) continue;
      out.push({ family: 6, base: BigInt('0x' + f[0]!), prefix });
    }
  } catch { /* no IPv6 */ }
  return out;
}
