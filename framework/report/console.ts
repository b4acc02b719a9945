// Console output of a run: a live progress line per scenario while it runs, then a summary and,
// for each failing scenario, the mismatching cells with expected, observed and the reason. An
// HTTP cell reads as its request and its answers (http-cell.ts):
//   external → gateway/infra/gw:80 GET foo.example.com/v2 ipv4: expected 200 from infra/v2-*, observed 404
import { cellId } from "../scenario/target.js";
import type { Style } from "./terminal-style.js";
import type { RunEvent } from "../runner/run.js";
import type { CellResult, RunResults, ScenarioResult } from "../runner/results.js";
import { expectationSource, expectedAnswerText, httpCellTitle, isHttpCell, observedAnswerText } from "./http-cell.js";

export class ConsoleReporter {
  private readonly live: boolean;
  private lineShown = false;
  private readonly status = new Map<string, string>();

  constructor(private readonly stream: NodeJS.WriteStream, private readonly style: Style) {
    // Rewriting one line needs a terminal; logs and CI get one line per phase instead.
    this.live = Boolean(stream.isTTY);
  }

  onEvent(event: RunEvent): void {
    switch (event.type) {
      case "scenario-start":
        this.update(event.scenario.name, `${event.cells} cells`);
        break;
      case "phase":
        this.update(event.scenario.name, event.phase);
        break;
      case "probe-progress":
        if (this.live || event.round === 1) {
          this.update(event.scenario.name, `probe ${event.done} of ${event.total}${event.round > 1 ? ` (round ${event.round})` : ""}`);
        }
        break;
      case "scenario-end":
        this.status.delete(event.scenario.name);
        this.print(this.scenarioLine(event.result));
        break;
      case "notice":
        this.print(this.style.dim(event.message));
        break;
      case "log":
        if (process.env.NETSPEC_DEBUG) this.print(this.style.dim(`  ${event.scenario?.name ?? ""} ${event.message}`));
        break;
    }
  }

  private update(name: string, text: string): void {
    this.status.set(name, text);
    if (!this.live) { this.print(this.style.dim(`  ${name}: ${text}`)); return; }
    const line = [...this.status].map(([n, t]) => `${n}: ${t}`).join("  |  ");
    const width = this.stream.columns || 100; // 0 when the terminal does not say
    this.stream.write(`\r\u001b[2K${this.style.dim(line.slice(0, width - 1))}`);
    this.lineShown = true;
  }

  private print(line: string): void {
    if (this.live && this.lineShown) { this.stream.write("\r\u001b[2K"); this.lineShown = false; }
    this.stream.write(`${line}\n`);
  }

  private scenarioLine(result: ScenarioResult): string {
    const { style } = this;
    const skipped = result.cells.filter((c) => c.skipped).length;
    const failed = result.cells.filter((c) => !c.match && !c.skipped).length;
    const http = result.cells.filter((c) => c.target === "http").length;
    const mark = result.status === "passed" ? style.green("✓") : style.red("✗");
    const counts = result.status === "error"
      ? style.red(`error: ${result.error}`)
      : `${result.cells.length} cells${http ? ` (${http} HTTP request${http === 1 ? "" : "s"})` : ""}${failed ? style.red(`, ${failed} failed`) : ""}${skipped ? style.yellow(`, ${skipped} skipped`) : ""}`;
    const planes = Object.values(result.convergence ?? {});
    const programmed = planes.length > 0 ? `, ${planes.length === 1 ? "gateway" : `${planes.length} gateways`} programmed in ${Math.max(...planes)} ms` : "";
    const timing = style.dim(`(${seconds(result.durationMs)}: provision ${seconds(result.phases.provision)}, probe ${seconds(result.phases.probe)}${programmed})`);
    return `${mark} ${result.name} ${counts} ${timing}`;
  }

  finish(results: RunResults): void {
    const { style } = this;
    if (this.live && this.lineShown) { this.stream.write("\r\u001b[2K"); this.lineShown = false; }
    for (const scenario of results.scenarios) {
      const mismatches = scenario.cells.filter((c) => !c.match && !c.skipped);
      if (mismatches.length === 0) continue;
      this.stream.write(`\n${style.bold(scenario.name)} ${style.dim(scenario.file)}: ${mismatches.length} mismatch${mismatches.length === 1 ? "" : "es"}\n`);
      for (const cell of mismatches.slice(0, 50)) {
        this.stream.write(`  ${this.mismatchLine(cell)}\n`);
        const why = cell.source === "oracle" ? `oracle: ${cell.reason}` : `expected by ${expectationSource(cell.source)}; oracle: ${cell.oracle} — ${cell.reason}`;
        this.stream.write(style.dim(`    ${cell.mismatch && !cell.mismatch.startsWith("expected ") ? `${cell.mismatch}; ` : ""}${why}\n`));
      }
      if (mismatches.length > 50) this.stream.write(style.dim(`  … and ${mismatches.length - 50} more (see results.json)\n`));
    }
    const s = results.summary;
    const http = results.scenarios.reduce((n, x) => n + x.cells.filter((c) => c.target === "http").length, 0);
    const line = `${s.scenarios} scenario${s.scenarios === 1 ? "" : "s"}, ${s.cells} cells${http ? ` (${http} HTTP request${http === 1 ? "" : "s"})` : ""}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped in ${seconds(results.durationMs)}`;
    this.stream.write(`\n${s.failed > 0 || results.scenarios.some((x) => x.status === "error") ? style.red(line) : style.green(line)}${results.interrupted ? style.yellow(" (interrupted)") : ""}\n`);
  }

  /** The cell, what it expected and what was observed: a connection's outcome, or an HTTP request's answer. */
  private mismatchLine(cell: CellResult): string {
    const { style } = this;
    if (isHttpCell(cell)) return `${httpCellTitle(cell)}: expected ${style.bold(expectedAnswerText(cell))}, observed ${style.red(observedAnswerText(cell))}`;
    return `${cellId(cell)}: expected ${style.bold(cell.expected)}, observed ${style.red(cell.observed)}${cell.backend ? ` (from ${cell.backend})` : ""}`;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
