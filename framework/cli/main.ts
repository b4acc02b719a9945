#!/usr/bin/env node
// The `netspec` command. Every user mistake ends in a message and exit 2, never a stack trace.
import { parseArgs } from "node:util";
import { ScenarioError } from "../scenario/diagnostics.js";
import { expectCommand } from "./commands/expect.js";
import { explainCommand } from "./commands/explain.js";
import { validateCommand } from "./commands/validate.js";
import { printDiagnostics } from "./output.js";
import { styleFor } from "../report/terminal-style.js";
import { USAGE, UsageError } from "./usage.js";
import { VERSION } from "../version.js";

const OPTIONS = {
  format: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  port: { type: "string" },
  protocol: { type: "string" },
  family: { type: "string" },
  provider: { type: "string" },
  reporter: { type: "string" },
  out: { type: "string" },
  parallel: { type: "string" },
  baseline: { type: "string" },
  current: { type: "string" },
  "implementation-name": { type: "string" },
  "implementation-version": { type: "string" },
  "implementation-organization": { type: "string" },
  "implementation-url": { type: "string" },
  "implementation-contact": { type: "string" },
  // kind / existing providers (framework/providers/kube/cli-options.ts)
  cni: { type: "string" },
  "kind-config": { type: "string" },
  "kind-image": { type: "string" },
  "kube-proxy-mode": { type: "string" },
  "cluster-name": { type: "string" },
  keep: { type: "boolean" },
  "dry-run": { type: "boolean" },
  kubeconfig: { type: "string" },
  context: { type: "string" },
  "node-map": { type: "string" },
  converge: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

async function main(argv: string[]): Promise<number> {
  const style = styleFor(process.stderr);
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (values.version) { process.stdout.write(`${VERSION}\n`); return 0; }
    const [command, ...rest] = positionals;
    if (values.help || !command) { process.stdout.write(`${USAGE}\n`); return command || values.help ? 0 : 2; }
    switch (command) {
      case "validate": return validateCommand(rest, style);
      case "expect": return expectCommand(single(rest, "expect"), values.format ?? "table");
      case "explain": return explainCommand(single(rest, "explain"), values);
      case "run": {
        const { runCommand } = await import("./commands/run.js");
        return await runCommand(rest, values, style);
      }
      case "report": {
        const { reportCommand } = await import("./commands/report.js");
        return reportCommand(rest, values, style);
      }
      default: throw new UsageError(`unknown command '${command}'; commands: validate, expect, explain, run, report`);
    }
  } catch (error) {
    if (error instanceof ScenarioError) {
      printDiagnostics(error.diagnostics, style, (line) => process.stderr.write(`${line}\n`));
      return 2;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${style.red("error:")} ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

function single(rest: readonly string[], command: string): string | undefined {
  if (rest.length > 1) throw new UsageError(`netspec ${command} takes one scenario file, got ${rest.length}`);
  return rest[0];
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    // Not a user mistake: an internal failure. Say so plainly; the stack helps a bug report.
    process.stderr.write(`netspec: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 3;
  },
);
