/**
 * The container engine, reached the way testcontainers reaches it: its strategies find Docker
 * through DOCKER_HOST, the current Docker context, ~/.testcontainers.properties, and Podman,
 * Colima or Rancher Desktop sockets, so `netspec run` works wherever a user's testcontainers
 * tests work. Node containers are started with its GenericContainer (nodes.ts); networks,
 * listings, removal and exec go through its container-runtime client (and the dockerode client
 * it holds, for an exec whose stdin we stream: testcontainers' own exec takes no input).
 *
 * Every failure is an EngineError naming the operation as the docker command a user can paste
 * to try it by hand, with the engine's error as `cause`.
 *
 * Ryuk (testcontainers' reaper) removes a dead process's containers where its image can be had;
 * without a registry it cannot, so then it is disabled and netspec's own label-based stale
 * cleanup (cleanup.ts) removes what a killed run left (either way, the next run does that too).
 */
import { PassThrough } from 'node:stream';
import { getContainerRuntimeClient, ImageName, type ContainerRuntimeClient } from 'testcontainers';
import { shellLine } from '../../exec/command.js';

/** No container engine could be reached (exit 3: the environment failed). */
export class DockerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DockerUnavailableError';
  }
}

/** An engine operation failed; `command` is the docker CLI equivalent, for trying it by hand. */
export class EngineError extends Error {
  constructor(readonly command: string, options: { cause: unknown }) {
    super(`${command}: ${engineMessage(options.cause)}`, options);
    this.name = 'EngineError';
  }
}

/** The engine's own words (dockerode puts "(HTTP code 409) conflict - " before them). */
export function engineMessage(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string };
  return (e?.json?.message ?? e?.message ?? String(error)).trim();
}

let client: Promise<ContainerRuntimeClient> | undefined;

/** The engine client (once per process). Throws DockerUnavailableError when none is reachable. */
export function engine(): Promise<ContainerRuntimeClient> {
  client ??= getContainerRuntimeClient().catch((error: unknown) => {
    client = undefined;
    throw new DockerUnavailableError(`no container engine found (looked where testcontainers looks: DOCKER_HOST, TESTCONTAINERS_HOST_OVERRIDE, `
      + `~/.testcontainers.properties, the current Docker context, /var/run/docker.sock and the rootless sockets): ${engineMessage(error)}`, { cause: error });
  });
  return client;
}

/** Throws DockerUnavailableError with a clear message if the engine cannot be used. */
export async function checkEngine(): Promise<void> {
  const c = await engine();
  try {
    await c.container.dockerode.ping();
  } catch (error) {
    throw new DockerUnavailableError(`the container engine at ${c.info.containerRuntime.host} does not answer: ${engineMessage(error)}`, { cause: error });
  }
}

const RYUK_IMAGE = 'testcontainers/ryuk:0.14.0';
const RYUK_PULL_TIMEOUT_MS = 20_000;
let reaperDecided: Promise<void> | undefined;

/**
 * Decides once per process whether Ryuk can run: honours TESTCONTAINERS_RYUK_DISABLED when set;
 * otherwise Ryuk is used if its image is present or can be pulled in time, and disabled (with a
 * notice) if not, since testcontainers would fail every container start without it.
 */
export function decideReaper(notice?: (message: string) => void): Promise<void> {
  reaperDecided ??= (async () => {
    if (process.env.TESTCONTAINERS_RYUK_DISABLED) return;
    const c = await engine();
    const image = ImageName.fromString(process.env.RYUK_CONTAINER_IMAGE ?? RYUK_IMAGE);
    if (await c.image.exists(image).catch(() => false)) return;
    const pulled = await Promise.race([
      c.image.pull(image).then(() => true, () => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), RYUK_PULL_TIMEOUT_MS).unref()),
    ]);
    if (pulled) return;
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    notice?.(`the Ryuk image ${image.string} cannot be had here: netspec's own cleanup removes what a killed run leaves`);
  })();
  return reaperDecided;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Stop waiting after this long (ms); the result then has `timedOut`. */
  timeoutMs?: number;
  /** Called with each complete stdout line as it arrives (the result's stdout is then empty). */
  onLine?: (line: string) => void;
}

export interface ExecResult {
  /** The command's exit code; undefined if it did not finish in time. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs an argument vector in a running container (`docker exec -i`), streaming `input` to its
 * stdin. A non-zero exit is a result, not an error; the engine failing is an EngineError.
 */
export async function execIn(container: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const c = await engine();
  const command = shellLine(['docker', 'exec', '-i', container, ...argv]);
  try {
    const handle = c.container.getById(container);
    const exec = await handle.exec({ Cmd: [...argv], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    c.container.dockerode.modem.demuxStream(stream, stdout, stderr);
    let out = '';
    let err = '';
    let partial = '';
    stdout.setEncoding('utf8');
    stderr.setEncoding('utf8');
    stdout.on('data', (d: string) => {
      if (!opts.onLine) { out += d; return; }
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line) opts.onLine(line);
      }
    });
    stderr.on('data', (d: string) => { err += d; });
    let timer: NodeJS.Timeout | undefined;
    const finished = await new Promise<boolean>((resolve, reject) => {
      stream.on('end', () => resolve(true));
      stream.on('close', () => resolve(true));
      stream.on('error', reject);
      if (opts.timeoutMs) timer = setTimeout(() => { resolve(false); stream.destroy(); }, opts.timeoutMs);
      stream.end(opts.input ?? '');
    }).finally(() => clearTimeout(timer));
    if (opts.onLine && partial) opts.onLine(partial);
    if (!finished) return { code: undefined, stdout: out, stderr: `${err}\n(gave up after ${opts.timeoutMs} ms)`, timedOut: true };
    // The stream can end a moment before the engine records the exit code.
    let info = await exec.inspect();
    for (let i = 0; info.Running && i < 50; i++) {
      await new Promise((res) => setTimeout(res, 10));
      info = await exec.inspect();
    }
    return { code: info.ExitCode ?? undefined, stdout: out, stderr: err, timedOut: false };
  } catch (error) {
    throw new EngineError(command, { cause: error });
  }
}

export interface Labelled {
  id: string;
  labels: Record<string, string>;
}

/** Containers (running or not) carrying `label` (`key` or `key=value`). */
export async function containersWithLabel(label: string): Promise<Labelled[]> {
  const c = await engine();
  try {
    const list = await c.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
    return list.map((x) => ({ id: x.Id, labels: x.Labels ?? {} }));
  } catch (error) {
    throw new EngineError(shellLine(['docker', 'ps', '--all', '--filter', `label=${label}`]), { cause: error });
  }
}

/** Networks carrying `label` (`key` or `key=value`). */
export async function networksWithLabel(label: string): Promise<Labelled[]> {
  const c = await engine();
  try {
    const list = await c.container.dockerode.listNetworks({ filters: { label: [label] } });
    return list.map((x) => ({ id: x.Id, labels: x.Labels ?? {} }));
  } catch (error) {
    throw new EngineError(shellLine(['docker', 'network', 'ls', '--filter', `label=${label}`]), { cause: error });
  }
}

const isNotFound = (error: unknown) => (error as { statusCode?: number }).statusCode === 404 || /no such|not found/i.test(engineMessage(error));

/** Force-removes a container and its volumes; a missing one (or one already being removed) is fine. */
export async function removeContainer(id: string): Promise<void> {
  const c = await engine();
  try {
    await c.container.getById(id).remove({ force: true, v: true });
  } catch (error) {
    if (isNotFound(error) || /already in progress/i.test(engineMessage(error))) return;
    throw new EngineError(shellLine(['docker', 'rm', '--force', '--volumes', id]), { cause: error });
  }
}

export interface NetworkSpec {
  name: string;
  labels: Record<string, string>;
  ipv4Subnet: string;
  ipv6Subnet?: string;
}

/**
 * A bridge network, dual-stack when an IPv6 subnet is given (through the runtime client:
 * testcontainers' Network builder cannot enable IPv6).
 */
export async function createNetwork(spec: NetworkSpec): Promise<void> {
  const c = await engine();
  try {
    await c.network.create({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: spec.labels,
      EnableIPv6: spec.ipv6Subnet !== undefined,
      IPAM: { Driver: 'default', Config: [{ Subnet: spec.ipv4Subnet }, ...(spec.ipv6Subnet ? [{ Subnet: spec.ipv6Subnet }] : [])] },
    });
  } catch (error) {
    throw new EngineError(shellLine(['docker', 'network', 'create', '--subnet', spec.ipv4Subnet,
      ...(spec.ipv6Subnet ? ['--ipv6', '--subnet', spec.ipv6Subnet] : []), spec.name]), { cause: error });
  }
}

/** Removes a network; missing is fine. A just-removed container may hold its endpoint a moment. */
export async function removeNetwork(id: string): Promise<void> {
  const c = await engine();
  for (let i = 0; ; i++) {
    try {
      await c.network.getById(id).remove();
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (i >= 5 || !/active endpoints|in use/i.test(engineMessage(error))) {
        throw new EngineError(shellLine(['docker', 'network', 'rm', id]), { cause: error });
      }
      await new Promise((res) => setTimeout(res, 200 * (i + 1)));
    }
  }
}

export async function imageExists(ref: string): Promise<boolean> {
  const c = await engine();
  return c.image.exists(ImageName.fromString(ref));
}
