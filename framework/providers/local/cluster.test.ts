/**
 * The local cluster's machinery against the real Docker engine (no mocks):
 * a two-node dual-stack cluster with three pods, probed same-node and
 * cross-node on both families, TCP, UDP and HTTP, then torn down without a trace.
 */
import { strict as assert } from 'node:assert';
import { runCommand } from '../../exec/command.js';
import { ensureNodeImage } from './image.js';
import {
  destroyCluster, diagnose, probe, provisionCluster, runOnNode, startServers, type LocalCluster, type LocalClusterSpec,
} from './cluster.js';
import { cleanupStale } from './cleanup.js';
import { LABEL_OWNER, LABEL_RUN, newRunId } from './names.js';
import { nthAddress } from './addresses.js';
import type { Family, ProbeTarget } from '../../probe/protocol.js';
import type { SourcedResult } from './agent-client.js';

const FAMILIES: Family[] = ['ipv4', 'ipv6'];

function spec(runId: string, podsPerNode: number[]): LocalClusterSpec {
  const nodes = podsPerNode.map((_, i) => ({
    name: `node-${String.fromCharCode(97 + i)}`,
    podCIDRs: { ipv4: `10.244.${i}.0/24`, ipv6: `fd00:10:244:${i}::/64` },
  }));
  const pods: LocalClusterSpec['pods'] = [];
  podsPerNode.forEach((count, i) => {
    for (let k = 0; k < count; k++) {
      pods.push({
        id: `ns${k % 2}/pod-${i}-${k}`,
        node: nodes[i]!.name,
        ips: { ipv4: `10.244.${i}.${k + 2}`, ipv6: `fd00:10:244:${i}::${(k + 2).toString(16)}` },
        ports: [{ port: 80, protocol: 'TCP' }, { port: 5353, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }],
      });
    }
  });
  return { runId, families: FAMILIES, nodes, pods, avoidCidrs: ['10.96.0.0/16', 'fd00:10:96::/112'] };
}

async function countLabelled(runId: string): Promise<{ containers: number; networks: number }> {
  const c = await runCommand('docker', ['ps', '-aq', '--filter', `label=${LABEL_RUN}=${runId}`]);
  const n = await runCommand('docker', ['network', 'ls', '-q', '--filter', `label=${LABEL_RUN}=${runId}`]);
  return { containers: c.stdout.split('\n').filter(Boolean).length, networks: n.stdout.split('\n').filter(Boolean).length };
}

describe('local cluster @docker', function () {
  // Building the node image from scratch takes ~1 min (once per machine).
  this.timeout(300_000);
  let cluster: LocalCluster | undefined;
  const runId = newRunId();

  before(async () => {
    const img = await ensureNodeImage({ log: (m) => console.log(`      ${m}`) });
    console.log(`      image ensure: ${img.durationMs} ms (${img.source}) ${img.ref}`);
    const t = Date.now();
    cluster = await provisionCluster(spec(runId, [2, 1]), { image: img.ref });
    console.log(`      provision 2 nodes + 3 pods: ${Date.now() - t} ms ${JSON.stringify(cluster.timings)}`);
  });

  after(async () => {
    if (cluster) await destroyCluster(cluster);
  });

  function byKey(results: SourcedResult[]): Map<string, SourcedResult> {
    return new Map(results.map((r) => [`${r.source}>${r.id}`, r]));
  }

  it('starts node containers unprivileged, with the capabilities, sysctls, labels and fixed addresses asked for', async () => {
    const node = cluster!.nodes[0]!;
    const inspect = JSON.parse((await runCommand('docker', ['inspect', node.container])).stdout)[0];
    assert.equal(inspect.HostConfig.Privileged, false);
    assert.deepEqual([...inspect.HostConfig.CapAdd].sort(), ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN']);
    assert.equal(inspect.HostConfig.Sysctls['net.ipv4.ip_forward'], '1');
    assert.equal(inspect.HostConfig.Sysctls['net.ipv6.conf.all.forwarding'], '1');
    assert.equal(inspect.Config.Labels[LABEL_RUN], runId);
    assert.equal(inspect.Config.Hostname, node.name);
    const endpoint = inspect.NetworkSettings.Networks[cluster!.network.name];
    assert.equal(endpoint.IPAddress, node.ips.ipv4);
    assert.equal(endpoint.GlobalIPv6Address, node.ips.ipv6);
  });

  it('connects pod to pod on the same node and across nodes, both families, with the right backend', async () => {
    const c = cluster!;
    const targets = (exclude?: string): ProbeTarget[] => c.pods.filter((p) => p.id !== exclude).flatMap((p) =>
      FAMILIES.flatMap((family) => [
        { id: `${p.id}|${family}|tcp`, host: p.ips[family]!, port: 80, protocol: 'TCP' as const, family },
        { id: `${p.id}|${family}|udp`, host: p.ips[family]!, port: 5353, protocol: 'UDP' as const, family },
      ]));
    const run = await probe(c, c.pods.map((p) => ({ source: p.id, batch: { targets: targets(p.id) } })));
    assert.deepEqual(run.failures, []);
    assert.equal(run.results.length, 3 * 2 * 2 * 2);
    for (const r of run.results) {
      const [target, family] = r.id.split('|');
      assert.equal(r.outcome, 'connected', `${r.source} -> ${r.id}: ${r.outcome} ${r.code ?? ''}`);
      assert.equal(r.backend, target, `${r.source} -> ${r.id} answered by ${r.backend}`);
      // No NAT on the pod network: the server sees the source pod's own address.
      const src = c.pods.find((p) => p.id === r.source)!;
      assert.equal(r.clientSeenAs, src.ips[family as Family], `${r.source} -> ${r.id} seen as ${r.clientSeenAs}`);
    }
    // Same node and cross node both covered.
    const a = c.pods[0]!, b = c.pods[1]!, x = c.pods[2]!;
    assert.equal(a.node, b.node);
    assert.notEqual(a.node, x.node);
    // The diagnosis shows the cross-node routes (no NAT: plain next hops).
    const d = await diagnose(c);
    assert.match(d['node-a/routes'] ?? '', new RegExp(`10\\.244\\.1\\.0/24 via ${c.nodes[1]!.ips.ipv4.replace(/\./g, '\\.')}`));
    assert.match(d['node-b/routes6'] ?? '', /fd00:10:244::\/64 via/);
  });

  it('answers HTTP probes pod to pod on a TCP port, same node and across nodes, with the answering pod and the request it received', async () => {
    const c = cluster!;
    const [src, same, other] = c.pods as [typeof c.pods[0], typeof c.pods[0], typeof c.pods[0]];
    const http = { method: 'GET', host: 'echo.example.com', path: '/v2?animal=whale', headers: { version: 'two' } };
    const targets: ProbeTarget[] = [same, other].flatMap((dst) => FAMILIES.map((family) =>
      ({ id: `${dst.id}|${family}`, host: dst.ips[family]!, port: 80, protocol: 'TCP' as const, family, http })));
    const run = await probe(c, [{ source: src.id, batch: { targets } }]);
    assert.deepEqual(run.failures, []);
    assert.equal(run.results.length, 4);
    for (const r of run.results) {
      const [target, family] = r.id.split('|');
      assert.equal(r.outcome, 'connected', `${r.id}: ${JSON.stringify(r)}`);
      assert.equal(r.backend, target);
      assert.equal(r.clientSeenAs, src.ips[family as Family]);
      assert.deepEqual(r.http, { status: 200, request: { ...http, headers: { host: 'echo.example.com', version: 'two', connection: 'close' } } });
    }
  });

  it('reports refused for a port nobody serves (TCP and UDP), skipped for SCTP, dns-error for an unknown name', async () => {
    const c = cluster!;
    const [src, same, other] = c.pods as [typeof c.pods[0], typeof c.pods[0], typeof c.pods[0]];
    const targets: ProbeTarget[] = [];
    for (const dst of [same, other]) {
      for (const family of FAMILIES) {
        targets.push({ id: `${dst.id}|${family}|tcp81`, host: dst.ips[family]!, port: 81, protocol: 'TCP', family });
        targets.push({ id: `${dst.id}|${family}|udp54`, host: dst.ips[family]!, port: 5354, protocol: 'UDP', family });
        targets.push({ id: `${dst.id}|${family}|sctp9`, host: dst.ips[family]!, port: 9, protocol: 'SCTP', family });
      }
    }
    targets.push({ id: 'dns', host: 'no-such-service.nowhere.invalid', port: 80, protocol: 'TCP', family: 'ipv4' });
    const run = await probe(c, [{ source: src.id, batch: { targets } }]);
    assert.deepEqual(run.failures, []);
    const got = byKey(run.results);
    for (const t of targets) {
      const r = got.get(`${src.id}>${t.id}`);
      assert.ok(r, `no result for ${t.id}`);
      const want = t.id === 'dns' ? 'dns-error' : t.protocol === 'SCTP' ? 'skipped' : 'refused';
      assert.equal(r.outcome, want, `${t.id}: ${r.outcome} ${r.code ?? ''}`);
    }
    // The servers said which ports they could not serve.
    assert.deepEqual(src.server?.skipped.map((s) => s.port), [9]);
  });

  it('times out on a silently dropped destination', async () => {
    const c = cluster!;
    const dst = c.pods[2]!;
    // Drop at the destination node, as a deny policy would (the lead's nft rules go the same way).
    const node = c.nodes.find((n) => n.name === dst.node)!;
    await runOnNode(c, node.name, [[{
      kind: 'exec', argv: ['nft', '-f', '-'],
      input: `table inet netspec_test {\n chain filter_forward {\n  type filter hook forward priority 0; policy accept;\n  ip daddr ${dst.ips.ipv4} tcp dport 80 drop\n }\n}\n`,
    }]]);
    try {
      const run = await probe(c, [{ source: c.pods[0]!.id, batch: { timeoutMs: 500, targets: [
        { id: 'v4', host: dst.ips.ipv4!, port: 80, protocol: 'TCP', family: 'ipv4' },
        { id: 'v6', host: dst.ips.ipv6!, port: 80, protocol: 'TCP', family: 'ipv6' },
      ] } }]);
      const got = byKey(run.results);
      assert.equal(got.get(`${c.pods[0]!.id}>v4`)?.outcome, 'timeout');
      assert.equal(got.get(`${c.pods[0]!.id}>v6`)?.outcome, 'connected');
    } finally {
      await runOnNode(c, node.name, [[{ kind: 'exec', argv: ['nft', 'delete', 'table', 'inet', 'netspec_test'] }]]);
    }
  });

  it('resolves names through the pod resolv.conf (search list, A and AAAA), written after servers started', async () => {
    const c = cluster!;
    const [src, , dst] = c.pods as [typeof c.pods[0], typeof c.pods[0], typeof c.pods[0]];
    const node = c.nodes.find((n) => n.name === src.node)!;
    const dnsIp = nthAddress(node.podCIDRs.ipv4!, 1); // the node side of every pod veth
    await runOnNode(c, node.name, [[
      { kind: 'exec', argv: ['dnsmasq', '--no-resolv', '--no-hosts', '--user=root', '--pid-file=', '--bind-interfaces',
        `--listen-address=${dnsIp}`, '--local=/cluster.local/', `--host-record=web.ns1.svc.cluster.local,${dst.ips.ipv4},${dst.ips.ipv6}`] },
      // Written after the servers started: the probe daemon must still pick it up.
      { kind: 'write', path: `/etc/netns/${src.netns}/resolv.conf`,
        content: `nameserver ${dnsIp}\nsearch ns0.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n` },
    ]]);
    const run = await probe(c, [{ source: src.id, batch: { targets: [
      { id: 'v4', host: 'web.ns1', port: 80, protocol: 'TCP', family: 'ipv4' },
      { id: 'v6', host: 'web.ns1', port: 5353, protocol: 'UDP', family: 'ipv6' },
      { id: 'fqdn', host: 'web.ns1.svc.cluster.local.', port: 80, protocol: 'TCP', family: 'ipv4' },
      { id: 'http', host: 'web.ns1', port: 80, protocol: 'TCP', family: 'ipv6', http: { method: 'GET', host: 'web.ns1', path: '/', headers: {} } },
      { id: 'nx', host: 'nothere.ns1', port: 80, protocol: 'TCP', family: 'ipv4' },
    ] } }]);
    const got = byKey(run.results);
    for (const id of ['v4', 'v6', 'fqdn', 'http']) {
      const r = got.get(`${src.id}>${id}`);
      assert.equal(r?.outcome, 'connected', `${id}: ${JSON.stringify(r)}`);
      assert.equal(r?.backend, dst.id);
    }
    assert.equal(got.get(`${src.id}>v6`)?.address, dst.ips.ipv6);
    assert.equal(got.get(`${src.id}>http`)?.http?.request?.host, 'web.ns1');
    assert.equal(got.get(`${src.id}>nx`)?.outcome, 'dns-error');
    assert.equal(got.get(`${src.id}>nx`)?.code, 'ENOTFOUND');
  });

  it('probes a batch of ~100 targets from every pod quickly', async () => {
    const c = cluster!;
    const batches = c.pods.map((src) => {
      const targets: ProbeTarget[] = [];
      for (const dst of c.pods) {
        for (const family of FAMILIES) {
          for (let i = 0; i < 8; i++) {
            targets.push({ id: `${dst.id}|${family}|t${i}`, host: dst.ips[family]!, port: i % 2 ? 81 : 80, protocol: 'TCP', family });
            targets.push({ id: `${dst.id}|${family}|u${i}`, host: dst.ips[family]!, port: i % 2 ? 5354 : 5353, protocol: 'UDP', family });
          }
        }
      }
      return { source: src.id, batch: { targets } };
    });
    const t = Date.now();
    const run = await probe(c, batches);
    const ms = Date.now() - t;
    const total = batches.reduce((a, b) => a + b.batch.targets.length, 0);
    console.log(`      probe ${total} cells (${batches[0]!.batch.targets.length} per source pod, ${batches.length} pods): ${ms} ms`);
    assert.deepEqual(run.failures, []);
    assert.equal(run.results.length, total);
    for (const r of run.results) {
      const closed = /\|[tu][1357]$/.test(r.id);
      assert.equal(r.outcome, closed ? 'refused' : 'connected', `${r.source} -> ${r.id}`);
    }
  });
});

describe('local cluster scale @docker', function () {
  this.timeout(300_000);

  it('provisions 2 nodes with 9 pods and tears down without leaving containers or networks', async () => {
    const runId = newRunId();
    const img = await ensureNodeImage();
    const t = Date.now();
    const s = spec(runId, [5, 4]);
    s.pods[8]!.ports = []; // a pod without ports still gets its probe daemon
    const c = await provisionCluster(s, { image: img.ref });
    const provisionMs = Date.now() - t;
    try {
      assert.equal(c.pods.filter((p) => p.server?.serving.length === 2).length, 8);
      assert.equal(c.pods.filter((p) => p.server?.ready).length, 9);
      assert.deepEqual(await countLabelled(runId), { containers: 2, networks: 1 });
      const targets: ProbeTarget[] = c.pods.flatMap((p) => FAMILIES.map((family) => (
        { id: `${p.id}|${family}`, host: p.ips[family]!, port: 80, protocol: 'TCP' as const, family })));
      const tp = Date.now();
      const run = await probe(c, c.pods.map((p) => ({ source: p.id, batch: { targets } })));
      const probeMs = Date.now() - tp;
      assert.deepEqual(run.failures, []);
      assert.equal(run.results.filter((r) => r.outcome === 'connected').length, 9 * 16);
      assert.equal(run.results.filter((r) => r.outcome === 'refused').length, 9 * 2);
      console.log(`      provision 2 nodes + 9 pods: ${provisionMs} ms ${JSON.stringify(c.timings)}; probe 9x18 cells: ${probeMs} ms`);
    } finally {
      const td = Date.now();
      await destroyCluster(c);
      console.log(`      teardown: ${Date.now() - td} ms`);
    }
    assert.deepEqual(await countLabelled(runId), { containers: 0, networks: 0 });
  });

  it('serves 60 pods of one node from one server process, each on its own addresses, and probes from all of them at once', async () => {
    const runId = newRunId();
    const img = await ensureNodeImage();
    const c = await provisionCluster(spec(runId, [60]), { image: img.ref });
    try {
      assert.equal(c.pods.filter((p) => p.server?.serving.length === 2 && p.server.errors.length === 0).length, 60, 'every server ready, no port failed');
      assert.equal(new Set(c.pods.map((p) => p.server!.pid)).size, 1, 'one process serves them all');
      const targets: ProbeTarget[] = c.pods.flatMap((p) => FAMILIES.flatMap((family) => [
        { id: `${p.id}|${family}|tcp`, host: p.ips[family]!, port: 80, protocol: 'TCP' as const, family },
        { id: `${p.id}|${family}|udp`, host: p.ips[family]!, port: 5353, protocol: 'UDP' as const, family },
      ]));
      const run = await probe(c, c.pods.map((p) => ({ source: p.id, batch: { targets } })));
      assert.deepEqual(run.failures, []);
      assert.equal(run.results.length, 60 * 240);
      const wrong = run.results.filter((r) => r.outcome !== 'connected' || r.backend !== r.id.split('|')[0]);
      assert.deepEqual(wrong.slice(0, 3), [], `${wrong.length} attempts did not reach their own pod`);
      // Each answer saw the source pod's own address: the probe left from the source's namespace.
      const source = new Map(c.pods.map((p) => [p.id, p]));
      assert.ok(run.results.every((r) => r.clientSeenAs === source.get(r.source)!.ips[r.id.split('|')[1] as Family]), 'client addresses are the sources\' own');
    } finally {
      await destroyCluster(c);
    }
  });

  it('probes before any server runs (refused), then reaches them once servers start', async () => {
    const img = await ensureNodeImage();
    const c = await provisionCluster(spec(newRunId(), [2]), { image: img.ref, skipServers: true });
    try {
      const [a, b] = c.pods as [typeof c.pods[0], typeof c.pods[0]];
      const batch = { targets: [{ id: 'b', host: b.ips.ipv4!, port: 80, protocol: 'TCP' as const, family: 'ipv4' as const }] };
      const before = await probe(c, [{ source: a.id, batch }]);
      assert.deepEqual(before.failures, []);
      assert.equal(before.results[0]?.outcome, 'refused');
      await startServers(c);
      assert.ok(b.server?.ready);
      const after = await probe(c, [{ source: a.id, batch }]);
      assert.equal(after.results[0]?.outcome, 'connected');
      assert.equal(after.results[0]?.backend, b.id);
    } finally {
      await destroyCluster(c);
    }
  });

  it('removes everything and rethrows when provisioning fails half-way', async () => {
    const runId = newRunId();
    const s = spec(runId, [1, 1]);
    const img = await ensureNodeImage();
    // A port the server cannot bind twice makes the node agent fail after the containers exist.
    s.pods[0]!.ports = [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }];
    await assert.rejects(provisionCluster(s, { image: img.ref }), /node agent|EADDRINUSE/);
    assert.deepEqual(await countLabelled(runId), { containers: 0, networks: 0 });
  });

  it('cleanupStale removes what a dead run left and keeps live runs', async () => {
    const dead = newRunId();
    const live = newRunId();
    await runCommand('docker', ['network', 'create', '--label', `${LABEL_RUN}=${dead}`, '--label', `${LABEL_OWNER}=${(await import('node:os')).hostname()}:999999999:0`, `netspec-${dead}`]);
    await runCommand('docker', ['network', 'create', '--label', `${LABEL_RUN}=${live}`, '--label', `${LABEL_OWNER}=${(await import('./names.js')).ownerLabel()}`, `netspec-${live}`]);
    try {
      const report = await cleanupStale();
      assert.ok(report.runs.includes(dead));
      assert.ok(!report.runs.includes(live));
      assert.deepEqual(await countLabelled(dead), { containers: 0, networks: 0 });
      assert.deepEqual(await countLabelled(live), { containers: 0, networks: 1 });
    } finally {
      await runCommand('docker', ['network', 'rm', `netspec-${live}`], { allowFailure: true });
      await runCommand('docker', ['network', 'rm', `netspec-${dead}`], { allowFailure: true });
    }
  });
});
