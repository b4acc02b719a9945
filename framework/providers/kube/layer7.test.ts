// The classes the implementation under test gives the scenario's Layer 7 objects, and what the
// oracle is told it serves.
import assert from "node:assert/strict";
import { GATEWAY_CLASS_PLACEHOLDER } from "../../kube/gateway-types.js";
import { kubeLayer7, withImplementationClass } from "./layer7.js";

const gateway = (gatewayClassName: string) => ({ apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "infra" }, spec: { gatewayClassName, listeners: [] } });
const ingress = (spec: Record<string, unknown>, annotations?: Record<string, string>) => ({
  apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "shop", namespace: "apps", ...(annotations ? { annotations } : {}) }, spec,
});

describe("kube providers: Layer 7 classes", () => {
  const options = { gatewayClass: "eg", ingressClass: "nginx" };
  const cases: [string, Record<string, unknown>, unknown][] = [
    ["the conformance placeholder becomes --gateway-class", gateway(GATEWAY_CLASS_PLACEHOLDER), "eg"],
    ["another class is left as written", gateway("cilium"), "cilium"],
    ["a classless Ingress gets --ingress-class", ingress({ rules: [] }), "nginx"],
    ["ingressClassName: null is no class", ingress({ ingressClassName: null }), "nginx"],
    ["an explicit ingressClassName is kept", ingress({ ingressClassName: "traefik" }), "traefik"],
    ["the deprecated annotation is a class (both at once the API server rejects)", ingress({}, { "kubernetes.io/ingress.class": "traefik" }), undefined],
  ];
  for (const [name, object, expected] of cases) {
    it(name, () => {
      const out = withImplementationClass(structuredClone(object), options) as { kind: string; spec: { gatewayClassName?: string; ingressClassName?: string } };
      assert.equal(out.kind === "Gateway" ? out.spec.gatewayClassName : out.spec.ingressClassName, expected);
    });
  }

  it("without the flags nothing is renamed, and the oracle is told what is served", () => {
    assert.equal((withImplementationClass(gateway(GATEWAY_CLASS_PLACEHOLDER), {}) as { spec: { gatewayClassName: string } }).spec.gatewayClassName, GATEWAY_CLASS_PLACEHOLDER);
    assert.deepEqual(kubeLayer7(options).gatewayClassNames, [GATEWAY_CLASS_PLACEHOLDER, "eg"]);
    assert.equal(kubeLayer7(options).servesClasslessIngress, true);
    assert.deepEqual(kubeLayer7({}).gatewayClassNames, []);
    assert.equal(kubeLayer7({}).listenerIsolation, undefined, "not known for an implementation netspec did not write");
  });
});
