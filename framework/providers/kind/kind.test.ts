// The kind provider's orchestration, end to end through the runner, with stand-in kind, kubectl
// and docker on PATH (fixtures/fake-bin) that record their calls and answer as the real tools.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { EnvironmentError } from "../../runner/provider.js";
import { run } from "../../runner/run.js";
import { fakeWorld, OPEN_SCENARIO, openScenario, type FakeWorld } from "../kube/fake-tools.test-helpers.js";
import type { KubeProviderOptions } from "../kube/options.js";
import { scenarioFromYaml } from "../../scenario/build.js";
import { KindProvider } from "./provider.js";

const FAST = { pollMs: 20, readyTimeoutMs: 3000, cniTimeoutMs: 1500 };

describe("kind provider: orchestration (stand-in kind/kubectl)", function () {
  this.timeout(30_000);
  let world: FakeWorld;
  afterEach(() => world?.cleanup());

  const provider = (options: KubeProviderOptions = {}) => new KindProvider({ ...FAST, env: world.env, reportDir: path.join(world.dir, "out"), ...options });

  it("creates, loads the image once, applies, waits, probes with one exec per source pod, deletes", async () => {
    world = fakeWorld();
    const results = await run([openScenario()], { provider: provider(), convergeMs: 0, runId: "t1" });
    const scenario = results.scenarios[0]!;
    assert.equal(scenario.status, "passed", JSON.stringify(scenario.error ?? scenario.cells.filter((c) => !c.match)));
    assert.equal(scenario.cells.length, 8);
    assert.ok(scenario.cells.every((c) => c.observed === "connected"));
    assert.equal(scenario.cells.find((c) => c.to === "svc/shop/web")!.backend, "shop/web", "the answering pod, by its hostname");
    const kind = world.commands("kind");
    const create = kind.findIndex((c) => c.startsWith("create cluster"));
    const load = kind.findIndex((c) => c.startsWith("load docker-image"));
    const del = kind.findIndex((c) => c.startsWith("delete cluster"));
    assert.ok(create >= 0 && create < load && load < del, kind.join("\n"));
    assert.equal(kind.filter((c) => c.startsWith("load docker-image")).length, 1);
    assert.match(kind[load]!, /-- registry\.k8s\.io\/e2e-test-images\/agnhost:/);
    const kubectl = world.commands("kubectl");
    const execs = kubectl.filter((c) => c.startsWith("exec"));
    assert.deepEqual(execs.sort(), ["exec -i -n ops client -c netspec", "exec -i -n shop web -c netspec"], "ONE exec per source pod");
    assert.equal(world.calls().filter((c) => c.argv.includes("exec")).reduce((n, c) => n + (c.stdinLines ?? 0), 0), 8, "every cell went through stdin");
    assert.ok(kubectl.filter((c) => c.startsWith("apply")).length >= 3, "namespaces, pods, resources");
    assert.ok(kubectl.some((c) => c.startsWith("get endpointslices")), "readiness waits for EndpointSlices");
    assert.deepEqual(world.clusters(), [], "the cluster is gone");
  });

  it("reports the real pod and Service IPs (the runner re-runs the oracle with them)", async () => {
    world = fakeWorld();
    const p = provider();
    await p.preflight();
    const cluster = await p.provision(openScenario(), { runId: "t2", log: () => undefined });
    try {
      await cluster.apply(openScenario());
      const actual = await cluster.actualAddresses!();
      assert.match(actual.pods["shop/web"]!.ipv4!, /^10\.244\.\d+\.\d+$/);
      assert.match(actual.services["shop/web"]!.ipv4!, /^10\.96\.0\.\d+$/);
      assert.equal(actual.services["kube-system/kube-dns"]!.ipv4, "10.96.0.10");
      assert.ok(actual.pods["kube-system/coredns"], "the cluster DNS pod");
    } finally { await cluster.destroy(); }
  });

  it("node ports from pods and from the external client on kind's network, which is removed afterwards", async () => {
    world = fakeWorld();
    const scenario = scenarioFromYaml(`apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: north-south }
namespaces: [ { name: shop } ]
pods:
  - { name: web, namespace: shop, labels: { app: web }, node: node-a, ports: [ { name: http, port: 80 } ] }
  - { name: client, namespace: shop, node: node-b }
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
    spec: { type: NodePort, selector: { app: web }, ports: [ { name: http, port: 80, targetPort: http, nodePort: 30080 } ] }
probe: { from: [external, shop/client, node/node-a], to: [nodeports] }
`, "north-south.yaml");
    const results = await run([scenario], { provider: provider(), convergeMs: 0, runId: "t9" });
    const cells = results.scenarios[0]!.cells;
    const cell = (from: string, to: string) => cells.find((c) => c.from === from && c.to === to)!;
    for (const from of ["external", "shop/client"]) {
      for (const node of ["node-a", "node-b"]) {
        const c = cell(from, `nodeport/shop/web@${node}`);
        assert.equal(c.observed, "connected", `${from} -> ${node}: ${c.detail ?? ""}`);
        assert.equal(c.backend, "shop/web");
      }
    }
    assert.equal(cell("node/node-a", "nodeport/shop/web@node-a").observed, "skipped");
    assert.match(cell("node/node-a", "nodeport/shop/web@node-a").detail!, /node\/NAME and external\/IP clients are the local provider's/);
    const docker = world.commands("docker");
    assert.ok(docker.some((c) => /^run --detach --name netspec-outside-\w+ --network kind .*--label netspec\.io\/outside-of=netspec-\w+ .*agnhost.* pause$/.test(c)), docker.join("\n"));
    assert.equal(docker.filter((c) => c.startsWith("exec -i netspec-outside-")).length, 1, "one exec for the external client's cells");
    assert.ok(docker.some((c) => /^rm --force netspec-outside-/.test(c)), "removed at teardown");
  });

  it("kind missing: environment error naming it", async () => {
    world = fakeWorld({ NETSPEC_KIND: "/nonexistent/kind" });
    await assert.rejects(() => provider().preflight(), (e: Error) => e instanceof EnvironmentError && /needs 'kind'/.test(e.message));
  });

  it("the agnhost image cannot be pulled: environment error with the reason", async () => {
    world = fakeWorld({ FAKE_DOCKER_NO_IMAGE: "1", FAKE_DOCKER_PULL_FAIL: "1" });
    await assert.rejects(() => provider().preflight(), (e: Error) => e instanceof EnvironmentError && /could not be pulled.*no such host/s.test(e.message));
  });

  it("create fails: environment error, nothing left behind", async () => {
    world = fakeWorld({ FAKE_KIND_CREATE_FAIL: "1" });
    await assert.rejects(() => run([openScenario()], { provider: provider(), runId: "t3" }),
      (e: Error) => e instanceof EnvironmentError && /could not create cluster.*kubeadm init/s.test(e.message));
    assert.deepEqual(world.clusters(), []);
    assert.ok(world.commands("kind").some((c) => c.startsWith("delete cluster")));
  });

  it("CNI never ready: clear timeout message, node logs exported, cluster deleted", async () => {
    world = fakeWorld({ FAKE_CNI_NEVER_READY: "1" });
    const cni = path.join(world.dir, "cni.yaml");
    fs.writeFileSync(cni, "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: fake-cni, namespace: kube-system }\n");
    await assert.rejects(() => run([openScenario()], { provider: provider({ cni }), runId: "t4" }), (e: Error) => {
      assert.ok(e instanceof EnvironmentError);
      assert.match(e.message, /the cluster with the CNI from .*cni\.yaml did not become ready within 2 s/);
      assert.match(e.message, /not Ready \(container runtime network not ready/);
      assert.match(e.message, /fake-cni-node-0 not Ready \(Running, CrashLoopBackOff\)/);
      assert.match((e as EnvironmentError).hint ?? "", /kind-logs/);
      return true;
    });
    assert.ok(fs.existsSync(path.join(world.dir, "out", "diagnostics", "open-cluster", "kind-logs", "kind-version.txt")));
    const kind = world.commands("kind");
    assert.ok(kind.some((c) => c.startsWith("export logs")) && kind.some((c) => c.startsWith("delete cluster")));
    const config = world.calls().find((c) => c.tool === "kind" && c.argv[0] === "create");
    assert.ok(config, "created with a config");
    assert.ok(world.commands("kubectl").some((c) => c === `apply -f ${cni}`), "the CNI manifest applied");
    assert.deepEqual(world.clusters(), []);
  });

  it("a CNI install script runs with KUBECONFIG pointing at the cluster", async () => {
    world = fakeWorld();
    const script = path.join(world.dir, "install-cni.sh");
    const manifest = path.join(world.dir, "cni.yaml");
    fs.writeFileSync(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cni, namespace: kube-system }\n");
    fs.writeFileSync(script, `#!/bin/sh\necho "$NETSPEC_CLUSTER_NAME $NETSPEC_IP_FAMILY" > "${world.dir}/script-ran"\nexec kubectl apply -f "${manifest}"\n`, { mode: 0o755 });
    const results = await run([openScenario()], { provider: provider({ cni: script }), convergeMs: 0, runId: "t5" });
    assert.equal(results.scenarios[0]!.status, "passed");
    assert.match(fs.readFileSync(path.join(world.dir, "script-ran"), "utf8"), /^netspec-[0-9a-f]+ ipv4/);
  });

  it("exec fails: retried once, then an environment error naming the pod; cluster deleted", async () => {
    world = fakeWorld({ FAKE_EXEC_FAIL: "1" });
    await assert.rejects(() => run([openScenario()], { provider: provider(), convergeMs: 0, runId: "t6" }),
      (e: Error) => e instanceof EnvironmentError && /probing from (shop\/web|ops\/client) failed: kubectl exec exit 1: .*container not found/.test(e.message));
    assert.equal(world.commands("kubectl").filter((c) => c.startsWith("exec")).length >= 2, true);
    assert.deepEqual(world.clusters(), []);
  });

  it("pods never ready: the scenario errors saying which pod and why, the cluster is deleted", async () => {
    world = fakeWorld({ FAKE_PODS_NEVER_READY: "1" });
    const results = await run([openScenario()], { provider: provider({ readyTimeoutMs: 300 }), runId: "t7" });
    const s = results.scenarios[0]!;
    assert.equal(s.status, "error");
    assert.match(s.error!, /shop\/web: Pending, ImagePullBackOff/);
    assert.match(s.error!, /agnhost image/);
    assert.deepEqual(world.clusters(), []);
  });

  it("--cluster-name --keep: the next run reuses the cluster and only resets namespaces", async () => {
    world = fakeWorld();
    const keep = { clusterName: "netspec-ci", keep: true };
    const first = await run([openScenario()], { provider: provider(keep), convergeMs: 0, runId: "k1" });
    assert.equal(first.scenarios[0]!.status, "passed");
    assert.deepEqual(world.clusters(), ["netspec-ci"], "kept");
    const second = await run([openScenario()], { provider: provider(keep), convergeMs: 0, runId: "k2" });
    assert.equal(second.scenarios[0]!.status, "passed");
    const kind = world.commands("kind");
    assert.equal(kind.filter((c) => c.startsWith("create cluster")).length, 1, "created once");
    assert.ok(world.commands("kubectl").some((c) => c.startsWith("delete namespaces -l app.kubernetes.io/managed-by=netspec")), "reset");
    // Another shape gets its own cluster.
    const dual = openScenario();
    const ipv6 = (await import("../../scenario/build.js")).scenarioFromYaml(OPEN_SCENARIO.replace("cluster:\n", "cluster:\n  ipFamily: dual\n"), "dual.yaml");
    assert.notEqual(dual.ipFamily, ipv6.ipFamily);
    await run([ipv6], { provider: provider(keep), convergeMs: 0, runId: "k3" });
    assert.equal(world.clusters().length, 2);
    assert.ok(world.clusters().some((c) => /^netspec-ci-[0-9a-f]{6}$/.test(c)));
  });

  it("an external client whose cluster is gone is removed by the next run's cleanup", async () => {
    world = fakeWorld();
    const containers = path.join(world.dir, "state", "containers");
    fs.mkdirSync(containers, { recursive: true });
    fs.writeFileSync(path.join(containers, "netspec-outside-old.json"), JSON.stringify({ name: "netspec-outside-old", network: "kind", labels: { "netspec.io/outside-of": "netspec-gone" } }));
    await provider().cleanupStale();
    assert.ok(world.commands("docker").includes("rm --force netspec-outside-old"));
    assert.equal(fs.readdirSync(containers).length, 0);
  });

  it("a cluster left by a killed run is found by name and removed", async () => {
    world = fakeWorld();
    const p = provider();
    await p.preflight();
    // A run that was SIGKILLed: its cluster exists, its owner record names a dead process.
    const cluster = await p.provision(openScenario(), { runId: "dead", log: () => undefined });
    const [name] = world.clusters();
    const ownerFile = path.join(world.env.NETSPEC_STATE_DIR!, "kind-clusters", `${name}.json`);
    const record = JSON.parse(fs.readFileSync(ownerFile, "utf8"));
    fs.writeFileSync(ownerFile, JSON.stringify({ ...record, owner: `${record.owner.split(":")[0]}:999999999:0` }));
    await p.cleanupStale();
    assert.deepEqual(world.clusters(), []);
    assert.equal(fs.existsSync(ownerFile), false);
    await cluster.destroy();
  });

  it("Ctrl-C during create: exit 130 and the half-made cluster is deleted", async () => {
    world = fakeWorld({ FAKE_KIND_CREATE_SLEEP_MS: "20000" });
    const file = path.join(world.dir, "open.yaml");
    fs.writeFileSync(file, OPEN_SCENARIO);
    const child = spawn(process.execPath, ["dist/cli/main.js", "run", file, "--provider", "kind", "--out", path.join(world.dir, "out")], { env: world.env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    for (let i = 0; i < 200 && !world.commands("kind").some((c) => c.startsWith("create cluster")); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 130, stderr);
    assert.ok(world.commands("kind").some((c) => c.startsWith("delete cluster")), stderr);
    assert.deepEqual(world.clusters(), []);
  });
});

describe("kind provider: CLI", function () {
  this.timeout(30_000);
  let world: FakeWorld;
  afterEach(() => world?.cleanup());
  const cli = (args: string[], env: NodeJS.ProcessEnv) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["dist/cli/main.js", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("close", (code) => resolve({ code, stderr }));
  });

  it("--dry-run writes the kind config and one manifest file per scenario, creating nothing", async () => {
    world = fakeWorld();
    const out = path.join(world.dir, "dry");
    const r = await cli(["run", "specs/examples/01-shop-api-isolation.yaml", "specs/examples/09-dual-stack-ipv6-ipblock.yaml", "--provider", "kind",
      "--dry-run", "--out", out, "--kube-proxy-mode", "ipvs", "--kind-image", "kindest/node:v1.32.2"], world.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), [
      "dual-stack-ipv6-ipblock.kind-config.yaml", "dual-stack-ipv6-ipblock.manifests.yaml",
      "shop-api-isolation.kind-config.yaml", "shop-api-isolation.manifests.yaml",
    ]);
    const manifests = fs.readFileSync(path.join(out, "shop-api-isolation.manifests.yaml"), "utf8");
    const kinds = [...manifests.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(kinds.slice(0, 2), ["Namespace", "Namespace"], "apply order: namespaces first");
    assert.ok(kinds.indexOf("Pod") < kinds.indexOf("NetworkPolicy"));
    assert.match(fs.readFileSync(path.join(out, "dual-stack-ipv6-ipblock.kind-config.yaml"), "utf8"), /ipFamily: dual[\s\S]*kubeProxyMode: ipvs[\s\S]*image: kindest\/node:v1.32.2/);
    assert.deepEqual(world.calls(), [], "no tool was run");
  });

  it("runs a scenario through `netspec run --provider kind` (exit 0) and rejects misplaced flags (exit 2)", async () => {
    world = fakeWorld();
    const file = path.join(world.dir, "open.yaml");
    fs.writeFileSync(file, OPEN_SCENARIO);
    const ok = await cli(["run", file, "--provider", "kind", "--converge", "0", "--out", path.join(world.dir, "out"), "--reporter", "json"], world.env);
    assert.equal(ok.code, 0, ok.stderr);
    const results = JSON.parse(fs.readFileSync(path.join(world.dir, "out", "results.json"), "utf8"));
    assert.equal(results.provider, "kind");
    assert.equal(results.summary.passed, 8);
    for (const args of [["--cni", file, "--provider", "existing"], ["--provider", "kind", "--keep"], ["--provider", "kind", "--kube-proxy-mode", "bogus"],
      ["--provider", "local", "--dry-run"], ["--provider", "kind", "--converge", "soon"], ["--provider", "existing", "--node-map", "a=b=c"]]) {
      const r = await cli(["run", file, ...args], world.env);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    }
  });
});
