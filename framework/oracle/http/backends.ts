// The Services Layer 7 routes point at: found once per scenario, by namespace and name, with
// the readiness the caller knows (endpoints are oracle/services' business, not this module's).
import type { Service } from "../../kube/types.js";

/** Whether a Service port has at least one ready endpoint (`service` is `namespace/name`). */
export type ReadyEndpoints = (service: string, port: number) => boolean;

export type ServicePortLookup =
  | { readonly kind: "found"; readonly service: Service; readonly port: number }
  | { readonly kind: "no-service" }
  | { readonly kind: "no-port"; readonly service: Service; readonly ports: readonly string[] };

export class ServiceIndex {
  private readonly byId = new Map<string, Service>();

  constructor(services: readonly Service[], private readonly ready: ReadyEndpoints = () => true) {
    for (const service of services) this.byId.set(`${service.metadata.namespace ?? "default"}/${service.metadata.name}`, service);
  }

  /** The Service `id` (`namespace/name`) and one of its ports, by number or by port name. */
  port(id: string, port: number | string): ServicePortLookup {
    const service = this.byId.get(id);
    if (!service) return { kind: "no-service" };
    const ports = service.spec.ports ?? [];
    const found = ports.find((p) => (typeof port === "number" ? p.port === port : p.name === port));
    if (!found) return { kind: "no-port", service, ports: ports.map((p) => (p.name ? `${p.name}/${p.port}` : `${p.port}`)) };
    return { kind: "found", service, port: found.port };
  }

  exists(id: string): boolean {
    return this.byId.has(id);
  }

  hasReadyEndpoints(id: string, port: number): boolean {
    return this.ready(id, port);
  }
}

/** metadata.creationTimestamp in milliseconds, or undefined when absent or not a date. */
export function createdAt(meta: { readonly creationTimestamp?: string }): number | undefined {
  if (meta.creationTimestamp === undefined) return undefined;
  const ms = Date.parse(meta.creationTimestamp);
  return Number.isNaN(ms) ? undefined : ms;
}
