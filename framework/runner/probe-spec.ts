// The probe method of each target kind: the connection that tests a cell. The addresses come
// from the typed target, so a provider that assigns its own (kind, existing clusters) probes
// the real ones once the oracle has re-run on them (runner/run.ts).
import type { ExpectedCell } from "../oracle/cells.js";
import type { ProbeSpec } from "../probe/protocol.js";
import { northSouthAddress } from "../scenario/target.js";
import { isSrvName } from "../scenario/dns-names.js";

export function probeSpec(cell: ExpectedCell): ProbeSpec {
  const { port, protocol, family } = cell;
  const target = cell.destination;
  switch (target.kind) {
    case "pod": return { host: target.pod.ips[family]!, port, protocol, family };
    case "service": return { host: target.service.clusterIPs[family]!, port, protocol, family };
    // The pod resolves the name itself (through its resolv.conf), as a client would; an SRV
    // name's answer says where to connect.
    case "dns": return { host: target.name, port, protocol, family, ...(isSrvName(target.name) ? { srv: true } : {}) };
    case "external": return { host: target.ip, port, protocol, family };
    // A node's InternalIP on the node port, a load-balancer address or an external IP on the Service port.
    case "nodeport":
    case "loadbalancer":
    case "externalip":
      return { host: northSouthAddress(target, family)!, port, protocol, family };
    // The pod's node, on the host port.
    case "hostport": return { host: target.node.ips[family]!, port, protocol, family };
    // The Gateway's (or the Ingress controller's) address, then the request.
    case "http": return { host: target.addresses[family]!, port, protocol, family, http: target.request };
  }
}
