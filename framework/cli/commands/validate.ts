// `netspec validate <path>...`: every problem in every scenario, in one pass. Exit 2 on errors.
import { validatePaths } from "../../runner/validate-paths.js";
import { printDiagnostics } from "../output.js";
import type { Style } from "../../report/terminal-style.js";

export function validateCommand(paths: readonly string[], style: Style): number {
  const { scenarios, diagnostics } = validatePaths(paths, { lint: true });
  const write = (line: string) => process.stderr.write(`${line}\n`);
  printDiagnostics(diagnostics.sorted(), style, write);
  const errors = diagnostics.errors.length;
  const warnings = diagnostics.warnings.length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (errors > 0) {
    write(style.red(`✗ ${plural(errors, "error")}, ${plural(warnings, "warning")}; ${plural(scenarios.length, "scenario")} valid`));
    return 2;
  }
  process.stdout.write(`${style.green("✓")} ${plural(scenarios.length, "scenario")} valid${warnings ? `, ${plural(warnings, "warning")}` : ""}\n`);
  return 0;
}
