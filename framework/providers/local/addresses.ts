/**
 * Address helpers the local provider needs beyond kube/net.ts: overlap tests for picking a
 * Docker network that collides with nothing on the host, canonical address text for the
 * plumbing scripts, and which addresses an (external) host may hold. Parsing and arithmetic
 * are kube/net.ts's.
 */
import * as fs from 'node:fs';
import {
  bigIntToIp, cidr, cidrContains, familyOf, nthAddress as nthOf, type Cidr,
} from '../../kube/net.js';

export { canonicalIp, formatCidr, type Cidr } from '../../kube/net.js';

/** `a.b.c.d/n` or `x::/n`, or a bare address as its /32 or /128; throws on anything else. */
export function parseCidr(text: string): Cidr {
  if (text.includes('/')) return cidr(text);
  const family = familyOf(text);
  if (!family) throw new Error(`bad CIDR ${JSON.stringify(text)}`);
  return cidr(`${text}/${family === 'ipv4' ? 32 : 128}`);
}

const width = (c: Cidr) => (c.family === 'ipv4' ? 32 : 128);

export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const shift = BigInt(width(a) - Math.min(a.prefix, b.prefix));
  return a.base >> shift === b.base >> shift;
}

export function contains(c: Cidr, ip: string): boolean {
  return cidrContains(c, ip);
}

/** The n-th address of a CIDR (n=1: the gateway by convention); throws past its end. */
export function nthAddress(text: string, n: number): string {
  const c = parseCidr(text);
  if (BigInt(n) >= 1n << BigInt(width(c) - c.prefix)) throw new Error(`${text} has no address #${n}`);
  return nthOf(c, n);
}


/** Addresses no host may hold: unspecified, loopback, link-local, multicast/reserved, IPv4-mapped. */
const SPECIAL_CIDRS = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/3', '::/127', 'fe80::/10', 'ff00::/8', '::ffff:0:0/96'].map(parseCidr);

/** Whether a (valid) address is a unicast address an ordinary host can hold. */
export function isHostAddress(ip: string): boolean {
  return !SPECIAL_CIDRS.some((c) => contains(c, ip));
}

function block(family: Cidr['family'], base: bigint, prefix: number): Cidr {
  return { family, base, prefix, text: `${bigIntToIp(base, family)}/${prefix}` };
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
      out.push(block('ipv4', le(dest), prefix));
    }
  } catch { /* not Linux: nothing to avoid */ }
  try {
    for (const line of fs.readFileSync('/proc/net/ipv6_route', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const prefix = parseInt(f[1]!, 16);
      if (prefix === 0 || f[0]!.startsWith('fe80') || f[0]!.startsWith('ff')) continue;
      out.push(block('ipv6', BigInt('0x' + f[0]!), prefix));
    }
  } catch { /* no IPv6 */ }
  return out;
}
