// Layer 7 on kind, through the stand-in kind/kubectl/docker (fixtures/fake-bin): --install, the
// classes given to the scenario's Gateways and Ingresses, the readiness waits (success and
// timeout), the addresses read back, HTTP requests from the external client and from pods, the
// skip reasons, and --dry-run's output.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expectedCells } from "../../oracle/index.js";
import type { Cluster, ProbeRequest } from "../../runner/provider.js";
import { probeSpec } from "../../runner/probe-spec.js";
import { run } from "../../runner/run.js";
import { loadScenario } from "../../scenario/build.js";
import type { Scenario } from "../../scenario/model.js";
import { withActualAddresses } from "../../scenario/readdress.js";
import { fakeWorld, type FakeWorld } from "../kube/fake-tools.test-helpers.js";
import type { KubeProviderOptions } from "../kube/options.js";
import { KindProvider } from "./provider.js";

const SCENARIO = "fixtures/layer7/gateway-and-ingress.yaml";
const INSTALL = path.resolve("fixtures/layer7/install/fake-gateway.yaml");
const FAST = { pollMs: 20, readyTimeoutMs: 3000, cniTimeoutMs: 1500, layer7TimeoutMs: 1000 };
const CLASSES = { gatewayClass: "fake-gw", ingressClass: "fake-ingress", install: INSTALL };

/** The objects the stand-in cluster holds, as the last `kubectl apply` left them. */
function clusterObjects(world: FakeWorld): { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> }[] {
  const dir = path.join(world.dir, "state", "clusters");
  const [file] = fs.readdirSync(dir);
  return JSON.parse(fs.readFileSync(path.join(dir, file!), "utf8")).objects;
}

/** Provisions and applies, then probes the HTTP cells as the runner plans them (on the real addresses). */
async function probeHttp(provider: KindProvider, scenario: Scenario, world: FakeWorld) {
  await provider.preflight();
  const cluster: Cluster = await provider.provision(scenario, { runId: "l7", log: () => undefined });
  try {
    await cluster.apply(scenario);
    const actual = await cluster.actualAddresses!();
    const cells = [...expectedCells(withActualAddresses(scenario, actual))].filter((c) => c.target === "http");
    const requests: ProbeRequest[] = cells.map((cell, i) => ({ id: String(i), from: cell.from, target: cell.destination, probe: probeSpec(cell), samples: 1 }));
    const observations = await cluster.probe(requests, { timeoutMs: 1000 });
    return { actual, cells, observations, objects: clusterObjects(world) };
  } finally {
    await cluster.destroy();
  }
}

describe("kind provider: Layer 7 (stand-in kind/kubectl/docker)", function () {
  this.timeout(30_000);
  let world: FakeWorld;
  afterEach(() => world?.cleanup());
  const provider = (options: KubeProviderOptions = {}) => new KindProvider({ ...FAST, env: world.env, reportDir: path.join(world.dir, "out"), ...options });
  const scenario = () => loadScenario(SCENARIO).scenario;

  it("installs the implementation, names its classes, waits for it, and probes HTTP from outside and from pods", async () => {
    world = fakeWorld();
    const { actual, cells, observations, objects } = await probeHttp(provider(CLASSES), scenario(), world);
    const kubectl = world.commands("kubectl");
    const installAt = kubectl.indexOf(`apply --server-side -f ${INSTALL}`);
    assert.ok(installAt >= 0, kubectl.join("\n"));
    assert.ok(kubectl.slice(installAt).filter((c) => c === "apply -f -").length >= 4, "installed before the scenario (namespaces, pods, resources, Layer 7)");
    assert.ok(kubectl.some((c) => c === "get gatewayclasses.gateway.networking.k8s.io fake-gw -o json"), "waited for the GatewayClass");

    const gateway = objects.find((o) => o.kind === "Gateway")!;
    assert.equal(gateway.spec!.gatewayClassName, "fake-gw", "{GATEWAY_CLASS_NAME} became --gateway-class");
    assert.equal(objects.find((o) => o.kind === "Ingress")!.spec!.ingressClassName, "fake-ingress", "the classless Ingress got --ingress-class");
    const v2 = objects.find((o) => o.kind === "Pod" && o.metadata.name === "v2")!;
    const serve = (v2.spec!.containers as { image: string; env?: { name: string; value: string }[] }[]).find((c) => c.env?.some((e) => e.name === "HTTP_PORT"))!;
    assert.match(serve.image, /echo-basic/, "TCP ports run the conformance echo backend");
    assert.deepEqual(Object.fromEntries(serve.env!.map((e) => [e.name, e.value])), { HTTP_PORT: "8080", H2C_PORT: "0", POD_NAME: serve.env!.find((e) => e.name === "POD_NAME")!.value, NAMESPACE: "apps" });
    assert.ok(world.commands("kind").some((c) => /^load docker-image .*-- gcr\.io\/k8s-staging-gateway-api\/echo-basic:/.test(c)), "the echo image is loaded into the nodes");

    assert.deepEqual(actual.httpEntries, { "gateway/infra/gw": { ipv4: "172.18.255.200" }, ingress: { ipv4: "172.18.255.100" } });
    const byPath = (p: string, from = "external") => {
      const i = cells.findIndex((c) => c.request?.path === p && c.from === from);
      assert.ok(i >= 0, `a cell for ${from} ${p}`);
      return { cell: cells[i]!, observation: observations[i]! };
    };
    const routed = byPath("/v2/items");
    assert.equal(routed.cell.to, "gateway/infra/gw");
    assert.equal(routed.observation.observed, "connected", routed.observation.detail);
    assert.equal(routed.observation.http?.status, 200);
    assert.deepEqual(routed.observation.backends, ["apps/v2"]);
    assert.equal(routed.observation.http?.request?.path, "/v2/items");
    assert.equal(routed.observation.http?.request?.headers["x-test"], "one");
    assert.equal(routed.observation.http?.request?.host, "shop.example.com");
    const fromPod = byPath("/anything", "infra/client");
    assert.deepEqual([fromPod.observation.http?.status, fromPod.observation.backends], [200, ["apps/v1"]]);
    assert.deepEqual(byPath("/old").observation.http, { status: 301, location: "http://shop.example.com/new" });
    const ingress = cells.findIndex((c) => c.to === "ingress/apps/shop");
    assert.deepEqual([observations[ingress]!.http?.status, observations[ingress]!.backends], [200, ["apps/v1"]]);
    assert.ok(world.commands("docker").some((c) => c.startsWith("exec -i netspec-outside-")), "external requests from the client on kind's network");
    assert.ok(kubectl.some((c) => c === "exec -i -n infra client -c netspec"), "pod requests from the pod");
  });

  it("a 200 from another backend than the route's is what the observation reports", async () => {
    world = fakeWorld({ FAKE_HTTP_WRONG_BACKEND: "1" });
    const { cells, observations } = await probeHttp(provider(CLASSES), scenario(), world);
    const i = cells.findIndex((c) => c.request?.path === "/v2/items");
    assert.deepEqual(cells[i]!.backends, ["apps/v2"], "the oracle's backend");
    assert.equal(observations[i]!.http?.status, 200);
    assert.deepEqual(observations[i]!.backends, ["apps/v1"], "the pod that really answered, for the comparison to catch");
  });

  it("without --gateway-class and --ingress-class: no Layer 7 object applied, every HTTP cell skipped with the reason", async () => {
    world = fakeWorld();
    const results = await run([scenario()], { provider: provider(), convergeMs: 0, runId: "l7-none" });
    const cells = results.scenarios[0]!.cells;
    const http = cells.filter((c) => c.target === "http");
    assert.equal(http.length, 4);
    for (const c of http) {
      assert.equal(c.skipped, true, JSON.stringify(c));
      assert.match(c.detail ?? "", c.to.startsWith("gateway/") ? /^no --gateway-class: name the GatewayClass/ : /^no --ingress-class: name the IngressClass/);
    }
    assert.ok(cells.filter((c) => c.target === "pod").every((c) => c.observed === "connected"), "the other cells are probed");
    const applied = world.calls().filter((c) => c.tool === "kubectl" && c.argv.includes("apply"));
    assert.ok(applied.length > 0);
    assert.ok(!world.commands("kind").some((c) => /echo-basic/.test(c)), "no echo backend: serve-hostname answers");
    assert.ok(!world.commands("kubectl").some((c) => /gatewayclasses/.test(c)), "nothing waited for");
  });

  it("a cluster without the Gateway API CRDs: Gateway cells skipped with the reason, Ingress cells still probed", async () => {
    world = fakeWorld();
    const { cells, observations } = await probeHttp(provider({ gatewayClass: "fake-gw", ingressClass: "fake-ingress" }), scenario(), world);
    for (const [i, cell] of cells.entries()) {
      if (cell.to.startsWith("gateway/")) {
        assert.equal(observations[i]!.observed, "skipped");
        assert.match(observations[i]!.detail!, /the cluster does not serve Gateway \(gateway\.networking\.k8s\.io\/v1\).*install the Gateway API CRDs/);
      } else {
        assert.equal(observations[i]!.http?.status, 200, observations[i]!.detail);
      }
    }
  });

  it("no LoadBalancer implementation: the Gateway is never Programmed with an address, its cells skipped saying what was waited for", async () => {
    world = fakeWorld({ FAKE_NO_LOADBALANCER: "1" });
    const { actual, cells, observations } = await probeHttp(provider(CLASSES), scenario(), world);
    assert.deepEqual(actual.httpEntries, {}, "no address read back");
    for (const [i, cell] of cells.entries()) {
      assert.equal(observations[i]!.observed, "skipped");
      const detail = observations[i]!.detail!;
      if (cell.to.startsWith("gateway/")) {
        assert.match(detail, /^Gateway infra\/gw was not Programmed with an address within 1 s \(Programmed=False \(AddressNotAssigned: No addresses have been assigned to the Gateway\); no addresses\)/);
      } else {
        assert.match(detail, /^Ingress apps\/shop got no address in status\.loadBalancer\.ingress within 1 s \(status\.loadBalancer\.ingress is empty\)/);
      }
      assert.match(detail, /run cloud-provider-kind beside the cluster/);
    }
  });

  it("a GatewayClass that is never Accepted: the scenario errors with the last status seen; the cluster is deleted", async () => {
    world = fakeWorld({ FAKE_GATEWAYCLASS_NOT_ACCEPTED: "1" });
    const results = await run([scenario()], { provider: provider(CLASSES), convergeMs: 0, runId: "l7-rejected" });
    const s = results.scenarios[0]!;
    assert.equal(s.status, "error");
    assert.match(s.error!, /GatewayClass fake-gw \(--gateway-class\) was not Accepted within 1 s: Accepted=False \(InvalidParameters: parametersRef: fake-config not found\)/);
    assert.deepEqual(world.clusters(), []);
  });

  it("a --gateway-class that nothing installs: the wait says the class does not exist", async () => {
    world = fakeWorld({ FAKE_GATEWAY_API: "1" });
    const results = await run([scenario()], { provider: provider({ gatewayClass: "missing" }), convergeMs: 0, runId: "l7-missing" });
    assert.match(results.scenarios[0]!.error!, /GatewayClass missing \(--gateway-class\) was not Accepted within 1 s: it does not exist/);
  });
});

describe("kind provider: Layer 7 on the command line", function () {
  this.timeout(30_000);
  let world: FakeWorld;
  afterEach(() => world?.cleanup());
  const cli = (args: string[]) => spawnSync(process.execPath, ["dist/cli/main.js", ...args], { env: { ...world.env, NO_COLOR: "1" }, encoding: "utf8" });

  it("--dry-run writes the Layer 7 objects last, with the classes the flags give them, or says why they are left out", () => {
    world = fakeWorld();
    const out = path.join(world.dir, "dry");
    const named = cli(["run", SCENARIO, "--provider", "kind", "--dry-run", "--out", out, "--gateway-class", "fake-gw", "--ingress-class", "fake-ingress"]);
    assert.equal(named.status, 0, named.stderr);
    const text = fs.readFileSync(path.join(out, "layer7-real-cluster.manifests.yaml"), "utf8");
    const kinds = [...text.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]);
    assert.deepEqual(kinds.slice(-3), ["Gateway", "HTTPRoute", "Ingress"], "Layer 7 objects come last");
    assert.match(text, /gatewayClassName: fake-gw/);
    assert.match(text, /ingressClassName: fake-ingress/);
    assert.match(text, /image: gcr\.io\/k8s-staging-gateway-api\/echo-basic:/);
    assert.doesNotMatch(text, /\{GATEWAY_CLASS_NAME\}/);
    const bare = cli(["run", SCENARIO, "--provider", "kind", "--dry-run", "--out", out]);
    assert.equal(bare.status, 0, bare.stderr);
    const left = fs.readFileSync(path.join(out, "layer7-real-cluster.manifests.yaml"), "utf8");
    assert.match(left, /^# Gateway API objects are not applied: no --gateway-class/m);
    assert.match(left, /^# Ingress objects are not applied: no --ingress-class/m);
    assert.doesNotMatch(left, /^kind: (Gateway|HTTPRoute|Ingress)$/m);
    assert.doesNotMatch(left, /echo-basic/);
    assert.deepEqual(world.calls(), [], "no tool was run");
  });

  it("rejects wrong Layer 7 flags with exit 2 and a message saying what is wrong", () => {
    world = fakeWorld();
    const cases: [string[], RegExp][] = [
      [["--gateway-class", "fake-gw"], /--gateway-class applies to --provider kind or existing/],
      [["--provider", "kind", "--gateway-class", "Fake_GW"], /--gateway-class 'Fake_GW' is not a class name/],
      [["--provider", "existing", "--ingress-class", "-x"], /--ingress-class '-x' is not a class name/],
      [["--provider", "kind", "--install", "no/such/file.yaml"], /--install no\/such\/file\.yaml: no such file or directory/],
      [["--provider", "kind", "--install", "README.md"], /neither a manifest .*nor an executable script/],
      [["--provider", "kind", "--http-consecutive", "0"], /--http-consecutive must be a whole number >= 1/],
      [["--http-consecutive", "2.5"], /--http-consecutive must be a whole number >= 1/],
      [["--http-deadline", "-1"], /--http-deadline must be a number of seconds > 0/],
      [["--http-deadline", "soon"], /--http-deadline must be a number of seconds > 0/],
    ];
    for (const [args, message] of cases) {
      const r = cli(["run", SCENARIO, ...args]);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.match(r.stderr, /Usage: netspec run/);
    }
    assert.deepEqual(world.calls(), [], "nothing was run");
  });
});
