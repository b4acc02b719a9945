// Running the external tools (kind, kubectl, a CNI install script): always an argument vector
// through spawn, never a shell string, with a timeout, an abort signal and stdin input.
import { spawn } from "node:child_process";

export interface CommandOptions {
  /** Written to stdin (then closed). */
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Do not throw on a non-zero exit. */
  readonly allowFailure?: boolean;
  /** Called with every complete stdout line as it arrives (stdout is still collected). */
  readonly onLine?: (line: string) => void;
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** The tool is not installed (ENOENT). */
export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`'${tool}' was not found on PATH`);
    this.name = "ToolMissingError";
  }
}

export class CommandError extends Error {
  constructor(readonly tool: string, readonly args: readonly string[], readonly result: CommandResult) {
    const what = `${tool} ${args.filter((a) => !a.includes("\n")).slice(0, 4).join(" ")}${args.length > 4 ? " …" : ""}`;
    const detail = (result.stderr || result.stdout).trim().split("\n").slice(-8).join("\n");
    super(`${what} ${result.timedOut ? "timed out" : `failed (exit ${result.code})`}${detail ? `: ${detail}` : ""}`);
    this.name = "CommandError";
  }
}

/** The run was interrupted while the command ran. */
export class AbortedError extends Error {
  constructor() {
    super("interrupted");
    this.name = "AbortedError";
  }
}

export function runCommand(tool: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) { reject(new AbortedError()); return; }
    const child = spawn(tool, args, { stdio: ["pipe", "pipe", "pipe"], env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    let partial = "";
    let timedOut = false;
    let aborted = false;
    const kill = () => { try { child.kill("SIGTERM"); } catch { /* gone */ } setTimeout(() => { try { child.kill("SIGKILL"); } catch { /* gone */ } }, 2000).unref(); };
    const timer = options.timeoutMs ? setTimeout(() => { timedOut = true; kill(); }, options.timeoutMs) : undefined;
    const onAbort = () => { aborted = true; kill(); };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      if (!options.onLine) return;
      partial += chunk;
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        options.onLine(line);
      }
    });
    child.stderr.on("data", (chunk: string) => { stderr += chunk; });
    const done = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      done();
      reject(error.code === "ENOENT" ? new ToolMissingError(tool) : error);
    });
    child.on("close", (code) => {
      done();
      if (options.onLine && partial) options.onLine(partial);
      if (aborted) { reject(new AbortedError()); return; }
      const result: CommandResult = { code, stdout, stderr, timedOut };
      if ((code !== 0 || timedOut) && !options.allowFailure) reject(new CommandError(tool, args, result));
      else resolve(result);
    });
    child.stdin.on("error", () => { /* the tool may exit without reading stdin */ });
    child.stdin.end(options.input ?? "");
  });
}

/** Runs `work` over `items` with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) { reject(new AbortedError()); return; }
  const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
  const onAbort = () => { clearTimeout(timer); reject(new AbortedError()); };
  signal?.addEventListener("abort", onAbort, { once: true });
});
