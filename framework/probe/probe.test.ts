/**
 * The probe agents outside any container: the socket launcher, the node's server process and
 * the prober, in a network namespace this test makes (and removes) on this machine. Inside it,
 * on its loopback, a server answers with its identity and the prober classifies connected,
 * refused and skipped for TCP and UDP over both families, from sockets made in that namespace;
 * the same server answers HTTP with its identity and the request, to the prober's HTTP probes
 * and to clients run in the namespace (kept alive, pipelined, silent, slow to send), and behind a
 * real HAProxy there (skipped where haproxy is not installed).
 * Needs root and iproute2 (skipped with the reason otherwise); the namespace has no link out.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

/**
 * Runs `script` (an ES module, node: built-ins only) in the namespace under this Node.js, with
 * `args` as JSON in argv; resolves to its stdout parsed as JSON.
 */
function inNetns<T>(netns: string, script: string, args: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      try { resolve(JSON.parse(out) as T); } catch (e) { reject(new Error(`client exited ${code}: ${out}`, { cause: e })); }
    });
  });
}

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

  it('answers HTTP probes with the identity and the request received, both families, and L4 probes with the identity line', async () => {
    const http = { method: 'GET', host: 'foo.example.com', path: '/v2?animal=whale&x=1', headers: { version: 'two', 'X-Multi': 'a' } };
    const targets = [
      { id: 'http4', host: '127.0.0.1', port, protocol: 'TCP' as const, family: 'ipv4' as const, http, count: 3 },
      { id: 'http6', host: '::1', port, protocol: 'TCP' as const, family: 'ipv6' as const, http: { ...http, method: 'DELETE', path: '/', host: '' } },
      { id: 'l4', host: '127.0.0.1', port, protocol: 'TCP' as const, family: 'ipv4' as const },
      { id: 'http-closed', host: '127.0.0.1', port: closed, protocol: 'TCP' as const, family: 'ipv4' as const, http },
    ];
    const { lines } = await runProber([{ source: 'shop/client', netns, batch: { timeoutMs: 2000, targets } }]);
    const results = lines.filter((l) => l.type === 'result');
    assert.equal(results.length, 6);
    for (const r of results.filter((l) => l.id === 'http4' || l.id === 'http6')) {
      const six = r.id === 'http6';
      assert.equal(r.outcome, 'connected', JSON.stringify(r));
      assert.equal(r.backend, 'shop/api-0');
      assert.equal(r.clientSeenAs, six ? '::1' : '127.0.0.1');
      assert.deepEqual(r.http, {
        status: 200,
        request: six
          ? { method: 'DELETE', path: '/', host: '', headers: { host: '', version: 'two', 'x-multi': 'a', connection: 'close' } }
          : { method: 'GET', path: '/v2?animal=whale&x=1', host: 'foo.example.com', headers: { host: 'foo.example.com', version: 'two', 'x-multi': 'a', connection: 'close' } },
      });
    }
    const l4 = results.find((r) => r.id === 'l4')!;
    assert.deepEqual([l4.outcome, l4.backend, l4.clientSeenAs, l4.http, l4.reason], ['connected', 'shop/api-0', '127.0.0.1', undefined, undefined]);
    assert.equal(results.find((r) => r.id === 'http-closed')?.outcome, 'refused');
  });

  // A client in the namespace: each step writes its bytes (after its pause, so that they arrive
  // apart), then reads until `until` ([text, n]) has come n times; the last step may wait for the close.
  const client = String.raw`
    import * as net from 'node:net';
    const { port, steps } = JSON.parse(process.argv.at(-1));
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const count = (s) => got.split(s).length - 1;
    const answer = () => { process.stdout.write(JSON.stringify({ got, closed: sock.readableEnded })); process.exit(0); };
    sock.setEncoding('latin1');
    sock.on('data', (d) => { got += d; });
    sock.on('end', answer);
    sock.on('connect', async () => {
      for (const step of steps) {
        if (step.pauseMs) await new Promise((r) => setTimeout(r, step.pauseMs));
        if (step.write !== undefined) sock.write(step.write);
        if (step.until) await new Promise((r) => { const check = () => { if (count(step.until[0]) >= step.until[1]) { sock.off('data', check); r(); } }; sock.on('data', check); check(); });
      }
      if (!steps.at(-1).waitEnd) answer();
    });
  `;
  type ClientRun = { got: string; closed: boolean };
  const request = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: echo.test\r\n${extra}\r\n`;
  /** The JSON bodies of the HTTP answers in `got`, in order. */
  const bodies = (got: string) => got.split('HTTP/1.1 ').slice(1).map((a) => JSON.parse(a.slice(a.indexOf('\r\n\r\n') + 4)) as { backend: string; request: { path: string } });

  it('keeps an HTTP connection alive: two requests one after the other on one connection, each echoed', async () => {
    const run = await inNetns<ClientRun>(netns, client, { port, steps: [
      { write: request('/one'), until: ['"backend"', 1] },
      { write: request('/two?q=2'), until: ['"backend"', 2] },
    ] });
    assert.equal(run.closed, false, 'the server keeps the connection open');
    assert.deepEqual(bodies(run.got).map((b) => [b.backend, b.request.path]), [['shop/api-0', '/one'], ['shop/api-0', '/two?q=2']]);
    assert.match(run.got, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(run.got, /\r\ncontent-type: application\/json\r\n/i);
  });

  it('answers pipelined requests sent in one write, the last one closing', async () => {
    const run = await inNetns<ClientRun>(netns, client, { port, steps: [
      { write: request('/a') + request('/b') + request('/c', 'Connection: close\r\n'), waitEnd: true },
    ] });
    assert.equal(run.closed, true);
    assert.deepEqual(bodies(run.got).map((b) => b.request.path), ['/a', '/b', '/c']);
  });

  it('answers a request line that arrives in pieces as HTTP', async () => {
    // The pause only makes the pieces arrive apart; the answer is the same however they arrive.
    const run = await inNetns<ClientRun>(netns, client, { port, steps: [
      { write: 'GE' }, { pauseMs: 20, write: 'T /split HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n', waitEnd: true },
    ] });
    assert.deepEqual(bodies(run.got).map((b) => b.request.path), ['/split']);
  });

  it('answers the identity line to a client that sends nothing, and to one that sends a non-HTTP line', async () => {
    for (const steps of [[{ waitEnd: true }], [{ write: '\n', waitEnd: true }], [{ write: 'hello there\r\n', waitEnd: true }]]) {
      const run = await inNetns<ClientRun>(netns, client, { port, steps });
      assert.equal(run.closed, true);
      assert.deepEqual(JSON.parse(run.got), { backend: 'shop/api-0', node: 'node-a', port, protocol: 'TCP', client: '127.0.0.1' }, JSON.stringify(steps));
    }
  });

  it('answers through a real HAProxy in the namespace: echoes reused server connections, and HAProxy\'s own redirect, 403 and 503 parse', async function () {
    if (spawnSync('haproxy', ['-v']).status !== 0) this.skip(); // haproxy is not installed here
    const front = 8090;
    const config = [
      'defaults', '  mode http', '  timeout connect 1s', '  timeout client 5s', '  timeout server 5s',
      'frontend web', `  bind 127.0.0.1:${front}`, '  option forwardfor',
      '  http-request redirect location https://example.org/new code 301 if { path /old }',
      '  http-request deny deny_status 403 if { path /denied }',
      '  use_backend empty if { path /empty }',
      '  default_backend echo',
      // Every request may take an idle server connection another one left: the echo server's keep-alive is used.
      'backend echo', '  http-reuse always', `  server api0 127.0.0.1:${port}`,
      'backend empty',
      '',
    ].join('\n');
    const file = path.join(os.tmpdir(), `netspec-haproxy-${process.pid}.cfg`);
    fs.writeFileSync(file, config);
    const proxy = spawn('ip', ['netns', 'exec', netns, 'haproxy', '-db', '-f', file], { stdio: ['ignore', 'inherit', 'inherit'] });
    try {
      const http = (path: string) => ({ method: 'GET', host: 'shop.example.com', path, headers: { 'x-case': path } });
      const at = { host: '127.0.0.1', port: front, protocol: 'TCP' as const, family: 'ipv4' as const };
      // HAProxy takes a moment to bind: probe until its frontend accepts (it answers a bare
      // newline with nothing, RFC 9112 §2.2, so each try is connected once its timeout is over).
      for (let tries = 0; ; tries++) {
        const { lines } = await runProber([{ source: 'shop/client', netns, batch: { timeoutMs: 200, targets: [{ id: 'up', ...at }] } }]);
        if (lines.find((l) => l.id === 'up')?.outcome === 'connected') break;
        assert.ok(tries < 50, 'haproxy never listened');
        await new Promise((r) => setTimeout(r, 100));
      }
      const { lines } = await runProber([{ source: 'shop/client', netns, batch: { concurrency: 1, timeoutMs: 2000, targets: [
        { id: 'echo', ...at, http: http('/v1?a=b'), count: 3 },
        { id: 'old', ...at, http: http('/old') },
        { id: 'denied', ...at, http: http('/denied') },
        { id: 'empty', ...at, http: http('/empty') },
      ] } }]);
      const results = lines.filter((l) => l.type === 'result');
      const echoes = results.filter((r) => r.id === 'echo');
      assert.equal(echoes.length, 3);
      for (const r of echoes) {
        assert.equal(r.outcome, 'connected', JSON.stringify(r));
        assert.equal(r.backend, 'shop/api-0');
        assert.equal(r.http?.status, 200);
        const seen = r.http?.request;
        assert.deepEqual([seen?.method, seen?.path, seen?.host, seen?.headers['x-case'], seen?.headers['x-forwarded-for']],
          ['GET', '/v1?a=b', 'shop.example.com', '/v1?a=b', '127.0.0.1']);
      }
      const by = (id: string) => results.find((r) => r.id === id)!;
      assert.deepEqual([by('old').outcome, by('old').http, by('old').backend], ['connected', { status: 301, location: 'https://example.org/new' }, undefined]);
      assert.deepEqual([by('denied').outcome, by('denied').http], ['connected', { status: 403 }]);
      assert.deepEqual([by('empty').outcome, by('empty').http], ['connected', { status: 503 }]);
    } finally {
      proxy.kill();
      fs.rmSync(file, { force: true });
    }
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
