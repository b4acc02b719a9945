/**
 * Host side of the node agent (framework/probe/agent.ts): one exec per node
 * and job through the engine API (engine.ts), request on stdin, response/stream
 * on stdout. The exec runs socat into the agent daemon's Unix socket (~50 ms,
 * no Node start-up); if the daemon is not listening yet it retries, and finally
 * falls back to a one-shot `node agent.js`.
 */
import { execIn, type ExecOptions, type ExecResult } from './engine.js';
import {
  AGENT_JS, AGENT_SOCKET,
  type AgentProbeRequest, type AgentRequest, type AgentRunResponse, type AgentStep, type ProbeBatch, type ProbeDone, type ProbeResult,
} from '../../probe/protocol.js';

export class AgentError extends Error {
  constructor(readonly container: string, message: string, readonly response?: AgentRunResponse, options?: { cause?: unknown }) {
    super(`node agent in ${container}: ${message}`, options);
    this.name = 'AgentError';
  }
}

const socatArgv = ['socat', '-t', '86400', '-', `UNIX-CONNECT:${AGENT_SOCKET}`];

const DAEMON_WAIT_MS = 15_000;

/**
 * Sends one request to the node agent and returns the exec's result (stdout lines go to
 * opts.onLine if given). A non-zero exit is in the result; the engine failing throws.
 */
export async function agentRequest(container: string, request: AgentRequest, opts: Omit<ExecOptions, 'input'> = {}): Promise<ExecResult> {
  const input = JSON.stringify(request);
  const deadline = Date.now() + DAEMON_WAIT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    // -t: after our request's EOF, wait (long) for the daemon to finish answering.
    const r = await execIn(container, socatArgv, { ...opts, input });
    const notListening = r.code !== 0 && /E connect\(/.test(r.stderr);
    if (!notListening) return r;
    if (Date.now() + delay > deadline) break;
    await new Promise((res) => setTimeout(res, delay));
  }
  // The daemon never came up: a one-shot agent still works (and its errors say why).
  return execIn(container, ['node', AGENT_JS], { ...opts, input });
}

/** Runs phases of steps on a node; throws AgentError unless every step succeeded. */
export async function runAgent(container: string, phases: AgentStep[][], timeoutMs = 120_000): Promise<AgentRunResponse> {
  const r = await agentRequest(container, { op: 'run', phases }, { timeoutMs });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let res: AgentRunResponse;
  try {
    res = JSON.parse(last) as AgentRunResponse;
  } catch {
    throw new AgentError(container, `no response (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  if (!res.ok) throw new AgentError(container, res.error ?? 'failed', res);
  return res;
}

export type SourcedResult = ProbeResult & { source: string };

export interface NodeProbeOutcome {
  results: SourcedResult[];
  /** Sources whose prober did not finish (the runner should treat their cells as errors). */
  failures: Array<{ source: string; error: string }>;
  done: Array<ProbeDone & { source: string }>;
}

/**
 * Probes from several pods of one node with one `docker exec`: the agent runs
 * a prober per source pod at once and streams their lines, tagged by source.
 */
export async function probeOnNode(
  container: string,
  batches: AgentProbeRequest['batches'],
  onResult?: (r: SourcedResult) => void,
  timeoutMs?: number,
): Promise<NodeProbeOutcome> {
  const out: NodeProbeOutcome = { results: [], failures: [], done: [] };
  if (batches.length === 0) return out;
  const finished = new Set<string>();
  const onLine = (line: string) => {
    let v: { type?: string; source?: string; error?: string };
    try { v = JSON.parse(line); } catch { return; }
    const source = v.source ?? '?';
    if (v.type === 'result') {
      out.results.push(v as SourcedResult);
      onResult?.(v as SourcedResult);
    } else if (v.type === 'done') {
      finished.add(source);
      out.done.push(v as ProbeDone & { source: string });
    } else if (v.type === 'fatal' && !finished.has(source)) {
      out.failures.push({ source, error: v.error ?? 'prober failed' });
      finished.add(source);
    }
  };
  // Whole-run deadline: every attempt is bounded, so this only catches a hung agent.
  const budget = timeoutMs ?? estimateBudget(batches.map((b) => b.batch));
  const r = await agentRequest(container, { op: 'probe', batches }, { onLine, timeoutMs: budget });
  const how = r.timedOut ? `timed out after ${budget} ms` : `exit ${r.code}`;
  for (const b of batches) {
    if (!finished.has(b.source)) {
      out.failures.push({ source: b.source, error: `prober did not finish (agent exec ${how}): ${r.stderr.trim().slice(0, 1000)}` });
    }
  }
  if (r.code !== 0 && out.failures.length === 0) throw new AgentError(container, `probe request failed (${how}): ${r.stderr.trim().slice(0, 1000)}`);
  return out;
}

/**
 * Waiting on the slowest source's waves of timeouts, plus CPU for every attempt of the node:
 * one prober serves all of a node's sources, ~0.2 ms of CPU an attempt, with every node sharing the machine.
 */
const CPU_MS_PER_ATTEMPT = 2;

function estimateBudget(batches: ProbeBatch[]): number {
  let worst = 0;
  let total = 0;
  for (const b of batches) {
    const conc = b.concurrency ?? 512;
    const attempts = b.targets.reduce((a, t) => a + (t.count ?? 1), 0);
    const maxT = Math.max(b.timeoutMs ?? 1000, ...b.targets.map((t) => t.timeoutMs ?? 0));
    const dns = b.dnsTimeoutMs ?? (b.timeoutMs ?? 1000) + 1000;
    worst = Math.max(worst, Math.ceil(attempts / conc) * (maxT + dns));
    total += attempts;
  }
  return 30_000 + worst * 2 + total * CPU_MS_PER_ATTEMPT;
}
