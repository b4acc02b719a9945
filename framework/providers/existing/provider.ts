// The `existing` provider: a cluster netspec did not create, reached by --kubeconfig/--context.
// Every namespace gets a run-unique suffix and netspec's labels; the scenario's names are mapped
// onto them (NameMap) and back in the reports. Only objects carrying this run's label are ever
// deleted. netspec refuses to start without the permissions it needs, and lists them.
// `--install` installs the Layer 7 implementation under test once, before the first scenario;
// what it installs is the user's and stays (netspec removes only what carries a run's label).
import { ownerAlive, ownerLabel } from "../local/names.js";
import type { Scenario } from "../../scenario/model.js";
import type { Layer7Implementation } from "../../scenario/implementation.js";
import { EnvironmentError, type Cluster, type Provider, type ProvisionContext } from "../../runner/provider.js";
import { AbortedError, ToolMissingError } from "../../exec/command.js";
import { mapLimit } from "../../exec/limit.js";
import { KubeCluster, SkippedCluster } from "../kube/cluster.js";
import { describePermission, Kubectl, resourceArg, type KubeObject, type PermissionCheck } from "../kube/kubectl.js";
import { install } from "../kube/install.js";
import { familyServed, kubeLayer7, layer7Family, needsEchoServers } from "../kube/layer7.js";
import { DEFAULT_AGNHOST_IMAGE, DEFAULT_ECHO_IMAGE } from "../kube/manifests.js";
import { envNumber } from "../kube/options.js";
import { ANNOTATION_OWNER, BUILTIN_NAMESPACES, LABEL_MANAGED, LABEL_RUN, MANAGED_BY, NameMap, runLabel, shortHash } from "../kube/names.js";
import type { KubeProviderOptions } from "../kube/options.js";
import { GATEWAYS, INGRESSES } from "../kube/layer7-readiness.js";
import type { Node } from "kubernetes-types/core/v1.js";
import { clusterFamilies, placeNodes, realNodeOf } from "./placement.js";

/** What every run needs (namespaced ones in every namespace: netspec's do not exist yet). */
export const REQUIRED_PERMISSIONS: readonly PermissionCheck[] = [
  { verb: "list", resource: "nodes" },
  ...["create", "get", "list", "delete"].map((verb) => ({ verb, resource: "namespaces" })),
  ...["create", "get", "list", "delete"].map((verb) => ({ verb, resource: "pods", allNamespaces: true })),
  { verb: "create", resource: "pods", subresource: "exec", allNamespaces: true },
  ...["create", "get", "list"].map((verb) => ({ verb, resource: "services", allNamespaces: true })),
  ...["create", "get"].map((verb) => ({ verb, resource: "networkpolicies.networking.k8s.io", allNamespaces: true })),
  { verb: "list", resource: "endpointslices.discovery.k8s.io", allNamespaces: true },
  { verb: "list", resource: "events", allNamespaces: true },
];

/** What gives a Gateway or an Ingress controller an address on a cluster netspec did not create. */
export const EXISTING_ADDRESS_HINT = "does the cluster have a LoadBalancer implementation (a cloud's, MetalLB), and does the implementation under test publish its address there?";

export class ExistingProvider implements Provider {
  readonly name = "existing";
  /** The Layer 7 implementation under test as the oracle should see it (layer7.ts kubeLayer7). */
  readonly layer7: Layer7Implementation;
  private readonly kubectl: Kubectl;
  private readonly image: string;
  private readonly echoImage: string;
  private nodes: Node[] = [];
  /** --install, run once for the whole run (before the first scenario). */
  private installed: Promise<void> | undefined;

  constructor(private readonly options: KubeProviderOptions = {}) {
    this.kubectl = new Kubectl({ kubeconfig: options.kubeconfig, context: options.context, env: options.env, signal: options.signal });
    this.layer7 = kubeLayer7(options);
    this.image = options.agnhostImage ?? (options.env ?? process.env).NETSPEC_AGNHOST_IMAGE ?? DEFAULT_AGNHOST_IMAGE;
    this.echoImage = options.echoImage ?? (options.env ?? process.env).NETSPEC_ECHO_IMAGE ?? DEFAULT_ECHO_IMAGE;
  }

  async preflight(): Promise<void> {
    try {
      await this.kubectl.run(["version", "--client"], { timeoutMs: 30_000 });
    } catch (error) {
      if (error instanceof ToolMissingError) throw new EnvironmentError("the existing provider needs 'kubectl', which is not on PATH", "Install kubectl, or point NETSPEC_KUBECTL at it.");
      throw new EnvironmentError(`kubectl does not work: ${(error as Error).message}`);
    }
    const where = this.kubectl.connectionArgs.join(" ") || "the current kubeconfig context";
    let missing: PermissionCheck[];
    try {
      const allowed = await mapLimit(REQUIRED_PERMISSIONS, 6, (check) => this.kubectl.canI(check));
      missing = REQUIRED_PERMISSIONS.filter((_, i) => !allowed[i]);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      throw new EnvironmentError(`the cluster (${where}) is not reachable: ${(error as Error).message}`);
    }
    if (missing.length > 0) {
      throw new EnvironmentError(`netspec lacks permissions on the cluster (${where}): ${missing.map(describePermission).join(", ")}`,
        "Grant them (docs/providers.md has a ClusterRole), or use another --context.");
    }
    this.nodes = (await this.kubectl.getJson<Node>(["nodes"])).items;
  }

  /** Namespaces of earlier runs from this host whose process is gone. */
  async cleanupStale(): Promise<void> {
    let namespaces: KubeObject[];
    try { namespaces = (await this.kubectl.getJson(["namespaces", "-l", `${LABEL_MANAGED}=${MANAGED_BY},${LABEL_RUN}`])).items; } catch { return; }
    const stale = namespaces.filter((ns) => {
      const owner = ns.metadata.annotations?.[ANNOTATION_OWNER];
      return owner !== undefined && !ownerAlive(owner);
    });
    if (stale.length === 0) return;
    await this.kubectl.run(["delete", "namespaces", "--wait=false", "--ignore-not-found", ...stale.map((ns) => ns.metadata.name)], { allowFailure: true });
  }

  async provision(scenario: Scenario, context: ProvisionContext): Promise<Cluster> {
    const placement = placeNodes(scenario.nodes, this.nodes.map(realNodeOf), this.options.nodeMap);
    if ("skip" in placement) {
      context.log(`skipped: ${placement.skip}`);
      return new SkippedCluster(placement.skip);
    }
    const families = clusterFamilies(this.nodes);
    const missingFamilies = families ? scenario.families.filter((f) => !families.includes(f)) : [];
    if (missingFamilies.length === scenario.families.length) {
      return new SkippedCluster(`the scenario is ${scenario.ipFamily}; the cluster's pod CIDRs are ${families!.join(", ")}`);
    }
    // Cluster-scoped kinds the scenario uses (AdminNetworkPolicy, …) need their own permission.
    // (Layer 7 ones only where their family is applied: layer7.ts.)
    const applied = (m: Scenario["manifests"][number]) => {
      const family = layer7Family(m);
      return family === undefined || familyServed(family, this.options);
    };
    const clusterScoped = scenario.manifests.filter((m) => m.namespace === undefined && applied(m));
    const kinds = [...new Map(clusterScoped.map((m) => [resourceArg(m.apiVersion, m.kind), m])).keys()];
    const extra: PermissionCheck[] = kinds.flatMap((resource) => ["create", "delete"].map((verb) => ({ verb, resource })));
    // The Layer 7 objects netspec applies, and reads back while it waits for their addresses.
    const layer7 = scenario.manifests.filter((m) => layer7Family(m) !== undefined && applied(m));
    for (const resource of new Set(layer7.filter((m) => m.namespace !== undefined).map((m) => resourceArg(m.apiVersion, m.kind)))) {
      extra.push({ verb: "create", resource, allNamespaces: true });
    }
    if (layer7.some((m) => m.kind === "Gateway")) extra.push({ verb: "list", resource: GATEWAYS, allNamespaces: true });
    if (layer7.some((m) => m.kind === "Ingress")) extra.push({ verb: "list", resource: INGRESSES, allNamespaces: true });
    const denied = (await mapLimit(extra, 4, (c) => this.kubectl.canI(c))).map((ok, i) => (ok ? undefined : extra[i]!)).filter((c): c is PermissionCheck => Boolean(c));
    if (denied.length > 0) {
      throw new EnvironmentError(`netspec lacks permissions for scenario ${scenario.name}: ${denied.map(describePermission).join(", ")}`);
    }
    if (this.options.install) {
      const source = this.options.install;
      this.installed ??= install(source, "--install", "the Layer 7 implementation under test", {
        kubectl: this.kubectl, ...(this.options.kubeconfig ? { kubeconfig: this.options.kubeconfig } : {}), env: this.options.env, signal: this.options.signal,
        timeoutMs: this.options.installTimeoutMs ?? envNumber(this.options.env, "NETSPEC_INSTALL_TIMEOUT_MS") ?? 300_000, log: context.log, serverSide: true, pollMs: this.options.pollMs,
      }).catch((error: Error) => {
        if (error instanceof AbortedError) throw error;
        throw new EnvironmentError(`installing the implementation under test from ${source} failed: ${error.message}`);
      });
      await this.installed;
    }
    const label = runLabel(context.runId);
    const names = new NameMap(scenario.namespaces.map((n) => n.name), shortHash(context.runId, 6));
    const builtinUsed = scenario.namespaces.filter((n) => !n.system && BUILTIN_NAMESPACES.has(n.name)).map((n) => n.name);
    const kubectl = this.kubectl;
    const teardown = async () => {
      const selector = `${LABEL_RUN}=${label}`;
      // Only what carries this run's label: its namespaces (and everything in them), its
      // objects in built-in namespaces, and its cluster-scoped objects.
      await kubectl.run(["delete", "namespaces", "-l", selector, "--wait=false", "--ignore-not-found"], { allowFailure: true });
      for (const ns of builtinUsed) {
        await kubectl.run(["delete", "pods,services,networkpolicies.networking.k8s.io", "-n", ns, "-l", selector, "--ignore-not-found"], { allowFailure: true });
      }
      if (kinds.length > 0) await kubectl.run(["delete", kinds.join(","), "-l", selector, "--ignore-not-found"], { allowFailure: true });
    };
    return new KubeCluster({
      kubectl,
      manifest: {
        names, runLabel: label, image: this.image, owner: ownerLabel(),
        placement: (node) => ({ "kubernetes.io/hostname": placement.nodes.get(node)!.hostname }),
        layer7: this.layer7Classes,
        ...(needsEchoServers(scenario, this.options) ? { echoImage: this.echoImage } : {}),
      },
      layer7: {
        ...this.layer7Classes, addressHint: EXISTING_ADDRESS_HINT,
        timeoutMs: this.options.layer7TimeoutMs ?? envNumber(this.options.env, "NETSPEC_LAYER7_TIMEOUT_MS") ?? 180_000,
      },
      log: context.log,
      readyTimeoutMs: this.options.readyTimeoutMs,
      execParallel: this.options.execParallel,
      families: families?.filter((f) => scenario.families.includes(f)),
      diagnosticsDir: this.options.reportDir ? `${this.options.reportDir}/diagnostics/${scenario.name}` : undefined,
      teardown,
      signal: this.options.signal,
      pollMs: this.options.pollMs,
    });
  }

  private get layer7Classes(): { gatewayClass?: string; ingressClass?: string } {
    const { gatewayClass, ingressClass } = this.options;
    return { ...(gatewayClass !== undefined ? { gatewayClass } : {}), ...(ingressClass !== undefined ? { ingressClass } : {}) };
  }
}
