// Real-kernel tests (@docker): the compiled rulesets are loaded into a node container's
// netfilter and judged by real connections between network namespaces ("pods") on veths,
// routed point-to-point through the node, as the local provider wires them. Needs Docker and a
// local image with nftables, iproute2 and socat (netspec-node:* or netspec-nfttest:local);
// skipped when there is none. Every command is an argument vector; containers are removed in
// `after`, whatever happened.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { scenarioFromYaml } from "../../../scenario/build.js";
import type { Scenario } from "../../../scenario/model.js";
import { compileNodeRuleset } from "./index.js";

interface Result { readonly code: number; readonly stdout: string; readonly stderr: string }

function run(cmd: string, args: readonly string[], input?: string, timeoutMs = 30_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", (e) => { clearTimeout(timer); reject(e); });
    child.on("close", (code) => { clearTimeout(timer); resolve({ code: code ?? -1, stdout, stderr }); });
    child.stdin.on("error", () => { /* the command may exit before reading everything */ });
    child.stdin.end(input ?? "");
  });
}

async function must(cmd: string, args: readonly string[], input?: string): Promise<string> {
  const r = await run(cmd, args, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

async function findImage(): Promise<string | undefined> {
  const r = await run("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"]).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  const images = r.stdout.split("\n").map((l) => l.trim()).filter(Boolean);
  return images.find((i) => i.startsWith("netspec-node:") && !i.endsWith(":<none>")) ?? images.find((i) => i === "netspec-nfttest:local");
}

type Outcome = "connected" | "refused" | "timeout" | "error";

/** One node container with pods as network namespaces, wired like the local provider. */
class TestNode {
  private constructor(readonly id: string) {}

  static async start(image: string, network?: string): Promise<TestNode> {
    const name = `netspec-nfttest-${process.pid}-${randomBytes(3).toString("hex")}`;
    const id = (await must("docker", [
      "run", "-d", "--rm", "--name", name, "--label", "netspec.test=nft",
      ...(network ? ["--network", network] : []),
      "--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN", "--cap-add", "NET_RAW",
      "--security-opt", "seccomp=unconfined",
      "--sysctl", "net.ipv4.ip_forward=1", "--sysctl", "net.ipv6.conf.all.forwarding=1",
      "--sysctl", "net.ipv6.conf.all.disable_ipv6=0",
      "--entrypoint", "sleep", image, "3600",
    ])).trim();
    return new TestNode(id);
  }

  exec(args: readonly string[], input?: string, timeoutMs?: number): Promise<Result> {
    return run("docker", ["exec", "-i", this.id, ...args], input, timeoutMs);
  }

  /** The container's addresses on its network: [ipv4, ipv6 or ""]. */
  async addresses(): Promise<[string, string]> {
    const out = await must("docker", ["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{.GlobalIPv6Address}}{{end}}", this.id]);
    const [v4 = "", v6 = ""] = out.trim().split(/\s+/);
    return [v4, v6];
  }

  async remove(): Promise<void> {
    await run("docker", ["rm", "-f", this.id]).catch(() => undefined);
  }

  /**
   * Pods of `node` as namespaces p<index>: veth h<index> on the node side carries the pods'
   * gateway (.1 / ::1 of the node's pod CIDR) and a /32 and /128 route to the pod.
   */
  async wirePods(s: Scenario, node: string): Promise<Map<string, string>> {
    const n = s.nodes.find((x) => x.name === node)!;
    const gw4 = n.podCIDRs.ipv4!.replace(/\.0\/24$/, ".1");
    const gw6 = n.podCIDRs.ipv6!.replace(/::\/64$/, "::1");
    const netns = new Map<string, string>();
    const nodeBatch: string[] = [];
    const pods = s.pods.filter((p) => p.node === node && !p.system);
    pods.forEach((p, i) => {
      const ns = `p${i}`;
      netns.set(p.id, ns);
      nodeBatch.push(
        `netns add ${ns}`,
        `link add h${i} type veth peer name eth0 netns ${ns}`,
        `link set h${i} up`,
        `addr add ${gw4}/32 dev h${i}`,
        `addr add ${gw6}/128 dev h${i} nodad`,
        `addr add fe80::1/64 dev h${i} nodad`,
        `route add ${p.ips.ipv4}/32 dev h${i}`,
        `route add ${p.ips.ipv6}/128 dev h${i}`,
      );
    });
    await must("docker", ["exec", "-i", this.id, "ip", "-batch", "-"], nodeBatch.join("\n") + "\n");
    for (const p of pods) {
      const ns = netns.get(p.id)!;
      await must("docker", ["exec", "-i", this.id, "ip", "-n", ns, "-batch", "-"], [
        "link set lo up",
        "link set eth0 up",
        `addr add ${p.ips.ipv4}/32 dev eth0`,
        `addr add ${p.ips.ipv6}/128 dev eth0 nodad`,
        `route add ${gw4} dev eth0`,
        `route add default via ${gw4}`,
        "route add ::/0 via fe80::1 dev eth0",
      ].join("\n") + "\n");
      // One dual-stack TCP server per declared TCP port, answering with the pod's name; UDP
      // ports answer each datagram the same way.
      for (const port of p.ports.filter((x) => x.protocol === "TCP")) {
        await must("docker", ["exec", "-d", this.id, "ip", "netns", "exec", ns,
          "socat", `TCP6-LISTEN:${port.port},ipv6only=0,fork,reuseaddr`, `EXEC:/bin/echo ${p.name}`]);
      }
      for (const port of p.ports.filter((x) => x.protocol === "UDP")) {
        await must("docker", ["exec", "-d", this.id, "ip", "netns", "exec", ns,
          "socat", `UDP6-RECVFROM:${port.port},ipv6only=0,fork,reuseaddr`, `EXEC:/bin/echo ${p.name}`]);
      }
    }
    return netns;
  }

  /** A TCP server in the node's own network namespace (what a `nodes:` peer addresses), answering `answer`. */
  async listenOnNode(port: number, answer: string): Promise<void> {
    await must("docker", ["exec", "-d", this.id, "socat", `TCP6-LISTEN:${port},ipv6only=0,fork,reuseaddr`, `EXEC:/bin/echo ${answer}`]);
  }

  /** Routes another node's pod CIDRs via that node's container address (no NAT between pods). */
  async routeTo(podCIDRs: Partial<Record<"ipv4" | "ipv6", string>>, via4: string, via6: string): Promise<void> {
    const lines = [`route add ${podCIDRs.ipv4} via ${via4}`];
    if (via6 && podCIDRs.ipv6) lines.push(`route add ${podCIDRs.ipv6} via ${via6}`);
    await must("docker", ["exec", "-i", this.id, "ip", "-batch", "-"], lines.join("\n") + "\n");
  }

  /** nft -c then nft -f, both from stdin; returns the apply time in ms (docker exec included). */
  async load(script: string): Promise<number> {
    const check = await this.exec(["nft", "-c", "-f", "-"], script);
    if (check.code !== 0) throw new Error(`nft -c rejected the ruleset:\n${check.stderr}`);
    const started = Date.now();
    const apply = await this.exec(["nft", "-f", "-"], script);
    if (apply.code !== 0) throw new Error(`nft -f failed:\n${apply.stderr}`);
    return Date.now() - started;
  }

  async probe(netns: string, address: string, port: number, protocol: "TCP" | "UDP" = "TCP"): Promise<{ outcome: Outcome; backend?: string }> {
    // UDP has no retransmission: one datagram lost (to neighbour discovery on a fresh IPv6
    // path, say), or a reply later than socat's wait on a loaded machine, reads as a timeout.
    // Send it up to three times, as the probe agent retries (framework/probe/probe-core.ts); a
    // dropping path drops every one.
    let result = await this.probeOnce(netns, address, port, protocol);
    for (let attempt = 2; protocol === "UDP" && result.outcome === "timeout" && attempt <= 3; attempt++) {
      result = await this.probeOnce(netns, address, port, protocol);
    }
    return result;
  }

  private async probeOnce(netns: string, address: string, port: number, protocol: "TCP" | "UDP"): Promise<{ outcome: Outcome; backend?: string }> {
    const v6 = address.includes(":");
    const target = `${protocol}${v6 ? "6" : "4"}:${v6 ? `[${address}]` : address}:${port}`;
    const args = protocol === "TCP"
      ? ["ip", "netns", "exec", netns, "socat", "-T", "2", "-u", `${target},connect-timeout=1`, "STDOUT"]
      : ["ip", "netns", "exec", netns, "socat", "-T", "2", "-", target];
    const r = await this.exec(args, protocol === "UDP" ? "x\n" : undefined, 10_000);
    if (r.code === 0 && r.stdout.trim()) return { outcome: "connected", backend: r.stdout.trim() };
    if (/refused/i.test(r.stderr)) return { outcome: "refused" };
    if (/timed out|timeout/i.test(r.stderr) || (protocol === "UDP" && r.code === 0)) return { outcome: "timeout" };
    return { outcome: "error", backend: r.stderr.trim() };
  }
}

const SCENARIO = (resources: string) => `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: nft-kernel }
cluster:
  ipFamily: dual
  nodes: [ { name: node-a, zone: zone-a } ]
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: frontend, namespace: shop, labels: { app: frontend }, node: node-a, ports: [ { name: http, port: 80 } ] }
  - { name: api-0, namespace: shop, labels: { app: api, slot: a }, node: node-a, ports: [ { name: http, port: 8080 } ] }
  - { name: api-1, namespace: shop, labels: { app: api, slot: b }, node: node-a, ports: [ { name: http, port: 8080 } ] }
  - name: other
    namespace: ops
    labels: { app: other }
    node: node-a
    ports: [ { name: http, port: 80 }, { name: metrics, port: 9100 }, { name: stats, port: 5353, protocol: UDP } ]
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: api, namespace: shop }
    spec: { ipFamilyPolicy: RequireDualStack, selector: { app: api }, ports: [ { name: web, port: 80, targetPort: http } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: empty, namespace: shop }
    spec:
      ipFamilyPolicy: RequireDualStack
      selector: { app: nobody }
      ports: [ { name: web, port: 80 }, { name: dns, port: 53, protocol: UDP } ]
  - apiVersion: v1
    kind: Service
    metadata: { name: self, namespace: ops }
    spec: { ipFamilyPolicy: RequireDualStack, selector: { app: other }, ports: [ { port: 8000, targetPort: http } ] }
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: api-allow-frontend, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: api } }
      policyTypes: [ Ingress ]
      ingress: [ { from: [ { podSelector: { matchLabels: { app: frontend } } } ], ports: [ { port: http } ] } ]
${resources}`;

const ADMIN = `  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: { name: deny-frontend-to-b }
    spec:
      priority: 10
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { slot: b } } } }
      ingress: [ { action: Deny, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] } ]
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: AdminNetworkPolicy
    metadata: { name: allow-other-to-a }
    spec:
      priority: 20
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { slot: a } } } }
      ingress: [ { action: Allow, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ], ports: [ { namedPort: http } ] } ]
  - apiVersion: policy.networking.k8s.io/v1alpha1
    kind: BaselineAdminNetworkPolicy
    metadata: { name: default }
    spec:
      subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } }
      ingress: [ { action: Deny, from: [ { namespaces: {} } ] } ]
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: frontend-egress, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: frontend } }
      policyTypes: [ Egress ]
      egress: [ { to: [ { podSelector: { matchLabels: { app: api } } } ], ports: [ { port: http } ] } ]
`;

/**
 * ClusterNetworkPolicies over the same pods and NetworkPolicy (api admits the frontend on http):
 * each rule is there for one probe of the ClusterNetworkPolicy test below. `frontend` is the
 * frontend's addresses, for a `networks` peer that covers one pod.
 */
const CLUSTER_POLICIES = (frontend: { ipv4: string; ipv6: string }) => `  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: deny-frontend-to-b }
    spec:
      tier: Admin
      priority: 10
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { slot: b } } } }
      ingress: [ { action: Deny, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] } ]
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: api-pass-frontend }
    spec:
      tier: Admin
      priority: 20
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }
      ingress:
        - { action: Pass, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } } ] }
        - { action: Deny, from: [ { namespaces: {} } ] }
      egress:
        - action: Deny
          to: [ { nodes: { matchLabels: { kubernetes.io/hostname: node-a } } } ]
          protocols: [ { tcp: { destinationPort: { number: 7000 } } } ]
        - action: Deny
          to: [ { networks: [ ${frontend.ipv4}/32, "${frontend.ipv6}/128" ] } ]
          protocols: [ { tcp: { destinationPort: { number: 80 } } } ]
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: frontend-to-other }
    spec:
      tier: Admin
      priority: 30
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } }
      egress:
        - action: Accept
          to: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: other } } } } ]
          protocols:
            - { destinationNamedPort: http }
            - { tcp: { destinationPort: { range: { start: 9000, end: 9200 } } } }
            - { udp: { destinationPort: { number: 5353 } } }
        - { action: Deny, to: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ] }
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: api-baseline }
    spec:
      tier: Baseline
      priority: 10
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }
      ingress: [ { action: Deny, from: [ { namespaces: {} } ] } ]
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: other-baseline }
    spec:
      tier: Baseline
      priority: 20
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: other } } } }
      ingress:
        - { action: Pass, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { slot: b } } } } ] }
        - { action: Deny, from: [ { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } } ] }
`;

describe("nft rulesets in a real kernel @docker", function () {
  this.timeout(180_000);
  let node: TestNode | undefined;
  let netns = new Map<string, string>();
  const base = scenarioFromYaml(SCENARIO(""), "nft-kernel.yaml");
  const admin = scenarioFromYaml(SCENARIO(ADMIN), "nft-kernel-admin.yaml");
  const frontendIps = base.pods.find((p) => p.id === "shop/frontend")!.ips as { ipv4: string; ipv6: string };
  const cluster = scenarioFromYaml(SCENARIO(CLUSTER_POLICIES(frontendIps)), "nft-kernel-cnp.yaml");
  let nodeAddress = "";
  const pod = (id: string) => netns.get(id)!;
  const ip = (s: Scenario, id: string, f: "ipv4" | "ipv6") => s.pods.find((p) => p.id === id)!.ips[f]!;
  const svc = (s: Scenario, id: string, f: "ipv4" | "ipv6") => s.services.find((x) => x.id === id)!.clusterIPs[f]!;

  before(async function () {
    const image = await findImage();
    if (!image) { this.skip(); return; }
    node = await TestNode.start(image);
    netns = await node.wirePods(base, "node-a");
    [nodeAddress] = await node.addresses();
    await node.listenOnNode(7000, "node-a");
    await node.listenOnNode(7001, "node-a");
  });

  after(async () => {
    await node?.remove();
  });

  it("loads (nft -c, nft -f) and reloads idempotently", async () => {
    const script = compileNodeRuleset(base, "node-a");
    const ms = await node!.load(script);
    const first = (await node!.exec(["nft", "list", "table", "inet", "netspec"])).stdout;
    const again = await node!.load(script);
    const second = (await node!.exec(["nft", "list", "table", "inet", "netspec"])).stdout;
    assert.equal(second, first);
    assert.match(first, /chain ing-shop-api-0/);
    console.log(`      ruleset: ${script.split("\n").length} lines, applied in ${ms} ms and again in ${again} ms (docker exec included)`);
  });

  for (const f of ["ipv4", "ipv6"] as const) {
    it(`NetworkPolicy: default-deny + allow-from-frontend admits the frontend only (${f})`, async () => {
      await node!.load(compileNodeRuleset(base, "node-a"));
      const [fe, other, wrongPort, unpolicied] = await Promise.all([
        node!.probe(pod("shop/frontend"), ip(base, "shop/api-0", f), 8080),
        node!.probe(pod("ops/other"), ip(base, "shop/api-0", f), 8080),
        node!.probe(pod("shop/frontend"), ip(base, "shop/api-0", f), 9999),
        node!.probe(pod("shop/api-0"), ip(base, "ops/other", f), 80),
      ]);
      assert.deepEqual(fe, { outcome: "connected", backend: "api-0" });
      assert.deepEqual(other, { outcome: "timeout" }, "denied traffic is dropped");
      assert.deepEqual(wrongPort, { outcome: "timeout" }, "only the named port is allowed");
      assert.deepEqual(unpolicied, { outcome: "connected", backend: "other" });
    });

    it(`Service: the cluster IP DNATs to random ready backends, policy judged on the backend (${f})`, async () => {
      await node!.load(compileNodeRuleset(base, "node-a"));
      const seen = new Set<string>();
      for (let i = 0; i < 12 && seen.size < 2; i++) {
        const r = await node!.probe(pod("shop/frontend"), svc(base, "shop/api", f), 80);
        assert.equal(r.outcome, "connected", JSON.stringify(r));
        seen.add(r.backend!);
      }
      assert.deepEqual([...seen].sort(), ["api-0", "api-1"]);
      assert.deepEqual(await node!.probe(pod("ops/other"), svc(base, "shop/api", f), 80), { outcome: "timeout" });
    });

    it(`Service: no endpoints → refused (TCP reset; UDP port unreachable) (${f})`, async () => {
      await node!.load(compileNodeRuleset(base, "node-a"));
      assert.deepEqual(await node!.probe(pod("shop/frontend"), svc(base, "shop/empty", f), 80), { outcome: "refused" });
      assert.deepEqual(await node!.probe(pod("shop/frontend"), svc(base, "shop/empty", f), 53, "UDP"), { outcome: "refused" });
      assert.deepEqual(await node!.probe(pod("shop/frontend"), svc(base, "shop/api", f), 81), { outcome: "refused" }, "an undefined port of a cluster IP");
    });

    it(`Service: a pod reaches itself through its own Service (hairpin) (${f})`, async () => {
      await node!.load(compileNodeRuleset(base, "node-a"));
      assert.deepEqual(await node!.probe(pod("ops/other"), svc(base, "ops/self", f), 8000), { outcome: "connected", backend: "other" });
    });

    it(`AdminNetworkPolicy Deny/Allow over NetworkPolicy, BANP, egress named port (${f})`, async () => {
      await node!.load(compileNodeRuleset(admin, "node-a"));
      const [feA, feB, otherA, otherB, feOther, otherSelf, feSvc] = await Promise.all([
        node!.probe(pod("shop/frontend"), ip(admin, "shop/api-0", f), 8080),
        node!.probe(pod("shop/frontend"), ip(admin, "shop/api-1", f), 8080),
        node!.probe(pod("ops/other"), ip(admin, "shop/api-0", f), 8080),
        node!.probe(pod("ops/other"), ip(admin, "shop/api-1", f), 8080),
        node!.probe(pod("shop/api-0"), ip(admin, "ops/other", f), 80),
        node!.probe(pod("ops/other"), svc(admin, "ops/self", f), 8000),
        node!.probe(pod("shop/frontend"), svc(admin, "shop/api", f), 80),
      ]);
      assert.deepEqual(feA, { outcome: "connected", backend: "api-0" }, "NetworkPolicy allows");
      assert.deepEqual(feB, { outcome: "timeout" }, "ANP Deny wins over the NetworkPolicy allow");
      assert.deepEqual(otherA, { outcome: "connected", backend: "api-0" }, "ANP Allow wins over NetworkPolicy isolation");
      assert.deepEqual(otherB, { outcome: "timeout" }, "NetworkPolicy isolation");
      assert.deepEqual(feOther, { outcome: "timeout" }, "BANP Deny");
      assert.deepEqual(otherSelf, { outcome: "connected", backend: "other" }, "a pod always reaches itself");
      assert.ok(feSvc.outcome === "timeout" || feSvc.backend === "api-0", JSON.stringify(feSvc));
    });
  }

  for (const f of ["ipv4", "ipv6"] as const) {
    it(`ClusterNetworkPolicy: Admin Deny/Pass, Baseline Deny/Pass, networks, ports, UDP (${f})`, async () => {
      await node!.load(compileNodeRuleset(cluster, "node-a"));
      const other = ip(cluster, "ops/other", f);
      const [feA, feB, otherA, aOther, bOther, bFe, feHttp, feRange, feClosed, feUdp] = await Promise.all([
        node!.probe(pod("shop/frontend"), ip(cluster, "shop/api-0", f), 8080),
        node!.probe(pod("shop/frontend"), ip(cluster, "shop/api-1", f), 8080),
        node!.probe(pod("ops/other"), ip(cluster, "shop/api-0", f), 8080),
        node!.probe(pod("shop/api-0"), other, 80),
        node!.probe(pod("shop/api-1"), other, 80),
        node!.probe(pod("shop/api-1"), ip(cluster, "shop/frontend", f), 80),
        node!.probe(pod("shop/frontend"), other, 80),
        node!.probe(pod("shop/frontend"), other, 9100),
        node!.probe(pod("shop/frontend"), other, 81),
        node!.probe(pod("shop/frontend"), other, 5353, "UDP"),
      ]);
      assert.deepEqual(feA, { outcome: "connected", backend: "api-0" }, "Admin Pass → the NetworkPolicy allows; it overrides the Baseline Deny");
      assert.deepEqual(feB, { outcome: "timeout" }, "Admin Deny wins over the NetworkPolicy allow");
      assert.deepEqual(otherA, { outcome: "timeout" }, "Admin Deny after the Pass rule");
      assert.deepEqual(aOther, { outcome: "timeout" }, "Baseline Deny (no NetworkPolicy selects other)");
      assert.deepEqual(bOther, { outcome: "connected", backend: "other" }, "Baseline Pass → the default, allowed");
      assert.deepEqual(bFe, { outcome: "timeout" }, "a networks peer matches pod-to-pod traffic");
      assert.deepEqual(feHttp, { outcome: "connected", backend: "other" }, "destinationNamedPort http");
      assert.deepEqual(feRange, { outcome: "connected", backend: "other" }, "a tcp port range");
      assert.deepEqual(feClosed, { outcome: "timeout" }, "outside the Accept protocols: the Deny (dropped, not refused)");
      assert.deepEqual(feUdp, { outcome: "connected", backend: "other" }, "udp destinationPort");
      // Another UDP port of the same pod: no server there, so allowed would read `refused`.
      assert.deepEqual(await node!.probe(pod("shop/frontend"), other, 5354, "UDP"), { outcome: "timeout" }, "UDP outside the Accept: Deny");
    });
  }

  it("ClusterNetworkPolicy: a nodes peer matches the node's own address (input hook)", async () => {
    assert.ok(nodeAddress, "the node container has an IPv4 address");
    await node!.load(compileNodeRuleset(cluster, "node-a", { nodeAddresses: { "node-a": { ipv4: [nodeAddress] } } }));
    const [denied, otherPort, otherPod] = await Promise.all([
      node!.probe(pod("shop/api-0"), nodeAddress, 7000),
      node!.probe(pod("shop/api-0"), nodeAddress, 7001),
      node!.probe(pod("shop/frontend"), nodeAddress, 7000),
    ]);
    assert.deepEqual(denied, { outcome: "timeout" }, "Deny to nodes kubernetes.io/hostname=node-a on tcp 7000");
    assert.deepEqual(otherPort, { outcome: "connected", backend: "node-a" });
    assert.deepEqual(otherPod, { outcome: "connected", backend: "node-a" }, "the frontend is not the subject");
  });

  it("ClusterNetworkPolicy control: without the table, the probes denied above connect or are refused", async () => {
    const r = await node!.exec(["nft", "-f", "-"], "add table inet netspec\ndelete table inet netspec\n");
    assert.equal(r.code, 0, r.stderr);
    for (const f of ["ipv4", "ipv6"] as const) {
      const other = ip(cluster, "ops/other", f);
      assert.deepEqual(await node!.probe(pod("shop/frontend"), ip(cluster, "shop/api-1", f), 8080), { outcome: "connected", backend: "api-1" }, f);
      assert.deepEqual(await node!.probe(pod("shop/api-1"), ip(cluster, "shop/frontend", f), 80), { outcome: "connected", backend: "frontend" }, f);
      assert.deepEqual(await node!.probe(pod("shop/api-0"), other, 80), { outcome: "connected", backend: "other" }, f);
      assert.deepEqual(await node!.probe(pod("shop/frontend"), other, 81), { outcome: "refused" }, f);
      assert.deepEqual(await node!.probe(pod("shop/frontend"), other, 5354, "UDP"), { outcome: "refused" }, f);
    }
    assert.deepEqual(await node!.probe(pod("shop/api-0"), nodeAddress, 7000), { outcome: "connected", backend: "node-a" });
  });

  it("removes the table cleanly; without it every probe above connects (the control)", async () => {
    const r = await node!.exec(["nft", "-f", "-"], "add table inet netspec\ndelete table inet netspec\n");
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch((await node!.exec(["nft", "list", "tables"])).stdout, /netspec/);
    for (const f of ["ipv4", "ipv6"] as const) {
      assert.deepEqual(await node!.probe(pod("ops/other"), ip(base, "shop/api-0", f), 8080), { outcome: "connected", backend: "api-0" });
      assert.deepEqual(await node!.probe(pod("ops/other"), ip(admin, "shop/api-1", f), 8080), { outcome: "connected", backend: "api-1" });
      assert.deepEqual(await node!.probe(pod("shop/frontend"), ip(base, "shop/api-0", f), 9999), { outcome: "refused" });
    }
  });
});

const CROSS = `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: nft-cross-node }
cluster:
  ipFamily: dual
  nodes: [ { name: node-a }, { name: node-b } ]
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: frontend, namespace: shop, labels: { app: frontend }, node: node-a, ports: [ { name: http, port: 80 } ] }
  - { name: other, namespace: ops, labels: { app: other }, node: node-a, ports: [ { name: http, port: 80 } ] }
  - { name: api-0, namespace: shop, labels: { app: api }, node: node-b, ports: [ { name: http, port: 8080 } ] }
  - { name: api-1, namespace: shop, labels: { app: api }, node: node-b, ports: [ { name: http, port: 8080 } ] }
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: api, namespace: shop }
    spec: { ipFamilyPolicy: RequireDualStack, selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: api-local, namespace: shop }
    spec: { ipFamilyPolicy: RequireDualStack, internalTrafficPolicy: Local, selector: { app: api }, ports: [ { port: 80, targetPort: http } ] }
  - apiVersion: v1
    kind: Service
    metadata: { name: other, namespace: ops }
    spec: { type: NodePort, ipFamilyPolicy: RequireDualStack, selector: { app: other }, ports: [ { port: 80, nodePort: 30080 } ] }
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: api, namespace: shop }
    spec:
      podSelector: { matchLabels: { app: api } }
      policyTypes: [ Ingress, Egress ]
      ingress: [ { from: [ { podSelector: { matchLabels: { app: frontend } } } ], ports: [ { port: http } ] } ]
`;

describe("nft rulesets across two nodes @docker", function () {
  this.timeout(180_000);
  const s = scenarioFromYaml(CROSS, "nft-cross-node.yaml");
  const nodes = new Map<string, TestNode>();
  const netns = new Map<string, { node: TestNode; ns: string }>();
  let network: string | undefined;
  let families: ("ipv4" | "ipv6")[] = ["ipv4"];
  let nodeB4 = "", nodeB6 = "";
  const ip = (id: string, f: "ipv4" | "ipv6") => s.pods.find((p) => p.id === id)!.ips[f]!;
  const svc = (id: string, f: "ipv4" | "ipv6") => s.services.find((x) => x.id === id)!.clusterIPs[f]!;
  const probe = (from: string, address: string, port: number) => netns.get(from)!.node.probe(netns.get(from)!.ns, address, port);

  before(async function () {
    const image = await findImage();
    if (!image) { this.skip(); return; }
    const name = `netspec-nfttest-${process.pid}-${randomBytes(3).toString("hex")}`;
    const ula = `fd${randomBytes(1).toString("hex")}:${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}::/64`;
    const v6 = await run("docker", ["network", "create", "--label", "netspec.test=nft", "--ipv6", "--subnet", ula, name]);
    if (v6.code === 0) families = ["ipv4", "ipv6"];
    else await must("docker", ["network", "create", "--label", "netspec.test=nft", name]);
    network = name;
    console.log(`      cross-node families: ${families.join(", ")}`);
    for (const n of s.nodes) nodes.set(n.name, await TestNode.start(image, network));
    const addresses = new Map<string, [string, string]>();
    for (const [n, node] of nodes) addresses.set(n, await node.addresses());
    [nodeB4, nodeB6] = addresses.get("node-b")!;
    for (const n of s.nodes) {
      const node = nodes.get(n.name)!;
      for (const [id, ns] of await node.wirePods(s, n.name)) netns.set(id, { node, ns });
      for (const peer of s.nodes.filter((x) => x.name !== n.name)) {
        const [v4, v6addr] = addresses.get(peer.name)!;
        await node.routeTo(peer.podCIDRs, v4, families.includes("ipv6") ? v6addr : "");
      }
      await node.load(compileNodeRuleset(s, n.name));
    }
  });

  after(async () => {
    for (const node of nodes.values()) await node.remove();
    if (network) await run("docker", ["network", "rm", network]).catch(() => undefined);
  });

  it("ingress is enforced on the destination's node, egress on the source's node", async () => {
    for (const f of families) {
      assert.deepEqual(await probe("shop/frontend", ip("shop/api-0", f), 8080), { outcome: "connected", backend: "api-0" }, f);
      assert.deepEqual(await probe("ops/other", ip("shop/api-1", f), 8080), { outcome: "timeout" }, f);
      assert.deepEqual(await probe("shop/api-0", ip("ops/other", f), 80), { outcome: "timeout" }, `${f}: api egress is isolated`);
      assert.deepEqual(await probe("shop/frontend", ip("ops/other", f), 80), { outcome: "connected", backend: "other" }, f);
    }
  });

  it("a cluster IP is translated on the client's node to a backend on another node", async () => {
    for (const f of families) {
      const r = await probe("shop/frontend", svc("shop/api", f), 80);
      assert.equal(r.outcome, "connected", `${f}: ${JSON.stringify(r)}`);
      assert.match(r.backend!, /^api-[01]$/);
      assert.deepEqual(await probe("ops/other", svc("shop/api", f), 80), { outcome: "timeout" }, f);
    }
  });

  it("internalTrafficPolicy Local without a local endpoint drops", async () => {
    for (const f of families) assert.deepEqual(await probe("shop/frontend", svc("shop/api-local", f), 80), { outcome: "timeout" }, f);
  });

  it("ClusterNetworkPolicy: a nodes peer matches another node's address (forward path)", async () => {
    const withCnp = scenarioFromYaml(CROSS + `
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: frontend-not-to-node-b }
    spec:
      tier: Admin
      priority: 10
      subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: frontend } } } }
      egress: [ { action: Deny, to: [ { nodes: { matchLabels: { kubernetes.io/hostname: node-b } } } ] } ]
`, "nft-cross-node-cnp.yaml");
    const nodeB = nodes.get("node-b")!;
    await nodeB.listenOnNode(7000, "node-b");
    const nodeAddresses = { "node-b": { ipv4: [nodeB4], ...(families.includes("ipv6") && nodeB6 ? { ipv6: [nodeB6] } : {}) } };
    await nodes.get("node-a")!.load(compileNodeRuleset(withCnp, "node-a", { nodeAddresses }));
    try {
      for (const address of [nodeB4, ...(families.includes("ipv6") && nodeB6 ? [nodeB6] : [])]) {
        assert.deepEqual(await probe("shop/frontend", address, 7000), { outcome: "timeout" }, address);
        assert.deepEqual(await probe("ops/other", address, 7000), { outcome: "connected", backend: "node-b" }, address);
      }
    } finally {
      await nodes.get("node-a")!.load(compileNodeRuleset(s, "node-a"));
    }
    assert.deepEqual(await probe("shop/frontend", nodeB4, 7000), { outcome: "connected", backend: "node-b" }, "the control");
  });

  it("NodePort on another node reaches the backend back on this node (masqueraded)", async () => {
    assert.deepEqual(await probe("shop/frontend", nodeB4, 30080), { outcome: "connected", backend: "other" });
    if (families.includes("ipv6") && nodeB6) {
      assert.deepEqual(await probe("shop/frontend", nodeB6, 30080), { outcome: "connected", backend: "other" });
    }
  });
});
