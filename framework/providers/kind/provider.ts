// The `kind` provider: a kind cluster shaped by the scenario (kind's provider layout: this
// folder knows kind; ../kube knows Kubernetes), the CNI under test installed into it, the
// scenario applied with kubectl and probed through batched `kubectl exec`.
//
//   provision: config → kind create cluster (or reuse --cluster-name) → CNI → nodes and system
//              pods Ready → --install (the Layer 7 implementation under test) → kind load
//              docker-image agnhost (and the HTTP echo backend when HTTP cells are probed)
//   apply:     namespaces, agnhost pods pinned by netspec.io/node, the scenario's manifests;
//              pods Ready, EndpointSlices populated; real addresses read back
//   destroy:   kind delete cluster, unless --keep (then the next run resets the namespaces)
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Scenario } from "../../scenario/model.js";
import type { Layer7Implementation } from "../../scenario/implementation.js";
import { EnvironmentError, type Cluster, type Provider, type ProvisionContext } from "../../runner/provider.js";
import { AbortedError, CommandError, runCommand, ToolMissingError } from "../../exec/command.js";
import { KubeCluster } from "../kube/cluster.js";
import { Kubectl, type KubeObject } from "../kube/kubectl.js";
import { install } from "../kube/install.js";
import { kubeLayer7, LAYER7_CLUSTER_RESOURCES, needsEchoServers } from "../kube/layer7.js";
import { DEFAULT_AGNHOST_IMAGE, DEFAULT_ECHO_IMAGE } from "../kube/manifests.js";
import { LABEL_MANAGED, LABEL_NODE, MANAGED_BY, NameMap, runLabel, shortHash } from "../kube/names.js";
import { envNumber, type KubeProviderOptions } from "../kube/options.js";
import { ClusterNotReadyError, waitClusterReady } from "../kube/readiness.js";
import { installCni } from "./cni.js";
import { kindNetwork, OUTSIDE_OF, removeOrphanOutsides, startOutside } from "./outside.js";
import { generateKindConfig, kindConfigYaml, readKindConfig, shapeHash, type KindConfig } from "./config.js";
import { checkClusterName, forgetOwner, KindCli, recordOwner, staleClusters } from "./kind-cli.js";

const SHAPE_CONFIGMAP = "netspec-cluster-shape";

/**
 * What gives a Gateway (or an Ingress controller) an address on kind: its implementation asks
 * for a LoadBalancer Service, and kind has no LoadBalancer implementation of its own.
 * cloud-provider-kind (sigs.k8s.io/cloud-provider-kind) is the one netspec supports: it runs
 * beside the cluster on the host and gives LoadBalancer Services addresses on kind's Docker
 * network, where the external client runs too.
 */
export const KIND_ADDRESS_HINT = "no LoadBalancer implementation gave it an address; on kind, run cloud-provider-kind beside the cluster (README: \"Layer 7 on kind and existing clusters\")";

/** The cluster-scoped kinds of sigs.k8s.io/network-policy-api a scenario may create. */
const NETWORK_POLICY_API_RESOURCES = [
  "adminnetworkpolicies.policy.networking.k8s.io",
  "baselineadminnetworkpolicies.policy.networking.k8s.io",
  "clusternetworkpolicies.policy.networking.k8s.io",
] as const;

export class KindProvider implements Provider {
  readonly name = "kind";
  /** The Layer 7 implementation under test as the oracle should see it (layer7.ts kubeLayer7). */
  readonly layer7: Layer7Implementation;
  private readonly kind: KindCli;
  private readonly image: string;
  private readonly echoImage: string;
  private baseConfig: Record<string, unknown> | undefined;

  constructor(private readonly options: KubeProviderOptions = {}) {
    this.kind = new KindCli(options.env, options.signal);
    this.layer7 = kubeLayer7(options);
    this.image = options.agnhostImage ?? (options.env ?? process.env).NETSPEC_AGNHOST_IMAGE ?? DEFAULT_AGNHOST_IMAGE;
    this.echoImage = options.echoImage ?? (options.env ?? process.env).NETSPEC_ECHO_IMAGE ?? DEFAULT_ECHO_IMAGE;
  }

  private get env(): NodeJS.ProcessEnv | undefined {
    return this.options.env;
  }

  async preflight(): Promise<void> {
    const missing = async (tool: string, work: () => Promise<unknown>, hint: string) => {
      try { await work(); } catch (error) {
        if (error instanceof ToolMissingError) throw new EnvironmentError(`the kind provider needs '${tool}', which is not on PATH`, hint);
        throw new EnvironmentError(`'${tool}' does not work: ${(error as Error).message}`, hint);
      }
    };
    await missing("kind", () => this.kind.version(), "Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or point NETSPEC_KIND at it.");
    await missing("kubectl", () => new Kubectl({ env: this.env }).run(["version", "--client"], { timeoutMs: 30_000 }), "Install kubectl, or point NETSPEC_KUBECTL at it.");
    if (this.options.kindConfig) {
      try { this.baseConfig = readKindConfig(this.options.kindConfig); } catch (error) { throw new EnvironmentError((error as Error).message); }
    }
    await this.ensureImage(this.image, "agnhost", "NETSPEC_AGNHOST_IMAGE");
  }

  /** An image in the user's Docker: pulled once, then `kind load`ed into the nodes. */
  private async ensureImage(image: string, what: string, variable: string): Promise<void> {
    const docker = (this.env ?? process.env).NETSPEC_DOCKER ?? "docker";
    try {
      const inspect = await runCommand(docker, ["image", "inspect", "--format", "{{.Id}}", "--", image], { env: this.env, allowFailure: true, timeoutMs: 60_000 });
      if (inspect.code === 0) return;
      await runCommand(docker, ["pull", "--", image], { env: this.env, timeoutMs: 600_000, signal: this.options.signal });
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      if (error instanceof ToolMissingError) throw new EnvironmentError("the kind provider needs Docker ('docker' is not on PATH)");
      throw new EnvironmentError(`the ${what} image ${image} is not in Docker and could not be pulled: ${(error as Error).message}`,
        `Pull or load it yourself (docker pull / docker load), or set ${variable} to an image you have.`);
    }
  }

  async cleanupStale(): Promise<void> {
    let clusters: string[];
    try { clusters = await this.kind.clusters(); } catch { return; }
    for (const cluster of staleClusters(this.env, clusters)) {
      await this.kind.delete(cluster);
      forgetOwner(this.env, cluster);
    }
    // External clients of clusters that are gone (a run killed before its teardown).
    const env = this.env ?? process.env;
    await removeOrphanOutsides(env.NETSPEC_DOCKER ?? "docker", env, await this.kind.clusters().catch(() => clusters));
  }

  /** The kind config for a scenario (also what --dry-run writes). */
  configFor(scenario: Scenario): KindConfig {
    return generateKindConfig(scenario, {
      cni: Boolean(this.options.cni), kubeProxyMode: this.options.kubeProxyMode, image: this.options.kindImage,
      base: this.baseConfig ?? (this.options.kindConfig ? readKindConfig(this.options.kindConfig) : undefined),
    });
  }

  async provision(scenario: Scenario, context: ProvisionContext): Promise<Cluster> {
    const config = this.configFor(scenario);
    const shape = shapeHash(config);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "netspec-kind-"));
    const kubeconfig = path.join(work, "kubeconfig");
    const kubectl = new Kubectl({ kubeconfig, env: this.env, signal: this.options.signal });
    const keep = Boolean(this.options.keep);
    const { name, reuse } = await this.chooseCluster(shape, context.runId, kubeconfig);
    const diagnosticsDir = this.options.reportDir ? path.join(this.options.reportDir, "diagnostics", scenario.name) : undefined;
    let created = false;
    let outside: Awaited<ReturnType<typeof startOutside>> | undefined;
    const teardown = async () => {
      await outside?.remove();
      if (keep) {
        context.log(`kept kind cluster '${name}' (kubectl --context kind-${name}; kind delete cluster --name ${name} removes it)`);
      } else {
        await this.kind.delete(name);
        forgetOwner(this.env, name);
      }
      fs.rmSync(work, { recursive: true, force: true });
    };
    try {
      if (reuse) {
        context.log(`reusing kind cluster '${name}': resetting netspec's namespaces`);
        await this.reset(kubectl);
      } else {
        const configFile = path.join(work, "kind-config.yaml");
        fs.writeFileSync(configFile, kindConfigYaml({ ...config, name }));
        context.log(`creating kind cluster '${name}' (${scenario.nodes.length} workers, ${scenario.ipFamily}${this.options.cni ? `, CNI ${this.options.cni}` : ""})`);
        recordOwner(this.env, name, keep);
        created = true;
        try {
          await this.kind.create(name, configFile, kubeconfig, 600_000);
        } catch (error) {
          if (error instanceof AbortedError) throw error;
          throw new EnvironmentError(`kind could not create cluster '${name}': ${(error as Error).message}`,
            "Is Docker running with enough resources? `kind create cluster` alone shows the details.");
        }
        const cniTimeoutMs = this.options.cniTimeoutMs ?? envNumber(this.env, "NETSPEC_CNI_TIMEOUT_MS") ?? 300_000;
        if (this.options.cni) {
          await installCni(this.options.cni, {
            kubectl, kubeconfig, clusterName: name, ipFamily: scenario.ipFamily, env: this.env, signal: this.options.signal,
            timeoutMs: cniTimeoutMs, log: context.log,
          }).catch((error: Error) => {
            if (error instanceof AbortedError) throw error;
            throw new EnvironmentError(`installing the CNI from ${this.options.cni} failed: ${error.message}`);
          });
        }
        await waitClusterReady(kubectl, {
          timeoutMs: cniTimeoutMs, pollMs: this.options.pollMs, signal: this.options.signal,
          what: this.options.cni ? `the cluster with the CNI from ${this.options.cni}` : "the cluster (kindnet)",
        });
        await kubectl.apply([{
          apiVersion: "v1", kind: "ConfigMap",
          metadata: { name: SHAPE_CONFIGMAP, namespace: "kube-system", labels: { [LABEL_MANAGED]: MANAGED_BY } },
          data: { shape },
        }]);
      }
      if (this.options.install) {
        const source = this.options.install;
        await install(source, "--install", "the Layer 7 implementation under test", {
          kubectl, kubeconfig, scriptEnv: { NETSPEC_CLUSTER_NAME: name, NETSPEC_IP_FAMILY: scenario.ipFamily }, env: this.env, signal: this.options.signal,
          timeoutMs: this.options.installTimeoutMs ?? envNumber(this.env, "NETSPEC_INSTALL_TIMEOUT_MS") ?? 300_000, log: context.log, serverSide: true, pollMs: this.options.pollMs,
        }).catch((error: Error) => {
          if (error instanceof AbortedError) throw error;
          throw new EnvironmentError(`installing the implementation under test from ${source} failed: ${error.message}`);
        });
      }
      const echo = needsEchoServers(scenario, this.options);
      if (echo) await this.ensureImage(this.echoImage, "HTTP echo backend", "NETSPEC_ECHO_IMAGE");
      for (const image of echo ? [this.image, this.echoImage] : [this.image]) {
        context.log(`loading ${image} into the nodes`);
        await this.kind.loadImage(name, image).catch((error: Error) => {
          if (error instanceof AbortedError) throw error;
          throw new EnvironmentError(`kind could not load ${image} into cluster '${name}': ${error.message}`);
        });
      }
      if (wantsOutside(scenario)) {
        const env = this.env ?? process.env;
        context.log(`starting the external client on kind's Docker network (${kindNetwork(env)})`);
        outside = await startOutside({
          docker: env.NETSPEC_DOCKER ?? "docker", env, image: this.image, signal: this.options.signal,
          name: `netspec-outside-${shortHash(`${context.runId}:${name}`, 10)}`,
          labels: { [LABEL_MANAGED]: MANAGED_BY, "netspec.io/run": runLabel(context.runId), [OUTSIDE_OF]: name },
        }).catch((error: Error) => {
          if (error instanceof AbortedError) throw error;
          throw new EnvironmentError(`the external client could not be started on kind's network: ${error.message}`);
        });
      }
    } catch (error) {
      await outside?.remove();
      // Collect what explains the failure, then remove what this run created.
      if (diagnosticsDir && created && !(error instanceof AbortedError)) {
        fs.mkdirSync(diagnosticsDir, { recursive: true });
        await this.kind.exportLogs(name, path.join(diagnosticsDir, "kind-logs")).catch(() => undefined);
      }
      // A cluster this run created goes, even with --keep (it is not usable); a reused one stays.
      if (created) { await this.kind.delete(name); forgetOwner(this.env, name); }
      fs.rmSync(work, { recursive: true, force: true });
      if (error instanceof ClusterNotReadyError) {
        throw new EnvironmentError(error.message, diagnosticsDir ? `Node and CNI logs: ${path.join(diagnosticsDir, "kind-logs")}` : "Run with --out DIR to keep the node logs (kind export logs).");
      }
      throw error;
    }
    return new KubeCluster({
      kubectl,
      ...(outside ? { outside } : {}),
      manifest: {
        names: new NameMap(scenario.namespaces.map((n) => n.name)),
        runLabel: runLabel(context.runId),
        image: this.image,
        placement: (node) => ({ [LABEL_NODE]: node }),
        preexisting: new Set(["default"]),
        layer7: this.layer7Classes,
        ...(needsEchoServers(scenario, this.options) ? { echoImage: this.echoImage } : {}),
      },
      layer7: { ...this.layer7Classes, timeoutMs: this.layer7TimeoutMs, addressHint: KIND_ADDRESS_HINT },
      log: context.log,
      readyTimeoutMs: this.options.readyTimeoutMs,
      execParallel: this.options.execParallel,
      diagnosticsDir,
      extraDiagnostics: async (dir) => {
        const out = await this.kind.exportLogs(name, path.join(dir, "kind-logs"));
        return { "kind export logs": out.trim() || path.join(dir, "kind-logs") };
      },
      teardown,
      signal: this.options.signal,
      pollMs: this.options.pollMs,
    });
  }

  private get layer7Classes(): { gatewayClass?: string; ingressClass?: string } {
    const { gatewayClass, ingressClass } = this.options;
    return { ...(gatewayClass !== undefined ? { gatewayClass } : {}), ...(ingressClass !== undefined ? { ingressClass } : {}) };
  }

  private get layer7TimeoutMs(): number {
    return this.options.layer7TimeoutMs ?? envNumber(this.env, "NETSPEC_LAYER7_TIMEOUT_MS") ?? 180_000;
  }

  /** The cluster to use: --cluster-name (reused when its shape matches), else a new one for this run. */
  private async chooseCluster(shape: string, runId: string, kubeconfig: string): Promise<{ name: string; reuse: boolean }> {
    const wanted = this.options.clusterName;
    if (!wanted) return { name: `netspec-${shortHash(`${runId}:${process.pid}`, 10)}`, reuse: false };
    const problem = checkClusterName(wanted);
    if (problem) throw new EnvironmentError(`--cluster-name: ${problem}`);
    let existing: string[];
    try { existing = await this.kind.clusters(); } catch (error) { throw new EnvironmentError(`kind get clusters failed: ${(error as Error).message}`); }
    // A scenario of another shape gets its own cluster, named after the shape.
    for (const name of [wanted, `${wanted.slice(0, 42)}-${shape.slice(0, 6)}`]) {
      if (!existing.includes(name)) return { name, reuse: false };
      fs.writeFileSync(kubeconfig, await this.kind.kubeconfig(name), { mode: 0o600 });
      const kubectl = new Kubectl({ kubeconfig, env: this.env, signal: this.options.signal });
      const marker = await kubectl.getJson<KubeObject & { data?: { shape?: string } }>(["configmap", "-n", "kube-system", SHAPE_CONFIGMAP])
        .then((l) => l.items[0]?.data?.shape).catch(() => undefined);
      if (marker === shape) return { name, reuse: true };
    }
    throw new EnvironmentError(`kind clusters '${wanted}' and '${wanted}-${shape.slice(0, 6)}' exist but neither has this scenario's shape (${shape})`,
      `Delete one (kind delete cluster --name ${wanted}) or pick another --cluster-name.`);
  }

  /** A kept cluster, reused: remove every object an earlier run created, and wait until they are gone. */
  private async reset(kubectl: Kubectl): Promise<void> {
    const selector = `${LABEL_MANAGED}=${MANAGED_BY},netspec.io/run`;
    await kubectl.run(["delete", "namespaces", "-l", selector, "--wait=true", "--timeout=180s"], { timeoutMs: 200_000 });
    await kubectl.run(["delete", "pods,services,networkpolicies.networking.k8s.io", "-n", "default", "-l", selector, "--wait=true", "--timeout=60s"], { timeoutMs: 90_000 });
    // One call per cluster-scoped kind: a cluster without one of the CRDs fails the whole call.
    for (const resource of [...NETWORK_POLICY_API_RESOURCES, ...LAYER7_CLUSTER_RESOURCES]) {
      const args = ["delete", resource, "-l", selector, "--ignore-not-found"];
      const cluster = await kubectl.run(args, { allowFailure: true });
      if (cluster.code !== 0 && !/doesn't have a resource type|the server could not find/i.test(cluster.stderr)) {
        throw new CommandError(kubectl.binary, args, cluster);
      }
    }
  }
}

/**
 * Whether a cell comes from the `external` client: `probe.from` names it, or an `expect.http`
 * entry does (its default). external/IP clients are the local provider's.
 */
function wantsOutside(scenario: Scenario): boolean {
  return scenario.probe.from.some((ref) => ref === "external") || scenario.expect.http.some((e) => e.from === "external");
}
