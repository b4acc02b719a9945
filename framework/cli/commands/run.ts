// `netspec run <path>... [--provider P] [--reporter console,json] [--out DIR] [--parallel N]`.
import { providerFor } from "../../providers/index.js";
import { ConsoleReporter } from "../../report/console.js";
import { writeJsonResults } from "../../report/json.js";
import { compareRuns, readResults, renderRegressionConsole, ResultsFileError, type Regression } from "../../report/regression.js";
import { implementationFromFlags, REPORTER_NAMES, writeReports } from "../../report/write.js";
import { EnvironmentError } from "../../runner/provider.js";
import { run } from "../../runner/run.js";
import { printDiagnostics } from "../output.js";
import type { Style } from "../../report/terminal-style.js";
import { UsageError } from "../usage.js";
import { validatePaths } from "../../runner/validate-paths.js";
import { convergeMs, kubeProviderOptions, type KubeFlags } from "../../providers/kube/cli-options.js";
import { dryRun } from "../../providers/kind/dry-run.js";
import { httpConsistency, type ConsistencyFlags } from "../consistency.js";

const REPORTERS = REPORTER_NAMES;

export interface RunFlags extends KubeFlags, ConsistencyFlags {
  provider?: string;
  reporter?: string;
  out?: string;
  parallel?: string;
  /** A previous run's results.json: the reports mark what changed since. */
  baseline?: string;
  implementationName?: string;
  implementationVersion?: string;
  implementationOrganization?: string;
  implementationUrl?: string;
  implementationContact?: string;
}

export async function runCommand(paths: readonly string[], flags: RunFlags, style: Style): Promise<number> {
  const providerName = flags.provider ?? "local";
  const reporters = (flags.reporter ?? "console").split(",").map((r) => r.trim()).filter(Boolean);
  for (const r of reporters) {
    if (!(REPORTERS as readonly string[]).includes(r)) throw new UsageError(`unknown reporter '${r}'; available: ${REPORTERS.join(", ")}`);
  }
  const out = flags.out ?? "reports";
  const parallel = flags.parallel === undefined ? 1 : Number(flags.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) throw new UsageError(`--parallel must be a whole number >= 1, not '${flags.parallel}'`);
  // A baseline that cannot be read is a usage error, found before anything is provisioned.
  let baseline: ReturnType<typeof readResults> | undefined;
  try { baseline = flags.baseline === undefined ? undefined : readResults(flags.baseline); } catch (error) {
    if (error instanceof ResultsFileError) throw new UsageError(`--baseline: ${error.message}`);
    throw error;
  }

  // Nothing is provisioned unless every scenario is valid (exit 2).
  const { scenarios, diagnostics } = validatePaths(paths, { lint: false });
  const write = (line: string) => process.stderr.write(`${line}\n`);
  printDiagnostics(diagnostics.sorted(), style, write);
  if (diagnostics.hasErrors) return 2;

  const consoleReporter = reporters.includes("console") ? new ConsoleReporter(process.stderr, style) : undefined;
  const controller = new AbortController();
  const providerOptions = kubeProviderOptions(providerName, flags, { reportDir: out, signal: controller.signal, parallel });
  const converge = convergeMs(flags.converge);
  const consistency = httpConsistency(flags);
  if (flags.dryRun) {
    // Writes what would be created (kind config, manifests in apply order); creates nothing.
    for (const file of await dryRun(providerName as "kind" | "existing", scenarios, providerOptions, out)) write(file.path);
    return 0;
  }
  const provider = providerFor(providerName, providerOptions);
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C: stop waiting for cleanup
    write(style.yellow("\ninterrupted: removing what this run created (Ctrl-C again to exit at once)"));
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const results = await run(scenarios, {
      provider,
      parallel,
      ...(converge !== undefined ? { convergeMs: converge } : {}),
      ...consistency,
      signal: controller.signal,
      onEvent: (event) => consoleReporter?.onEvent(event),
      onResults: (partial) => { if (reporters.includes("json")) writeJsonResults(out, partial); },
    });
    consoleReporter?.finish(results);
    const regression: Regression | undefined = baseline ? compareRuns(baseline, results) : undefined;
    if (regression && reporters.includes("console")) write(`\n${renderRegressionConsole(regression, style)}`);
    for (const path of writeReports(out, results, reporters, { ...(regression ? { regression } : {}), implementation: implementationFromFlags(flags) })) {
      write(style.dim(`report: ${path}`));
    }
    if (controller.signal.aborted) return 130;
    if (results.scenarios.some((s) => s.status === "error")) return 3;
    return results.summary.failed > 0 || results.scenarios.some((s) => s.status === "failed") ? 1 : 0;
  } catch (error) {
    if (controller.signal.aborted) return 130;
    if (error instanceof EnvironmentError) {
      write(`${style.red("environment error:")} ${error.message}${error.hint ? `\n${error.hint}` : ""}`);
      return 3;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
