import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { topologyHintsEnabled } from "./services.js";

describe("kube/services: when topology hints are enabled (endpointslice hintsEnabled)", () => {
  const annotations: [Record<string, string>, boolean][] = [
    [{ "service.kubernetes.io/topology-mode": "Auto" }, true],
    [{ "service.kubernetes.io/topology-mode": "auto" }, true],
    [{ "service.kubernetes.io/topology-mode": "AUTO" }, false],
    [{ "service.kubernetes.io/topology-aware-hints": "Auto" }, true],
    [{ "service.kubernetes.io/topology-aware-hints": "disabled", "service.kubernetes.io/topology-mode": "Auto" }, false],
    [{}, false],
  ];
  for (const [a, want] of annotations) {
    it(`topology hints ${want ? "enabled" : "disabled"} for ${JSON.stringify(a)}`, () => assert.equal(topologyHintsEnabled(a), want));
  }
});
