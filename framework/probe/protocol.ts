/**
 * Wire protocol between the host-side runner and the agents that run inside
 * node containers (server, prober, node agent).
 *
 * Everything in framework/probe/ runs inside node containers under the node
 * image's Node.js (fixtures/node-image: the official build of its
 * NODE_VERSION), from the repository's dist/ bind-mounted read-only: so only
 * `node:` built-ins, and types here stay plain JSON (a type-only import is erased, so the
 * HTTP request's shape is taken from the scenario's target module).
 */
import type { HttpRequest } from '../scenario/target.js';

export type Family = 'ipv4' | 'ipv6';
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Observed outcome of one probe attempt (SPEC.md "Results"). */
export type ProbeOutcome = 'connected' | 'refused' | 'timeout' | 'dns-error' | 'error';

/**
 * The connection a cell asks for: the one probe spec the host-side runner and providers
 * (runner/provider.ts ProbeRequest) and the prober share.
 */
export interface ProbeSpec {
  /** IP literal (either family) or DNS name, resolved through the pod's resolv.conf. */
  host: string;
  port: number;
  protocol: Protocol;
  /** Family to connect over; a DNS name is resolved to A (ipv4) or AAAA (ipv6). */
  family: Family;
  /**
   * `host` is an SRV name (RFC 2782): it is looked up as SRV, and the connection goes to an
   * answer's target (resolved to A/AAAA) at the answer's port; `port` is then the one expected.
   */
  srv?: boolean;
  /**
   * A Layer 7 cell's request, sent once connected (HTTP/1.1, `Connection: close`); the result
   * then carries the answer (ProbeResult.http) instead of a server identity line.
   */
  http?: HttpRequest;
}

/** One target of a prober batch. */
export interface ProbeTarget extends ProbeSpec {
  /** Caller's key for this target, echoed in every result line. */
  id: string;
  /** Per-attempt timeout in ms (connect + identity read, or connect + the whole HTTP exchange). Default: batch's timeoutMs. */
  timeoutMs?: number;
  /**
   * Attempts to make for this target (default 1), run concurrently, each
   * reported on its own line (attempt 0..count-1): used to sample which
   * backends answer a Service.
   */
  count?: number;
}

export interface ProbeBatch {
  /** Default per-attempt timeout in ms (default 1000). */
  timeoutMs?: number;
  /** Budget for resolving a DNS name, ms (default timeoutMs + 1000). */
  dnsTimeoutMs?: number;
  /** Attempts in flight at once (default 512). */
  concurrency?: number;
  targets: ProbeTarget[];
}

/**
 * What a pod's server answers (one JSON line) to every UDP datagram and to every TCP connection
 * that does not open with an HTTP request. The server reads a TCP client's first line: an HTTP/1.x
 * request line (`METHOD target HTTP/1.x`) gets HTTP (an EchoBody per request, the connection kept
 * alive); any other line gets this line at once, and so does a client that sends nothing for a
 * short grace period (200 ms). The Layer 4 prober writes a newline as soon as it connects, so its
 * answer never waits for the grace period.
 */
export interface ServerIdentity {
  /** `ns/name` of the pod that answered. */
  backend: string;
  node?: string;
  port: number;
  protocol: Protocol;
  /** Address the connection came from, as the server saw it (after any NAT). */
  client: string;
}

/**
 * The request as an echo backend received it (SPEC.md, "Layer 7": every pod's server answers
 * HTTP with its identity and the request), header names in lower case.
 */
export interface EchoedRequest {
  method: string;
  /** Path and query, as the request line carried them. */
  path: string;
  /** The Host header. */
  host: string;
  headers: Record<string, string>;
}

/** The body a pod's server sends back to an HTTP request: its identity and what it received. */
export interface EchoBody extends ServerIdentity {
  request: EchoedRequest;
}

/** What answered an HTTP probe. */
export interface HttpAnswer {
  status: number;
  /** The Location header of a redirect. */
  location?: string;
  /** What the backend received, when a pod's echo server answered (the body parsed as EchoBody). */
  request?: EchoedRequest;
}

/** One line of prober output per attempt. */
export interface ProbeResult {
  type: 'result';
  id: string;
  attempt: number;
  /** `skipped`: the agent cannot probe it here (SCTP); `reason` says why. */
  outcome: ProbeOutcome | 'skipped';
  /** From start of the connection attempt (after DNS) to connect/reply, ms. */
  latencyMs: number;
  /** Pod identity (`ns/name`) that answered, when connected and it said so. */
  backend?: string;
  /** Address the server saw the connection come from. */
  clientSeenAs?: string;
  /** Address actually connected to (the DNS answer for names). */
  address?: string;
  /** HTTP probes (ProbeSpec.http), when an answer came: its status, Location and echoed request. */
  http?: HttpAnswer;
  /** errno code or short reason, for diagnostics (e.g. EHOSTUNREACH, ENOTFOUND). */
  code?: string;
  reason?: string;
}

/** Last line of a prober run. Its absence means the prober died. */
export interface ProbeDone {
  type: 'done';
  results: number;
  durationMs: number;
}

/** A prober's fatal error (bad batch): printed instead of results, exit code 2. */
export interface ProbeFatal {
  type: 'fatal';
  error: string;
}

export type ProbeLine = ProbeResult | ProbeDone | ProbeFatal;

/** Lines of the node agent's `probe` fan-out carry the source pod they came from. */
export type SourcedProbeLine = ProbeLine & { source: string };

// ---------------------------------------------------------------- servers

export interface ServerPort {
  port: number;
  protocol: Protocol;
}

/** A pod's server: what the node's server process serves for it, on listeners made in its namespace. */
export interface ServerSpec {
  /** Network namespace (validated safe name, see netnsName()). */
  netns: string;
  /** `ns/name` answered to every client. */
  identity: string;
  node?: string;
  ports: ServerPort[];
}

/** The server's readiness message (one JSON line on fd 3). */
export interface ServerReady {
  ready: true;
  /** The node's server process (one serves every pod of a `servers` step). */
  pid: number;
  serving: ServerPort[];
  skipped: Array<ServerPort & { reason: string }>;
  errors: Array<ServerPort & { error: string }>;
}

/** What the node's server process announces once every listener is up (server.ts). */
export interface ServersReady {
  ready: true;
  pid: number;
  servers: Array<{ netns: string; ready: ServerReady }>;
}

// ---------------------------------------------------------------- node agent

/** A command the node agent runs (argv[0] must be in the agent's allow-list). */
export interface ExecStep {
  kind: 'exec';
  argv: string[];
  /** Fed on stdin (e.g. an `ip -batch -` or `nft -f -` script). */
  input?: string;
  /** Keep going if it fails (e.g. best-effort cleanup). */
  ignoreFailure?: boolean;
  /** Return its stdout in the step report (e.g. `nft list ruleset` for a diagnosis). */
  capture?: boolean;
}

/** Write a file (under /etc/netns/ or /run/netspec/ only), e.g. a pod's resolv.conf. */
export interface WriteFileStep {
  kind: 'write';
  path: string;
  content: string;
}

/** Start one server process for these pods, detached, and wait until every listener is up. */
export interface ServersStep {
  kind: 'servers';
  servers: ServerSpec[];
}

/**
 * Set sysctls in a pod's netns (or the node's when netns is absent). /proc/sys
 * is read-only in an unprivileged container, so the agent remounts it
 * read-write in a private mount namespace for the write: other processes
 * keep the read-only view.
 */
export interface SysctlStep {
  kind: 'sysctl';
  netns?: string;
  /** e.g. { 'net.ipv4.icmp_ratelimit': '0' }. */
  values: Record<string, string>;
}

export type AgentStep = ExecStep | WriteFileStep | ServersStep | SysctlStep;

/** `agent.js run`: phases run in order, the steps of one phase concurrently. */
export interface AgentRunRequest {
  op: 'run';
  phases: AgentStep[][];
}

/** `agent.js probe`: one prober per source pod, their lines merged and tagged. */
export interface AgentProbeRequest {
  op: 'probe';
  /**
   * `resolvConf`: the source's resolver configuration when its namespace is shared (a node's
   * own, where hostNetwork pods of several namespaces run); default /etc/netns/NETNS/resolv.conf.
   */
  batches: Array<{ source: string; netns: string; batch: ProbeBatch; resolvConf?: string }>;
}

export type AgentRequest = AgentRunRequest | AgentProbeRequest;

export interface StepReport {
  ok: boolean;
  what: string;
  code?: number | null;
  stderr?: string;
  /** With ExecStep.capture. */
  stdout?: string;
}

export interface AgentRunResponse {
  ok: boolean;
  steps: StepReport[];
  servers: Array<{ netns: string; identity: string } & ({ ok: true; ready: ServerReady } | { ok: false; error: string })>;
  error?: string;
}

/** Paths of the agents inside a node container (dist/ is mounted at /netspec/dist). */
export const AGENT_ROOT = '/netspec';
export const AGENT_DIST = `${AGENT_ROOT}/dist`;
export const AGENT_JS = `${AGENT_DIST}/probe/agent.js`;
/** The node agent daemon's socket (the node container's main process serves it). */
export const AGENT_SOCKET = '/run/netspec/agent.sock';
/** What the daemon prints once its socket accepts (the node container's readiness). */
export const AGENT_READY_LINE = 'netspec node agent listening';

/** Safe names: what may reach argv inside a container without further checks. */
export const NETNS_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const SYSCTL_KEY_RE = /^(net|kernel)\.[a-z0-9_.\/-]+$/;
export const SYSCTL_VALUE_RE = /^[a-zA-Z0-9_ .:-]{0,64}$/;
/** A pod (`ns/name`) or a simulated external host (`external/<IPv4 or IPv6 literal>`). */
export const IDENTITY_RE = /^(?:[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|external\/[0-9a-f.:]{2,45})$/;
