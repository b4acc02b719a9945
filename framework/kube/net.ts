// IP and CIDR arithmetic for both families, on bigints so IPv6 is exact.
import { isIPv4, isIPv6 } from "node:net";

export type Family = "ipv4" | "ipv6";
export const FAMILIES: readonly Family[] = ["ipv4", "ipv6"];

export interface Cidr {
  readonly family: Family;
  /** Network address (host bits cleared). */
  readonly base: bigint;
  readonly prefix: number;
  /** The text as written, for messages. */
  readonly text: string;
}

export function familyOf(address: string): Family | undefined {
  if (isIPv4(address)) return "ipv4";
  if (isIPv6(address)) return "ipv6";
  return undefined;
}

const bits = (family: Family) => (family === "ipv4" ? 32 : 128);

export function ipToBigInt(address: string): bigint {
  const family = familyOf(address);
  if (family === "ipv4") {
    return address.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  if (family !== "ipv6") throw new Error(`not an IP address: ${address}`);
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1]!);
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split("::") as [string, string | undefined];
  const headParts = head ? head.split(":") : [];
  const tailParts = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...(tail !== undefined ? Array(missing).fill("0") : []), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

export function bigIntToIp(value: bigint, family: Family): string {
  if (family === "ipv4") {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
  }
  const hextets: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) hextets.push(((value >> shift) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run (length >= 2) of zero hextets.
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== "0") { i++; continue; }
    let j = i;
    while (j < 8 && hextets[j] === "0") j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return hextets.join(":");
  return `${hextets.slice(0, bestStart).join(":")}::${hextets.slice(bestStart + bestLen).join(":")}`;
}

/** Parses `a.b.c.d/n` or `x::/n`; returns a problem description instead of throwing. */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf("/");
  if (slash < 0) return `'${text}' is not a CIDR: expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/64`;
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = familyOf(address);
  if (!family) return `'${text}' is not a CIDR: '${address}' is not an IPv4 or IPv6 address`;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits(family)) {
    return `'${text}' is not a CIDR: the prefix length must be 0-${bits(family)}`;
  }
  const prefix = Number(prefixText);
  const base = ipToBigInt(address) & mask(family, prefix);
  return { family, base, prefix, text };
}

/** Like parseCidr, but for input that was validated already. */
export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === "string") throw new Error(parsed);
  return parsed;
}

function mask(family: Family, prefix: number): bigint {
  const width = BigInt(bits(family));
  const all = (1n << width) - 1n;
  return prefix === 0 ? 0n : (all >> (width - BigInt(prefix))) << (width - BigInt(prefix));
}

export function cidrContains(block: Cidr, address: string): boolean {
  if (familyOf(address) !== block.family) return false;
  return (ipToBigInt(address) & mask(block.family, block.prefix)) === block.base;
}

/** True when `inner` lies entirely inside `outer` (same family). */
export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix >= outer.prefix &&
    (inner.base & mask(outer.family, outer.prefix)) === outer.base;
}

export function cidrSize(block: Cidr): bigint {
  return 1n << BigInt(bits(block.family) - block.prefix);
}

/** The `index`-th address of a block (0 = network address). */
export function nthAddress(block: Cidr, index: bigint | number): string {
  return bigIntToIp(block.base + BigInt(index), block.family);
}

/** The `index`-th sub-block of `newPrefix` bits inside `block`. */
export function nthSubnet(block: Cidr, newPrefix: number, index: number): Cidr {
  const base = block.base + (BigInt(index) << BigInt(bits(block.family) - newPrefix));
  const text = `${bigIntToIp(base, block.family)}/${newPrefix}`;
  return { family: block.family, base, prefix: newPrefix, text };
}

export function formatCidr(block: Cidr): string {
  return `${bigIntToIp(block.base, block.family)}/${block.prefix}`;
}
