/**
 * The probe agents outside any container: the socket launcher, the node's server process and
 * the prober, in a network namespace this test makes (and removes) on this machine. Inside it,
 * on its loopback, a server answers with its identity and the prober classifies connected,
 * refused and skipped for TCP and UDP over both families, from sockets made in that namespace.
 * Needs root and iproute2 (skipped with the reason otherwise); the namespace has no link out.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { candidates, parseResolvConf, proberSocketRequests, runBatch, socketNeeds } from './probe-core.js';
import { serverSocketRequests, socketLauncherArgv } from './netns-sockets.js';
import type { AgentProbeRequest, ProbeBatch, ProbeResult, ServersReady, ServerSpec } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function startServers(servers: ServerSpec[]): Promise<{ child: ChildProcess; ready: ServersReady }> {
  return new Promise((resolve, reject) => {
    const argv = socketLauncherArgv(serverSocketRequests(servers), [process.execPath, path.join(here, 'server.js')]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'inherit', 'inherit', 'pipe'] });
    let buf = '';
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.setEncoding('utf8');
    fd3.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) resolve({ child, ready: JSON.parse(buf.split('\n')[0]!) as ServersReady });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    child.stdin!.end(JSON.stringify({ servers }));
  });
}

type SourcedLine = { source: string; type: string } & Partial<Omit<ProbeResult, 'type'>>;

function runProber(batches: AgentProbeRequest['batches'], stdin?: string): Promise<{ code: number | null; lines: SourcedLine[] }> {
  return new Promise((resolve, reject) => {
    const argv = socketLauncherArgv(proberSocketRequests(batches), [process.execPath, path.join(here, 'prober.js')]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SourcedLine) }));
    child.stdin.end(stdin ?? JSON.stringify({ batches }));
  });
}

describe('probe agents in a network namespace of this machine', function () {
  this.timeout(20_000);
  const netns = `nstest-${process.pid}`;
  let server: ChildProcess | undefined;
  let ready: ServersReady;
  const port = 8080;
  const closed = 8081;

  before(function () {
    if (process.getuid?.() !== 0 || spawnSync('ip', ['netns', 'add', netns]).status !== 0) this.skip(); // needs root and iproute2
    assert.equal(spawnSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']).status, 0);
  });

  before(async () => {
    ({ child: server, ready } = await startServers([
      { netns, identity: 'shop/api-0', node: 'node-a', ports: [{ port, protocol: 'TCP' }, { port, protocol: 'UDP' }, { port: 9, protocol: 'SCTP' }] },
      // The same port twice in one namespace: that listener fails with its own errno, the rest serve.
      { netns, identity: 'shop/api-1', ports: [{ port, protocol: 'TCP' }] },
    ]));
  });

  after(() => {
    server?.kill();
    spawnSync('ip', ['netns', 'del', netns]);
  });

  it('one process announces what each pod serves, skips SCTP and names each failing port\'s own error', () => {
    assert.equal(ready.ready, true);
    const [api0, api1] = ready.servers.map((s) => s.ready);
    assert.deepEqual(api0!.serving.map((p) => `${p.protocol}/${p.port}`).sort(), [`TCP/${port}`, `UDP/${port}`]);
    assert.deepEqual(api0!.skipped.map((p) => `${p.protocol}/${p.port}`), ['SCTP/9']);
    assert.deepEqual(api1!.errors, [{ port, protocol: 'TCP', error: 'EADDRINUSE' }]);
    assert.equal(api0!.pid, api1!.pid, 'one process serves both');
  });

  it('probes TCP and UDP on both families from the namespace\'s own sockets and reports who answered', async () => {
    const batch: ProbeBatch = {
      timeoutMs: 1000,
      targets: [
        { id: 'tcp4', host: '127.0.0.1', port, protocol: 'TCP', family: 'ipv4' },
        { id: 'tcp6', host: '::1', port, protocol: 'TCP', family: 'ipv6' },
        { id: 'udp4', host: '127.0.0.1', port, protocol: 'UDP', family: 'ipv4', count: 3 },
        { id: 'udp6', host: '::1', port, protocol: 'UDP', family: 'ipv6' },
        { id: 'tcp-closed', host: '127.0.0.1', port: closed, protocol: 'TCP', family: 'ipv4' },
        { id: 'udp-closed', host: '::1', port: closed, protocol: 'UDP', family: 'ipv6' },
        { id: 'sctp', host: '127.0.0.1', port: 9, protocol: 'SCTP', family: 'ipv4' },
        { id: 'wrong-family', host: '127.0.0.1', port, protocol: 'TCP', family: 'ipv6' },
        { id: 'bad', host: '127.0.0.1', port: 0, protocol: 'TCP', family: 'ipv4' },
      ],
    };
    const { lines } = await runProber([{ source: 'shop/client', netns, batch }, { source: 'shop/other', netns, batch: { targets: [batch.targets[0]!] } }]);
    const mine = lines.filter((l) => l.source === 'shop/client');
    assert.equal(mine.at(-1)?.type, 'done');
    assert.equal(lines.filter((l) => l.source === 'shop/other' && l.type === 'done').length, 1, 'both sources finish in one process');
    const results = mine.filter((l) => l.type === 'result');
    assert.equal(results.length, 11);
    const by = (id: string) => results.filter((r) => r.id === id);
    for (const id of ['tcp4', 'tcp6', 'udp4', 'udp6']) {
      for (const r of by(id)) {
        assert.equal(r.outcome, 'connected', `${id}: ${JSON.stringify(r)}`);
        assert.equal(r.backend, 'shop/api-0');
        assert.equal(r.clientSeenAs, id.endsWith('6') ? '::1' : '127.0.0.1');
      }
    }
    assert.deepEqual(by('udp4').map((r) => r.attempt).sort(), [0, 1, 2]);
    assert.equal(by('tcp-closed')[0]?.outcome, 'refused', JSON.stringify(by('tcp-closed')));
    assert.equal(by('udp-closed')[0]?.outcome, 'refused');
    assert.equal(by('sctp')[0]?.outcome, 'skipped');
    assert.equal(by('wrong-family')[0]?.outcome, 'error');
    assert.equal(by('bad')[0]?.outcome, 'error');
  });

  it('reports a missing namespace per source, not a crash', async () => {
    const { lines } = await runProber([{ source: 'gone/pod', netns: 'nstest-missing', batch: { targets: [{ id: 't', host: '127.0.0.1', port, protocol: 'TCP', family: 'ipv4' }] } }]);
    const result = lines.find((l) => l.type === 'result');
    assert.equal(result?.outcome, 'error');
    assert.match(String(result?.reason), /ENOENT/);
  });

  it('reports a fatal line for a malformed request', async () => {
    const { code, lines } = await runProber([], '{not json');
    assert.equal(code, 2);
    assert.equal(lines[0]?.type, 'fatal');
  });
});

describe('pod DNS configuration', () => {
  const k8s = parseResolvConf('nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1\n');

  it('parses nameservers, search list and ndots', () => {
    assert.deepEqual(k8s, { nameservers: ['10.96.0.10'], search: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 });
  });

  it('tries search domains first for names with fewer dots than ndots, as glibc does', () => {
    assert.deepEqual(candidates('api.ops', k8s), [
      'api.ops.shop.svc.cluster.local', 'api.ops.svc.cluster.local', 'api.ops.cluster.local', 'api.ops']);
    assert.deepEqual(candidates('a.b.c.d.e.f', k8s)[0], 'a.b.c.d.e.f');
    assert.deepEqual(candidates('api.ops.svc.cluster.local.', k8s), ['api.ops.svc.cluster.local']);
  });
});

describe('prober sockets for SRV names', () => {
  const conf = parseResolvConf('nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');

  it('counts the SRV lookup through the search path, and one absolute target lookup per attempt', () => {
    const needs = socketNeeds({ targets: [{ id: 's', host: '_http._tcp.api', port: 80, protocol: 'TCP', family: 'ipv4', srv: true, count: 3 }] }, conf);
    // 4 candidate names and 3 targets, two tries each; 3 connections.
    assert.deepEqual([...needs.values()], [{ kind: 'tcp', family: 'ipv4', count: 3 }, { kind: 'udp', family: 'ipv4', count: 3 * 2 + 4 * 2 }]);
  });

  it('answers an SRV flag on an address with an error', async () => {
    const results: ProbeResult[] = [];
    await runBatch({ targets: [{ id: 'x', host: '127.0.0.1', port: 80, protocol: 'TCP', family: 'ipv4', srv: true }] }, (r) => results.push(r), { conf });
    assert.deepEqual(results.map((r) => [r.outcome, r.reason]), [['error', 'target x: srv must be a boolean, for a DNS name']]);
  });
});

describe('prober batch validation', () => {
  it('answers an HTTP target with an error instead of a bare connection (HTTP is not probed yet)', async () => {
    const results: ProbeResult[] = [];
    const http = { method: 'GET', host: 'foo.example.com', path: '/', headers: {} };
    await runBatch({ targets: [{ id: 'h', host: '127.0.0.1', port: 80, protocol: 'TCP', family: 'ipv4', http }] }, (r) => results.push(r),
      { conf: { nameservers: [], search: [], ndots: 1 } });
    assert.deepEqual(results.map((r) => [r.id, r.outcome, r.reason]), [['h', 'error', 'target h: HTTP requests are not probed yet']]);
  });
});
