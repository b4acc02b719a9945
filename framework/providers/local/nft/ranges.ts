// Address-range algebra for nftables interval sets: `ipBlock.cidr` minus `except`, pod /32s
// and /128s, ANP `networks`, all merged into disjoint, sorted ranges per family. nft rejects
// overlapping elements in an interval set, so the compiler only ever emits merged ranges.
import { bigIntToIp, cidr, familyOf, ipToBigInt, type Family } from "../../../kube/net.js";

export interface AddrRange {
  readonly family: Family;
  /** Inclusive bounds. */
  readonly start: bigint;
  readonly end: bigint;
}

const WIDTH: Record<Family, bigint> = { ipv4: 32n, ipv6: 128n };

export function addressRange(address: string): AddrRange {
  const family = familyOf(address);
  if (!family) throw new Error(`not an IP address: ${address}`);
  const value = ipToBigInt(address);
  return { family, start: value, end: value };
}

export function cidrRange(text: string): AddrRange {
  const block = cidr(text);
  const size = 1n << (WIDTH[block.family] - BigInt(block.prefix));
  return { family: block.family, start: block.base, end: block.base + size - 1n };
}

/** `cidr` minus every `except` block (the NetworkPolicy ipBlock semantics), per family. */
export function ipBlockRanges(cidrText: string, except: readonly string[] = []): AddrRange[] {
  const base = cidrRange(cidrText);
  return subtractRanges([base], except.map(cidrRange).filter((r) => r.family === base.family));
}

/** Sorted, disjoint, non-adjacent ranges covering exactly the union of the input. */
export function mergeRanges(ranges: readonly AddrRange[]): AddrRange[] {
  const out: AddrRange[] = [];
  for (const family of ["ipv4", "ipv6"] as const) {
    const sorted = ranges.filter((r) => r.family === family).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let current: { start: bigint; end: bigint } | undefined;
    for (const r of sorted) {
      if (current && r.start <= current.end + 1n) {
        if (r.end > current.end) current.end = r.end;
      } else {
        if (current) out.push({ family, ...current });
        current = { start: r.start, end: r.end };
      }
    }
    if (current) out.push({ family, ...current });
  }
  return out;
}

export function subtractRanges(ranges: readonly AddrRange[], holes: readonly AddrRange[]): AddrRange[] {
  let pieces = mergeRanges(ranges);
  for (const hole of mergeRanges(holes)) {
    const next: AddrRange[] = [];
    for (const p of pieces) {
      if (p.family !== hole.family || hole.end < p.start || hole.start > p.end) { next.push(p); continue; }
      if (hole.start > p.start) next.push({ family: p.family, start: p.start, end: hole.start - 1n });
      if (hole.end < p.end) next.push({ family: p.family, start: hole.end + 1n, end: p.end });
    }
    pieces = next;
  }
  return pieces;
}

/** nft element text: `a`, `a/len` when the range is an aligned block, else `a-b`. */
export function formatRange(r: AddrRange): string {
  if (r.start === r.end) return bigIntToIp(r.start, r.family);
  const size = r.end - r.start + 1n;
  if ((size & (size - 1n)) === 0n && r.start % size === 0n) {
    let bits = 0n;
    while ((1n << bits) < size) bits++;
    return `${bigIntToIp(r.start, r.family)}/${WIDTH[r.family] - bits}`;
  }
  return `${bigIntToIp(r.start, r.family)}-${bigIntToIp(r.end, r.family)}`;
}

export function rangeContains(ranges: readonly AddrRange[], address: string): boolean {
  const family = familyOf(address);
  if (!family) return false;
  const value = ipToBigInt(address);
  return ranges.some((r) => r.family === family && r.start <= value && value <= r.end);
}
