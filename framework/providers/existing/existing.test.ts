// The existing-cluster provider against the stand-in kubectl (fixtures/fake-bin): run-unique
// namespaces mapped back to the scenario's names, permission check, placement, label-scoped
// teardown.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EnvironmentError } from "../../runner/provider.js";
import { run } from "../../runner/run.js";
import { scenarioFromYaml } from "../../scenario/build.js";
import { fakeWorld, OPEN_SCENARIO, openScenario, type FakeWorld } from "../kube/fake-tools.test-helpers.js";
import type { KubeProviderOptions } from "../kube/options.js";
import { placeNodes, type RealNode } from "./placement.js";
import { ExistingProvider } from "./provider.js";

describe("existing provider (stand-in kubectl)", function () {
  this.timeout(30_000);
  let world: FakeWorld;
  let kubeconfig: string;
  beforeEach(() => {
    world = fakeWorld();
    // "Somebody's cluster": three workers, zones a, b, b.
    const config = path.join(world.dir, "cluster.yaml");
    fs.writeFileSync(config, `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - { role: worker, labels: { topology.kubernetes.io/zone: zone-a } }
  - { role: worker, labels: { topology.kubernetes.io/zone: zone-b } }
  - { role: worker, labels: { topology.kubernetes.io/zone: zone-b } }
`);
    kubeconfig = path.join(world.dir, "kubeconfig");
    execFileSync(world.env.NETSPEC_KIND!, ["create", "cluster", "--name", "staging", "--config", config, "--kubeconfig", kubeconfig], { env: world.env, stdio: "ignore" });
    fs.writeFileSync(world.env.FAKE_K8S_LOG!, "");
  });
  afterEach(() => world.cleanup());
  const provider = (options: KubeProviderOptions = {}) => new ExistingProvider({ kubeconfig, env: world.env, pollMs: 20, readyTimeoutMs: 3000, ...options });

  it("runs in run-unique namespaces, reports the scenario's names, deletes only what carries its run label", async () => {
    const results = await run([openScenario()], { provider: provider(), convergeMs: 0, runId: "e1" });
    const s = results.scenarios[0]!;
    assert.equal(s.status, "passed", JSON.stringify(s.error ?? s.cells));
    assert.ok(s.cells.every((c) => /^(shop|ops)\//.test(c.from)), "reports keep the scenario's names");
    assert.equal(s.cells.find((c) => c.to === "svc/shop/web")!.backend, "shop/web");
    const kubectl = world.commands("kubectl");
    const execs = kubectl.filter((c) => c.startsWith("exec"));
    assert.equal(execs.length, 2);
    assert.ok(execs.every((c) => /-n (shop|ops)-[0-9a-f]{6} /.test(c)), execs.join("\n"));
    const deletes = kubectl.filter((c) => c.startsWith("delete"));
    assert.ok(deletes.length > 0 && deletes.every((c) => / -l netspec\.io\/run=e1-0( |$)/.test(c)), deletes.join("\n"));
    assert.ok(world.calls().every((c) => c.tool !== "kind"), "never touches kind");
    assert.ok(world.calls().filter((c) => c.tool === "kubectl").every((c) => c.argv.includes("--kubeconfig") || c.argv[0] === "version"));
  });

  it("Layer 7: installs once, maps the namespaces Gateway API references name, probes through the Gateway; teardown keeps what --install made", async () => {
    const install = path.resolve("fixtures/layer7/install/fake-gateway.yaml");
    const scenario = scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-and-ingress.yaml", "utf8"), "l7.yaml");
    const second = { ...scenario, name: "layer7-again" };
    const results = await run([scenario, second], {
      provider: provider({ gatewayClass: "fake-gw", ingressClass: "fake-ingress", install, layer7TimeoutMs: 1000 }), convergeMs: 0, runId: "e7",
    });
    assert.equal(world.commands("kubectl").filter((c) => c === `apply --server-side -f ${install}`).length, 1, "installed once for the run");
    const applied = world.calls().filter((c) => c.tool === "kubectl" && c.argv.includes("apply"));
    assert.ok(applied.length > 0);
    for (const s of results.scenarios) {
      const http = s.cells.filter((c) => c.target === "http");
      assert.equal(http.length, 4, s.error);
      // The external client is kind's (this cluster has none netspec could start).
      for (const c of http) {
        if (c.from === "external") assert.match(c.detail ?? "", /^external: this provider has no client outside the cluster network/);
        else assert.equal(c.skipped ?? false, false, c.detail);
      }
    }
    // The route's parentRef and its Gateway live in run-suffixed namespaces: the reference followed them.
    const state = JSON.parse(fs.readFileSync(path.join(world.dir, "state", "clusters", "staging.json"), "utf8"));
    const asked = world.commands("kubectl").filter((c) => /^auth can-i create httproute\.gateway\.networking\.k8s\.io/.test(c));
    assert.ok(asked.length > 0, "the permission to create HTTPRoutes is checked");
    assert.ok(state.objects.some((o: { kind: string; metadata: { name: string } }) => o.kind === "GatewayClass" && o.metadata.name === "fake-gw"), "what --install created stays");
    assert.ok(!state.objects.some((o: { kind: string }) => o.kind === "HTTPRoute"), "the scenario's routes went with its namespaces");
  });

  it("Layer 7: the route's references follow the run's namespaces", async () => {
    const scenario = scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-and-ingress.yaml", "utf8"), "l7.yaml");
    const p = provider({ gatewayClass: "fake-gw", install: path.resolve("fixtures/layer7/install/fake-gateway.yaml"), layer7TimeoutMs: 1000 });
    await p.preflight();
    const cluster = await p.provision(scenario, { runId: "e8", log: () => undefined });
    try {
      await cluster.apply(scenario);
      const state = JSON.parse(fs.readFileSync(path.join(world.dir, "state", "clusters", "staging.json"), "utf8"));
      const route = state.objects.find((o: { kind: string }) => o.kind === "HTTPRoute");
      const gateway = state.objects.find((o: { kind: string }) => o.kind === "Gateway");
      assert.match(route.metadata.namespace, /^apps-[0-9a-f]{6}$/);
      assert.match(gateway.metadata.namespace, /^infra-[0-9a-f]{6}$/);
      assert.equal(route.spec.parentRefs[0].namespace, gateway.metadata.namespace);
      assert.equal(gateway.spec.gatewayClassName, "fake-gw");
    } finally { await cluster.destroy(); }
  });

  it("refuses to start without the permissions it needs, listing them", async () => {
    world.env.FAKE_KUBECTL_DENY = "create pods/exec,list nodes";
    await assert.rejects(() => provider().preflight(), (e: Error) => {
      assert.ok(e instanceof EnvironmentError);
      assert.match(e.message, /lacks permissions on the cluster \(--kubeconfig .*\): list nodes, create pods\/exec$/);
      return true;
    });
  });

  it("skips a scenario that needs more zones or nodes than the cluster has, with the reason", async () => {
    const zones = scenarioFromYaml(OPEN_SCENARIO.replace("- { name: node-b, zone: zone-b }", "- { name: node-b, zone: zone-c }"), "z.yaml");
    const results = await run([zones], { provider: provider(), runId: "e2" });
    const s = results.scenarios[0]!;
    assert.ok(s.cells.length > 0 && s.cells.every((c) => c.skipped && /zone zone-c.*zones: zone-a, zone-b/.test(c.detail ?? "")), JSON.stringify(s.cells[0]));
    assert.ok(!world.commands("kubectl").some((c) => c.startsWith("apply")), "nothing created");
    const many = scenarioFromYaml(OPEN_SCENARIO.replace("- { name: node-b, zone: zone-b }", "- { name: node-b }\n    - { name: node-c }\n    - { name: node-d }"), "m.yaml");
    const r2 = await run([many], { provider: provider(), runId: "e3" });
    assert.match(r2.scenarios[0]!.cells[0]!.detail ?? "", /needs 4 schedulable nodes; the cluster has 3/);
  });

  it("skips every cell, with the reason, when the cluster does not serve ClusterNetworkPolicy, and still cleans up", async () => {
    const cnp = `
  - apiVersion: policy.networking.k8s.io/v1alpha2
    kind: ClusterNetworkPolicy
    metadata: { name: deny-ops }
    spec:
      tier: Admin
      priority: 1
      subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: shop } } }
      ingress: [ { action: Deny, from: [ { namespaces: { matchLabels: { kubernetes.io/metadata.name: ops } } } ] } ]
probe:`;
    const scenario = scenarioFromYaml(OPEN_SCENARIO.replace("\nprobe:", cnp), "cnp.yaml");
    assert.equal(scenario.clusterNetworkPolicies.length, 1);
    const results = await run([scenario], { provider: provider(), convergeMs: 0, runId: "e4" });
    const s = results.scenarios[0]!;
    assert.ok(s.cells.length > 0);
    for (const cell of s.cells) {
      assert.equal(cell.skipped, true);
      assert.match(cell.detail ?? "", /does not serve ClusterNetworkPolicy \(policy\.networking\.k8s\.io\/v1alpha2\); install the network-policy-api CRDs/);
    }
    assert.equal(results.summary.passed, 0);
    assert.equal(results.summary.skipped, s.cells.length);
    assert.ok(world.commands("kubectl").some((c) => c.startsWith("delete namespaces")), "what was created is deleted");
  });

  it("maps the namespace a DNS name spells; skips SRV names and pod and endpoint records, with the reason", async () => {
    const named = `
expect:
  rules:
    - { from: ops/client, to: dns/web.shop, result: allow }
    - { from: ops/client, to: dns/_http._tcp.web.shop, result: allow }
    - { from: ops/client, to: dns/10-244-0-2.shop.pod, result: allow }
    - { from: ops/client, to: dns/w.web.shop, result: undefined }
`;
    const withHostname = OPEN_SCENARIO.replace("labels: { app: web },", "labels: { app: web }, hostname: w, subdomain: web,");
    const results = await run([scenarioFromYaml(`${withHostname}${named}`, "named.yaml")], { provider: provider(), convergeMs: 0, runId: "e6" });
    const cells = results.scenarios[0]!.cells.filter((c) => c.from === "ops/client" && !c.to.endsWith(".svc.cluster.local"));
    const byTo = (to: string) => cells.filter((c) => c.to === to);
    // The stand-in resolves SERVICE.NAMESPACE of its own namespaces only: the run's, not the scenario's.
    assert.ok(byTo("dns/web.shop").length > 0 && byTo("dns/web.shop").every((c) => c.observed === "connected" && c.match), JSON.stringify(byTo("dns/web.shop")));
    assert.match(byTo("dns/_http._tcp.web.shop")[0]!.detail ?? "", /is an SRV name: agnhost connect looks names up as A\/AAAA only/);
    assert.match(byTo("dns/10-244-0-2.shop.pod")[0]!.detail ?? "", /is a pod record of a planned address/);
    assert.match(byTo("dns/w.web.shop")[0]!.detail ?? "", /names an endpoint by hostname or planned address/);
    for (const to of ["dns/_http._tcp.web.shop", "dns/10-244-0-2.shop.pod", "dns/w.web.shop"]) assert.ok(byTo(to).length > 0 && byTo(to).every((c) => c.skipped), to);
  });

  it("places scenario nodes by --node-map", async () => {
    const results = await run([openScenario()], {
      provider: provider({ nodeMap: { "node-a": "staging-worker", "node-b": "staging-worker3" } }), convergeMs: 0, runId: "e4",
    });
    assert.equal(results.scenarios[0]!.status, "passed");
    const applied = world.calls().filter((c) => c.tool === "kubectl" && c.argv.includes("apply"));
    assert.ok(applied.length >= 3);
    const bad = await run([openScenario()], { provider: provider({ nodeMap: { "node-a": "staging-worker", "node-b": "nope" } }), runId: "e5" });
    assert.match(bad.scenarios[0]!.cells[0]!.detail ?? "", /the cluster has no node nope/);
  });
});

describe("existing provider: placement", () => {
  const node = (name: string, zone?: string, schedulable = true): RealNode => ({ name, hostname: name, zone, schedulable });
  const scenarioNodes = (specs: { name: string; zone?: string }[]) => specs.map((s, index) => ({ ...s, index, labels: {}, podCIDRs: {}, ips: {} }));

  it("puts each scenario node on its own real node, zones first, skipping cordoned nodes", () => {
    const placed = placeNodes(scenarioNodes([{ name: "a" }, { name: "b", zone: "z1" }]), [node("n1", "z1"), node("n2", "z2"), node("n0", "z1", false)]);
    assert.ok("nodes" in placed);
    assert.equal(placed.nodes.get("b")!.name, "n1");
    assert.equal(placed.nodes.get("a")!.name, "n2");
  });

  it("says what is missing", () => {
    const p = placeNodes(scenarioNodes([{ name: "a", zone: "z1" }, { name: "b", zone: "z1" }]), [node("n1", "z1"), node("n2", "z2")]);
    assert.ok("skip" in p && /needs 2 schedulable node\(s\) in zone z1; the cluster has 1/.test(p.skip));
    const m = placeNodes(scenarioNodes([{ name: "a", zone: "z1" }]), [node("n2", "z2")], { a: "n2" });
    assert.ok("skip" in m && /zone z1, node n2 is in z2/.test(m.skip));
  });
});
