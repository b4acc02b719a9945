// kind configs generated from scenarios, checked against kind's config schema
// (fixtures/schemas/kind-config-v1alpha4.schema.json, from kind's v1alpha4 types.go).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { scenarioFromYaml } from "../../scenario/build.js";
import { kindConfigValidator } from "../kube/schema.test-helpers.js";
import { generateKindConfig, kindConfigYaml, KindConfigError, kubeletRefuses, mergeKindConfig, shapeHash } from "./config.js";

const scenario = (cluster: string) => scenarioFromYaml(`apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: cfg }
${cluster}
namespaces: [ { name: shop } ]
pods: [ { name: web, namespace: shop, ports: [ { port: 80 } ] } ]
`);

describe("kind provider: cluster config", () => {
  const validate = kindConfigValidator();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const check = (config: unknown): any => {
    // Round-trip through the YAML kind reads.
    const reparsed = parse(kindConfigYaml(config as never));
    assert.ok(validate(reparsed), JSON.stringify(validate.errors));
    return reparsed;
  };

  it("single-stack IPv4 (defaults): one control plane, one worker per scenario node", () => {
    const c = check(generateKindConfig(scenario("")));
    assert.deepEqual(c.networking, { ipFamily: "ipv4", podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/16" });
    assert.deepEqual(c.nodes.map((n: { role: string }) => n.role), ["control-plane", "worker", "worker"]);
    assert.ok(c.nodes.slice(1).every((n: { labels: Record<string, string> }) => n.labels["netspec.io/node"]));
  });

  it("IPv6 single-stack", () => {
    const c = check(generateKindConfig(scenario("cluster: { ipFamily: ipv6 }")));
    assert.equal(c.networking.ipFamily, "ipv6");
    assert.equal(c.networking.podSubnet, "fd00:10:244::/56");
    assert.equal(c.networking.serviceSubnet, "fd00:10:96::/112");
  });

  it("dual-stack with the scenario's subnets, IPv4 first", () => {
    const c = check(generateKindConfig(scenario(`cluster:
  ipFamily: dual
  podSubnet: 10.100.0.0/16,fd00:100::/56
  serviceSubnet: 10.200.0.0/16,fd00:200::/112`)));
    assert.equal(c.networking.ipFamily, "dual");
    assert.equal(c.networking.podSubnet, "10.100.0.0/16,fd00:100::/56");
    assert.equal(c.networking.serviceSubnet, "10.200.0.0/16,fd00:200::/112");
  });

  it("zones and node labels become worker labels (never kubernetes.io/hostname)", () => {
    const c = check(generateKindConfig(scenario(`cluster:
  nodes:
    - { name: node-a, zone: zone-a, labels: { tier: edge } }
    - { name: node-b, zone: zone-b }
    - { name: node-c }`)));
    assert.deepEqual(c.nodes[1].labels, { tier: "edge", "topology.kubernetes.io/zone": "zone-a", "netspec.io/node": "node-a" });
    assert.deepEqual(c.nodes[2].labels, { "topology.kubernetes.io/zone": "zone-b", "netspec.io/node": "node-b" });
    assert.deepEqual(c.nodes[3].labels, { "netspec.io/node": "node-c" });
  });

  it("a CNI under test disables kindnet; kube-proxy mode and node image are set", () => {
    for (const mode of ["iptables", "ipvs", "nftables", "none"] as const) {
      const c = check(generateKindConfig(scenario(""), { cni: true, kubeProxyMode: mode, image: "kindest/node:v1.32.2" }));
      assert.equal(c.networking.disableDefaultCNI, true);
      assert.equal(c.networking.kubeProxyMode, mode);
      assert.ok(c.nodes.every((n: { image: string }) => n.image === "kindest/node:v1.32.2"));
    }
  });

  it("merges a user's kind config: keeps what the scenario does not decide, refuses contradictions", () => {
    const base = {
      kind: "Cluster", apiVersion: "kind.x-k8s.io/v1alpha4",
      featureGates: { SomeGate: true }, runtimeConfig: { "policy.networking.k8s.io/v1alpha1": "true" },
      networking: { apiServerAddress: "127.0.0.1", kubeProxyMode: "ipvs" },
      nodes: [
        { role: "control-plane", extraPortMappings: [{ containerPort: 30080, hostPort: 8080 }] },
        { role: "worker", extraMounts: [{ hostPath: "/tmp", containerPath: "/host-tmp" }], labels: { mine: "yes" } },
        { role: "worker" }, { role: "worker", labels: { spare: "true" } },
      ],
    };
    const c = check(generateKindConfig(scenario(""), { cni: true, base }));
    assert.deepEqual(c.featureGates, { SomeGate: true });
    assert.equal(c.networking.apiServerAddress, "127.0.0.1");
    assert.equal(c.networking.kubeProxyMode, "ipvs");
    assert.equal(c.networking.disableDefaultCNI, true);
    assert.deepEqual(c.nodes[0].extraPortMappings, [{ containerPort: 30080, hostPort: 8080 }]);
    assert.equal(c.nodes[1].labels.mine, "yes");
    assert.equal(c.nodes[1].labels["netspec.io/node"], "node-a");
    assert.deepEqual(c.nodes[1].extraMounts, [{ hostPath: "/tmp", containerPath: "/host-tmp" }]);
    assert.equal(c.nodes.length, 4, "the user's spare worker stays");
    assert.throws(() => mergeKindConfig({ networking: { ipFamily: "ipv6" } }, generateKindConfig(scenario(""))), KindConfigError);
    assert.throws(() => mergeKindConfig({ networking: { disableDefaultCNI: true } }, generateKindConfig(scenario(""))), /no --cni/);
    assert.throws(() => mergeKindConfig({ apiVersion: "kind.x-k8s.io/v1alpha3" }, generateKindConfig(scenario(""))), /not supported/);
  });

  it("the dry-run files of every example scenario validate", async () => {
    const { dryRun } = await import("./dry-run.js");
    const { validatePaths } = await import("../../runner/validate-paths.js");
    const { scenarios } = validatePaths(["specs/examples"], { lint: false });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "netspec-dry-"));
    try {
      const files = await dryRun("kind", scenarios, { cni: undefined }, out);
      const configs = files.filter((f) => f.kind === "kind-config");
      assert.equal(configs.length, scenarios.length);
      for (const f of configs) check(parse(fs.readFileSync(f.path, "utf8")));
    } finally { fs.rmSync(out, { recursive: true, force: true }); }
  });

  it("refuses node labels kubelet will not set on itself, and hashes the shape", () => {
    assert.ok(kubeletRefuses("node-role.kubernetes.io/worker"));
    assert.ok(kubeletRefuses("k8s.io/x"));
    assert.ok(!kubeletRefuses("topology.kubernetes.io/zone"));
    assert.ok(!kubeletRefuses("node.kubernetes.io/pool"));
    assert.ok(!kubeletRefuses("example.com/tier"));
    assert.throws(() => generateKindConfig(scenario("cluster: { nodes: [ { name: a, labels: { node-role.kubernetes.io/worker: '' } } ] }")), /kubelet refuses/);
    const a = generateKindConfig(scenario(""));
    assert.equal(shapeHash(a), shapeHash({ ...a, name: "other" }));
    assert.notEqual(shapeHash(a), shapeHash(generateKindConfig(scenario(""), { cni: true })));
  });
});
