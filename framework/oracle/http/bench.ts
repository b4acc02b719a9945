// A micro-benchmark of the Gateway API oracle (target: 1,000 routes × 10,000 requests < 2 s):
// builds the router for 1,000 HTTPRoutes on one Gateway and routes 10,000 requests, and returns
// the elapsed milliseconds of both together. Half the routes serve their own hostnames, half
// every host, so that the host-less bucket every request scans holds some 1,500 matches.
import { performance } from "node:perf_hooks";
import { GATEWAY_CLASS_PLACEHOLDER, type Gateway, type HTTPRoute } from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import { GatewayRouter } from "./gateway.js";

export function benchHttpOracle(routeCount = 1_000, requestCount = 10_000): number {
  const services: Service[] = Array.from({ length: 50 }, (_, i) => ({
    apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, namespace: "bench" }, spec: { ports: [{ port: 8080 }] },
  }));
  const gateway: Gateway = {
    apiVersion: "gateway.networking.k8s.io/v1", kind: "Gateway", metadata: { name: "gw", namespace: "bench" },
    spec: {
      gatewayClassName: GATEWAY_CLASS_PLACEHOLDER,
      listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "All" } } }],
    },
  };
  const routes: HTTPRoute[] = Array.from({ length: routeCount }, (_, i) => ({
    apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: `route-${i}`, namespace: "bench" },
    spec: {
      parentRefs: [{ name: "gw" }],
      ...(i % 2 === 0 ? { hostnames: [`host-${i % 100}.example.com`, `*.zone-${i % 10}.example.com`] } : {}),
      rules: [
        { matches: [{ path: { type: "PathPrefix", value: `/app-${i}` }, headers: [{ name: "x-version", value: `${i % 3}` }] }], backendRefs: [{ name: `svc-${i % 50}`, port: 8080 }] },
        { matches: [{ path: { type: "Exact", value: `/app-${i}/health` } }], backendRefs: [{ name: `svc-${(i + 1) % 50}`, port: 8080, weight: 3 }, { name: `svc-${(i + 2) % 50}`, port: 8080 }] },
        { matches: [{ path: { type: "PathPrefix", value: `/app-${i}/v2` }, queryParams: [{ name: "beta", value: "1" }] }], backendRefs: [{ name: `svc-${i % 50}`, port: 8080 }] },
      ],
    },
  }));
  const requests: HttpRequest[] = Array.from({ length: requestCount }, (_, k) => {
    const app = (k * 7919) % (routeCount + 50);
    const host = k % 3 === 0 ? `host-${k % 100}.example.com` : k % 3 === 1 ? `a.zone-${k % 10}.example.com` : "192.0.2.1";
    const path = k % 4 === 0 ? `/app-${app}/health` : k % 4 === 1 ? `/app-${app}/v2/items?beta=1` : `/app-${app}/items/${k}`;
    return { method: "GET", host, path, headers: { "x-version": `${k % 3}`, "user-agent": "bench" } };
  });
  const start = performance.now();
  const router = new GatewayRouter({ gateways: [gateway], httpRoutes: routes, services });
  const entry = { namespace: "bench", name: "gw" };
  let routed = 0;
  for (const request of requests) if (router.route(entry, request).outcome === "routed") routed++;
  const elapsed = performance.now() - start;
  if (routed === 0) throw new Error("benchHttpOracle: no request was routed; the benchmark is not measuring routing");
  return elapsed;
}
