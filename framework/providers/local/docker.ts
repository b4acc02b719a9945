/**
 * Thin wrapper over the `docker` CLI.
 *
 * Why the CLI and not the Engine API socket or testcontainers: the CLI honours
 * whatever the user configured (DOCKER_HOST, contexts, TLS, rootless sockets)
 * with no code of ours, streams `docker exec -i` stdin/stdout without the
 * API's multiplexed-stream framing, and has no Node-version constraints
 * (testcontainers 12 crashes on Node 20; 11 cannot make an IPv6 network).
 * Every call is an argument vector through spawn (never a shell), so no value
 * is ever interpreted by a shell. A call costs ~30-50 ms of CLI start-up, so
 * callers batch work into few calls.
 */
import { spawn } from 'node:child_process';

export class DockerError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`docker ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' …' : ''} failed (exit ${code}): ${(stderr || stdout).trim().slice(0, 2000)}`);
    this.name = 'DockerError';
  }
}

/** The docker CLI could not be run or the daemon is not reachable. */
export class DockerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DockerUnavailableError';
  }
}

export interface DockerOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Kill the CLI after this long (ms). */
  timeoutMs?: number;
  /** Called with each complete stdout line as it arrives (the result's stdout is then empty). */
  onLine?: (line: string) => void;
  /** Do not throw on a non-zero exit. */
  allowFailure?: boolean;
  signal?: AbortSignal;
}

export interface DockerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const DOCKER = process.env.NETSPEC_DOCKER ?? 'docker';

export function docker(args: readonly string[], opts: DockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let timedOut = false;
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs) : undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (!opts.onLine) { stdout += d; return; }
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line) opts.onLine(line);
      }
    });
    child.stderr.on('data', (d: string) => { stderr += d; });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (err.code === 'ENOENT') reject(new DockerUnavailableError(`the docker CLI (${DOCKER}) was not found on PATH`));
      else reject(err);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (opts.onLine && partial) opts.onLine(partial);
      if (timedOut) stderr += `\n(killed after ${opts.timeoutMs} ms)`;
      const result = { code, stdout, stderr };
      if (code !== 0 && !opts.allowFailure) {
        if (/Cannot connect to the Docker daemon|error during connect|permission denied while trying to connect/i.test(stderr)) {
          reject(new DockerUnavailableError(`Docker daemon not reachable: ${stderr.trim()}`));
        } else {
          reject(new DockerError(args, code, stderr, stdout));
        }
        return;
      }
      resolve(result);
    });
    child.stdin.on('error', () => { /* the command may exit without reading stdin */ });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Errors worth one more try: the daemon's transient failures under parallel
 * load (veth/netns allocation races, containerd shim hiccups), not user errors.
 */
const TRANSIENT = [
  /device or resource busy/i,
  /resource temporarily unavailable/i,
  /OCI runtime (create|start) failed.*(busy|timeout|temporarily)/i,
  /context deadline exceeded/i,
  /connection reset by peer/i,
  /failed to (create|add) endpoint/i,
];

export async function dockerRetry(args: readonly string[], opts: DockerOptions = {}, attempts = 3): Promise<DockerResult> {
  for (let i = 1; ; i++) {
    try {
      return await docker(args, opts);
    } catch (e) {
      if (!(e instanceof DockerError) || i >= attempts || !TRANSIENT.some((re) => re.test(e.stderr))) throw e;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

/** Throws DockerUnavailableError with a clear message if the engine cannot be used. */
export async function checkDocker(): Promise<void> {
  try {
    await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
  } catch (e) {
    if (e instanceof DockerUnavailableError) throw e;
    throw new DockerUnavailableError(`Docker is not usable: ${(e as Error).message}`);
  }
}
