// `netspec explain <file> --from REF --to REF [--port P] [--protocol X] [--family F]`.
import { explain } from "../../oracle/explain.js";
import { loadScenario } from "../../scenario/build.js";
import { parseReference } from "../../scenario/references.js";
import { UsageError } from "../usage.js";

/** --protocol and --family are checked by the command line's choices. */
export function explainCommand(file: string, values: { from: string; to: string; port?: string; protocol?: string; family?: string }): number {
  for (const ref of [values.from, values.to]) {
    const parsed = parseReference(ref);
    if (typeof parsed === "string") throw new UsageError(parsed);
  }
  const { scenario } = loadScenario(file);
  const port = values.port === undefined ? undefined : /^\d+$/.test(values.port) ? Number(values.port) : values.port;
  const blocks = explain(scenario, {
    from: values.from, to: values.to, port,
    protocol: values.protocol as "TCP" | "UDP" | "SCTP" | undefined,
    family: values.family as "ipv4" | "ipv6" | undefined,
  });
  if (blocks.length === 0) {
    throw new UsageError(`no cell of ${scenario.name} goes from '${values.from}' to '${values.to}'${port !== undefined ? ` on port ${port}` : ""}; check the references (netspec expect ${file} lists the cells)`);
  }
  process.stdout.write(`${blocks.join("\n\n")}\n`);
  return 0;
}
