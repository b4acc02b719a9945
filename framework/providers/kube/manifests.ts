// What netspec applies to a real cluster for a scenario, in apply order: the namespaces, one
// agnhost pod per scenario pod, then the scenario's own manifests (Services, policies,
// passed-through kinds) with their namespaces mapped and netspec's labels added.
//
// The workload follows the upstream NetworkPolicy e2e suite (test/e2e/network/netpol/model.go):
// one container per served port, `agnhost serve-hostname --tcp|--udp --http=false --port P`
// for TCP and UDP, `agnhost porter` with SERVE_SCTP_PORT_P for SCTP, so each port answers with
// the pod's identity. netspec sets the pod's hostname to a token derived from the scenario id
// (podHostname), which is what serve-hostname answers, so a Service probe tells which pod
// answered. An extra `netspec` container runs `agnhost pause`: the probes are exec'd there.
import type { PodModel, Scenario } from "../../scenario/model.js";
import type { KubeObject } from "./kubectl.js";
import {
  ANNOTATION_OWNER, BUILTIN_NAMESPACES, LABEL_MANAGED, LABEL_RUN, LABEL_SCENARIO_NS, MANAGED_BY, NameMap, podHostname,
} from "./names.js";

/** agnhost, as the upstream e2e suite pins it (test/utils/image/manifest.go). */
export const DEFAULT_AGNHOST_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53";
export const PROBE_CONTAINER = "netspec";

export interface ManifestOptions {
  readonly names: NameMap;
  readonly runLabel: string;
  readonly image: string;
  /** The nodeSelector that pins a scenario node's pods to its real node. */
  readonly placement: (scenarioNode: string) => Record<string, string>;
  /** Namespaces the cluster already has (not created, only labelled): `default` on kind. */
  readonly preexisting?: ReadonlySet<string>;
  /** host:pid:start of the creating process, on namespaces (for stale-run cleanup). */
  readonly owner?: string;
}

export interface GeneratedManifests {
  readonly namespaces: KubeObject[];
  readonly pods: KubeObject[];
  /** The scenario's own resources, rewritten, in the scenario's order. */
  readonly resources: KubeObject[];
}

export function generateManifests(scenario: Scenario, options: ManifestOptions): GeneratedManifests {
  const { names } = options;
  const managed = { [LABEL_MANAGED]: MANAGED_BY, [LABEL_RUN]: options.runLabel };
  const namespaces = scenario.namespaces
    .filter((ns) => !ns.system && !BUILTIN_NAMESPACES.has(ns.name))
    .map((ns): KubeObject => {
      const preexisting = options.preexisting?.has(ns.name) ?? false;
      // kubernetes.io/metadata.name is set by the API server to the real name; never send it.
      const labels = Object.fromEntries(Object.entries(ns.labels).filter(([k]) => k !== "kubernetes.io/metadata.name"));
      return {
        apiVersion: "v1", kind: "Namespace",
        metadata: {
          name: names.namespace(ns.name),
          labels: { ...labels, ...(preexisting ? {} : { ...managed, [LABEL_SCENARIO_NS]: ns.name }) },
          ...(options.owner && !preexisting ? { annotations: { [ANNOTATION_OWNER]: options.owner } } : {}),
        },
      };
    });
  const pods = scenario.pods.filter((p) => !p.system).map((pod) => podManifest(pod, options, managed));
  const resources = scenario.manifests.map((m) => {
    const object = names.rewrite(m.object) as unknown as KubeObject;
    object.metadata = { ...object.metadata, labels: { ...(object.metadata.labels ?? {}), ...managed } };
    return object;
  });
  return { namespaces, pods, resources };
}

export function allManifests(generated: GeneratedManifests): KubeObject[] {
  return [...generated.namespaces, ...generated.pods, ...generated.resources];
}

function podManifest(pod: PodModel, options: ManifestOptions, managed: Record<string, string>): KubeObject {
  const image = options.image;
  const token = podHostname(pod.id);
  const containers: Record<string, unknown>[] = [{
    name: PROBE_CONTAINER, image, imagePullPolicy: "IfNotPresent",
    command: ["/agnhost", "pause"],
    // A scenario pod declared `ready: false` never passes readiness (so it stays out of the
    // Service endpoints, as the oracle assumes).
    ...(pod.ready ? {} : { readinessProbe: { exec: { command: ["/bin/sh", "-c", "exit 1"] }, periodSeconds: 5 } }),
  }];
  for (const port of pod.ports) {
    const proto = port.protocol.toLowerCase();
    const containerPort = {
      containerPort: port.port, protocol: port.protocol, ...(port.name ? { name: port.name } : {}),
      ...(port.hostPort !== undefined && !pod.hostNetwork ? { hostPort: port.hostPort } : {}),
    };
    const base = { name: `serve-${port.port}-${proto}`, image, imagePullPolicy: "IfNotPresent", ports: [containerPort] };
    if (port.protocol === "SCTP") {
      containers.push({ ...base, command: ["/agnhost", "porter"], env: [{ name: `SERVE_SCTP_PORT_${port.port}`, value: token }] });
    } else {
      containers.push({ ...base, command: ["/agnhost", "serve-hostname", `--${proto}`, "--http=false", "--port", String(port.port)] });
    }
  }
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name: pod.name,
      namespace: options.names.namespace(pod.namespace),
      labels: { ...pod.labels, ...managed },
      annotations: { "netspec.io/pod": pod.id },
    },
    spec: {
      hostname: token,
      nodeSelector: options.placement(pod.node),
      ...(pod.hostNetwork ? { hostNetwork: true } : {}),
      ...(pod.dnsPolicy !== "ClusterFirst" ? { dnsPolicy: pod.dnsPolicy } : {}),
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      containers,
    },
  };
}

/** Multi-document YAML of objects (for --dry-run and the failure report). */
export async function toYaml(objects: readonly KubeObject[]): Promise<string> {
  const { stringify } = await import("yaml");
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}
