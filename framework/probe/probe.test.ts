/**
 * The probe agents on the host itself (no Docker, no netns): a server on
 * loopback answers with its identity; the prober classifies connected,
 * refused and skipped for TCP and UDP over both families.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { candidates, parseResolvConf } from './probe-core.js';
import type { ProbeBatch, ProbeLine, ProbeResult, ServerReady } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function startServer(args: string[]): Promise<{ child: ChildProcess; ready: ServerReady }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'server.js'), ...args], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    let buf = '';
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.setEncoding('utf8');
    fd3.on('data', (d: string) => {
      buf += d;
      if (buf.includes('\n')) resolve({ child, ready: JSON.parse(buf.split('\n')[0]!) as ServerReady });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

function runProber(batch: ProbeBatch): Promise<ProbeLine[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'prober.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', () => resolve(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProbeLine)));
    child.stdin.end(JSON.stringify(batch));
  });
}

describe('probe agents on loopback', function () {
  this.timeout(20_000);
  let server: ChildProcess | undefined;
  let ready: ServerReady;
  let port = 0;
  let closed = 0;

  before(async () => {
    port = await freePort();
    closed = await freePort();
    ({ child: server, ready } = await startServer(['--identity', 'shop/api-0', '--node', 'node-a', '--tcp', String(port), '--udp', String(port), '--sctp', '9']));
  });

  after(() => { server?.kill(); });

  it('announces what it serves and skips SCTP', () => {
    assert.equal(ready.ready, true);
    assert.deepEqual(ready.serving.map((p) => `${p.protocol}/${p.port}`).sort(), [`TCP/${port}`, `UDP/${port}`]);
    assert.deepEqual(ready.skipped.map((p) => `${p.protocol}/${p.port}`), ['SCTP/9']);
  });

  it('probes TCP and UDP on both families and reports who answered', async () => {
    const lines = await runProber({
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
    });
    const done = lines.at(-1);
    assert.equal(done?.type, 'done');
    const results = lines.filter((l): l is ProbeResult => l.type === 'result');
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
    assert.equal(by('tcp-closed')[0]?.outcome, 'refused');
    assert.equal(by('udp-closed')[0]?.outcome, 'refused');
    assert.equal(by('sctp')[0]?.outcome, 'skipped');
    assert.equal(by('wrong-family')[0]?.outcome, 'error');
    assert.equal(by('bad')[0]?.outcome, 'error');
  });

  it('reports a fatal line for a malformed batch', async () => {
    const child = spawn(process.execPath, [path.join(here, 'prober.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const code = await new Promise((resolve) => { child.on('close', resolve); child.stdin.end('{not json'); });
    assert.equal(code, 2);
    assert.equal(JSON.parse(out.trim()).type, 'fatal');
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
