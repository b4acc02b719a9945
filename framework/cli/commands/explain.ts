// `netspec explain <file> --from REF --to REF [--port P] [--protocol X] [--family F]`, and for a
// request through a Gateway or an Ingress (`--to gateway/NS/NAME` or `ingress/NS/NAME`)
// `[--path P] [--host H] [--method M] [--header NAME=VALUE]...`.
import { explain, httpEntryOf, type ExplainRequest } from "../../oracle/explain.js";
import { loadScenario } from "../../scenario/build.js";
import { parseReference } from "../../scenario/references.js";
import { UsageError } from "../usage.js";

export interface ExplainFlags {
  from: string;
  to: string;
  port?: string;
  protocol?: string;
  family?: string;
  path?: string;
  host?: string;
  method?: string;
  header?: string[];
}

/** RFC 9110 section 5.6.2: methods and header names are tokens. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** --protocol and --family are checked by the command line's choices. */
export function explainCommand(file: string, values: ExplainFlags): number {
  const entry = httpEntryOf(values.to);
  for (const ref of entry ? [values.from] : [values.from, values.to]) {
    const parsed = parseReference(ref);
    if (typeof parsed === "string") throw new UsageError(parsed);
  }
  const described = values.path !== undefined || values.host !== undefined || values.method !== undefined || (values.header ?? []).length > 0;
  if (!entry && described) {
    throw new UsageError(`--path, --host, --method and --header describe a request through a Gateway or an Ingress; --to ${values.to} is neither (write gateway/NAMESPACE/NAME or ingress/NAMESPACE/NAME)`);
  }
  const port = values.port === undefined ? undefined : /^\d+$/.test(values.port) ? Number(values.port) : values.port;
  const request = entry ? httpRequest(values, typeof port === "string" ? port : undefined) : undefined;
  const { scenario } = loadScenario(file);
  if (entry) {
    const kind = entry.kind === "gateway" ? "Gateway" : "Ingress";
    if (!scenario.manifests.some((m) => m.kind === kind && m.namespace === entry.namespace && m.name === entry.name)) {
      throw new UsageError(`${scenario.name} declares no ${kind} ${entry.namespace}/${entry.name} under resources:`);
    }
  }
  const blocks = explain(scenario, {
    from: values.from, to: values.to, port,
    protocol: values.protocol as "TCP" | "UDP" | "SCTP" | undefined,
    family: values.family as "ipv4" | "ipv6" | undefined,
    ...(request ? { request } : {}),
  });
  if (blocks.length === 0) {
    throw new UsageError(`no cell of ${scenario.name} goes from '${values.from}' to '${values.to}'${port !== undefined ? ` on port ${port}` : ""}; check the references (netspec expect ${file} lists the cells)`);
  }
  if (entry && !described) process.stdout.write("no request described (--path, --host, --method, --header): GET / with the address as Host, as in expect.http\n\n");
  process.stdout.write(`${blocks.join("\n\n")}\n`);
  return 0;
}

function httpRequest(values: ExplainFlags, portName: string | undefined): ExplainRequest {
  if (portName !== undefined) throw new UsageError(`--port for a Gateway or an Ingress is a listener port number, not '${portName}'`);
  if (values.protocol !== undefined && values.protocol !== "TCP") throw new UsageError(`HTTP requests go over TCP, not ${values.protocol}`);
  if (values.method !== undefined && !TOKEN.test(values.method)) throw new UsageError(`--method '${values.method}' is not an HTTP method (a token, e.g. GET)`);
  if (values.path !== undefined && !values.path.startsWith("/")) throw new UsageError(`--path '${values.path}' must start with '/'`);
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const at = header.indexOf("=");
    const name = at > 0 ? header.slice(0, at) : "";
    if (!TOKEN.test(name)) throw new UsageError(`--header '${header}' is not NAME=VALUE with a header name`);
    headers[name.toLowerCase()] = header.slice(at + 1);
  }
  return {
    ...(values.method !== undefined ? { method: values.method } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.path !== undefined ? { path: values.path } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}
