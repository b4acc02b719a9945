// The one IP module: parsing, canonical text and CIDR arithmetic for both families. Parsing is
// ipaddr.js's, in its strict forms only (IPv4 as four decimal parts, IPv6 without a zone), as
// the API server's address validation wants them (k8s.io/apimachinery/pkg/util/validation
// IsValidIP: no leading zeros, no `%zone`); arithmetic is on bigints so IPv6 is exact.
import ipaddr from "ipaddr.js";

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

/** The family of an IP literal, or undefined for anything else (a DNS name such as `cafe`, a zone, a CIDR). */
export function familyOf(address: string): Family | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return "ipv4";
  if (!address.includes("%") && ipaddr.IPv6.isValid(address)) return "ipv6";
  return undefined;
}

export function isIpAddress(text: string): boolean {
  return familyOf(text) !== undefined;
}

const bits = (family: Family) => (family === "ipv4" ? 32 : 128);

export function ipToBigInt(address: string): bigint {
  if (!familyOf(address)) throw new Error(`not an IP address: ${address}`);
  return ipaddr.parse(address).toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

export function bigIntToIp(value: bigint, family: Family): string {
  const count = bits(family) / 8;
  const bytes = Array.from({ length: count }, (_, i) => Number((value >> BigInt(8 * (count - 1 - i))) & 0xffn));
  // RFC 5952 text for IPv6 (lowercase, the longest zero run compressed).
  return ipaddr.fromByteArray(bytes).toString();
}

/** Whether an IPv6 literal is an IPv4-mapped address (`::ffff:a.b.c.d`), which some API validations reject. */
export function isIpv4Mapped(address: string): boolean {
  return familyOf(address) === "ipv6" && (ipaddr.parse(address) as ipaddr.IPv6).isIPv4MappedAddress();
}

/** Canonical text of an IP address (throws for anything that is not one). */
export function canonicalIp(address: string): string {
  const family = familyOf(address);
  if (!family) throw new Error(`not an IP address: ${JSON.stringify(address)}`);
  return bigIntToIp(ipToBigInt(address), family);
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
