/**
 * The one way netspec runs a host command (kind, kubectl, the docker CLI where still needed, a
 * CNI install script, the offline image build): an argument vector through execa, never a shell
 * string, with a timeout, cancellation and stdin input.
 *
 * Modelled on kind's pkg/exec: a failure is a CommandError that carries the paste-ready command
 * line (`commandLine`, quoted for a POSIX shell so a user can run it again by hand), what the
 * command printed and execa's own error as `cause`, so the real reason survives every layer.
 * The probe side inside node containers does not use this (it runs on Node's builtins there).
 */
import { execa, type ExecaError, type Result } from "execa";

export interface CommandOptions {
  /** Written to stdin (then closed). */
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
  /** Do not throw on a non-zero exit or a timeout (a missing tool or an abort still throws). */
  readonly allowFailure?: boolean;
  /** Called with every complete stdout line as it arrives (stdout is still collected). */
  readonly onLine?: (line: string) => void;
}

export interface CommandResult {
  /** The exit code; undefined when the process was killed by a signal (a timeout). */
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The command as a user would paste it into a shell. */
  readonly commandLine: string;
}

/** The tool is not installed (ENOENT). */
export class ToolMissingError extends Error {
  constructor(readonly tool: string, options?: { cause?: unknown }) {
    super(`'${tool}' was not found on PATH`, options);
    this.name = "ToolMissingError";
  }
}

/** A command exited non-zero or timed out. */
export class CommandError extends Error {
  readonly commandLine: string;
  constructor(readonly tool: string, readonly args: readonly string[], readonly result: Omit<CommandResult, "commandLine"> & { commandLine?: string }, options?: { cause?: unknown }) {
    const commandLine = result.commandLine ?? shellLine([tool, ...args]);
    const output = (result.stderr || result.stdout).trim().split("\n").slice(-12).join("\n");
    super(`${shortLine(commandLine)} ${result.timedOut ? "timed out" : `failed (exit ${result.code ?? "by signal"})`}${output ? `:\n${output}` : ""}`, options);
    this.name = "CommandError";
    this.commandLine = commandLine;
  }
}

/** The run was interrupted while the command ran. */
export class AbortedError extends Error {
  constructor(options?: { cause?: unknown }) {
    super("interrupted", options);
    this.name = "AbortedError";
  }
}

export async function runCommand(tool: string, args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const onLine = options.onLine;
  const result: Result | ExecaError = await execa(tool, [...args], {
    reject: false,
    input: options.input ?? "",
    env: options.env ?? process.env,
    extendEnv: false,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
    forceKillAfterDelay: 2000,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(onLine ? { stdout: function* (line: unknown) { onLine(String(line)); yield line; } } : {}),
  });
  if (result.isCanceled) throw new AbortedError({ cause: result });
  const cause = "cause" in result ? (result.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code === "ENOENT" && result.exitCode === undefined && !result.timedOut) throw new ToolMissingError(tool, { cause });
  const out: CommandResult = {
    code: result.exitCode,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    timedOut: result.timedOut,
    commandLine: shellLine([tool, ...args]),
  };
  // Could not be started at all (EACCES, …): an error even when failure is allowed.
  const neverRan = out.code === undefined && !out.timedOut && result.signal === undefined;
  if (result.failed && (!options.allowFailure || neverRan)) throw new CommandError(tool, args, out, { cause: result });
  return out;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : Array.isArray(value) ? value.join("\n") : "";
}

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** A POSIX-shell rendering of an argument vector, for messages only (never executed). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (a !== "" && SAFE_WORD.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(" ");
}

function shortLine(line: string): string {
  const first = line.split("\n")[0]!;
  return first.length > 300 ? `${first.slice(0, 300)} …` : first;
}

export const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) { reject(new AbortedError()); return; }
  const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
  const onAbort = () => { clearTimeout(timer); reject(new AbortedError()); };
  signal?.addEventListener("abort", onAbort, { once: true });
});
