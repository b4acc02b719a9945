// The command line as one typed table (commander): every option belongs to its command, and the
// same table generates each command's help. An option a command does not take, a missing
// argument or a value outside its choices is a usage error (exit 2) followed by that command's
// own help, never silently accepted.
import { Command, CommanderError, Option } from "commander";
import { expectCommand } from "./commands/expect.js";
import { explainCommand, type ExplainFlags } from "./commands/explain.js";
import { validateCommand } from "./commands/validate.js";
import { UsageError } from "./usage.js";
import { VERSION } from "../version.js";
import { KUBE_PROXY_MODES } from "../providers/kind/config.js";
import { PROVIDERS } from "../providers/names.js";
import { REPORTER_NAMES } from "../report/write.js";
import type { Style } from "../report/terminal-style.js";

export interface ProgramIo {
  readonly style: Style;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** What a parsed command line resolved to: the exit code to end with. */
export interface ProgramOutcome {
  code: number;
}

const EXIT_CODES = `Exit codes: 0 expectations held, 1 mismatch, 2 invalid scenario or usage, 3 environment failed,
130 interrupted.`;

const implementationOptions = [
  new Option("--implementation-name <name>", "the implementation under test, for the conformance report"),
  new Option("--implementation-version <version>", "its version (conformance report)"),
  new Option("--implementation-organization <org>", "its organization (conformance report)"),
  new Option("--implementation-url <url>", "its URL (conformance report)"),
  new Option("--implementation-contact <list>", "comma-separated contacts (conformance report)"),
];

const reporterHelp = `comma-separated: ${REPORTER_NAMES.join(", ")}`;

export function buildProgram(io: ProgramIo, outcome: ProgramOutcome): Command {
  const program = new Command("netspec")
    .description("declarative network-topology tests for Kubernetes")
    .version(VERSION, "--version", "print the version")
    .helpOption("-h, --help", "show help")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(io.style.red(text)) })
    .addHelpText("after", `\nA <path> is a scenario file or a directory (every *.yaml/*.yml scenario below it).\n${EXIT_CODES}`);

  /** Runs a command's action; its own UsageErrors end like commander's: message, its help, exit 2. */
  const action = <A extends unknown[]>(command: Command, fn: (...args: A) => number | Promise<number>) =>
    async (...args: A) => {
      try {
        outcome.code = await fn(...args);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr(`${io.style.red(`error: ${error.message}`)}\n\n${command.helpInformation()}`);
        outcome.code = 2;
      }
    };

  const validate = program.command("validate")
    .description("schema and semantic checks, nothing provisioned")
    .argument("<path...>", "scenario files or directories");
  validate.action(action(validate, (paths: string[]) => validateCommand(paths, io.style)));

  const expect = program.command("expect")
    .description("the oracle's expected matrix")
    .argument("<file>", "one scenario file")
    .addOption(new Option("--format <format>", "table, json (streamed cells) or summary (counts only)").choices(["table", "json", "summary"]).default("table"));
  expect.action(action(expect, (file: string, options: { format: string }) => expectCommand(file, options.format)));

  const explain = program.command("explain")
    .description("how one cell's verdict is reached, tier by tier")
    .argument("<file>", "one scenario file")
    .requiredOption("--from <ref>", "the source reference (e.g. shop/frontend)")
    .requiredOption("--to <ref>", "the target reference (e.g. svc/shop/api, gateway/infra/gw)")
    .option("--port <port>", "a port number or name")
    .addOption(new Option("--protocol <protocol>", "the protocol").choices(["TCP", "UDP", "SCTP"]))
    .addOption(new Option("--family <family>", "the IP family").choices(["ipv4", "ipv6"]))
    .option("--path <path>", "gateway/ingress targets: the request's path and query (default /)")
    .option("--host <host>", "gateway/ingress targets: the Host header (default: the address)")
    .option("--method <method>", "gateway/ingress targets: the method (default GET)")
    .option("--header <name=value>", "gateway/ingress targets: a request header (repeatable)", (value: string, previous: string[]) => [...previous, value], [] as string[]);
  explain.action(action(explain, (file: string, options: ExplainFlags) => explainCommand(file, options)));

  const run = program.command("run")
    .description("provision, probe with real packets, compare")
    .argument("<path...>", "scenario files or directories")
    .addOption(new Option("--provider <name>", "where to run").choices(PROVIDERS).default("local"))
    .option("--reporter <list>", reporterHelp, "console")
    .option("--out <dir>", "where report files go", "reports")
    .option("--parallel <n>", "scenarios at once (one cluster each)", "1")
    .option("--converge <ms>", "how long mismatching cells are re-probed")
    .option("--http-consecutive <n>", "HTTP cells: matching answers in a row that make a cell pass (the Gateway API conformance rule)", "3")
    .option("--http-deadline <seconds>", "HTTP cells: within this long from the first request", "30")
    .option("--baseline <file>", "mark every cell that changed since that results.json")
    .option("--dry-run", "kind/existing: write the kind config and the manifests under --out; create nothing")
    .option("--cni <file|dir|script|url>", "kind: the CNI to install")
    .option("--kind-config <file>", "kind: a kind config to merge")
    .option("--kind-image <image>", "kind: the node image")
    .addOption(new Option("--kube-proxy-mode <mode>", "kind: kube-proxy's mode").choices(KUBE_PROXY_MODES))
    .option("--cluster-name <name>", "kind: create or reuse this cluster")
    .option("--keep", "kind: keep the cluster named by --cluster-name for the next run")
    .option("--gateway-class <name>", "kind/existing: the GatewayClass of the Gateway API implementation under test ({GATEWAY_CLASS_NAME} becomes it)")
    .option("--ingress-class <name>", "kind/existing: the IngressClass of the Ingress controller under test (given to Ingresses without a class)")
    .option("--install <file|dir|script|url>", "kind/existing: installs the implementation under test before the scenarios")
    .option("--kubeconfig <file>", "existing: the kubeconfig")
    .option("--context <name>", "existing: the kubeconfig context")
    .option("--node-map <map>", "existing: SCENARIO_NODE=NODE,... pins scenario nodes to real ones");
  for (const option of implementationOptions) run.addOption(option);
  run.action(action(run, async (paths: string[], options: Record<string, string | boolean | undefined>) => {
    const { runCommand } = await import("./commands/run.js");
    return runCommand(paths, options, io.style);
  }));

  const report = program.command("report")
    .description("reports from saved results; with a baseline, what changed")
    .requiredOption("--current <file>", "the run's results.json")
    .option("--baseline <file>", "an earlier results.json: the regression view")
    .option("--reporter <list>", reporterHelp, "console,html")
    .option("--out <dir>", "where report files go", "reports");
  for (const option of implementationOptions) report.addOption(option);
  report.action(action(report, async (options: Record<string, string | undefined>) => {
    const { reportCommand } = await import("./commands/report.js");
    return reportCommand(options, io.style);
  }));

  return program;
}

/** Parses and runs a command line; resolves with the exit code (usage errors: 2). */
export async function runProgram(argv: readonly string[], io: ProgramIo): Promise<number> {
  const outcome: ProgramOutcome = { code: 0 };
  const program = buildProgram(io, outcome);
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return outcome.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with 0; every parse error has already been printed, with help.
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help" ? 0 : 2;
    }
    throw error;
  }
}
