// Problems found in a scenario, each tied to a place in a file so the user can jump to it.
import type { SourcePos } from "./model.js";

export type Severity = "error" | "warning";

export interface Diagnostic extends SourcePos {
  readonly severity: Severity;
  /** What is wrong, and (after "; ") what would be right. */
  readonly message: string;
}

/** Collects every problem in one pass, so users see all of them at once, not the first only. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  error(pos: SourcePos, message: string): void {
    this.items.push({ ...pos, severity: "error", message });
  }

  warning(pos: SourcePos, message: string): void {
    this.items.push({ ...pos, severity: "warning", message });
  }

  get errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "error");
  }

  get warnings(): Diagnostic[] {
    return this.items.filter((d) => d.severity === "warning");
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }

  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
  }
}

/** `file:line:col: error: message`, the format editors and CI annotators understand. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity}: ${d.message}`;
}

/** A user's mistake that stops the command: printed without a stack trace, exit 2. */
export class ScenarioError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic).join("\n"));
    this.name = "ScenarioError";
  }
}
