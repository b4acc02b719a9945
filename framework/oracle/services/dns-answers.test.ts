// What the cluster DNS answers for each record form, and where it leaves the client
// (services/dns-answers.ts), one rule of kubernetes/dns docs/specification.md (or the docs, or
// what they leave to the implementation) per row.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { Family } from "../../kube/net.js";
import { nameAnswer } from "./dns-answers.js";
import { resolveDnsName } from "./dns-lookup.js";
import { describeAnswer, dnsWorld, ipOf } from "./dns-names.test-helpers.js";

const dashed = (ip: string) => ip.replace(/[.:]/g, "-");
const api = dnsWorld.services.find((s) => s.id === "shop/api")!;

interface AnswerCase {
  readonly rule: string;
  readonly name: string;
  readonly family?: Family;
  readonly want: string;
  /** What the reason must say (its source, or why Kubernetes leaves it open). */
  readonly reason?: RegExp;
}

const cases: AnswerCase[] = [
  { rule: "2.3.1 a Service's name: its cluster IP", name: "api.shop", want: `cluster-ip shop/api ${api.clusterIPs.ipv4}` },
  { rule: "2.3.1 no record of a family the Service does not have", name: "api.shop", family: "ipv6", want: "none" },
  { rule: "2.4.1 a headless Service's name: its ready endpoints", name: "db.shop", want: "pods shop/db-0,shop/db-1" },
  { rule: "2.3.2 SRV of a Service with a cluster IP: its own name, at the Service port", name: "_http._tcp.api.shop", want: `cluster-ip shop/api ${api.clusterIPs.ipv4} port 80`, reason: /specification 2\.3\.2/ },
  { rule: "2.4.2 SRV of a headless Service: each ready endpoint, at the Service port", name: "_pg._tcp.db.shop", want: "pods shop/db-0,shop/db-1 port 5432", reason: /2\.4\.2/ },
  { rule: "2.4.2 SRV targets resolve in the cell's family", name: "_pg._tcp.db.shop", family: "ipv6", want: "pods shop/db-0,shop/db-1 port 5432" },
  {
    rule: "2.4.2 says the Service port, CoreDNS the endpoint's: left open where targetPort differs", name: "_pg._tcp.db-alt.shop", want: "undefined",
    reason: /specification \(2\.4\.2\) answers the Service port 15432, CoreDNS the endpoint's port 5432/,
  },
  { rule: "2.4.2 no ready endpoint: no SRV record", name: "_redis._tcp.cache.shop", want: "none", reason: /no ready IPv4 endpoint/ },
  { rule: "2.4.1 hostname.subdomain of a headless Service: the pod", name: "db-0.db.shop", want: "pods shop/db-0", reason: /hostname db-0, specification 2\.4\.1/ },
  { rule: "2.4.1 … in each family the pod has", name: "db-0.db.shop", family: "ipv6", want: "pods shop/db-0" },
  {
    rule: "2.4.1 is about headless Services; CoreDNS answers hostnames of one with a cluster IP too", name: "front-0.front.shop", want: "undefined",
    reason: /has a cluster IP, for which CoreDNS answers them and others need not/,
  },
  { rule: "docs: any pod a Service exposes, by its dashed IPv4 address", name: `${dashed(ipOf("shop/db-1"))}.db.shop`, want: "pods shop/db-1", reason: /docs, DNS for Services and Pods/ },
  { rule: "docs give every exposed pod its dashed name; CoreDNS names one with a hostname by that only", name: `${dashed(ipOf("shop/db-0"))}.db.shop`, want: "undefined", reason: /by that only/ },
  { rule: "the dashed IPv6 endpoint name is CoreDNS's alone", name: `${dashed(ipOf("shop/db-1", "ipv6"))}.db.shop`, family: "ipv6", want: "undefined", reason: /CoreDNS's form/ },
  { rule: "2.6 a pod record of a pod of that namespace: the pod", name: `${dashed(ipOf("shop/db-0"))}.shop.pod`, want: "pods shop/db-0", reason: /specification 2\.6/ },
  { rule: "2.6 an IPv4 pod record has no AAAA", name: `${dashed(ipOf("shop/db-0"))}.shop.pod`, family: "ipv6", want: "none" },
  { rule: "2.6 answers any namespace, CoreDNS's pods verified only the pod's own", name: `${dashed(ipOf("shop/db-0"))}.ops.pod`, want: "undefined", reason: /pods verified/ },
  { rule: "2.6 an address no pod holds still resolves: what answers is outside the model", name: "10-1-2-3.shop.pod", want: "undefined", reason: /no pod of the scenario holds/ },
  { rule: "2.6 defines no IPv6 pod record", name: `${dashed(ipOf("shop/db-0", "ipv6"))}.shop.pod`, family: "ipv6", want: "undefined", reason: /IPv4 only/ },
  { rule: "2.5 ExternalName: the CNAME, followed upstream (cluster.upstreamDNS)", name: "ext.shop", want: "addresses 192.0.2.10", reason: /CNAME db\.example\.com → db\.example\.com: A 192\.0\.2\.10/ },
  { rule: "2.5 … in each family", name: "ext.shop", family: "ipv6", want: "addresses 2001:db8::10" },
  { rule: "2.5 a CNAME to a Service's name in the cluster: its cluster IP", name: "alias.shop", want: `cluster-ip shop/api ${api.clusterIPs.ipv4}` },
  { rule: "2.5 a CNAME to another ExternalName's name: the chain is followed", name: "chain.shop", want: "addresses 192.0.2.10", reason: /chain: CNAME ext\.shop\.svc\.cluster\.local → ExternalName shop\/ext/ },
  { rule: "Service docs: an external name that resembles an IPv4 address is not resolved", name: "literal.shop", want: "none", reason: /resembles an IPv4 address/ },
  { rule: "a CNAME outside the cluster nothing declares: outside the cluster", name: "partner.shop", want: "undefined", reason: /cluster\.upstreamDNS does not declare/ },
  { rule: "a CNAME loop: what the resolver makes of it is its own", name: "loop-a.shop", want: "undefined", reason: /CNAME loop \(shop\/loop-a → shop\/loop-b → shop\/loop-a\)/ },
  { rule: "a CNAME to a name of the cluster with no record", name: "gone.shop", want: "none", reason: /names no record of the cluster/ },
  { rule: "2.5 gives an ExternalName only its CNAME: an SRV query of its ports is left to the implementation", name: "_pg._tcp.ext.shop", want: "undefined", reason: /only its CNAME/ },
  { rule: "a name of cluster.upstreamDNS asked directly", name: "db.example.com.", family: "ipv6", want: "addresses 2001:db8::10", reason: /cluster\.upstreamDNS/ },
  { rule: "no record: NXDOMAIN", name: "db-9.db.shop.svc.cluster.local", want: "none", reason: /NXDOMAIN/ },
];

describe("DNS answers: where a lookup leaves the client", () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.name}${c.family === "ipv6" ? " (AAAA)" : ""} → ${c.want}`, () => {
      const target = resolveDnsName(dnsWorld, c.name, "shop");
      assert.ok(target, `${c.name} resolves to nothing`);
      const answer = nameAnswer(dnsWorld, target.record, c.family ?? "ipv4");
      assert.equal(describeAnswer(answer), c.want, answer.reason);
      if (c.reason) assert.match(answer.reason, c.reason);
    });
  }
});
