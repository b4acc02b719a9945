/**
 * External hosts on the local provider: addresses outside the cluster (ip/…, cidr/… in
 * expectation rules) are real network namespaces on a node, so egress ipBlock policies are
 * judged on real packets. Pure parts first, then a dual-stack scenario on Docker.
 */
import { strict as assert } from 'node:assert';
import type { Cluster, ProbeRequest } from '../../runner/provider.js';
import { scenarioFromYaml } from '../../scenario/build.js';
import { externalTargets } from '../../scenario/references.js';
import { normalizeSpec, type LocalClusterSpec } from './cluster.js';
import { newRunId } from './names.js';
import { externalScript, nodeRootScript, outsideClientScript, outsideRootScript, type PlumbNode } from './plumbing.js';
import { externalHosts, LocalProvider } from './provider.js';

// Source pods on both nodes (the external hosts live on the first), TCP and UDP, both
// families; `open` has no policy, so a denied cell is the policy's doing, not routing's.
const SCENARIO = `
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: external-hosts }
cluster:
  ipFamily: dual
  nodes: [ { name: node-a }, { name: node-b } ]
namespaces: [ { name: app } ]
pods:
  - { name: client-a, namespace: app, labels: { role: client }, node: node-a }
  - { name: client-b, namespace: app, labels: { role: client }, node: node-b }
  - { name: open, namespace: app, labels: { role: open }, node: node-b }
resources:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: client-egress, namespace: app }
    spec:
      podSelector: { matchLabels: { role: client } }
      policyTypes: [Egress]
      egress:
        - to:
            - ipBlock: { cidr: 198.51.100.0/24, except: [198.51.100.128/25] }
            - ipBlock: { cidr: "2001:db8:10::/64", except: ["2001:db8:10::8000/113"] }
expect:
  rules:
    - { from: { labels: { role: client } }, to: ip/198.51.100.10, port: 443, result: allow }
    - { from: { labels: { role: client } }, to: ip/198.51.100.10, port: 5353, protocol: UDP, result: allow }
    - { from: { labels: { role: client } }, to: ip/198.51.100.200, port: 443, result: deny }
    - { from: { labels: { role: client } }, to: "ip/2001:db8:10::10", port: 443, result: allow }
    - { from: { labels: { role: client } }, to: "ip/2001:db8:10::9000", port: 443, result: deny }
    - { from: app/open, to: ip/198.51.100.200, port: 443, result: allow }
    - { from: app/open, to: "cidr/2001:db8:10::8000/113", port: 443, result: allow }
    - { from: app/open, to: ip/10.244.200.7, port: 443, result: allow }
`;

describe('local provider: external hosts', () => {
  it('collects each external address once, with its ports, and refuses to host addresses inside the cluster', () => {
    const { hosts, unhosted } = externalHosts(scenarioFromYaml(SCENARIO));
    assert.deepEqual(hosts.map((h) => h.ip), ['198.51.100.10', '198.51.100.200', '2001:db8:10::10', '2001:db8:10::9000', '2001:db8:10::8001']);
    assert.deepEqual(hosts[0]!.ports, [{ port: 443, protocol: 'TCP' }, { port: 5353, protocol: 'UDP' }]);
    assert.match(unhosted.get('10.244.200.7') ?? '', /subnet 10\.244\.0\.0\/16/);
  });

  it('hosts the addresses of cluster.upstreamDNS on every port a cell by name may dial there', () => {
    const { hosts, unhosted } = externalHosts(scenarioFromYaml(`
apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: upstream-hosts }
cluster: { upstreamDNS: [ { name: db.example.com, addresses: [192.0.2.10, "2001:db8::10"] }, { name: mc.example.com, addresses: [224.0.0.9] } ] }
namespaces: [ { name: app } ]
pods: [ { name: a, namespace: app }, { name: b, namespace: app } ]
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: ext, namespace: app }, spec: { type: ExternalName, externalName: db.example.com, ports: [ { name: pg, port: 5432 }, { name: dns, port: 53, protocol: UDP } ] } }
expect:
  rules: [ { from: app/a, to: dns/ext, port: 8443, result: allow } ]
`));
    // An IPv6 address on an IPv4 cluster is no host of it.
    assert.deepEqual(hosts, [{ ip: '192.0.2.10', ports: [{ port: 5432, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { port: 8443, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }] }]);
    assert.match(unhosted.get('224.0.0.9') ?? '', /not a unicast host address/);
  });

  it('hosts the external targets the oracle probes: a cidr/ block at its first host', () => {
    const scenario = scenarioFromYaml(SCENARIO);
    assert.deepEqual(externalTargets(scenario).map((e) => e.target.ip), [
      '198.51.100.10', '198.51.100.10', '198.51.100.200', '2001:db8:10::10', '2001:db8:10::9000', '198.51.100.200', '2001:db8:10::8001', '10.244.200.7',
    ]);
  });

  it('plumbs an external host like a pod, with one address, routed from the other nodes', () => {
    const node: PlumbNode = {
      families: ['ipv4', 'ipv6'],
      podCIDRs: { ipv4: '10.244.0.0/24', ipv6: 'fd00:10:244::/64' },
      pods: [],
      externals: [{ netns: 'x-1', veth: 'x1', ip: '198.51.100.10' }, { netns: 'x-2', veth: 'x2', ip: '2001:db8::1' }],
      peers: [{ podCIDRs: { ipv4: '10.244.1.0/24' }, nodeIPs: { ipv4: '172.28.0.3', ipv6: 'fd6e::3' }, externals: ['192.0.2.1', '2001:DB8::2'] }],
    };
    const root = nodeRootScript(node).split('\n');
    assert.ok(root.includes('route add 198.51.100.10/32 dev x1 scope link src 10.244.0.1'));
    assert.ok(root.includes('route add 2001:db8::1/128 dev x2'));
    assert.ok(root.includes('route add 192.0.2.1/32 via 172.28.0.3'));
    assert.ok(root.includes('route add 2001:db8::2/128 via fd6e::3'));
    assert.ok(externalScript(node, node.externals![0]!).includes('route add default via 10.244.0.1 dev eth0 src 198.51.100.10'));
    assert.ok(externalScript(node, node.externals![1]!).includes('route add ::/0 via fe80::1 dev eth0 src 2001:db8::1'));
  });

  it('rejects external addresses inside the cluster, special addresses and other families', () => {
    const base = (ip: string): LocalClusterSpec => ({
      families: ['ipv4'], nodes: [{ name: 'node-a', podCIDRs: { ipv4: '10.244.0.0/24' } }], pods: [],
      avoidCidrs: ['10.96.0.0/16'], externals: [{ ip, ports: [{ port: 80, protocol: 'TCP' }] }],
    });
    assert.equal(normalizeSpec(base('192.0.2.10')).externals[0]!.identity, 'external/192.0.2.10');
    for (const ip of ['10.244.0.9', '10.96.0.1', '127.0.0.1', '224.0.0.1', '2001:db8::1', '1.2.3.4; reboot']) {
      assert.throws(() => normalizeSpec(base(ip)), Error, ip);
    }
  });
});

describe('local provider: external hosts @docker', function () {
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

  it('connects where the egress ipBlock allows, times out where it does not, both families, from both nodes', async () => {
    const requests: ProbeRequest[] = [];
    const want = new Map<string, string>();
    const add = (from: string, address: string, port: number, protocol: 'TCP' | 'UDP', observed: string) => {
      const id = `${from}>${address}:${port}/${protocol}`;
      const family = address.includes(':') ? 'ipv6' : 'ipv4';
      requests.push({ id, from, target: { kind: 'external', ip: address }, probe: { host: address, port, protocol, family }, samples: 1 });
      want.set(id, observed);
    };
    for (const from of ['app/client-a', 'app/client-b']) {
      add(from, '198.51.100.10', 443, 'TCP', 'connected');
      add(from, '198.51.100.10', 5353, 'UDP', 'connected');
      add(from, '198.51.100.200', 443, 'TCP', 'timeout');
      add(from, '2001:db8:10::10', 443, 'TCP', 'connected');
      add(from, '2001:db8:10::9000', 443, 'TCP', 'timeout');
    }
    add('app/open', '198.51.100.200', 443, 'TCP', 'connected');
    add('app/open', '2001:db8:10::8001', 443, 'TCP', 'connected');
    // A port the external host does not serve: refused, as from any real host.
    add('app/open', '198.51.100.10', 444, 'TCP', 'refused');
    add('app/open', '10.244.200.7', 443, 'TCP', 'skipped');
    const observations = await cluster!.probe(requests, { timeoutMs: 1000 });
    for (const o of observations) {
      assert.equal(o.observed, want.get(o.id), `${o.id}: ${o.observed} ${o.detail ?? ''}`);
      if (o.observed === 'connected') {
        const address = o.id.split('>')[1]!.replace(/:\d+\/(TCP|UDP)$/, '');
        assert.deepEqual(o.backends, [`external/${address}`], o.id);
      }
    }
    assert.equal(observations.length, requests.length);
  });
});

describe('local provider: the outside host', () => {
  it('names each node namespace `host` and plumbs external/<ip> clients behind the outside host, routed back from the nodes', () => {
    const clients = [{ netns: 'c-1', veth: 'c1', ip: '203.0.113.7' }, { netns: 'c-2', veth: 'c2', ip: '2001:db8:5::7' }];
    const root = outsideRootScript(clients).split('\n');
    assert.equal(root[0], 'netns attach host 1');
    assert.ok(root.includes('route add 203.0.113.7/32 dev c1 scope link src 169.254.1.1'));
    assert.ok(root.includes('route add 2001:db8:5::7/128 dev c2'));
    assert.ok(outsideClientScript(clients[0]!).includes('route add default via 169.254.1.1 dev eth0 src 203.0.113.7'));
    const node: PlumbNode = {
      families: ['ipv4', 'ipv6'], podCIDRs: { ipv4: '10.244.0.0/24', ipv6: 'fd00:10:244::/64' }, pods: [], peers: [],
      outside: { ips: { ipv4: '172.28.0.254', ipv6: 'fd6e::fe' }, clients: ['203.0.113.7', '2001:db8:5::7'] },
    };
    const lines = nodeRootScript(node).split('\n');
    assert.equal(lines[0], 'netns attach host 1');
    assert.ok(lines.includes('route add 203.0.113.7/32 via 172.28.0.254'));
    assert.ok(lines.includes('route add 2001:db8:5::7/128 via fd6e::fe'));
  });

  it('rejects external clients inside the cluster or of another family', () => {
    const base = (ip: string): LocalClusterSpec => ({
      families: ['ipv4'], nodes: [{ name: 'node-a', podCIDRs: { ipv4: '10.244.0.0/24' } }], pods: [],
      avoidCidrs: ['10.96.0.0/16'], outside: { clients: [ip] },
    });
    assert.equal(normalizeSpec(base('203.0.113.7')).outside!.clients[0]!.ip, '203.0.113.7');
    for (const ip of ['10.244.0.9', '10.96.0.1', '127.0.0.1', '2001:db8::1']) assert.throws(() => normalizeSpec(base(ip)), Error, ip);
  });
});
