// Waiting for the Layer 7 implementation under test to serve the scenario's objects, and
// reading the addresses it published:
//  - the GatewayClass of --gateway-class `Accepted=True` (GatewayClassConditionStatusAccepted:
//    the controller took the class; until then no Gateway of it is served);
//  - each served Gateway `Programmed=True` with status.addresses (GatewayConditionProgrammed,
//    "the Gateway has been programmed into the data plane"; an implementation without an address
//    to give reports Programmed=False, reason AddressNotAssigned);
//  - each probed Ingress with an address in status.loadBalancer.ingress (what its controller
//    publishes: typically its LoadBalancer Service's address).
// Sources: Gateway API v1 gatewayclass_types.go, gateway_types.go (GatewayStatus.Addresses,
// GatewayReasonAddressNotAssigned); networking/v1 IngressStatus.
// A GatewayClass that is never Accepted is an error (nothing of the implementation works); a
// Gateway or an Ingress that gets no address is a skip for its cells (on kind: no
// LoadBalancer implementation), with what was waited for and the last status seen.
import type { Condition } from "kubernetes-types/meta/v1.js";
import { sleep } from "../../exec/command.js";
import { familyOf, type Family } from "../../kube/net.js";
import type { HttpEntry } from "../../scenario/target.js";
import type { Kubectl } from "./kubectl.js";

export const GATEWAY_CLASSES = "gatewayclasses.gateway.networking.k8s.io";
export const GATEWAYS = "gateways.gateway.networking.k8s.io";
export const INGRESSES = "ingresses.networking.k8s.io";

export interface Layer7WaitOptions {
  readonly gatewayClass?: string;
  /** Gateways of --gateway-class, with their real namespaces. */
  readonly gateways: readonly HttpEntry[];
  /** Ingresses the HTTP cells go through, with their real namespaces. */
  readonly ingresses: readonly HttpEntry[];
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  /** Said when an entry gets no address (what publishes addresses on this cluster). */
  readonly addressHint: string;
}

/** What each entry came to: its addresses, or why its cells cannot be probed. */
export type EntryState =
  | { readonly ok: true; readonly addresses: Partial<Record<Family, string>> }
  | { readonly ok: false; readonly reason: string };

export class Layer7NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Layer7NotReadyError";
  }
}

interface GatewayObject {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: { gatewayClassName?: string };
  status?: { conditions?: Condition[]; addresses?: { type?: string; value: string }[] };
}

interface IngressObject {
  metadata?: { name?: string; namespace?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

const key = (entry: HttpEntry) => `${entry.namespace}/${entry.name}`;

/** Waits (one deadline for everything); resolves with each entry's state, keyed `ns/name` in real terms. */
export async function waitLayer7(kubectl: Kubectl, options: Layer7WaitOptions): Promise<Map<string, EntryState>> {
  const deadline = Date.now() + options.timeoutMs;
  const seconds = Math.round(options.timeoutMs / 1000);
  const poll = () => sleep(options.pollMs ?? 2000, options.signal);
  const states = new Map<string, EntryState>();

  if (options.gatewayClass !== undefined && options.gateways.length > 0) {
    let last = "";
    for (;;) {
      const listed = await kubectl.getJson<GatewayObject>([GATEWAY_CLASSES, options.gatewayClass], { allowFailure: true }).catch((error: Error) => error);
      const gatewayClass = listed instanceof Error ? undefined : listed.items[0];
      const accepted = gatewayClass?.status?.conditions?.find((c) => c.type === "Accepted");
      if (accepted?.status === "True") break;
      last = listed instanceof Error ? `not readable (${firstLine(listed.message)})`
        : !gatewayClass ? "it does not exist (does --install create it?)"
        : accepted ? `Accepted=${accepted.status}${describe(accepted)}` : "no Accepted condition yet (is its controller running?)";
      if (Date.now() >= deadline) {
        throw new Layer7NotReadyError(`GatewayClass ${options.gatewayClass} (--gateway-class) was not Accepted within ${seconds} s: ${last}`);
      }
      await poll();
    }
  }

  const pending = new Map<string, { entry: HttpEntry; last: string; noAddress: boolean }>();
  for (const entry of [...options.gateways, ...options.ingresses]) pending.set(`${entry.kind}/${key(entry)}`, { entry, last: "not read yet", noAddress: true });
  while (pending.size > 0) {
    const gatewayNs = [...new Set([...pending.values()].filter((p) => p.entry.kind === "gateway").map((p) => p.entry.namespace))];
    const ingressNs = [...new Set([...pending.values()].filter((p) => p.entry.kind === "ingress").map((p) => p.entry.namespace))];
    const gateways = new Map<string, GatewayObject>();
    const ingresses = new Map<string, IngressObject>();
    for (const ns of gatewayNs) for (const g of (await kubectl.getJson<GatewayObject>([GATEWAYS, "-n", ns])).items) gateways.set(`${ns}/${g.metadata?.name}`, g);
    for (const ns of ingressNs) for (const i of (await kubectl.getJson<IngressObject>([INGRESSES, "-n", ns])).items) ingresses.set(`${ns}/${i.metadata?.name}`, i);
    for (const [id, item] of pending) {
      const found = item.entry.kind === "gateway" ? gatewayState(gateways.get(key(item.entry))) : ingressState(ingresses.get(key(item.entry)));
      if (found.ok) { states.set(id, found); pending.delete(id); continue; }
      item.last = found.last;
      item.noAddress = found.noAddress;
    }
    if (pending.size === 0) break;
    if (Date.now() >= deadline) {
      for (const [id, item] of pending) {
        const what = item.entry.kind === "gateway"
          ? `Gateway ${key(item.entry)} was not Programmed with an address`
          : `Ingress ${key(item.entry)} got no address in status.loadBalancer.ingress`;
        if (!item.noAddress) throw new Layer7NotReadyError(`${what} within ${seconds} s: ${item.last}`);
        states.set(id, { ok: false, reason: `${what} within ${seconds} s (${item.last}): ${options.addressHint}` });
      }
      break;
    }
    await poll();
  }
  return states;
}

function gatewayState(gateway: GatewayObject | undefined): { ok: true; addresses: Partial<Record<Family, string>> } | { ok: false; last: string; noAddress: boolean } {
  if (!gateway) return { ok: false, last: "it does not exist", noAddress: true };
  const programmed = gateway.status?.conditions?.find((c) => c.type === "Programmed");
  // GatewayStatusAddress.Type defaults to IPAddress; a Hostname (or another type) is no address to connect to.
  const addresses = byFamily((gateway.status?.addresses ?? []).filter((a) => (a.type ?? "IPAddress") === "IPAddress").map((a) => a.value));
  const stale = programmed?.observedGeneration !== undefined && gateway.metadata?.generation !== undefined && programmed.observedGeneration < gateway.metadata.generation;
  if (programmed?.status === "True" && !stale && Object.keys(addresses).length > 0) return { ok: true, addresses };
  const published = (gateway.status?.addresses ?? []).map((a) => `${a.type ?? "IPAddress"} ${a.value}`);
  const last = [
    programmed ? `Programmed=${programmed.status}${describe(programmed)}${stale ? " (for an older generation)" : ""}` : "no Programmed condition yet",
    published.length > 0 ? `addresses ${published.join(", ")}` : "no addresses",
  ].join("; ");
  return { ok: false, last, noAddress: Object.keys(addresses).length === 0 };
}

function ingressState(ingress: IngressObject | undefined): { ok: true; addresses: Partial<Record<Family, string>> } | { ok: false; last: string; noAddress: true } {
  if (!ingress) return { ok: false, last: "it does not exist", noAddress: true };
  const published = ingress.status?.loadBalancer?.ingress ?? [];
  const addresses = byFamily(published.flatMap((i) => (i.ip ? [i.ip] : [])));
  if (Object.keys(addresses).length > 0) return { ok: true, addresses };
  const hostnames = published.flatMap((i) => (i.hostname ? [i.hostname] : []));
  return { ok: false, last: hostnames.length > 0 ? `only hostnames (${hostnames.join(", ")}), no IP address` : "status.loadBalancer.ingress is empty", noAddress: true };
}

function describe(condition: Condition): string {
  return `${condition.reason ? ` (${condition.reason}${condition.message ? `: ${firstLine(condition.message)}` : ""})` : ""}`;
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

function byFamily(ips: readonly string[]): Partial<Record<Family, string>> {
  const out: Partial<Record<Family, string>> = {};
  for (const ip of ips) {
    const family = familyOf(ip);
    if (family) out[family] ??= ip;
  }
  return out;
}
