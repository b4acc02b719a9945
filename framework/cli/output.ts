// Printing diagnostics consistently across commands.
import { formatDiagnostic, type Diagnostic } from "../scenario/diagnostics.js";
import type { Style } from "../report/terminal-style.js";

export function printDiagnostics(diagnostics: readonly Diagnostic[], style: Style, write: (line: string) => void): void {
  for (const d of diagnostics) {
    const text = formatDiagnostic(d);
    write(d.severity === "error" ? style.red(text) : style.yellow(text));
  }
}
