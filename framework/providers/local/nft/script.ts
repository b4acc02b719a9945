// A tiny writer for `nft -f` scripts in the flat `add …` form (the form kube-proxy's knftables
// writes): every chain is declared before any rule or map element refers to it, so the order
// of definitions never matters, and the whole script is one atomic transaction.
import { createHash } from "node:crypto";

/** nft identifiers: a letter, then letters, digits, `/`, `-`, `_` and `.` (nft's scanner). */
const IDENT = /^[A-Za-z][A-Za-z0-9/_.-]*$/;
const MAX_IDENT = 200;

/**
 * A valid, unique nft identifier built from readable parts. Names from a scenario are DNS-1123
 * already; anything else is replaced, and overlong names are shortened with a hash suffix so
 * two different inputs never collide.
 */
export function ident(...parts: readonly (string | number)[]): string {
  const raw = parts.join("-");
  let name = raw.replace(/[^A-Za-z0-9/_.-]/g, "_");
  if (!/^[A-Za-z]/.test(name)) name = `x${name}`;
  if (name !== raw || name.length > MAX_IDENT) {
    const hash = createHash("sha256").update(raw).digest("hex").slice(0, 10);
    name = `${name.slice(0, MAX_IDENT - 12)}_${hash}`;
  }
  if (!IDENT.test(name)) throw new Error(`internal: bad nft identifier ${name}`);
  return name;
}

/** A double-quoted nft string (comments); scenario text is never put here unvalidated. */
export function quote(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 /_.:,=()*+-]/g, "_").slice(0, 120)}"`;
}

interface ChainDef { readonly spec?: string; readonly rules: string[] }
interface SetDef { readonly kind: "set" | "map"; readonly spec: string; readonly elements: string[] }

export class NftScript {
  private readonly chains = new Map<string, ChainDef>();
  private readonly sets = new Map<string, SetDef>();

  constructor(readonly family: "inet", readonly table: string, readonly comment?: string) {
    if (!IDENT.test(table)) throw new Error(`invalid nft table name '${table}'`);
  }

  hasChain(name: string): boolean { return this.chains.has(name); }
  hasSet(name: string): boolean { return this.sets.has(name); }

  /** Declares a chain (idempotent); `spec` makes it a base chain: `type … hook … priority …;`. */
  chain(name: string, spec?: string): string {
    if (!this.chains.has(name)) this.chains.set(name, { spec, rules: [] });
    return name;
  }

  rule(chain: string, text: string): void {
    const def = this.chains.get(chain);
    if (!def) throw new Error(`internal: rule for undeclared chain ${chain}`);
    def.rules.push(text);
  }

  /** Declares a set or map; `spec` is its body without elements, e.g. `type ipv4_addr ; flags interval ;`. */
  set(kind: "set" | "map", name: string, spec: string, elements: readonly string[] = []): string {
    const existing = this.sets.get(name);
    if (existing) existing.elements.push(...elements);
    else this.sets.set(name, { kind, spec, elements: [...elements] });
    return name;
  }

  element(name: string, element: string): void {
    const def = this.sets.get(name);
    if (!def) throw new Error(`internal: element for undeclared set ${name}`);
    def.elements.push(element);
  }

  get ruleCount(): number {
    let n = 0;
    for (const c of this.chains.values()) n += c.rules.length;
    return n;
  }

  /**
   * The whole script. `add table` + `delete table` + re-creation in one file is one
   * transaction: applying it twice gives the same state, and there is never a moment with the
   * table half-written.
   */
  render(): string {
    const t = `${this.family} ${this.table}`;
    const out: string[] = [
      `add table ${t}`,
      `delete table ${t}`,
      this.comment ? `add table ${t} { comment ${quote(this.comment)} ; }` : `add table ${t}`,
    ];
    for (const [name, def] of this.chains) out.push(def.spec ? `add chain ${t} ${name} { ${def.spec} }` : `add chain ${t} ${name}`);
    for (const [name, def] of this.sets) {
      out.push(`add ${def.kind} ${t} ${name} { ${def.spec} }`);
      for (let i = 0; i < def.elements.length; i += 256) {
        out.push(`add element ${t} ${name} { ${def.elements.slice(i, i + 256).join(", ")} }`);
      }
    }
    for (const [name, def] of this.chains) for (const rule of def.rules) out.push(`add rule ${t} ${name} ${rule}`);
    return out.join("\n") + "\n";
  }
}
