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
//
// A scenario whose HTTP cells are probed (layer7.ts) gets, on each TCP port, the Gateway API
// conformance suite's echo backend instead (conformance/echo-basic, as conformance/base/
// manifests.yaml deploys it): it answers every HTTP request with a JSON echo of the request
// (path, host, method, headers) and its POD_NAME, which netspec sets to the same token. Its
// h2c listener (H2C_PORT, 3001 by default) is moved to an ephemeral port (":0"), so that two
// TCP ports of one pod, or a scenario port 3001, do not collide with it.
// The Layer 7 objects come last, their class named after the implementation under test.
import type { PodModel, Scenario } from "../../scenario/model.js";
import type { KubeObject } from "./kubectl.js";
import { familyServed, layer7Family, missingClassReason, withImplementationClass, type Layer7Options } from "./layer7.js";
import {
  ANNOTATION_OWNER, BUILTIN_NAMESPACES, LABEL_MANAGED, LABEL_RUN, LABEL_SCENARIO_NS, MANAGED_BY, NameMap, podHostname,
} from "./names.js";

/** agnhost, as the upstream e2e suite pins it (test/utils/image/manifest.go). */
export const DEFAULT_AGNHOST_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53";
export const PROBE_CONTAINER = "netspec";
/** The conformance suite's echo backend, as conformance/base/manifests.yaml pins it. */
export const DEFAULT_ECHO_IMAGE = "gcr.io/k8s-staging-gateway-api/echo-basic:v20240412-v1.0.0-394-g40c666fd";

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
  /** The implementation under test: which Layer 7 objects are applied, with which classes. */
  readonly layer7?: Layer7Options;
  /** Set when HTTP cells are probed: TCP ports run this echo backend instead of serve-hostname. */
  readonly echoImage?: string;
}

export interface GeneratedManifests {
  readonly namespaces: KubeObject[];
  readonly pods: KubeObject[];
  /** The scenario's own resources but the Layer 7 ones, rewritten, in the scenario's order. */
  readonly resources: KubeObject[];
  /** The Layer 7 objects of the families whose implementation is named (layer7.ts), applied last. */
  readonly layer7: KubeObject[];
  /** Why the other Layer 7 objects are left out. */
  readonly omitted: string[];
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
  const layer7Options = options.layer7 ?? {};
  const resources: KubeObject[] = [];
  const layer7: KubeObject[] = [];
  const omitted = new Set<string>();
  for (const m of scenario.manifests) {
    const family = layer7Family(m);
    if (family && !familyServed(family, layer7Options)) {
      omitted.add(`${family === "gateway" ? "Gateway API" : "Ingress"} objects are not applied: ${missingClassReason(family)}`);
      continue;
    }
    const rewritten = names.rewrite(family ? withImplementationClass(m.object, layer7Options) : m.object) as unknown as KubeObject;
    rewritten.metadata = { ...rewritten.metadata, labels: { ...(rewritten.metadata.labels ?? {}), ...managed } };
    (family ? layer7 : resources).push(rewritten);
  }
  return { namespaces, pods, resources, layer7, omitted: [...omitted] };
}

export function allManifests(generated: GeneratedManifests): KubeObject[] {
  return [...generated.namespaces, ...generated.pods, ...generated.resources, ...generated.layer7];
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
    } else if (port.protocol === "TCP" && options.echoImage) {
      containers.push({
        ...base, image: options.echoImage,
        env: [
          { name: "HTTP_PORT", value: String(port.port) },
          { name: "H2C_PORT", value: "0" },
          { name: "POD_NAME", value: token },
          { name: "NAMESPACE", value: pod.namespace },
        ],
      });
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
