/** Unit tests of the local provider's pure parts (no Docker). */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { bigIntToIp, familyOf, ipToBigInt } from '../../kube/net.js';
import { canonicalIp, nthAddress, overlaps, parseCidr, formatCidr } from './addresses.js';
import { assertNodeName, assertPodId, netnsName, vethName, ownerAlive, ownerLabel } from './names.js';
import { nodeRootScript, podScript, type PlumbNode } from './plumbing.js';
import { normalizeSpec, type LocalClusterSpec } from './cluster.js';
import { nodeImageRef, OFFLINE_SCRIPT } from './image.js';
import { nodeRunCommand } from './nodes.js';
import { NETNS_RE } from '../../probe/protocol.js';

describe('local provider: addresses', () => {
  it('round-trips IPv4 and IPv6 text', () => {
    for (const ip of ['10.244.1.2', '0.0.0.0', 'fd00:10:244:1::2', '::', '::1', 'fe80::1', '2001:db8::8:800:200c:417a']) {
      assert.equal(bigIntToIp(ipToBigInt(ip), familyOf(ip)!), ip);
    }
    assert.equal(canonicalIp('FD00:10:244:0:0:0:0:2'), 'fd00:10:244::2');
    assert.equal(canonicalIp('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.throws(() => canonicalIp('10.0.0.256'));
    assert.throws(() => canonicalIp('not-an-ip'));
  });

  it('parses CIDRs, finds overlaps and the n-th address', () => {
    assert.equal(formatCidr(parseCidr('10.244.1.7/24')), '10.244.1.0/24');
    assert.equal(formatCidr(parseCidr('fd00:10:244:1::5/64')), 'fd00:10:244:1::/64');
    assert.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.244.0.0/16')));
    assert.ok(!overlaps(parseCidr('172.28.0.0/24'), parseCidr('172.28.1.0/24')));
    assert.ok(!overlaps(parseCidr('10.0.0.0/8'), parseCidr('fd00::/8')));
    assert.equal(nthAddress('10.244.3.0/24', 1), '10.244.3.1');
    assert.equal(nthAddress('fd00:10:244:3::/64', 2), 'fd00:10:244:3::2');
    assert.throws(() => nthAddress('10.0.0.0/31', 2));
    assert.throws(() => parseCidr('10.0.0.0/33'));
  });
});

describe('local provider: names', () => {
  it('derives safe, stable netns and veth names from pod ids', () => {
    const n = netnsName('shop/api-0');
    assert.match(n, NETNS_RE);
    assert.equal(n, netnsName('shop/api-0'));
    assert.notEqual(n, netnsName('shop/api-1'));
    assert.ok(vethName('shop/api-0').length <= 15);
  });

  it('rejects names that are not DNS-1123', () => {
    assert.throws(() => assertPodId('shop/api;rm -rf /'));
    assert.throws(() => assertPodId('Shop/api'));
    assert.throws(() => assertNodeName('node_a'));
    assert.equal(assertPodId('shop/api-0'), 'shop/api-0');
  });

  it('knows whether a run owner is alive', () => {
    assert.ok(ownerAlive(ownerLabel()));
    const [host] = ownerLabel().split(':');
    assert.ok(!ownerAlive(`${host}:999999999:0`));
    assert.ok(ownerAlive('some-other-host:1:0'), 'another host\'s run is never judged dead');
  });
});

describe('local provider: plumbing scripts', () => {
  const node: PlumbNode = {
    families: ['ipv4', 'ipv6'],
    podCIDRs: { ipv4: '10.244.0.0/24', ipv6: 'fd00:10:244::/64' },
    pods: [{ netns: 'p-aaaa', veth: 'vaaaa', ips: { ipv4: '10.244.0.2', ipv6: 'fd00:10:244::2' } }],
    peers: [{ podCIDRs: { ipv4: '10.244.1.0/24', ipv6: 'fd00:10:244:1::/64' }, nodeIPs: { ipv4: '172.28.0.3', ipv6: 'fd6e::3' } }],
    eth0LinkLocal6: 'fe80::6e73:0:2',
  };

  it('routes pods point to point through the node and other nodes\' pod CIDRs via their node IP', () => {
    const root = nodeRootScript(node).split('\n');
    for (const line of [
      'netns add p-aaaa',
      'link add vaaaa type veth peer name eth0 netns p-aaaa',
      'addr add 10.244.0.1/32 dev vaaaa',
      'route add 10.244.0.2/32 dev vaaaa scope link src 10.244.0.1',
      'addr add fe80::1/64 dev vaaaa nodad',
      'route add fd00:10:244::2/128 dev vaaaa',
      'addr add fe80::6e73:0:2/64 dev eth0 nodad',
      'route add 10.244.1.0/24 via 172.28.0.3',
      'route add fd00:10:244:1::/64 via fd6e::3',
    ]) assert.ok(root.includes(line), `missing: ${line}`);
    const pod = podScript(node, node.pods[0]!).split('\n');
    for (const line of [
      'link set lo up',
      'addr add 10.244.0.2/32 dev eth0',
      'addr add fd00:10:244::2/128 dev eth0 nodad',
      'route add default via 10.244.0.1 dev eth0 src 10.244.0.2',
      'route add ::/0 via fe80::1 dev eth0 src fd00:10:244::2',
    ]) assert.ok(pod.includes(line), `missing: ${line}`);
  });

  it('emits only the families asked for', () => {
    const v4 = nodeRootScript({ ...node, families: ['ipv4'] });
    assert.ok(!v4.includes('fd00'));
    assert.ok(!podScript({ ...node, families: ['ipv4'] }, node.pods[0]!).includes('::'));
  });
});

describe('local provider: cluster spec validation', () => {
  const base = (): LocalClusterSpec => ({
    runId: 'r-test',
    families: ['ipv4', 'ipv6'],
    nodes: [{ name: 'node-a', podCIDRs: { ipv4: '10.244.0.0/24', ipv6: 'fd00:10:244:0::/64' } }],
    pods: [{ id: 'shop/a', node: 'node-a', ips: { ipv4: '10.244.0.2', ipv6: 'fd00:10:244:0:0::2' }, ports: [{ port: 80, protocol: 'TCP' }] }],
  });

  it('normalises addresses and CIDRs', () => {
    const s = normalizeSpec(base());
    assert.equal(s.pods[0]!.ips.ipv6, 'fd00:10:244::2');
    assert.equal(s.nodes[0]!.podCIDRs.ipv6, 'fd00:10:244::/64');
    assert.ok(s.avoidCidrs.includes('10.244.0.0/24'));
  });

  it('rejects addresses outside the node CIDR, the gateway, duplicates and unknown nodes', () => {
    const cases: Array<[(s: LocalClusterSpec) => void, RegExp]> = [
      [(s) => { s.pods[0]!.ips.ipv4 = '10.244.1.2'; }, /not in node-a/],
      [(s) => { s.pods[0]!.ips.ipv4 = '10.244.0.1'; }, /reserved/],
      [(s) => { s.pods.push({ ...s.pods[0]!, id: 'shop/b' }); }, /used twice/],
      [(s) => { s.pods.push({ ...s.pods[0]! }); }, /duplicate pod/],
      [(s) => { s.pods[0]!.node = 'node-z'; }, /unknown node/],
      [(s) => { delete s.pods[0]!.ips.ipv6; }, /no ipv6 address/],
      [(s) => { s.pods[0]!.ports = [{ port: 70000, protocol: 'TCP' }]; }, /bad port/],
      [(s) => { s.runId = 'Bad Run'; }, /invalid run id/],
      [(s) => { s.nodes[0]!.podCIDRs.ipv4 = 'fd00::/64'; }, /not ipv4/],
    ];
    for (const [mutate, error] of cases) {
      const s = base();
      mutate(s);
      assert.throws(() => normalizeSpec(s), error);
    }
  });
});

describe('local provider: node image and containers', () => {
  it('tags the image with the same context hash as the offline build script', () => {
    const fromScript = execFileSync('bash', [OFFLINE_SCRIPT, '--print-tag'], { encoding: 'utf8' }).trim();
    assert.equal(nodeImageRef(), fromScript);
    assert.match(fromScript, /^netspec-node:[0-9a-f]{16}$/);
  });

  it('names a node start as the docker command a user can paste, unprivileged, with the capabilities, sysctls and labels netns pods need', () => {
    const joined = nodeRunCommand({ runId: 'r1', name: 'node-a', image: 'img', network: 'netspec-r1', ipv4: '172.28.0.2', ipv6: 'fd6e::2' });
    assert.ok(!joined.includes('--privileged'));
    for (const want of ['--cap-add NET_ADMIN', '--cap-add SYS_ADMIN', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1',
      '--label netspec.run=r1', '--hostname node-a', '--ip 172.28.0.2', '--ip6 fd6e::2', 'target=/netspec/dist,readonly']) {
      assert.ok(joined.includes(want), `missing ${want}`);
    }
  });
});
