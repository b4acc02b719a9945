// Which record a name a pod looks up resolves to (services/dns-lookup.ts): the pod's search
// path in glibc's order (docs, "DNS for Services and Pods"; resolv.conf ndots:5), the records of
// kubernetes/dns docs/specification.md 2.3 to 2.6, and cluster.upstreamDNS outside the zone.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { resolveDnsName } from "./dns-lookup.js";
import { describeTarget, dnsWorld, ipOf } from "./dns-names.test-helpers.js";

describe("DNS lookup: what a name resolves to for a client of one namespace", () => {
  const dashed = (ip: string) => ip.replace(/[.:]/g, "-");
  const cases: [string, string, string, string][] = [
    ["a bare name is the Service of the client's own namespace", "api", "shop", "api.shop.svc.cluster.local service shop/api"],
    ["… whichever that namespace is", "api", "ops", "api.ops.svc.cluster.local service ops/api"],
    ["NAME.NAMESPACE completes through svc.cluster.local", "api.shop", "ops", "api.shop.svc.cluster.local service shop/api"],
    ["NAME.NAMESPACE.svc completes through cluster.local", "api.shop.svc", "ops", "api.shop.svc.cluster.local service shop/api"],
    ["a trailing dot is absolute: the name alone", "api.shop.svc.cluster.local.", "ops", "api.shop.svc.cluster.local service shop/api"],
    ["the client's namespace is searched first: there api.ops is an endpoint of the headless Service ops",
      "api.ops", "shop", "api.ops.shop.svc.cluster.local endpoint shop/ops api"],
    ["… and where no such endpoint exists, the next search domain gives the Service api of ops",
      "api.ops", "ops", "api.ops.svc.cluster.local service ops/api"],
    ["a relative name its namespace has no record of names nothing there", "front", "ops", "(no cell)"],
    ["SRV of a named port (2.3.2)", "_http._tcp.api", "shop", "_http._tcp.api.shop.svc.cluster.local srv shop/api http/TCP"],
    ["an SRV name with five dots or more is tried as is first", "_http._tcp.api.shop.svc.cluster.local", "ops", "_http._tcp.api.shop.svc.cluster.local srv shop/api http/TCP"],
    ["SRV of a port the Service does not name: NXDOMAIN", "_grpc._tcp.api", "shop",
      "_grpc._tcp.api.shop.svc.cluster.local missing Service shop/api has no port named 'grpc' (TCP), so no SRV record (kubernetes/dns specification 2.3.2)"],
    ["SRV protocol labels are matched too", "_http._udp.api.shop", "ops",
      "_http._udp.api.shop.svc.cluster.local missing Service shop/api has no port named 'http' (UDP), so no SRV record (kubernetes/dns specification 2.3.2)"],
    ["hostname.subdomain: an endpoint of the headless Service its subdomain names (2.4.1)", "db-0.db", "shop", "db-0.db.shop.svc.cluster.local endpoint shop/db db-0"],
    ["an endpoint without a hostname, by its dashed address", `${dashed(ipOf("shop/db-1"))}.db.shop`, "ops", `${dashed(ipOf("shop/db-1"))}.db.shop.svc.cluster.local endpoint shop/db ${dashed(ipOf("shop/db-1"))}`],
    ["a hostname whose subdomain is another Service's is no endpoint name of this one", "db-1.db.shop.svc.cluster.local", "shop",
      "db-1.db.shop.svc.cluster.local missing no ready endpoint of Service shop/db has the hostname or address 'db-1' (kubernetes/dns specification 2.4.1)"],
    ["a pod not Ready is no endpoint: its hostname has no record", "cache-0.cache.shop", "shop",
      "cache-0.cache.shop.svc.cluster.local missing no ready endpoint of Service shop/cache has the hostname or address 'cache-0' (kubernetes/dns specification 2.4.1)"],
    ["a pod record (2.6), completed by cluster.local", `${dashed(ipOf("shop/db-0"))}.shop.pod`, "ops", `${dashed(ipOf("shop/db-0"))}.shop.pod.cluster.local pod shop ${ipOf("shop/db-0")}`],
    ["a pod record exists for any address (2.6: for any values)", "10-1-2-3.ops.pod.cluster.local.", "shop", "10-1-2-3.ops.pod.cluster.local pod ops 10.1.2.3"],
    ["CoreDNS's IPv6 pod record form", `${dashed(ipOf("shop/db-0", "ipv6"))}.shop.pod`, "shop", `${dashed(ipOf("shop/db-0", "ipv6"))}.shop.pod.cluster.local pod shop ${ipOf("shop/db-0", "ipv6")}`],
    ["a name outside the zone that cluster.upstreamDNS declares, after the search path fails", "db.example.com", "shop", "db.example.com upstream 192.0.2.10,2001:db8::10"],
    ["… or absolute", "db.example.com.", "shop", "db.example.com upstream 192.0.2.10,2001:db8::10"],
    ["a name outside the zone nothing declares names nothing", "partner.example.org", "shop", "(no cell)"],
    ["a fully qualified name of the zone with no record is NXDOMAIN", "db-9.db.shop.svc.cluster.local", "ops",
      "db-9.db.shop.svc.cluster.local missing no ready endpoint of Service shop/db has the hostname or address 'db-9' (kubernetes/dns specification 2.4.1)"],
    ["names are not case-sensitive", "API.Shop", "ops", "api.shop.svc.cluster.local service shop/api"],
  ];
  for (const [what, name, namespace, want] of cases) {
    it(`${what}: ${name} from ${namespace}`, () => assert.equal(describeTarget(resolveDnsName(dnsWorld, name.toLowerCase(), namespace)), want));
  }

  it("resolves a name once per namespace: every cell of it shares the target", () => {
    assert.equal(resolveDnsName(dnsWorld, "api", "shop"), resolveDnsName(dnsWorld, "api", "shop"));
  });
});
