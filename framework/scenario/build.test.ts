import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";

const base = (extra = "", cluster = "") => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: t }
${cluster}
namespaces: [ { name: default }, { name: app, labels: { team: a } } ]
pods:
  - { name: a, namespace: app, labels: { app: a }, ports: [ { name: http, port: 80 } ] }
  - { name: b, namespace: app, labels: { app: b }, replicas: 2, ports: [ { port: 81, protocol: UDP } ] }
${extra}`;


describe("scenario model: address plan", () => {
  it("gives node i the i-th /24 and pods .2, .3, … in declaration order, spread round-robin", () => {
    const s = scenarioFromYaml(base());
    assert.deepEqual(s.nodes.map((n) => n.podCIDRs.ipv4), ["10.244.0.0/24", "10.244.1.0/24"]);
    assert.deepEqual(s.pods.filter((p) => !p.system).map((p) => `${p.id}@${p.node}=${p.ips.ipv4}`), [
      "app/a@node-a=10.244.0.2", "app/b-0@node-b=10.244.1.2", "app/b-1@node-a=10.244.0.3",
    ]);
  });

  it("allocates IPv6 from the /64 of each node on a dual-stack cluster", () => {
    const s = scenarioFromYaml(base("", "cluster: { ipFamily: dual }"));
    const a = s.pods.find((p) => p.id === "app/a")!;
    assert.deepEqual(a.ips, { ipv4: "10.244.0.2", ipv6: "fd00:10:244::2" });
    assert.equal(s.nodes[1]!.podCIDRs.ipv6, "fd00:10:244:1::/64");
  });

  it("honours custom subnets and places the cluster DNS after the scenario's pods", () => {
    const s = scenarioFromYaml(base("", "cluster: { podSubnet: 10.10.0.0/16, serviceSubnet: 10.20.0.0/16 }"));
    assert.equal(s.pods.find((p) => p.id === "app/a")!.ips.ipv4, "10.10.0.2");
    const dns = s.pods.find((p) => p.system)!;
    assert.equal(dns.ips.ipv4, "10.10.0.4");
    assert.equal(s.services.find((x) => x.system)!.clusterIPs.ipv4, "10.20.0.10");
  });

  it("adds kubernetes.io/metadata.name to every namespace and the node labels", () => {
    const s = scenarioFromYaml(base());
    assert.deepEqual(s.namespaces.find((n) => n.name === "app")!.labels, { team: "a", "kubernetes.io/metadata.name": "app" });
    assert.equal(s.nodes[0]!.labels["topology.kubernetes.io/zone"], "zone-a");
    assert.equal(s.nodes[0]!.labels["kubernetes.io/hostname"], "node-a");
  });
});

describe("scenario model: Service families (dual-stack docs, ipFamilyPolicy)", () => {
  const svc = (spec: string, cluster = "") => base(`
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: s, namespace: app }
    spec: { selector: { app: a }, ports: [ { port: 80 } ]${spec ? `, ${spec}` : ""} }`, cluster);
  const families = (spec: string, cluster = "") => scenarioFromYaml(svc(spec, cluster)).services.find((s) => s.name === "s")!.families;

  const cases: [string, string, string, string[] | RegExp][] = [
    ["SingleStack by default: the cluster's primary family", "", "cluster: { ipFamily: dual }", ["ipv4"]],
    ["PreferDualStack on a dual cluster: both", "ipFamilyPolicy: PreferDualStack", "cluster: { ipFamily: dual }", ["ipv4", "ipv6"]],
    ["PreferDualStack on a single-stack cluster: one", "ipFamilyPolicy: PreferDualStack", "", ["ipv4"]],
    ["ipFamilies order decides the primary", "ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv6, IPv4]", "cluster: { ipFamily: dual }", ["ipv6", "ipv4"]],
    // Since 1.23 an unset policy is SingleStack, which two families contradict (1.21-1.22 inferred RequireDualStack).
    ["two ipFamilies without a policy are an error", "ipFamilies: [IPv4, IPv6]", "cluster: { ipFamily: dual }", /two ipFamilies need ipFamilyPolicy PreferDualStack or RequireDualStack/],
    ["RequireDualStack on a single-stack cluster is an error", "ipFamilyPolicy: RequireDualStack", "", /RequireDualStack needs a dual-stack cluster/],
    ["a family the cluster lacks is an error", "ipFamilies: [IPv6]", "", /IPv6 is not configured on this cluster/],
    ["SingleStack with two families is an error", "ipFamilyPolicy: SingleStack, ipFamilies: [IPv4, IPv6]", "cluster: { ipFamily: dual }", /must be PreferDualStack or RequireDualStack/],
  ];
  for (const [name, spec, cluster, want] of cases) {
    it(name, () => {
      if (Array.isArray(want)) assert.deepEqual(families(spec, cluster), want);
      else assert.ok(errorsOf(svc(spec, cluster)).some((e) => want.test(e)), errorsOf(svc(spec, cluster)).join("\n"));
    });
  }

  it("a headless Service without a selector is dual-stack by default on a dual-stack cluster, single-stack elsewhere", () => {
    const headless = (cluster: string) => scenarioFromYaml(base(`
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: s, namespace: app }
    spec: { clusterIP: None, ports: [ { port: 80 } ] }`, cluster)).services.find((x) => x.name === "s")!.families;
    assert.deepEqual(headless("cluster: { ipFamily: dual }"), ["ipv4", "ipv6"]);
    assert.deepEqual(headless(""), ["ipv4"]);
  });

  it("allocates cluster IPs from the service subnet, from offset 100", () => {
    const s = scenarioFromYaml(svc("ipFamilyPolicy: PreferDualStack", "cluster: { ipFamily: dual }"));
    assert.deepEqual(s.services.find((x) => x.name === "s")!.clusterIPs, { ipv4: "10.96.0.100", ipv6: "fd00:10:96::64" });
  });
});

describe("scenario model: errors carry positions", () => {
  it("reports an undeclared node at the node field, with the declared nodes", () => {
    const errors = errorsOf(base("").replace("labels: { app: a }", "labels: { app: a }, node: node-c"));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^8:\d+ pod app\/a: node 'node-c' is not declared; did you mean 'node-a'\?|^8:\d+ pod app\/a: node 'node-c' is not declared; declared nodes: node-a, node-b/);
  });

  it("reports every problem in one pass", () => {
    const errors = errorsOf(base(`
resources:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: p, namespace: nowhere }
    spec: { podSelector: {} }
  - apiVersion: v1
    kind: Sevrice
    metadata: { name: s, namespace: app }`).replace("name: b,", "name: B,"));
    assert.equal(errors.length, 3, errors.join("\n"));
    assert.ok(errors.some((e) => /namespace 'nowhere' is not declared/.test(e)));
    assert.ok(errors.some((e) => /unknown resource kind 'v1\/Sevrice' \(did you mean 'v1\/Service'\?\)/.test(e)));
    assert.ok(errors.some((e) => /pod name 'B'/.test(e)));
  });

  it("puts a namespaced manifest without metadata.namespace into 'default'", () => {
    const s = scenarioFromYaml(base(`
resources:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: p }
    spec: { podSelector: {} }`));
    assert.equal(s.networkPolicies[0]!.metadata.namespace, "default");
  });

  it("names an unknown field with a did-you-mean at the key's position", () => {
    const errors = errorsOf(base().replace("metadata: { name: t }", "metadata: { name: t, tgas: [a] }"));
    assert.deepEqual(errors, ["4:22 scenario: unknown field 'tgas' in 'metadata'; did you mean 'tags'?"]);
  });
});

describe("scenario model: Services' node ports (ValidateService)", () => {
  const svc = (name: string, spec: string) => `
  - apiVersion: v1
    kind: Service
    metadata: { name: ${name}, namespace: app }
    spec: { selector: { app: a }, ports: [ { port: 80 ${spec} } ] ${name === "h" ? ", type: NodePort, clusterIP: None" : ""} }`;

  it("allocates node ports around the ones Services ask for", () => {
    const s = scenarioFromYaml(base(`resources:${svc("x", "")}`.replace("ports: [ { port: 80  } ]", "type: NodePort, ports: [ { port: 80 } ]") + svc("y", ", nodePort: 30000").replace("ports:", "type: NodePort, ports:")));
    assert.deepEqual(s.services.filter((x) => !x.system).map((x) => x.ports[0]!.nodePort), [30001, 30000]);
  });

  it("rejects nodePort on a ClusterIP Service, outside the range, and headless NodePorts", () => {
    const errors = errorsOf(base(`resources:${svc("x", ", nodePort: 30005")}${svc("y", ", nodePort: 80").replace("ports:", "type: NodePort, ports:")}${svc("h", "")}`));
    assert.ok(errors.some((e) => /nodePort may not be used when type is 'ClusterIP'/.test(e)), errors.join("\n"));
    assert.ok(errors.some((e) => /nodePort 80 is outside the node port range 30000-32767/.test(e)), errors.join("\n"));
    assert.ok(errors.some((e) => /clusterIP may not be 'None' \(headless\) for type NodePort/.test(e)), errors.join("\n"));
  });
});

describe("scenario model: includes", () => {
  it("an include that cannot be read makes the scenario invalid, not silently smaller", () => {
    const errors = errorsOf(base("include: [ does-not-exist.yaml, 'nothing-here/*.yaml' ]"));
    assert.equal(errors.length, 2, errors.join("\n"));
    assert.match(errors[0]!, /cannot read 'does-not-exist.yaml': no such file/);
    assert.match(errors[1]!, /include 'nothing-here\/\*.yaml' matches no file/);
  });
});

describe("scenario model: Service traffic routing fields", () => {
  const withService = (spec: string, annotations = "") => base(`
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: s, namespace: app${annotations ? `, annotations: { ${annotations} }` : ""} }
    spec: { selector: { app: a }, ports: [ { port: 80 } ]${spec ? `, ${spec}` : ""} }`);
  const table: [string | undefined, boolean][] = [
    [undefined, true], ["PreferClose", true], ["PreferSameZone", true], ["PreferSameNode", true], ["preferclose", false], ["Nearest", false],
  ];
  for (const [value, ok] of table) {
    it(`trafficDistribution ${value ?? "(unset)"} is ${ok ? "accepted" : "rejected"} by the API server`, () => {
      const errors = errorsOf(withService(value ? `trafficDistribution: ${value}` : ""));
      assert.equal(errors.some((e) => /unsupported trafficDistribution/.test(e)), !ok, errors.join("\n"));
    });
  }

  it("takes topology-mode Auto from the annotations, the deprecated one winning", () => {
    const auto = (annotations: string) => scenarioFromYaml(withService("", annotations)).services.find((s) => s.name === "s")!.topologyModeAuto;
    assert.equal(auto('service.kubernetes.io/topology-mode: Auto'), true);
    assert.equal(auto('service.kubernetes.io/topology-mode: AUTO'), false);
    assert.equal(auto('service.kubernetes.io/topology-aware-hints: disabled, service.kubernetes.io/topology-mode: Auto'), false);
  });
});

describe("scenario model: Service validation as the API server does it (pkg/apis/core/validation ValidateService)", () => {
  const svc = (name: string, spec: string) => base(`
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: ${name}, namespace: app }
    spec: ${spec}`);
  const accepted: [string, string, string][] = [
    ["a port name of 16+ characters (a DNS-1123 label, not an IANA service name)", "s", "{ selector: { app: a }, ports: [ { name: metrics-endpoint-x, port: 80 }, { name: web, port: 81 } ] }"],
    ["a port name of digits only", "s", "{ selector: { app: a }, ports: [ { name: '8080', port: 80 }, { name: web, port: 81 } ] }"],
    ["TCP and UDP sharing one nodePort", "dns", "{ type: NodePort, selector: { app: a }, ports: [ { name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053 }, { name: dns-udp, port: 53, protocol: UDP, nodePort: 30053 } ] }"],
    ["an ExternalName with a fully qualified name", "db", "{ type: ExternalName, externalName: db.example.com. }"],
  ];
  for (const [what, name, spec] of accepted) {
    it(`accepts ${what}`, () => assert.deepEqual(errorsOf(svc(name, spec)), []));
  }
  const rejected: [string, string, string, RegExp][] = [
    ["a Service name starting with a digit (a DNS-1035 label)", "1api", "{ selector: { app: a }, ports: [ { port: 80 } ] }", /Service name '1api'|must be a DNS-1035 label/],
    ["a port name that is not a DNS label", "s", "{ selector: { app: a }, ports: [ { name: Web_Port, port: 80 } ] }", /port name 'Web_Port': must be a DNS-1123 label/],
    ["one nodePort twice for the same protocol", "s", "{ type: NodePort, selector: { app: a }, ports: [ { name: a, port: 80, nodePort: 30080 }, { name: b, port: 81, nodePort: 30080 } ] }", /nodePort 30080\/TCP is used twice/],
    ["an ExternalName without externalName", "db", "{ type: ExternalName }", /needs spec.externalName/],
    ["an ExternalName that is not a DNS name", "db", "{ type: ExternalName, externalName: 'not a name' }", /externalName 'not a name': must be a DNS-1123 subdomain/],
  ];
  for (const [what, name, spec, want] of rejected) {
    it(`rejects ${what}`, () => {
      const errors = errorsOf(svc(name, spec));
      assert.ok(errors.some((e) => want.test(e)), errors.join("\n") || "no error");
    });
  }
});

describe("scenario model: pod hostname and subdomain (ValidatePodSpec: each a DNS-1123 label)", () => {
  const pod = (fields: string) => base(`  - { name: db, namespace: app, labels: { app: db }, replicas: 2, ${fields} }`);

  it("keeps both on the model, for every replica; an empty one is not set", () => {
    const s = scenarioFromYaml(pod("hostname: db-main, subdomain: db"));
    assert.deepEqual(s.pods.filter((p) => p.name.startsWith("db-")).map((p) => [p.id, p.hostname, p.subdomain]), [
      ["app/db-0", "db-main", "db"], ["app/db-1", "db-main", "db"],
    ]);
    const unset = scenarioFromYaml(pod('hostname: "", subdomain: ""')).pods.find((p) => p.id === "app/db-0")!;
    assert.equal("hostname" in unset || "subdomain" in unset, false);
  });

  const rejected: [string, string][] = [
    ["hostname: DB", "10:77 pod app/db: hostname 'DB' must be a DNS-1123 label"],
    ["hostname: db.main", "10:77 pod app/db: hostname 'db.main' must be a DNS-1123 label"],
    [`subdomain: ${"s".repeat(64)}`, "10:78 pod app/db: subdomain '" + "s".repeat(64) + "' must be no more than 63 characters"],
    ["subdomain: -db", "10:78 pod app/db: subdomain '-db' must be a DNS-1123 label"],
  ];
  for (const [fields, error] of rejected) {
    it(`rejects ${fields.length > 30 ? `${fields.slice(0, 27)}…` : fields} at its position`, () => {
      const errors = errorsOf(pod(fields));
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.ok(errors[0]!.startsWith(error), errors[0]);
    });
  }
});

describe("scenario model: cluster.upstreamDNS, what the cluster DNS's upstream answers", () => {
  const upstream = (entries: string, family = "") => base("", `cluster: { ${family}upstreamDNS: [ ${entries} ] }`);

  it("keeps names canonical (lower case, no trailing dot) and addresses canonical", () => {
    const s = scenarioFromYaml(upstream('{ name: DB.Example.com., addresses: [192.0.2.10, "2001:DB8::0:1"] }', "ipFamily: dual, "));
    assert.deepEqual(s.upstreamDns, [{ name: "db.example.com", addresses: ["192.0.2.10", "2001:db8::1"] }]);
  });

  const rejected: [string, RegExp][] = [
    ["{ name: db_1.example.com, addresses: [192.0.2.10] }", /^5:35 upstream name 'db_1.example.com' must be a DNS-1123 subdomain/],
    ["{ name: api.shop.svc.cluster.local, addresses: [192.0.2.10] }", /^5:35 upstream name 'api.shop.svc.cluster.local' is in the cluster's zone cluster.local/],
    ["{ name: a.example.com, addresses: [192.0.2.1] }, { name: A.example.com, addresses: [192.0.2.2] }", /^5:84 upstream name 'A.example.com' is declared twice/],
    ["{ name: a.example.com, addresses: [not-an-ip] }", /^5:62 'not-an-ip' is not an IPv4 or IPv6 address/],
    ["{ name: a.example.com, addresses: [10.244.3.7] }", /^5:62 10.244.3.7 lies in the cluster's subnet 10.244.0.0\/16: an upstream name resolves outside the cluster/],
    ["{ name: a.example.com, addresses: [10.96.0.1] }", /^5:62 10.96.0.1 lies in the cluster's subnet 10.96.0.0\/16/],
  ];
  for (const [entries, error] of rejected) {
    it(`rejects ${entries.length > 60 ? `${entries.slice(0, 57)}…` : entries}`, () => {
      const errors = errorsOf(upstream(entries));
      assert.equal(errors.length, 1, errors.join("\n"));
      assert.match(errors[0]!, error);
    });
  }
});
