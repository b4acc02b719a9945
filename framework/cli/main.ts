#!/usr/bin/env node
// The `netspec` command. Every user mistake ends in a message and exit 2, never a stack trace.
import { ScenarioError } from "../scenario/diagnostics.js";
import { printDiagnostics } from "./output.js";
import { runProgram } from "./program.js";
import { styleFor } from "../report/terminal-style.js";

const isBrokenPipe = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === "EPIPE";

// `netspec expect f.yaml --format json | head`: once the reader is gone, end quietly with 0.
process.stdout.on("error", (error) => {
  if (isBrokenPipe(error)) process.exit(0);
  throw error;
});

async function main(argv: string[]): Promise<number> {
  const style = styleFor(process.stderr);
  try {
    return await runProgram(argv, {
      style,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    });
  } catch (error) {
    if (error instanceof ScenarioError) {
      printDiagnostics(error.diagnostics, style, (line) => process.stderr.write(`${line}\n`));
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (isBrokenPipe(error)) { process.exitCode = 0; return; }
    // Not a user mistake: an internal failure. Say so plainly; the stack and causes help a bug report.
    process.stderr.write(`netspec: internal error: ${describe(error)}\n`);
    process.exitCode = 3;
  },
);

function describe(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; e = (e as Error).cause, depth++) {
    lines.push(depth === 0 ? String((e as Error)?.stack ?? e) : `caused by: ${String((e as Error)?.stack ?? e)}`);
  }
  return lines.join("\n");
}
