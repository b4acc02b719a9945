// Every manifest netspec generates or applies, validated against the vendored Kubernetes
// OpenAPI v3 schemas (fixtures/schemas), for every example scenario, kind and existing naming.
import assert from "node:assert/strict";
import { scenarioFromYaml } from "../../scenario/build.js";
import { validatePaths } from "../../runner/validate-paths.js";
import { kubernetesValidator } from "./schema.test-helpers.js";
import { allManifests, generateManifests } from "./manifests.js";
import { NameMap, podHostname } from "./names.js";

describe("kube providers: generated manifests", () => {
  const validate = kubernetesValidator();
  const { scenarios } = validatePaths(["specs/examples"], { lint: false });

  for (const naming of ["kind", "existing"] as const) {
    it(`every example's manifests are valid Kubernetes objects (${naming} naming)`, () => {
      let checked = 0;
      for (const scenario of scenarios) {
        const names = new NameMap(scenario.namespaces.map((n) => n.name), naming === "existing" ? "a1b2c3" : undefined);
        const objects = allManifests(generateManifests(scenario, {
          names, runLabel: "run-1", image: "registry.k8s.io/e2e-test-images/agnhost:2.53",
          placement: (node) => ({ "netspec.io/node": node }), owner: "host:1:2",
        }));
        for (const object of objects) {
          const problems = validate(object);
          if (problems === undefined) continue; // AdminNetworkPolicy & co: outside the subset
          assert.deepEqual(problems, [], `${scenario.name}: ${object.kind} ${object.metadata.name}`);
          checked++;
        }
      }
      assert.ok(checked > 50, `checked ${checked} objects`);
    });
  }

  it("the schema check catches a wrong field (it is not vacuous)", () => {
    assert.ok(validate({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" }, spec: { containers: [{ name: "c", port: 80 }] } } as never)!.length > 0);
    assert.ok(validate({ apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: { type: "Nope" } } as never)!.length > 0);
  });

  it("pods: one container per served port (agnhost serve-hostname / porter), pinned, identity as hostname", () => {
    const scenario = scenarioFromYaml(`apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: m }
namespaces: [ { name: shop, labels: { team: shop } } ]
pods:
  - { name: web, namespace: shop, node: node-b, labels: { app: web }, ready: false,
      ports: [ { name: http, port: 80 }, { port: 53, protocol: UDP }, { port: 9000, protocol: SCTP } ] }
`);
    const { namespaces, pods } = generateManifests(scenario, {
      names: new NameMap(["shop"], "x1"), runLabel: "r", image: "img", placement: (n) => ({ "netspec.io/node": n }),
    });
    assert.equal(namespaces[0]!.metadata.name, "shop-x1");
    assert.equal(namespaces[0]!.metadata.labels!.team, "shop");
    assert.equal(namespaces[0]!.metadata.labels!["kubernetes.io/metadata.name"], undefined, "the API server sets it");
    const pod = pods[0]! as unknown as { metadata: { namespace: string; labels: Record<string, string> }; spec: { hostname: string; nodeSelector: object; containers: { name: string; command: string[]; env?: object[]; readinessProbe?: object }[] } };
    assert.equal(pod.metadata.namespace, "shop-x1");
    assert.equal(pod.metadata.labels.app, "web");
    assert.equal(pod.spec.hostname, podHostname("shop/web"));
    assert.deepEqual(pod.spec.nodeSelector, { "netspec.io/node": "node-b" });
    const byName = Object.fromEntries(pod.spec.containers.map((c) => [c.name, c]));
    assert.deepEqual(byName["serve-80-tcp"]!.command, ["/agnhost", "serve-hostname", "--tcp", "--http=false", "--port", "80"]);
    assert.deepEqual(byName["serve-53-udp"]!.command, ["/agnhost", "serve-hostname", "--udp", "--http=false", "--port", "53"]);
    assert.deepEqual(byName["serve-9000-sctp"]!.command, ["/agnhost", "porter"]);
    assert.deepEqual(byName["serve-9000-sctp"]!.env, [{ name: "SERVE_SCTP_PORT_9000", value: podHostname("shop/web") }]);
    assert.ok(byName.netspec!.readinessProbe, "a pod declared not ready never passes readiness");
  });

  it("maps namespaces consistently: metadata, namespaceSelectors on kubernetes.io/metadata.name, DNS names", () => {
    const names = new NameMap(["shop", "ops", "kube-system"], "s1");
    const policy = {
      apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "p", namespace: "shop" },
      spec: { podSelector: {}, ingress: [{ from: [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops" } } },
        { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["shop", "kube-system", "elsewhere"] }] } },
        { namespaceSelector: { matchLabels: { team: "ops" } } },
      ] }] },
    };
    const out = names.rewrite(policy);
    assert.equal(out.metadata.namespace, "shop-s1");
    assert.deepEqual(out.spec.ingress[0]!.from[0], { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ops-s1" } } });
    assert.deepEqual(out.spec.ingress[0]!.from[1]!.namespaceSelector!.matchExpressions![0]!.values, ["shop-s1", "kube-system", "elsewhere"]);
    assert.deepEqual(out.spec.ingress[0]!.from[2], { namespaceSelector: { matchLabels: { team: "ops" } } });
    assert.equal(policy.metadata.namespace, "shop", "the scenario's object is not modified");
    assert.equal(names.dnsName("api.shop.svc.cluster.local", "api.shop.svc.cluster.local"), "api.shop-s1.svc.cluster.local");
    assert.equal(names.dnsName("api.shop", "api.shop.svc.cluster.local"), "api.shop-s1");
    assert.equal(names.dnsName("api", "api.shop.svc.cluster.local"), "api", "the client's search path adds its namespace");
    assert.equal(names.dnsName("web-0.db.shop.svc.cluster.local.", "web-0.db.shop.svc.cluster.local"), "web-0.db.shop-s1.svc.cluster.local.");
    assert.equal(names.dnsName("db.example.com", "db.example.com"), "db.example.com");
    assert.equal(names.dnsName("kube-dns.kube-system.svc.cluster.local", "kube-dns.kube-system.svc.cluster.local"), "kube-dns.kube-system.svc.cluster.local");
    const alias = names.rewrite({ apiVersion: "v1", kind: "Service", metadata: { name: "a", namespace: "ops" }, spec: { type: "ExternalName", externalName: "api.shop.svc.cluster.local." } });
    assert.equal(alias.spec.externalName, "api.shop-s1.svc.cluster.local.", "an ExternalName into the cluster names the run's namespace");
    const outside = names.rewrite({ apiVersion: "v1", kind: "Service", metadata: { name: "b", namespace: "ops" }, spec: { type: "ExternalName", externalName: "shop.example.com" } });
    assert.equal(outside.spec.externalName, "shop.example.com");
    assert.equal(names.scenarioId("ops-s1", "client"), "ops/client");
    assert.equal(names.scenarioId("ops", "client"), undefined);
    const long = new NameMap(["a".repeat(60)], "s1").namespace("a".repeat(60));
    assert.ok(long.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(long));
  });
});
