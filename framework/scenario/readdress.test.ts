// A scenario seen with a real cluster's addresses: the HTTP entries' addresses follow what the
// cluster published, family by family.
import assert from "node:assert/strict";
import { scenarioFromYaml } from "./build.js";
import { withActualAddresses } from "./readdress.js";
import * as fs from "node:fs";

describe("withActualAddresses: HTTP entries", () => {
  const scenario = scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-and-ingress.yaml", "utf8").replace("metadata: { name: layer7-real-cluster }", "metadata: { name: dual }\ncluster: { ipFamily: dual }"), "dual.yaml");

  const addresses = (s: typeof scenario) => Object.fromEntries(s.gatewayDataPlanes.map((d) => [d.key, d.service.loadBalancerIPs]));

  it("replaces a published family, keeps the planned address of a family not published, and leaves the others", () => {
    const planned = addresses(scenario);
    assert.ok(planned["gateway/infra/gw"]?.ipv4 && planned["gateway/infra/gw"]?.ipv6 && planned.ingress?.ipv4, JSON.stringify(planned));
    const seen = addresses(withActualAddresses(scenario, { pods: {}, services: {}, httpEntries: { "gateway/infra/gw": { ipv4: "172.18.255.200" } } }));
    assert.deepEqual(seen["gateway/infra/gw"], { ipv4: "172.18.255.200", ipv6: planned["gateway/infra/gw"]!.ipv6 });
    assert.deepEqual(seen.ingress, planned.ingress);
    assert.deepEqual(addresses(withActualAddresses(scenario, { pods: {}, services: {} })), planned, "nothing published: the plan");
  });

  it("keeps each data plane's pod and Service in step with the re-addressed ones", () => {
    const plane = scenario.gatewayDataPlanes.find((d) => d.key === "gateway/infra/gw")!;
    const seen = withActualAddresses(scenario, { pods: { [plane.pod.id]: { ipv4: "10.9.9.9" } }, services: {}, loadBalancers: { [plane.service.id]: { ipv4: "192.0.2.80" } } });
    const moved = seen.gatewayDataPlanes.find((d) => d.key === "gateway/infra/gw")!;
    assert.equal(moved.pod.ips.ipv4, "10.9.9.9");
    assert.equal(moved.service.loadBalancerIPs.ipv4, "192.0.2.80");
    assert.ok(seen.services.includes(moved.service) && seen.pods.includes(moved.pod));
  });
});
