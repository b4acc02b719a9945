// A scenario seen with a real cluster's addresses: the HTTP entries' addresses follow what the
// cluster published, family by family.
import assert from "node:assert/strict";
import { scenarioFromYaml } from "./build.js";
import { withActualAddresses } from "./readdress.js";
import * as fs from "node:fs";

describe("withActualAddresses: HTTP entries", () => {
  const scenario = scenarioFromYaml(fs.readFileSync("fixtures/layer7/gateway-and-ingress.yaml", "utf8").replace("metadata: { name: layer7-real-cluster }", "metadata: { name: dual }\ncluster: { ipFamily: dual }"), "dual.yaml");

  it("replaces a published family, keeps the planned address of a family not published, and leaves the others", () => {
    const planned = scenario.httpEntryAddresses;
    assert.ok(planned["gateway/infra/gw"]?.ipv4 && planned["gateway/infra/gw"]?.ipv6 && planned.ingress?.ipv4, JSON.stringify(planned));
    const seen = withActualAddresses(scenario, { pods: {}, services: {}, httpEntries: { "gateway/infra/gw": { ipv4: "172.18.255.200" } } });
    assert.deepEqual(seen.httpEntryAddresses["gateway/infra/gw"], { ipv4: "172.18.255.200", ipv6: planned["gateway/infra/gw"]!.ipv6 });
    assert.deepEqual(seen.httpEntryAddresses.ingress, planned.ingress);
    assert.equal(withActualAddresses(scenario, { pods: {}, services: {} }).httpEntryAddresses, planned, "nothing published: the plan");
  });
});
