// EndpointSlices written in a scenario: validation as ValidateEndpointSlice, and the endpoints
// kube-proxy would take from them (oracle/services/endpoints.ts).
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { expectedCells } from "../oracle/index.js";
import { scenarioFromYaml } from "./build.js";
import { errorsOf } from "./errors.test-helpers.js";

const scenario = (slice: string, service = "ports: [ { name: sql, port: 5432 } ]") => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: t }
namespaces: [ { name: data } ]
pods:
  - { name: db-0, namespace: data, node: node-a, ports: [ { port: 5432 } ] }
  - { name: db-1, namespace: data, node: node-b, ports: [ { port: 5432 } ] }
  - { name: app, namespace: data, node: node-a }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: db, namespace: data }, spec: { ${service} } }
  - apiVersion: discovery.k8s.io/v1
    kind: EndpointSlice
    metadata: { name: s, namespace: data, labels: { kubernetes.io/service-name: db } }
    addressType: IPv4
${slice}
probe: { from: [data/app], to: [services] }
`;
const PORTS = "    ports: [ { name: sql, port: 5432 } ]";
const cell = (text: string) => [...expectedCells(scenarioFromYaml(text))].find((c) => c.to === "svc/data/db")!;

describe("EndpointSlice: validation (ValidateEndpointSlice)", () => {
  const rejected: [string, string, RegExp][] = [
    ["an endpoint without addresses", `${PORTS}\n    endpoints: [ { addresses: [] } ]`, /must contain at least 1 address/],
    ["an address of the other family", `${PORTS}\n    endpoints: [ { addresses: [ "fd00::1" ] } ]`, /must be a valid IPv4 address/],
    ["a loopback address", `${PORTS}\n    endpoints: [ { addresses: [ 127.0.0.1 ] } ]`, /loopback range/],
    ["a link-local address", `${PORTS}\n    endpoints: [ { addresses: [ 169.254.1.1 ] } ]`, /link-local range/],
    ["a hostname that is no DNS label", `${PORTS}\n    endpoints: [ { addresses: [ 10.244.0.2 ], hostname: Db_0 } ]`, /hostname 'Db_0'/],
    ["two ports of one name", "    ports: [ { name: sql, port: 5432 }, { name: sql, port: 5433 } ]\n    endpoints: []", /Duplicate value: port name 'sql'/],
    ["nine zone hints", `${PORTS}\n    endpoints: [ { addresses: [ 10.244.0.2 ], hints: { forZones: [ {name: a}, {name: b}, {name: c}, {name: d}, {name: e}, {name: f}, {name: g}, {name: h}, {name: i} ] } } ]`, /must have at most 8 items/],
  ];
  for (const [name, slice, want] of rejected) {
    it(`rejects ${name}`, () => {
      const errors = errorsOf(scenario(slice));
      assert.ok(errors.some((e) => want.test(e)), errors.join("\n") || "no error");
    });
  }

  it("accepts a slice without endpoints, and one labelled for a Service that does not exist", () => {
    assert.doesNotThrow(() => scenarioFromYaml(scenario(`${PORTS}`)));
    const orphan = scenario(`${PORTS}\n    endpoints: []`).replace("kubernetes.io/service-name: db", "kubernetes.io/service-name: nope");
    assert.doesNotThrow(() => scenarioFromYaml(orphan));
  });
});

describe("EndpointSlice: the endpoints kube-proxy takes", () => {
  it("uses ready endpoints on the slice port of the Service port's name", () => {
    const c = cell(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 10.244.0.2 ] }, { addresses: [ 10.244.1.2 ], conditions: { ready: false } } ]`));
    assert.equal(c.expected, "allow");
    assert.deepEqual(c.backends, ["data/db-0"]);
  });

  it("has no endpoints when no slice port has the Service port's name", () => {
    const c = cell(scenario(`    ports: [ { name: other, port: 5432 } ]\n    endpoints: [ { addresses: [ 10.244.0.2 ] } ]`));
    assert.equal(c.expected, "refused");
    assert.match(c.reason, /EndpointSlices give port sql 5432\/TCP no ready/);
  });

  it("falls back to serving-terminating endpoints only when none is ready", () => {
    const draining = `{ addresses: [ 10.244.1.2 ], conditions: { ready: false, serving: true, terminating: true } }`;
    assert.deepEqual(cell(scenario(`${PORTS}\n    endpoints: [ ${draining} ]`)).backends, ["data/db-1"]);
    assert.deepEqual(cell(scenario(`${PORTS}\n    endpoints: [ ${draining}, { addresses: [ 10.244.0.2 ] } ]`)).backends, ["data/db-0"]);
  });

  it("counts an endpoint as local by the slice's nodeName (internalTrafficPolicy: Local)", () => {
    const local = "ports: [ { name: sql, port: 5432 } ], internalTrafficPolicy: Local";
    assert.equal(cell(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 10.244.1.2 ], nodeName: node-a } ]`, local)).expected, "allow");
    assert.equal(cell(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 10.244.1.2 ] } ]`, local)).expected, "drop");
  });

  it("answers a headless Service's name with the written slices' ready endpoints, undefined when one is no pod", () => {
    const headless = "clusterIP: None, ports: [ { name: sql, port: 5432 } ]";
    const dns = (text: string) => [...expectedCells(scenarioFromYaml(text.replace("to: [services]", "to: [dns]")))].find((c) => c.to === "dns/db.data.svc.cluster.local")!;
    const ready = dns(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 10.244.0.2 ] }, { addresses: [ 10.244.1.2 ], conditions: { ready: false } } ]`, headless));
    assert.deepEqual(ready.backends, ["data/db-0"]);
    const outside = dns(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 10.244.0.2 ] }, { addresses: [ 192.0.2.9 ] } ]`, headless));
    assert.equal(outside.expected, "undefined");
    assert.match(outside.reason, /192\.0\.2\.9/);
  });

  it("is undefined where an endpoint is no pod of the scenario", () => {
    const c = cell(scenario(`${PORTS}\n    endpoints: [ { addresses: [ 192.0.2.40 ] } ]`));
    assert.equal(c.expected, "undefined");
    assert.match(c.reason, /endpoints that are no pod of the scenario \(192\.0\.2\.40, from its EndpointSlices\)/);
  });
});

describe("v1 Endpoints: mirrored into EndpointSlices for selectorless Services", () => {
  const legacy = (subsets: string, service = "ports: [ { name: sql, port: 5432 } ]", labels = "") => `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: t }
namespaces: [ { name: data } ]
pods:
  - { name: db-0, namespace: data, labels: { app: db }, node: node-a, ports: [ { port: 5432 } ] }
  - { name: db-1, namespace: data, labels: { app: db }, node: node-b, ports: [ { port: 5432 } ] }
  - { name: app, namespace: data, node: node-a }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: db, namespace: data }, spec: { ${service} } }
  - apiVersion: v1
    kind: Endpoints
    metadata: { name: db, namespace: data${labels} }
    subsets:
${subsets}
probe: { from: [data/app], to: [services] }
`;
  const ports = "        ports: [ { name: sql, port: 5432 } ]";

  it("uses `addresses` as ready endpoints and leaves out `notReadyAddresses`", () => {
    const text = legacy(`      - addresses: [ { ip: 10.244.0.2 } ]\n        notReadyAddresses: [ { ip: 10.244.1.2 } ]\n${ports}`);
    assert.deepEqual(cell(text).backends, ["data/db-0"]);
    assert.equal(scenarioFromYaml(text).endpointSlices.length, 1);
  });

  it("mirrors nothing for a Service with a selector, nor with the skip-mirror label", () => {
    const subsets = `      - addresses: [ { ip: 10.244.1.2 } ]\n${ports}`;
    assert.deepEqual(cell(legacy(subsets, "selector: { app: db }, ports: [ { name: sql, port: 5432 } ]")).backends, ["data/db-0", "data/db-1"]);
    assert.equal(cell(legacy(subsets, undefined, ", labels: { endpointslice.kubernetes.io/skip-mirror: 'true' }")).expected, "refused");
  });

  const rejected: [string, string, RegExp][] = [
    ["a subset without addresses", `      - ports: [ { name: sql, port: 5432 } ]`, /must specify `addresses` or `notReadyAddresses`/],
    ["an unnamed port among several", `      - addresses: [ { ip: 10.244.0.2 } ]\n        ports: [ { port: 5432 }, { name: b, port: 5433 } ]`, /every port needs a name/],
    ["a loopback address", `      - addresses: [ { ip: 127.0.0.1 } ]\n${ports}`, /loopback range/],
    ["port 0", `      - addresses: [ { ip: 10.244.0.2 } ]\n        ports: [ { name: sql, port: 0 } ]`, /must be between 1 and 65535/],
  ];
  for (const [name, subsets, want] of rejected) {
    it(`rejects ${name}`, () => {
      const errors = errorsOf(legacy(subsets));
      assert.ok(errors.some((e) => want.test(e)), errors.join("\n") || "no error");
    });
  }
});
