// Pinned clusterIP / clusterIPs and the primary Service family, as the API server allocates them
// (scenario/cluster-ips.ts cites the sources).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";
import { servicesScenario } from "./services-scenario.test-helpers.js";

const scenario = (services: string[], cluster = "") => servicesScenario(services, { cluster });
const DUAL = "cluster: { ipFamily: dual }";

const service = (text: string, name = "s0") => scenarioFromYaml(text).services.find((s) => s.name === name)!;

describe("scenario model: pinned cluster IPs", () => {
  it("uses a pinned clusterIP, and the plan's addresses skip it", () => {
    const s = scenarioFromYaml(scenario(["", "clusterIP: 10.96.0.100", ""]));
    assert.deepEqual(s.services.filter((x) => !x.system).map((x) => x.clusterIPs.ipv4), ["10.96.0.101", "10.96.0.100", "10.96.0.102"]);
  });

  it("clusterIPs alone set clusterIP too, and give the families when ipFamilies is unset (IPv6 first here)", () => {
    const svc = service(scenario(["ipFamilyPolicy: PreferDualStack, clusterIPs: [ 'fd00:10:96::beef', 10.96.5.5 ]"], DUAL));
    assert.deepEqual(svc.families, ["ipv6", "ipv4"]);
    assert.deepEqual(svc.clusterIPs, { ipv6: "fd00:10:96::beef", ipv4: "10.96.5.5" });
  });

  it("a pinned IPv6 address makes a single-stack Service IPv6 on an IPv4-primary cluster", () => {
    assert.deepEqual(service(scenario(["clusterIP: 'fd00:10:96::7'"], DUAL)).families, ["ipv6"]);
  });

  it("PreferDualStack with one pinned address allocates the other family", () => {
    const svc = service(scenario(["ipFamilyPolicy: PreferDualStack, clusterIP: 10.96.9.9"], DUAL));
    assert.deepEqual(svc.clusterIPs, { ipv4: "10.96.9.9", ipv6: "fd00:10:96::64" });
  });

  it("a pinned address is written back in canonical form", () => {
    assert.equal(service(scenario(["clusterIP: 'FD00:10:96:0::7'"], DUAL)).clusterIPs.ipv6, "fd00:10:96::7");
  });

  it("clusterIP: None is headless, and so is clusterIPs: [None]", () => {
    assert.equal(service(scenario(["clusterIPs: [ None ]"])).headless, true);
  });

  const rejected: [string, string[], string, RegExp][] = [
    ["an address outside the service subnet", ["clusterIP: 10.0.0.5"], "", /failed to allocate IP 10\.0\.0\.5: the provided IP \(10\.0\.0\.5\) is not in the valid range\. The range of valid IPs is 10\.96\.0\.0\/16/],
    ["the subnet's network address", ["clusterIP: 10.96.0.0"], "", /not in the valid range.*network and broadcast addresses are reserved/],
    ["the IPv4 broadcast address", ["clusterIP: 10.96.255.255"], "", /not in the valid range/],
    ["the IPv6 network address", ["ipFamilies: [IPv6], clusterIP: 'fd00:10:96::'"], DUAL, /not in the valid range/],
    ["kube-dns's address", ["clusterIP: 10.96.0.10"], "", /provided IP is already allocated \(to kube-system\/kube-dns\)/],
    ["the kubernetes Service's address", ["clusterIP: 10.96.0.1"], "", /already allocated \(to default\/kubernetes\)/],
    ["an address another Service pinned", ["clusterIP: 10.96.3.3", "clusterIP: 10.96.3.3"], "", /already allocated \(to app\/s0\)/],
    ["clusterIPs[0] differing from clusterIP", ["clusterIP: 10.96.3.3, clusterIPs: [ 10.96.3.4 ]"], "", /clusterIPs\[0\] '10\.96\.3\.4' must match clusterIP '10\.96\.3\.3'/],
    ["None with another address", ["ipFamilyPolicy: PreferDualStack, clusterIPs: [ None, 10.96.3.3 ]"], DUAL, /'None' \(headless\) must be the first and only value/],
    ["not an address", ["clusterIP: 10.96.3"], "", /'10\.96\.3' is not a valid IP address/],
    ["two addresses of one family", ["ipFamilyPolicy: PreferDualStack, clusterIPs: [ 10.96.3.3, 10.96.3.4 ]"], DUAL, /no more than one IP for each IP family/],
    ["three addresses", ["ipFamilyPolicy: PreferDualStack, clusterIPs: [ 10.96.3.3, 'fd00:10:96::3', 10.96.3.5 ]"], DUAL, /at most two addresses/],
    ["an address of the other family than ipFamilies says", ["ipFamilies: [IPv6], clusterIP: 10.96.3.3"], DUAL, /expected an IPv6 value as indicated by ipFamilies\[0\]/],
    ["an address of a family the cluster lacks", ["clusterIP: 'fd00:10:96::3'"], "", /IPv6 is not configured on this cluster/],
    ["two pinned addresses without a dual-stack policy", ["clusterIPs: [ 10.96.3.3, 'fd00:10:96::3' ]"], DUAL, /two clusterIPs need ipFamilyPolicy PreferDualStack or RequireDualStack/],
  ];
  for (const [name, services, cluster, want] of rejected) {
    it(`rejects ${name}`, () => {
      const errors = errorsOf(scenario(services, cluster));
      assert.ok(errors.some((e) => want.test(e)), errors.join("\n") || "no error");
    });
  }

  it("names the offending entry's line and column", () => {
    const errors = errorsOf(scenario(["ipFamilyPolicy: PreferDualStack, clusterIPs: [ 10.96.3.3, 10.96.3.4 ]"], DUAL));
    const line = scenario(["ipFamilyPolicy: PreferDualStack, clusterIPs: [ 10.96.3.3, 10.96.3.4 ]"], DUAL).split("\n").findIndex((l) => l.includes("10.96.3.4")) + 1;
    assert.ok(errors.some((e) => e.startsWith(`${line}:`)), errors.join("\n"));
  });
});

describe("scenario model: the primary Service family", () => {
  it("is the first family of serviceSubnet: an IPv6-first subnet makes single-stack Services IPv6", () => {
    const cluster = "cluster: { ipFamily: dual, serviceSubnet: 'fd00:10:96::/112,10.96.0.0/16' }";
    const s = scenarioFromYaml(scenario([""], cluster));
    assert.deepEqual(s.services.find((x) => x.name === "s0")!.families, ["ipv6"]);
    assert.deepEqual(s.services.find((x) => x.system)!.families, ["ipv6", "ipv4"], "kube-dns lists the primary first");
  });

  it("is IPv4 with kind's default subnets", () => {
    assert.deepEqual(service(scenario([""], DUAL)).families, ["ipv4"]);
  });
});
