/**
 * The local provider's cluster DNS (dns-records.ts): the records it serves, read from the
 * manifests on its own, then real lookups from a pod's namespace through its resolv.conf to
 * dnsmasq on Docker: relative and absolute names, SRV, endpoint hostnames and addresses, pod
 * records and ExternalName CNAMEs, each followed by the connection to what they answer.
 */
import { strict as assert } from 'node:assert';
import type { Cluster, ProbeRequest } from '../../runner/provider.js';
import { scenarioFromYaml } from '../../scenario/build.js';
import type { DnsTarget } from '../../scenario/target.js';
import { dnsRecords } from './dns-records.js';
import { newRunId } from './names.js';
import { LocalProvider } from './provider.js';

// Pods in declaration order: node-a gets web (.2), db-0 (.3); node-b api (.2), db-1 (.3).
const SCENARIO = `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: dns-records }
cluster:
  ipFamily: dual
  upstreamDNS: [ { name: db.example.com, addresses: [192.0.2.10, "2001:db8::10"] } ]
namespaces: [ { name: shop } ]
pods:
  - { name: web, namespace: shop, labels: { app: web }, node: node-a }
  - { name: api, namespace: shop, labels: { app: api }, node: node-b, ports: [ { name: http, port: 8080 } ] }
  - { name: db-0, namespace: shop, labels: { app: db }, node: node-a, hostname: db-0, subdomain: db, ports: [ { name: pg, port: 5432 } ] }
  - { name: db-1, namespace: shop, labels: { app: db }, node: node-b, ports: [ { name: pg, port: 5432 } ] }
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: api, namespace: shop }, spec: { selector: { app: api }, ports: [ { name: http, port: 80, targetPort: http } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: db, namespace: shop },
      spec: { clusterIP: None, ipFamilyPolicy: PreferDualStack, selector: { app: db }, ports: [ { name: pg, port: 15432, targetPort: pg } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: ext, namespace: shop }, spec: { type: ExternalName, externalName: db.example.com., ports: [ { port: 5432 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: alias, namespace: shop }, spec: { type: ExternalName, externalName: api.shop.svc.cluster.local } }
  - { apiVersion: v1, kind: Service, metadata: { name: literal, namespace: shop }, spec: { type: ExternalName, externalName: 192.0.2.10 } }
`;

describe('local provider: DNS records', () => {
  const scenario = scenarioFromYaml(SCENARIO);
  const { hosts, config } = dnsRecords(scenario);
  const lines = (text: string) => text.split('\n').filter(Boolean);

  it('serves Service names, endpoint names (hostname, else the dashed address), pod records and upstream names', () => {
    const api = scenario.services.find((s) => s.id === 'shop/api')!.clusterIPs.ipv4!;
    for (const line of [
      `${api} api.shop.svc.cluster.local`,
      '10.244.0.3 db.shop.svc.cluster.local', 'fd00:10:244:1::3 db.shop.svc.cluster.local',
      '10.244.0.3 db-0.db.shop.svc.cluster.local', 'fd00:10:244::3 db-0.db.shop.svc.cluster.local',
      '10.244.1.3 10-244-1-3.db.shop.svc.cluster.local', 'fd00:10:244:1::3 fd00-10-244-1--3.db.shop.svc.cluster.local',
      '10.244.1.2 10-244-1-2.api.shop.svc.cluster.local',
      '10.244.0.2 10-244-0-2.shop.pod.cluster.local', 'fd00:10:244::2 fd00-10-244--2.shop.pod.cluster.local',
      '192.0.2.10 db.example.com', '2001:db8::10 db.example.com',
    ]) assert.ok(lines(hosts).includes(line), `missing: ${line}\n${hosts}`);
  });

  it('serves SRV for named ports: the Service name at its port, or each endpoint at its own port (CoreDNS)', () => {
    assert.deepEqual(lines(config).filter((l) => l.startsWith('srv-host=') && l.includes('.shop.')).sort(), [
      'srv-host=_http._tcp.api.shop.svc.cluster.local,api.shop.svc.cluster.local,80,0,100',
      'srv-host=_pg._tcp.db.shop.svc.cluster.local,10-244-1-3.db.shop.svc.cluster.local,5432,0,100',
      'srv-host=_pg._tcp.db.shop.svc.cluster.local,db-0.db.shop.svc.cluster.local,5432,0,100',
      'srv-host=_pg._tcp.db.shop.svc.cluster.local,fd00-10-244-1--3.db.shop.svc.cluster.local,5432,0,100',
    ]);
  });

  it('serves the cluster DNS\'s own SRV records, as CoreDNS does for kube-dns', () => {
    assert.ok(lines(config).includes('srv-host=_dns._udp.kube-dns.kube-system.svc.cluster.local,kube-dns.kube-system.svc.cluster.local,53,0,100'));
  });

  it('serves ExternalName CNAMEs, but none for a name that is an IPv4 address', () => {
    assert.deepEqual(lines(config).filter((l) => l.startsWith('cname=')), [
      'cname=ext.shop.svc.cluster.local,db.example.com',
      'cname=alias.shop.svc.cluster.local,api.shop.svc.cluster.local',
    ]);
  });
});

describe('local provider: DNS lookups @docker', function () {
  this.timeout(300_000);
  const scenario = scenarioFromYaml(SCENARIO);
  let cluster: Cluster | undefined;

  before(async () => {
    const provider = new LocalProvider();
    await provider.preflight();
    cluster = await provider.provision(scenario, { runId: newRunId(), log: () => {} });
    await cluster.apply(scenario);
  });

  after(async () => {
    await cluster?.destroy();
  });

  // The provider looks at a DNS target's name only; what the oracle makes of it plays no part.
  const target = (name: string): DnsTarget => ({ kind: 'dns', name, fqdn: name, record: { kind: 'missing', reason: 'not consulted' } });

  it('resolves every form through the pod\'s resolv.conf and connects to what it answers', async () => {
    const want = new Map<string, { observed: string; backends?: string[] }>();
    const requests: ProbeRequest[] = [];
    const add = (name: string, port: number, family: 'ipv4' | 'ipv6', observed: string, backends?: string[], samples = 1) => {
      const id = `${name} ${port} ${family}`;
      const srv = name.startsWith('_');
      requests.push({ id, from: 'shop/web', target: target(name), probe: { host: name, port, protocol: 'TCP', family, ...(srv ? { srv } : {}) }, samples });
      want.set(id, { observed, ...(backends ? { backends } : {}) });
    };
    add('api', 80, 'ipv4', 'connected', ['shop/api']);
    add('api.shop.svc', 80, 'ipv4', 'connected', ['shop/api']);
    add('api.shop.svc.cluster.local.', 80, 'ipv4', 'connected', ['shop/api']);
    add('_http._tcp.api', 80, 'ipv4', 'connected', ['shop/api']);
    // The SRV answers name each endpoint at its own port (5432), not the Service port (15432).
    add('_pg._tcp.db.shop', 15432, 'ipv4', 'connected', ['shop/db-0', 'shop/db-1'], 8);
    add('_pg._tcp.db.shop', 15432, 'ipv6', 'connected', ['shop/db-0', 'shop/db-1'], 8);
    add('_grpc._tcp.api', 80, 'ipv4', 'dns-error');
    add('db-0.db', 5432, 'ipv4', 'connected', ['shop/db-0']);
    add('db-0.db', 5432, 'ipv6', 'connected', ['shop/db-0']);
    add('10-244-1-3.db.shop', 5432, 'ipv4', 'connected', ['shop/db-1']);
    add('db-9.db.shop.svc.cluster.local', 5432, 'ipv4', 'dns-error');
    add('10-244-0-3.shop.pod', 5432, 'ipv4', 'connected', ['shop/db-0']);
    add('fd00-10-244--3.shop.pod.cluster.local.', 5432, 'ipv6', 'connected', ['shop/db-0']);
    add('ext', 5432, 'ipv4', 'connected', ['external/192.0.2.10']);
    add('ext.shop', 5432, 'ipv6', 'connected', ['external/2001:db8::10']);
    add('alias', 80, 'ipv4', 'connected', ['shop/api']);
    add('literal', 5432, 'ipv4', 'dns-error');
    add('db.example.com.', 80, 'ipv4', 'connected', ['external/192.0.2.10']);
    const observations = await cluster!.probe(requests, { timeoutMs: 1000 });
    assert.equal(observations.length, requests.length);
    for (const o of observations) {
      const expected = want.get(o.id)!;
      assert.equal(o.observed, expected.observed, `${o.id}: ${o.observed} ${o.detail ?? ''}`);
      if (expected.backends) assert.deepEqual([...o.backends].sort(), expected.backends, o.id);
    }
  });
});
