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
 *   `ip -batch -` / `nft -f -` arrive on their stdin. `servers` starts one
 *   server process for all the step's pods (its listeners made in each pod's
 *   netns by the socket launcher, netns-sockets.ts), detached, and waits until
 *   it listens. Prints one AgentRunResponse JSON; exit 0 iff all succeeded.
 * - op `probe`: probes from several source pods at once and streams their
 *   result lines, each tagged with `source`: one prober process for them all
 *   (a few, one after the other, where the sockets they need exceed the
 *   descriptor limit), its sockets made in each source's netns by the launcher.
 *
 * Runs under the node image's Node.js with node: built-ins only.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  AGENT_READY_LINE, AGENT_SOCKET, IDENTITY_RE, NETNS_RE, SYSCTL_KEY_RE, SYSCTL_VALUE_RE,
  type AgentProbeRequest, type AgentRequest, type AgentRunRequest, type AgentRunResponse, type AgentStep,
  type ServerSpec, type ServersReady, type StepReport,
} from './protocol.js';
import { proberSocketRequests, readStdin } from './probe-core.js';
import { serverSocketRequests, socketLauncherArgv } from './netns-sockets.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, 'server.js');
const PROBER = path.join(here, 'prober.js');
const LOG_DIR = '/run/netspec';

/** Commands the agent runs; anything else is refused. */
const ALLOWED = new Set(['ip', 'nft', 'conntrack', 'sysctl', 'tc', 'kill', 'dnsmasq', 'true']);
const WRITABLE = ['/etc/netns/', '/run/netspec/', '/etc/netspec/'];
/** Readiness of a server process: a base, plus time per listener it must take up. */
const SERVER_READY_BASE_MS = 10_000;
const SERVER_READY_PER_SOCKET_MS = 20;

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

/** Starts one server process for `specs` (every listener made in its pod's netns) and waits until it listens. */
function startServers(specs: ServerSpec[]): Promise<ServersReady> {
  return new Promise((resolve, reject) => {
    for (const spec of specs) {
      if (!NETNS_RE.test(spec.netns)) return reject(new Error(`unsafe netns name ${JSON.stringify(spec.netns)}`));
      if (!IDENTITY_RE.test(spec.identity)) return reject(new Error(`unsafe identity ${JSON.stringify(spec.identity)}`));
    }
    const requests = serverSocketRequests(specs);
    const argv = socketLauncherArgv(requests, [process.execPath, SERVER]);
    fs.mkdirSync(LOG_DIR, { recursive: true });
    const logPath = path.join(LOG_DIR, `servers-${Date.now()}-${process.pid}.log`);
    const log = fs.openSync(logPath, 'a');
    // Detached (own session) so it outlives this request; tini (PID 1) reaps it.
    // fd 3 is a pipe only for the readiness line.
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', log, log, 'pipe'] });
    fs.closeSync(log);
    const ready = child.stdio[3] as NodeJS.ReadableStream;
    let buf = '';
    const timeoutMs = SERVER_READY_BASE_MS + SERVER_READY_PER_SOCKET_MS * requests.length;
    const timer = setTimeout(() => fail(new Error(`servers not ready after ${timeoutMs} ms; see ${logPath}`)), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      try { child.kill('SIGKILL'); } catch { /* gone */ }
      reject(err);
    };
    child.on('error', fail);
    child.on('exit', (code) => {
      if (buf.includes('\n')) return;
      let tail = '';
      try { tail = fs.readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join(' | '); } catch { /* no log */ }
      fail(new Error(`server process exited (${code}) before ready${tail ? `: ${tail}` : ''}; see ${logPath}`));
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(JSON.stringify({ servers: specs }));
    ready.setEncoding('utf8');
    ready.on('data', (d: string) => {
      buf += d;
      if (!buf.includes('\n')) return;
      clearTimeout(timer);
      (ready as unknown as { destroy(): void }).destroy();
      child.removeAllListeners('exit');
      child.unref();
      try {
        const msg = JSON.parse(buf.split('\n')[0]!) as ServersReady | { ready: false; error: string };
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
      const report: StepReport = { ok: true, what: `servers x${step.servers.length}` };
      try {
        const started = await startServers(step.servers);
        for (const [i, s] of step.servers.entries()) {
          const ready = started.servers[i]?.ready;
          res.servers.push(ready ? { netns: s.netns, identity: s.identity, ok: true, ready } : { netns: s.netns, identity: s.identity, ok: false, error: 'not announced by the server process' });
        }
      } catch (e) {
        for (const s of step.servers) res.servers.push({ netns: s.netns, identity: s.identity, ok: false, error: (e as Error).message });
      }
      // Each failing server's own reason, not a bare count.
      const failed = res.servers.filter((s) => !s.ok || s.ready.errors.length > 0);
      if (failed.length > 0) {
        report.ok = false;
        report.stderr = failed.slice(0, 10).map((s) => `${s.identity}: ${s.ok ? s.ready.errors.map((e) => `${e.protocol}/${e.port}: ${e.error}`).join(', ') : s.error}`).join('; ')
          + (failed.length > 10 ? `; and ${failed.length - 10} more` : '');
      }
      res.steps.push(report);
      return report.ok;
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

/** The soft limit on open descriptors here (a prober needs one per socket; the launcher's exec keeps it). */
function descriptorLimit(): number {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.trim().split(/\s+/)[3]);
    if (Number.isInteger(soft) && soft > 0) return soft;
  } catch { /* not Linux */ }
  return 1024;
}

/** Sources in groups whose sockets fit one process's descriptor limit (a source that alone does not fit stands alone). */
function chunkByDescriptors(batches: AgentProbeRequest['batches']): AgentProbeRequest['batches'][] {
  const budget = Math.max(256, Math.min(1 << 20, descriptorLimit() - 256));
  const chunks: AgentProbeRequest['batches'][] = [];
  let current: AgentProbeRequest['batches'] = [];
  let used = 0;
  for (const b of batches) {
    const need = proberSocketRequests([b]).reduce((n, r) => n + r.count, 0);
    if (current.length > 0 && used + need > budget) { chunks.push(current); current = []; used = 0; }
    current.push(b);
    used += need;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** One prober process for `batches`; relays its lines; resolves with the sources that finished. */
function runProber(batches: AgentProbeRequest['batches'], write: Write): Promise<Set<string>> {
  return new Promise((resolve) => {
    const finished = new Set<string>();
    const argv = socketLauncherArgv(proberSocketRequests(batches), [process.execPath, PROBER]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => { stderr += String(err); });
    // Relayed as it comes, chunk by chunk; only `done` lines are looked at, to know who finished.
    let partial = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      write(chunk);
      const text = partial + chunk;
      const end = text.lastIndexOf('\n');
      partial = text.slice(end + 1);
      if (end < 0 || !text.includes('"type":"done"')) return;
      for (const line of text.slice(0, end).split('\n')) {
        if (!line.includes('"type":"done"')) continue;
        try { finished.add((JSON.parse(line) as { source: string }).source); } catch { /* not ours */ }
      }
    });
    child.on('close', (code) => {
      if (partial) write(`${partial}\n`);
      for (const b of batches) {
        if (!finished.has(b.source)) write(JSON.stringify({ type: 'fatal', source: b.source, error: `prober exited ${code}: ${stderr.slice(0, 2000)}` }) + '\n');
      }
      resolve(finished);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify({ batches }));
  });
}

async function probeAll(req: AgentProbeRequest, write: Write): Promise<boolean> {
  const safe = req.batches.filter((b) => {
    if (NETNS_RE.test(b.netns)) return true;
    write(JSON.stringify({ type: 'fatal', source: b.source, error: 'unsafe netns name' }) + '\n');
    return false;
  });
  // One prober at a time: chunks exist because a node's sources need more sockets than one
  // process may hold, and running them together would also hold that many in flight at once.
  let finished = 0;
  for (const chunk of chunkByDescriptors(safe)) finished += (await runProber(chunk, write)).size;
  return finished === req.batches.length;
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
