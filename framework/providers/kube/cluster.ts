// A scenario on a real Kubernetes cluster (kind's or an existing one): apply the generated
// manifests with kubectl, wait until pods are Ready and EndpointSlices are populated (and the
// Layer 7 implementation under test serves the scenario's Gateways and Ingresses, layer7.ts),
// report the real addresses, probe through batched `kubectl exec`, collect diagnostics.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Pod, Service } from "kubernetes-types/core/v1.js";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.js";
import { familyOf, type Family } from "../../kube/net.js";
import { selectorMatches } from "../../kube/labels.js";
import {
  EnvironmentError, type Cluster, type Observation, type ProbeOptions, type ProbeRequest,
} from "../../runner/provider.js";
import type { Scenario } from "../../scenario/model.js";
import type { ActualAddresses } from "../../scenario/readdress.js";
import type { HttpTarget } from "../../scenario/target.js";
import { AbortedError, CommandError, sleep, type CommandResult } from "../../exec/command.js";
import { mapLimit } from "../../exec/limit.js";
import { resourceArg, type Kubectl } from "./kubectl.js";
import { allManifests, generateManifests, PROBE_CONTAINER, toYaml, type GeneratedManifests, type ManifestOptions } from "./manifests.js";
import { DNS_POD_ID, DNS_SERVICE_ID, LABEL_RUN, podHostname, type NameMap } from "./names.js";
import { observe, parseProbeOutput, PROBE_SCRIPT, requestLine, unsendableRequest, type Attempt } from "./probe-script.js";
import { familyServed, layer7Family, missingClassReason, probedIngresses, servedGateways, type Layer7Family, type Layer7Options } from "./layer7.js";
import { GATEWAY_CLASSES, Layer7NotReadyError, waitLayer7, type EntryState } from "./layer7-readiness.js";

/**
 * The `external` client of a real cluster: a process outside the cluster network (on kind, a
 * container on kind's Docker network) that runs the probe script as the pods do.
 */
export interface OutsideClient {
  readonly name: string;
  /** Its address per family: the `external` client's. */
  readonly ips: Partial<Record<Family, string>>;
  /** Runs `args` there (the probe script), `input` on stdin. */
  exec(args: readonly string[], input: string, timeoutMs: number): Promise<CommandResult>;
}

export interface KubeClusterOptions {
  readonly kubectl: Kubectl;
  /** Where `external` cells are probed from (none: they are skipped with the reason). */
  readonly outside?: OutsideClient;
  readonly manifest: ManifestOptions;
  readonly log: (message: string) => void;
  /** Pods Ready and EndpointSlices populated within this long (default 180 s). */
  readonly readyTimeoutMs?: number;
  /** kubectl execs at once (default 8), so the API server is not throttled. */
  readonly execParallel?: number;
  /** Probes at once inside one source pod (default 32). */
  readonly podParallel?: number;
  /** Families the cluster serves (cells of another family are skipped). */
  readonly families?: readonly Family[];
  /** Where diagnose() writes its files (the report directory). */
  readonly diagnosticsDir?: string;
  /** Extra diagnostics (kind export logs). */
  readonly extraDiagnostics?: (dir: string) => Promise<Record<string, string>>;
  readonly teardown: () => Promise<void>;
  readonly signal?: AbortSignal;
  /** Poll interval for readiness (default 1 s; tests use less). */
  readonly pollMs?: number;
  /** The Layer 7 implementation under test (the classes are also in `manifest.layer7`). */
  readonly layer7?: Layer7ClusterOptions;
}

export interface Layer7ClusterOptions extends Layer7Options {
  /** GatewayClass Accepted, Gateways Programmed with addresses, Ingress addresses within this long (default 180 s). */
  readonly timeoutMs?: number;
  /** Said when a Gateway or an Ingress gets no address: what publishes addresses on this cluster. */
  readonly addressHint: string;
}

interface PodStatus {
  readonly ready: boolean;
  readonly phase: string;
  readonly ips: Partial<Record<Family, string>>;
  /** status.hostIPs: the InternalIPs of the node it runs on. */
  readonly hostIps: Partial<Record<Family, string>>;
  readonly problem?: string;
}

export class KubeCluster implements Cluster {
  private generated: GeneratedManifests | undefined;
  private scenario: Scenario | undefined;
  private addresses: ActualAddresses = { pods: {}, services: {} };
  private destroyed: Promise<void> | undefined;
  private readonly identities = new Map<string, string>();
  /** Set when the cluster lacks an API the scenario uses: every cell is then skipped with this reason. */
  private unserved: string | undefined;
  /** Set for a Layer 7 family whose API the cluster lacks (the Gateway API CRDs): its HTTP cells are skipped with the reason. */
  private readonly layer7Unserved = new Map<Layer7Family, string>();
  /** Each Gateway and probed Ingress (`gateway/NS/NAME`, real namespace) once waited for. */
  private entries = new Map<string, EntryState>();

  constructor(private readonly options: KubeClusterOptions) {}

  get names(): NameMap {
    return this.options.manifest.names;
  }

  async apply(scenario: Scenario): Promise<void> {
    this.scenario = scenario;
    const terminating = scenario.pods.filter((p) => p.terminating).map((p) => p.id);
    if (terminating.length > 0) {
      // A pod in its grace period is a moment of a real cluster netspec does not stage yet.
      this.unserved = `${terminating.join(", ")} ${terminating.length === 1 ? "is" : "are"} terminating: on a real cluster netspec does not hold pods in their grace period yet (the local provider models them)`;
      return;
    }
    for (const pod of scenario.pods) this.identities.set(podHostname(pod.id), pod.id);
    const generated = generateManifests(scenario, this.options.manifest);
    this.generated = generated;
    const kubectl = this.options.kubectl;
    try {
      // Namespaces first (everything else lives in them), then the workload, then the
      // scenario's Services and policies in the scenario's order.
      await kubectl.apply(generated.namespaces);
      await kubectl.apply(generated.pods);
      await kubectl.apply(generated.resources);
      for (const note of generated.omitted) this.options.log(note);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      const message = (error as Error).message;
      const unserved = unservedKinds(message);
      if (unserved.length === 0) throw new Error(`applying the scenario failed: ${message}`, { cause: error });
      // The cluster lacks an API the scenario uses: no cell can say anything about it, so every
      // cell is skipped with the reason (SPEC: never silently dropped, never counted as passed).
      const hint = unserved.some((k) => k.group === "policy.networking.k8s.io")
        ? "; install the network-policy-api CRDs and an implementation of them (e.g. kube-network-policies) with --cni"
        : "; install the CRDs that serve them";
      this.unserved = `the cluster does not serve ${unserved.map((k) => `${k.kind} (${k.apiVersion})`).join(", ")}${hint}`;
      return;
    }
    await this.applyLayer7(generated);
    await this.waitReady(scenario);
    await this.waitLayer7(scenario);
  }

  /**
   * The Layer 7 objects, applied on their own and one family (Gateway API, Ingress) at a time: a
   * cluster without the Gateway API CRDs skips the Gateway cells with the reason and still
   * probes every other cell.
   */
  private async applyLayer7(generated: GeneratedManifests): Promise<void> {
    for (const family of ["gateway", "ingress"] as const) {
      const objects = generated.layer7.filter((o) => layer7Family(o) === family);
      try {
        await this.options.kubectl.apply(objects);
      } catch (error) {
        if (error instanceof AbortedError) throw error;
        const message = (error as Error).message;
        const unserved = unservedKinds(message);
        if (unserved.length === 0) throw new Error(`applying the scenario's ${family === "gateway" ? "Gateway API" : "Ingress"} objects failed: ${message}`, { cause: error });
        const reason = `the cluster does not serve ${unserved.map((k) => `${k.kind} (${k.apiVersion})`).join(", ")}: install ${family === "gateway" ? "the Gateway API CRDs and " : ""}the implementation under test (--install)`;
        this.layer7Unserved.set(family, reason);
        this.options.log(reason);
      }
    }
  }

  private async waitLayer7(scenario: Scenario): Promise<void> {
    const layer7 = this.options.layer7;
    if (!layer7) return;
    const real = <T extends { namespace: string }>(entry: T): T => ({ ...entry, namespace: this.names.namespace(entry.namespace) });
    const gateways = this.layer7Unserved.has("gateway") ? [] : servedGateways(scenario, layer7).map(real);
    const ingresses = this.layer7Unserved.has("ingress") ? [] : probedIngresses(scenario, layer7).map(real);
    if (gateways.length + ingresses.length === 0) return;
    try {
      this.entries = await waitLayer7(this.options.kubectl, {
        ...(layer7.gatewayClass !== undefined ? { gatewayClass: layer7.gatewayClass } : {}),
        gateways, ingresses, timeoutMs: layer7.timeoutMs ?? 180_000, pollMs: this.options.pollMs, signal: this.options.signal,
        addressHint: layer7.addressHint,
      });
    } catch (error) {
      if (error instanceof Layer7NotReadyError) throw new Error(`the Layer 7 implementation under test is not ready: ${error.message}`, { cause: error });
      throw error;
    }
    for (const [id, state] of this.entries) if (!state.ok) this.options.log(`${id}: ${state.reason}`);
    const httpEntries: Record<string, Partial<Record<Family, string>>> = {};
    for (const entry of gateways) {
      const state = this.entries.get(`gateway/${entry.namespace}/${entry.name}`);
      if (state?.ok) httpEntries[`gateway/${this.names.scenarioNamespace(entry.namespace) ?? entry.namespace}/${entry.name}`] = state.addresses;
    }
    // One address stands for the Ingress controller (the `ingress` data plane's, Scenario.gatewayDataPlanes): the
    // first probed Ingress's; an Ingress published elsewhere is skipped (skipReason).
    const ingress = ingresses.map((e) => this.entries.get(`ingress/${e.namespace}/${e.name}`)).find((s) => s?.ok);
    if (ingress?.ok) httpEntries.ingress = ingress.addresses;
    this.addresses = { ...this.addresses, httpEntries };
  }

  private async waitReady(scenario: Scenario): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 180_000);
    const pollMs = this.options.pollMs ?? 1000;
    let problems: string[] = [];
    for (;;) {
      const pods = await this.podStatuses();
      problems = [];
      for (const pod of scenario.pods.filter((p) => !p.system)) {
        const status = pods.get(pod.id);
        if (!status) { problems.push(`${pod.id}: not created`); continue; }
        if (pod.ready && !status.ready) problems.push(`${pod.id}: ${status.problem ?? status.phase}`);
        if (!pod.ready && status.phase !== "Running") problems.push(`${pod.id}: ${status.problem ?? status.phase} (declared not ready, must still run)`);
      }
      if (problems.length === 0) problems = await this.endpointProblems(scenario, pods);
      if (problems.length === 0) {
        await this.readAddresses(scenario, pods);
        return;
      }
      if (Date.now() >= deadline) break;
      await sleep(pollMs, this.options.signal);
    }
    const imageHint = problems.some((p) => /ImagePull|ErrImage/.test(p))
      ? `\nThe agnhost image (${this.options.manifest.image}) could not be pulled: load it (kind) or make it pullable from the cluster (existing), or set NETSPEC_AGNHOST_IMAGE.`
      : "";
    throw new Error(`the scenario's workload was not ready after ${Math.round((this.options.readyTimeoutMs ?? 180_000) / 1000)} s:\n  ${problems.slice(0, 20).join("\n  ")}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ""}${imageHint}`);
  }

  /** Scenario pod id → status, for the pods this run created. */
  private async podStatuses(): Promise<Map<string, PodStatus>> {
    const list = await this.options.kubectl.getJson<Pod>(["pods", "-A", "-l", `${LABEL_RUN}=${this.options.manifest.runLabel}`]);
    const out = new Map<string, PodStatus>();
    for (const pod of list.items) {
      const id = this.names.scenarioId(pod.metadata?.namespace ?? "", pod.metadata?.name ?? "");
      if (id) out.set(id, podStatus(pod));
    }
    return out;
  }

  private async endpointProblems(scenario: Scenario, pods: Map<string, PodStatus>): Promise<string[]> {
    const services = scenario.services.filter((s) => !s.system && s.selector && s.type !== "ExternalName");
    if (services.length === 0) return [];
    const namespaces = [...new Set(services.map((s) => this.names.namespace(s.namespace)))];
    const slices = (await mapLimit(namespaces, 4, (ns) => this.options.kubectl.getJson<EndpointSlice>(["endpointslices", "-n", ns]))).flatMap((l) => l.items);
    const problems: string[] = [];
    for (const svc of services) {
      const realNs = this.names.namespace(svc.namespace);
      const backends = scenario.pods.filter((p) => p.namespace === svc.namespace && !p.hostNetwork && selectorMatches({ matchLabels: { ...svc.selector } }, p.labels)
        && (svc.publishNotReadyAddresses || p.ready) && pods.has(p.id));
      for (const family of svc.families) {
        const addressType = family === "ipv4" ? "IPv4" : "IPv6";
        const names = new Set(slices
          .filter((s) => s.metadata?.namespace === realNs && s.metadata?.labels?.["kubernetes.io/service-name"] === svc.name && s.addressType === addressType)
          .flatMap((s) => (s.endpoints ?? []).filter((e) => svc.publishNotReadyAddresses || e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? e.addresses?.[0] ?? "")));
        const missing = backends.filter((p) => !names.has(p.name));
        if (missing.length > 0) problems.push(`Service ${svc.id} (${family}): EndpointSlices lack ${missing.map((p) => p.id).join(", ")}`);
      }
    }
    return problems;
  }

  private async readAddresses(scenario: Scenario, statuses: Map<string, PodStatus>): Promise<void> {
    const pods: Record<string, Partial<Record<Family, string>>> = {};
    for (const [id, status] of statuses) pods[id] = status.ips;
    // A scenario node's addresses are those of the real node its pods run on (status.hostIPs).
    const nodes: Record<string, Partial<Record<Family, string>>> = {};
    for (const pod of scenario.pods) {
      const status = statuses.get(pod.id);
      if (status && !nodes[pod.node] && Object.keys(status.hostIps).length > 0) nodes[pod.node] = status.hostIps;
    }
    const services: Record<string, Partial<Record<Family, string>>> = {};
    const loadBalancers: Record<string, Partial<Record<Family, string>>> = {};
    const namespaces = [...new Set(scenario.services.filter((s) => !s.system).map((s) => this.names.namespace(s.namespace)))];
    const lists = await mapLimit(namespaces, 4, (ns) => this.options.kubectl.getJson<Service>(["services", "-n", ns]));
    for (const svc of lists.flatMap((l) => l.items)) {
      const id = this.names.scenarioId(svc.metadata?.namespace ?? "", svc.metadata?.name ?? "");
      if (!id) continue;
      services[id] = ipsByFamily(svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []));
      // What the load-balancer implementation published (cloud-provider-kind, MetalLB); none: pending.
      const ingress = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
      if (svc.spec?.type === "LoadBalancer") loadBalancers[id] = ipsByFamily(ingress);
    }
    // The cluster DNS the scenario models as kube-system/coredns behind kube-dns.
    if (scenario.pods.some((p) => p.id === DNS_POD_ID)) {
      try {
        const dns = await this.options.kubectl.getJson<Pod>(["pods", "-n", "kube-system", "-l", "k8s-app=kube-dns"]);
        const ready = dns.items.map(podStatus).filter((s) => s.ready).sort((a, b) => String(a.ips.ipv4 ?? a.ips.ipv6).localeCompare(String(b.ips.ipv4 ?? b.ips.ipv6)));
        if (ready[0]) pods[DNS_POD_ID] = ready[0].ips;
        const svc = await this.options.kubectl.getJson<Service>(["services", "-n", "kube-system", "kube-dns"]);
        const clusterIPs = svc.items[0]?.spec?.clusterIPs;
        if (clusterIPs) services[DNS_SERVICE_ID] = ipsByFamily(clusterIPs);
      } catch (error) {
        this.options.log(`the cluster DNS could not be read (${(error as Error).message}); DNS cells keep the planned addresses`);
      }
    }
    this.addresses = { ...this.addresses, pods, services, nodes, loadBalancers, ...(this.options.outside ? { externalClient: this.options.outside.ips } : {}) };
  }

  async actualAddresses(): Promise<ActualAddresses> {
    return this.addresses;
  }

  async probe(requests: readonly ProbeRequest[], options: ProbeOptions): Promise<Observation[]> {
    if (this.unserved) return requests.map((r) => ({ id: r.id, observed: "skipped", backends: [], latencyMs: 0, detail: this.unserved }));
    const out = new Map<string, Observation>();
    const bySource = new Map<string, ProbeRequest[]>();
    const families = this.options.families;
    for (const request of requests) {
      const skip = this.skipReason(request, families);
      if (skip) { out.set(request.id, { id: request.id, observed: "skipped", backends: [], latencyMs: 0, detail: skip }); continue; }
      const list = bySource.get(request.from) ?? [];
      list.push(request);
      bySource.set(request.from, list);
    }
    await mapLimit([...bySource], this.options.execParallel ?? 8, async ([source, list]) => {
      const attempts = await this.probeFrom(source, list, options.timeoutMs);
      const byIndex = new Map<number, Attempt[]>();
      for (const attempt of attempts) byIndex.set(attempt.index, [...(byIndex.get(attempt.index) ?? []), attempt]);
      list.forEach((request, i) => out.set(request.id, observe(request, byIndex.get(i) ?? [], (who) => this.identities.get(who))));
    });
    return requests.map((r) => out.get(r.id)!);
  }

  private skipReason(request: ProbeRequest, families: readonly Family[] | undefined): string | undefined {
    if (families && !families.includes(request.probe.family)) return `the cluster has no ${request.probe.family}`;
    if (request.from === "external" && !this.options.outside) {
      return "external: this provider has no client outside the cluster network (on kind, netspec starts one on kind's Docker network)";
    }
    if (request.from.startsWith("node/") || request.from.startsWith("external/")) {
      return `${request.from}: on a real cluster netspec probes from pods and the external client only (node/NAME and external/IP clients are the local provider's)`;
    }
    const target = request.target;
    if (target.kind === "http") {
      const skip = this.httpSkipReason(request, target);
      if (skip) return skip;
    }
    if (target.kind === "loadbalancer" && !this.addresses.loadBalancers?.[target.service.id]?.[request.probe.family]) {
      return `Service ${target.service.id} has no ${request.probe.family} load-balancer address (status.loadBalancer.ingress is empty): install a load-balancer implementation (on kind: cloud-provider-kind)`;
    }
    if (target.kind === "nodeport" && !this.addresses.nodes?.[target.node.name]?.[request.probe.family]) {
      return `node ${target.node.name}'s ${request.probe.family} address is unknown: no pod of the scenario runs there`;
    }
    const source = this.scenario?.pods.find((p) => p.id === request.from);
    if (source?.system) return `${request.from} is the cluster's own DNS pod: netspec does not exec into it`;
    if (request.from !== "external" && !this.addresses.pods[request.from] && !source) return `${request.from} is not a pod of this scenario`;
    if (request.probe.srv) return `${request.probe.host} is an SRV name: agnhost connect looks names up as A/AAAA only`;
    const record = request.target.kind === "dns" ? request.target.record : undefined;
    // A pod record spells an address netspec planned; this cluster assigned its pods their own.
    if (record?.kind === "pod") return `${request.probe.host} is a pod record of a planned address, which this cluster does not use`;
    // An endpoint's name is its hostname or its address; here every pod's spec.hostname is its
    // identity token (podHostname), and its address the cluster's own.
    if (record?.kind === "endpoint") return `${request.probe.host} names an endpoint by hostname or planned address: this provider sets spec.hostname to the pod's identity token`;
    return undefined;
  }

  /** Why an HTTP cell cannot be probed here: no implementation named, none serving, no address. */
  private httpSkipReason(request: ProbeRequest, target: HttpTarget): string | undefined {
    const { entry } = target;
    const family = request.probe.family;
    if (!familyServed(entry.kind, this.options.layer7 ?? {})) return missingClassReason(entry.kind);
    const unserved = this.layer7Unserved.get(entry.kind);
    if (unserved) return unserved;
    const what = `${entry.kind === "gateway" ? "Gateway" : "Ingress"} ${entry.namespace}/${entry.name}`;
    const state = this.entries.get(`${entry.kind}/${this.names.namespace(entry.namespace)}/${entry.name}`);
    if (!state) {
      const className = (this.scenario?.manifests.find((m) => m.kind === "Gateway" && m.namespace === entry.namespace && m.name === entry.name)?.object.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName;
      return `${what} is of GatewayClass ${className ?? "(unknown)"}, not of --gateway-class ${this.options.layer7?.gatewayClass}: no implementation under test serves it`;
    }
    if (!state.ok) return state.reason;
    const address = state.addresses[family];
    if (!address) return `${what} has no ${family} address (it published ${Object.values(state.addresses).join(", ")})`;
    if (address !== request.probe.host) {
      return `${what} is published at ${address}, not at ${request.probe.host}, the address netspec probes as the Ingress controller's (the first probed Ingress's)`;
    }
    const unsendable = unsendableRequest(request);
    return unsendable ? `the request cannot be sent as written: ${unsendable}` : undefined;
  }

  /**
   * One exec for every probe of one source (retried once when the exec itself fails): `kubectl
   * exec` into a source pod, or the outside client's exec for `external`.
   */
  private async probeFrom(source: string, requests: readonly ProbeRequest[], timeoutMs: number): Promise<Attempt[]> {
    // Names are the scenario's: the cluster knows its Services under the run's namespaces.
    const identity = this.options.manifest.echoImage ? "http" : "line";
    const lines = requests.map((r, i) => requestLine(i, r, r.target.kind === "dns" ? this.names.dnsName(r.probe.host, r.target.fqdn) : r.probe.host, timeoutMs, identity));
    const podParallel = this.options.podParallel ?? 32;
    const samples = Math.max(...requests.map((r) => r.samples));
    const waves = Math.ceil(requests.length / podParallel);
    // An HTTP request may take three timeouts (curl's --max-time), a connection two (connect, identity).
    const perAttempt = requests.some((r) => r.probe.http) ? 3 * timeoutMs + 3000 : 2 * timeoutMs + 2000;
    const budget = waves * samples * perAttempt + 60_000;
    const script = ["/bin/sh", "-c", PROBE_SCRIPT, "netspec-probe", String(podParallel)];
    const outside = source === "external" ? this.options.outside : undefined;
    const [ns, pod] = outside ? ["", ""] : this.names.id(source).split("/") as [string, string];
    const exec = (input: string) => outside
      ? outside.exec(script, input, budget)
      : this.options.kubectl.run(["exec", "-i", "-n", ns, pod, "-c", PROBE_CONTAINER, "--", ...script], { input, timeoutMs: budget, allowFailure: true });
    let lastError = "";
    for (let attempt = 1; attempt <= 2; attempt++) {
      const result = await exec(`${lines.join("\n")}\n`);
      const parsed = parseProbeOutput(result.stdout);
      if (result.code === 0 && parsed.complete) return parsed.attempts;
      lastError = `${result.timedOut ? `timed out after ${budget} ms` : `exit ${result.code}`}: ${(result.stderr || parsed.other.join("\n")).trim().split("\n").slice(-3).join(" ")}`;
      this.options.log(`kubectl exec into ${source} failed (${lastError})${attempt === 1 ? "; retrying once" : ""}`);
    }
    if (outside) throw new EnvironmentError(`probing from the external client failed: exec into ${outside.name} ${lastError}`, `Check the container: docker logs ${outside.name}`);
    throw new EnvironmentError(`probing from ${source} failed: kubectl exec ${lastError}`,
      `Check the pod: kubectl ${[...this.options.kubectl.connectionArgs, "describe", "pod", "-n", ns, pod].join(" ")}`);
  }

  async diagnose(): Promise<Record<string, string>> {
    const dir = this.options.diagnosticsDir;
    const kubectl = this.options.kubectl;
    const text = async (args: string[]) => {
      try { return (await kubectl.run(args, { timeoutMs: 60_000, allowFailure: true })).stdout; } catch (error) { return `(failed: ${(error as Error).message})`; }
    };
    const namespaces = this.scenario ? this.scenario.namespaces.filter((n) => !n.system).map((n) => this.names.namespace(n.name)) : [];
    const blocks: Record<string, string> = {};
    blocks.events = (await Promise.all(namespaces.map((ns) => text(["get", "events", "-n", ns, "--sort-by=.lastTimestamp"])))).join("\n");
    blocks.pods = await text(["get", "pods", "-A", "-o", "wide", "-l", `${LABEL_RUN}=${this.options.manifest.runLabel}`]);
    blocks["applied objects"] = this.generated ? await toYaml(allManifests(this.generated)) : "";
    blocks["cni logs"] = await this.cniLogs(text);
    if (this.generated && this.generated.layer7.length > 0) {
      // What the implementation under test reported: the conditions and addresses waited for.
      const kinds = [...new Set(this.generated.layer7.filter((o) => o.metadata.namespace !== undefined).map((o) => resourceArg(o.apiVersion, o.kind)))].join(",");
      const classes = this.options.layer7?.gatewayClass !== undefined ? await text(["get", GATEWAY_CLASSES, this.options.layer7.gatewayClass, "-o", "yaml"]) : "";
      blocks["layer 7 status"] = [classes, ...(await Promise.all(namespaces.map((ns) => text(["get", kinds, "-n", ns, "-o", "yaml"]))))].filter(Boolean).join("\n---\n");
    }
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, content] of Object.entries(blocks)) fs.writeFileSync(path.join(dir, `${name.replace(/\s+/g, "-")}.txt`), content);
      Object.assign(blocks, await this.options.extraDiagnostics?.(dir).catch((e: Error) => ({ "extra diagnostics": `failed: ${e.message}` })) ?? {});
      blocks.files = dir;
    }
    // The reports carry a short excerpt; the files hold everything.
    return Object.fromEntries(Object.entries(blocks).map(([k, v]) => [k, v.length > 8000 ? `${v.slice(0, 8000)}\n… (${dir ? `see ${dir}` : "truncated"})` : v]));
  }

  /** Logs of every DaemonSet pod outside the scenario's namespaces except kube-proxy: the CNI's agents. */
  private async cniLogs(text: (args: string[]) => Promise<string>): Promise<string> {
    let pods: Pod[] = [];
    try { pods = (await this.options.kubectl.getJson<Pod>(["pods", "-A"])).items; } catch { return "(pods could not be listed)"; }
    const agents = pods.filter((p) => p.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet") && !/^kube-proxy/.test(p.metadata.name ?? "")
      && !p.metadata.labels?.[LABEL_RUN]);
    const logs = await mapLimit(agents.slice(0, 20), 4, async (p) =>
      `==== ${p.metadata?.namespace}/${p.metadata?.name} (${p.spec?.nodeName ?? "?"})\n${await text(["logs", "-n", p.metadata?.namespace ?? "", p.metadata?.name ?? "", "--all-containers", "--tail=300"])}`);
    return logs.join("\n");
  }

  destroy(): Promise<void> {
    this.destroyed ??= this.options.teardown().catch((error: Error) => this.options.log(`teardown: ${error.message}`));
    return this.destroyed;
  }
}

/** A cluster that cannot host the scenario: every cell is skipped with the reason. */
/**
 * The kinds kubectl could not map (`no matches for kind "ClusterNetworkPolicy" in version
 * "policy.networking.k8s.io/v1alpha2"`, its message when no CRD or API serves that kind).
 */
export function unservedKinds(message: string): { kind: string; apiVersion: string; group: string }[] {
  const found = new Map<string, { kind: string; apiVersion: string; group: string }>();
  for (const match of message.matchAll(/no matches for kind "([^"]+)" in version "([^"]+)"/g)) {
    const [, kind, apiVersion] = match as unknown as [string, string, string];
    found.set(`${apiVersion}/${kind}`, { kind, apiVersion, group: apiVersion.includes("/") ? apiVersion.split("/")[0]! : "" });
  }
  return [...found.values()];
}

export class SkippedCluster implements Cluster {
  constructor(private readonly reason: string) {}
  async apply(): Promise<void> { /* nothing to create */ }
  async probe(requests: readonly ProbeRequest[]): Promise<Observation[]> {
    return requests.map((r) => ({ id: r.id, observed: "skipped" as const, backends: [], latencyMs: 0, detail: this.reason }));
  }
  async diagnose(): Promise<Record<string, string>> { return { skipped: this.reason }; }
  async destroy(): Promise<void> { /* nothing was created */ }
}

function podStatus(pod: Pod): PodStatus {
  const status = pod.status ?? {};
  const ready = status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  const waiting = status.containerStatuses?.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find(Boolean);
  return {
    ready, phase: status.phase ?? "Pending",
    ips: ipsByFamily((status.podIPs ?? []).flatMap((p) => (p.ip ? [p.ip] : [])).concat(status.podIPs ? [] : status.podIP ? [status.podIP] : [])),
    hostIps: ipsByFamily((status.hostIPs ?? []).flatMap((h) => (h.ip ? [h.ip] : [])).concat(status.hostIPs ? [] : status.hostIP ? [status.hostIP] : [])),
    ...(waiting ? { problem: `${status.phase ?? "Pending"}, ${waiting}` } : {}),
  };
}

function ipsByFamily(ips: readonly string[]): Partial<Record<Family, string>> {
  const out: Partial<Record<Family, string>> = {};
  for (const ip of ips) {
    if (!ip || ip === "None") continue;
    const family = familyOf(ip);
    if (family) out[family] ??= ip;
  }
  return out;
}

export { CommandError };
