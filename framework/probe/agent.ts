/**
 * Node agent. It exists so that setting up a node (netns, veths, addresses,
 * routes, nft rules, servers) or probing from all of its pods costs one
 * `docker exec` (~80 ms each), not one per pod or per command. Two modes:
 *   node agent.js serve   the node container's main process: a daemon on
 *                         /run/netspec/agent.sock, one AgentRequest per
 *                         connection (the host connects with
 *                         `docker exec -i NODE socat - UNIX-CONNECT:...`), so
 *                         no Node start-up per request;
 *   node agent.js         one AgentRequest on stdin (fallback, debugging).
 *
 * - op `run`: phases in order, each phase's steps concurrently. Commands are
 *   argument vectors from an allow-list (no shell anywhere); scripts for
 *   `ip -batch -` / `nft -f -` arrive on their stdin. `servers` starts each
 *   pod's server detached in its netns and waits until it listens. Prints one
 *   AgentRunResponse JSON; exit 0 iff everything succeeded.
 * - op `probe`: probes from several source pods at once and streams their
 *   result lines, each tagged with `source`: through each pod server's
 *   control socket (a daemon already in the pod's netns), or, for a pod
 *   without one, a prober process started in its netns.
 *
 * Runs under Debian's nodejs 18 with node: built-ins only.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import * as readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  AGENT_READY_LINE, AGENT_SOCKET, IDENTITY_RE, NETNS_RE, SYSCTL_KEY_RE, SYSCTL_VALUE_RE, controlSocket,
  type AgentProbeRequest, type AgentRequest, type AgentRunRequest, type AgentRunResponse, type AgentStep,
  type ServerReady, type ServerSpec, type StepReport,
} from './protocol.js';
import { readStdin } from './probe-core.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, 'server.js');
const PROBER = path.join(here, 'prober.js');
const LOG_DIR = '/run/netspec';

/** Commands the agent runs; anything else is refused. */
const ALLOWED = new Set(['ip', 'nft', 'conntrack', 'sysctl', 'tc', 'kill', 'dnsmasq', 'true']);
const WRITABLE = ['/etc/netns/', '/run/netspec/', '/etc/netspec/'];
const SERVER_READY_TIMEOUT_MS = 10_000;

function run(argv: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => resolve({ code: -1, stdout, stderr: stderr + String(err) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

function startServer(spec: ServerSpec): Promise<ServerReady> {
  return new Promise((resolve, reject) => {
    if (!NETNS_RE.test(spec.netns)) return reject(new Error(`unsafe netns name ${JSON.stringify(spec.netns)}`));
    if (!IDENTITY_RE.test(spec.identity)) return reject(new Error(`unsafe identity ${JSON.stringify(spec.identity)}`));
    const args = [SERVER, '--identity', spec.identity, '--netns', spec.netns, '--control', controlSocket(spec.netns)];
    if (spec.node) args.push('--node', spec.node);
    for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
      const ports = spec.ports.filter((p) => p.protocol === proto).map((p) => String(p.port));
      if (ports.length) args.push(`--${proto.toLowerCase()}`, ports.join(','));
    }
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const log = fs.openSync(path.join(LOG_DIR, `server-${spec.netns}.log`), 'a');
    // Detached (own session) so it outlives this exec; tini (PID 1) reaps it.
    // fd 3 is a pipe only for the readiness line.
    const child = spawn('ip', ['netns', 'exec', spec.netns, process.execPath, ...args], {
      detached: true,
      stdio: ['ignore', log, log, 'pipe'],
    });
    fs.closeSync(log);
    const ready = child.stdio[3] as NodeJS.ReadableStream;
    let buf = '';
    const timer = setTimeout(() => fail(new Error('server not ready in time')), SERVER_READY_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      reject(err);
    };
    child.on('error', fail);
    child.on('exit', (code) => { if (!buf.includes('\n')) fail(new Error(`server exited (${code}) before ready; see ${LOG_DIR}/server-${spec.netns}.log`)); });
    ready.setEncoding('utf8');
    ready.on('data', (d: string) => {
      buf += d;
      if (!buf.includes('\n')) return;
      clearTimeout(timer);
      (ready as unknown as { destroy(): void }).destroy();
      child.removeAllListeners('exit');
      child.unref();
      try {
        const msg = JSON.parse(buf.split('\n')[0]!) as ServerReady | { ready: false; error: string };
        if (msg.ready) resolve(msg);
        else reject(new Error(msg.error));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

async function runStep(step: AgentStep, res: AgentRunResponse): Promise<boolean> {
  switch (step.kind) {
    case 'exec': {
      const what = step.argv.join(' ');
      if (!ALLOWED.has(step.argv[0] ?? '')) {
        res.steps.push({ ok: false, what, stderr: 'command not allowed' });
        return false;
      }
      const r = await run(step.argv, step.input);
      const ok = r.code === 0;
      const report: StepReport = { ok: ok || !!step.ignoreFailure, what, code: r.code };
      if (!ok) report.stderr = (r.stderr || r.stdout).slice(0, 4000);
      if (step.capture) report.stdout = r.stdout.slice(0, 1_000_000);
      res.steps.push(report);
      return report.ok;
    }
    case 'write': {
      const p = path.posix.normalize(step.path);
      if (!WRITABLE.some((w) => p.startsWith(w)) || p.includes('..')) {
        res.steps.push({ ok: false, what: `write ${step.path}`, stderr: 'path not allowed' });
        return false;
      }
      try {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, step.content);
        res.steps.push({ ok: true, what: `write ${p}` });
        return true;
      } catch (e) {
        res.steps.push({ ok: false, what: `write ${p}`, stderr: String(e) });
        return false;
      }
    }
    case 'sysctl': {
      const what = `sysctl ${step.netns ?? '(node)'} ${Object.keys(step.values).join(' ')}`;
      const pairs = Object.entries(step.values);
      if ((step.netns !== undefined && !NETNS_RE.test(step.netns))
        || !pairs.every(([k, v]) => SYSCTL_KEY_RE.test(k) && !k.includes('..') && SYSCTL_VALUE_RE.test(v))) {
        res.steps.push({ ok: false, what, stderr: 'unsafe sysctl step' });
        return false;
      }
      // A fixed script; keys and values arrive as its positional parameters.
      const script = 'mount -o remount,rw /proc/sys && exec sysctl -q -w "$@"';
      const args = ['sh', '-c', script, 'sh', ...pairs.map(([k, v]) => `${k}=${v}`)];
      const argv = step.netns ? ['ip', 'netns', 'exec', step.netns, ...args] : ['unshare', '--mount', ...args];
      const r = await run(argv);
      const ok = r.code === 0;
      res.steps.push(ok ? { ok, what } : { ok, what, code: r.code, stderr: (r.stderr || r.stdout).slice(0, 4000) });
      return ok;
    }
    case 'servers': {
      const results = await Promise.all(step.servers.map(async (s) => {
        try {
          const ready = await startServer(s);
          res.servers.push({ netns: s.netns, identity: s.identity, ok: true, ready });
          return ready.errors.length === 0;
        } catch (e) {
          res.servers.push({ netns: s.netns, identity: s.identity, ok: false, error: (e as Error).message });
          return false;
        }
      }));
      const ok = results.every(Boolean);
      const report: StepReport = { ok, what: `servers x${step.servers.length}` };
      if (!ok) {
        // Each failing server's own reason, not a bare count.
        const failed = res.servers.filter((s) => !s.ok || s.ready.errors.length > 0);
        report.stderr = failed.slice(0, 10).map((s) => `${s.identity}: ${s.ok ? s.ready.errors.map((e) => `${e.protocol}/${e.port}: ${e.error}`).join(', ') : s.error}`).join('; ')
          + (failed.length > 10 ? `; and ${failed.length - 10} more` : '');
      }
      res.steps.push(report);
      return ok;
    }
    default:
      res.steps.push({ ok: false, what: 'unknown step' });
      return false;
  }
}

async function runPhases(req: AgentRunRequest): Promise<AgentRunResponse> {
  const res: AgentRunResponse = { ok: true, steps: [], servers: [] };
  for (const phase of req.phases) {
    // Steps run concurrently; their reports keep the request's order.
    const parts = phase.map((): AgentRunResponse => ({ ok: true, steps: [], servers: [] }));
    const oks = await Promise.all(phase.map((s, i) => runStep(s, parts[i]!)));
    for (const p of parts) {
      res.steps.push(...p.steps);
      res.servers.push(...p.servers);
    }
    if (!oks.every(Boolean)) {
      res.ok = false;
      res.error = res.steps.filter((s) => !s.ok).map((s) => `${s.what}: ${s.stderr ?? `exit ${s.code}`}`).join('; ')
        || res.servers.filter((s) => !s.ok).map((s) => `${s.identity}: ${(s as { error: string }).error}`).join('; ');
      break;
    }
  }
  return res;
}

type Write = (text: string) => void;

/** Streams one source's lines, tagged with it; resolves whether it finished (sent `done`). */
function relay(source: string, input: NodeJS.ReadableStream, write: Write): Promise<boolean> {
  return new Promise((resolve) => {
    let sawDone = false;
    const lines = readline.createInterface({ input });
    lines.on('line', (line) => {
      // Tag without re-parsing the whole object: lines are JSON objects.
      if (line.startsWith('{"type":"done"')) sawDone = true;
      if (line.startsWith('{')) write(`{"source":${JSON.stringify(source)},${line.slice(1)}\n`);
    });
    lines.on('close', () => resolve(sawDone));
  });
}

function probeViaControl(b: AgentProbeRequest['batches'][number], write: Write): Promise<boolean | 'absent'> {
  return new Promise((resolve) => {
    const sock = net.connect(controlSocket(b.netns));
    let connected = false;
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')) return resolve('absent');
      write(JSON.stringify({ type: 'fatal', source: b.source, error: `probe daemon: ${err.message}` }) + '\n');
      resolve(false);
    });
    sock.on('connect', () => {
      connected = true;
      void relay(b.source, sock, write).then((done) => {
        if (!done) write(JSON.stringify({ type: 'fatal', source: b.source, error: 'probe daemon closed before done' }) + '\n');
        resolve(done);
      });
      sock.end(JSON.stringify(b.batch));
    });
  });
}

function probeViaProcess(b: AgentProbeRequest['batches'][number], write: Write): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', b.netns, process.execPath, PROBER], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => { stderr += String(err); });
    const relayed = relay(b.source, child.stdout, write);
    child.on('close', async (code) => {
      const done = await relayed;
      if (!done) write(JSON.stringify({ type: 'fatal', source: b.source, error: `prober exited ${code}: ${stderr.slice(0, 2000)}` }) + '\n');
      resolve(done && code === 0);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(b.batch));
  });
}

async function probeAll(req: AgentProbeRequest, write: Write): Promise<boolean> {
  const runs = req.batches.map(async (b) => {
    if (!NETNS_RE.test(b.netns)) {
      write(JSON.stringify({ type: 'fatal', source: b.source, error: 'unsafe netns name' }) + '\n');
      return false;
    }
    const r = await probeViaControl(b, write);
    return r === 'absent' ? probeViaProcess(b, write) : r;
  });
  return (await Promise.all(runs)).every(Boolean);
}

async function handle(text: string, write: Write): Promise<boolean> {
  const req = JSON.parse(text) as AgentRequest;
  if (req.op === 'run') {
    const res = await runPhases(req);
    write(JSON.stringify(res) + '\n');
    return res.ok;
  }
  if (req.op === 'probe') return probeAll(req, write);
  throw new Error(`unknown op ${(req as { op: unknown }).op}`);
}

function failure(e: unknown): string {
  return JSON.stringify({ ok: false, steps: [], servers: [], error: String((e as Error)?.stack ?? e) }) + '\n';
}

function serve(): void {
  process.on('uncaughtException', (err) => { process.stderr.write(`agent: ${err.stack ?? err}\n`); });
  fs.mkdirSync(path.dirname(AGENT_SOCKET), { recursive: true });
  try { fs.unlinkSync(AGENT_SOCKET); } catch { /* none */ }
  const server = net.createServer({ allowHalfOpen: true }, (sock) => {
    const chunks: Buffer[] = [];
    sock.on('error', () => {});
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const write: Write = (t) => { if (!sock.destroyed) sock.write(t); };
      handle(Buffer.concat(chunks).toString('utf8'), write)
        .catch((e) => write(failure(e)))
        .finally(() => sock.end());
    });
  });
  // Listen under a temporary name and rename: the socket appears only when it accepts.
  const tmp = `${AGENT_SOCKET}.${process.pid}`;
  server.listen(tmp, () => {
    fs.renameSync(tmp, AGENT_SOCKET);
    process.stdout.write(`${AGENT_READY_LINE} on ${AGENT_SOCKET}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}


async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  const write: Write = (t) => { process.stdout.write(t); };
  process.exitCode = (await handle(await readStdin(), write)) ? 0 : 1;
}

main().catch((e) => {
  process.stdout.write(failure(e));
  process.exitCode = 2;
});
