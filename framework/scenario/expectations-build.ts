// A scenario's `probe` and `expect` sections as the model holds them: probe defaults, expectation
// rules with their ports parsed (a number, a name or a range), and `expect.http` entries with
// their requests defaulted and checked as they go on the wire (http-request.ts).
import { checkPortName } from "../kube/labels.js";
import type { Family } from "../kube/net.js";
import type { Diagnostics } from "./diagnostics.js";
import { httpRequestProblems } from "./http-request.js";
import type { LoadedScenario } from "./load.js";
import type { ExpectModel, ExpectRuleModel, HttpExpectationModel, ProbeModel } from "./model.js";
import type { HttpExpectationSpec } from "./schema.js";
import type { Locator } from "./yaml-source.js";

/** What building the two sections needs from the scenario being built. */
export interface ExpectationsContext {
  readonly raw: LoadedScenario["raw"];
  readonly resources: LoadedScenario["resources"];
  /** The cluster's families (cluster.ipFamily). */
  readonly families: readonly Family[];
  readonly at: Locator;
  readonly diags: Diagnostics;
}

/** `probe`: every pod to pods and Services over the cluster's families, 1 s per attempt, unless it says otherwise. */
export function buildProbe(ctx: ExpectationsContext): ProbeModel {
  const probe = ctx.raw.probe ?? {};
  const families = probe.families ?? ctx.families;
  probe.families?.forEach((family, i) => {
    if (!ctx.families.includes(family)) {
      ctx.diags.error(ctx.at.at(["probe", "families", i]), `probe family '${family}' is not a family of this cluster (${ctx.families.join(", ")}); set cluster.ipFamily to include it`);
    }
  });
  return {
    from: probe.from ?? ["*"],
    fromDeclared: probe.from !== undefined,
    to: probe.to ?? ["pods", "services"],
    families: families.filter((f) => ctx.families.includes(f)),
    timeoutMs: parseDuration(probe.timeout ?? "1s"),
  };
}

/** `expect`: the default, the rules (ports as numbers, names or ranges) and the HTTP entries. */
export function buildExpect(ctx: ExpectationsContext): ExpectModel {
  const expect = ctx.raw.expect ?? {};
  const rules: ExpectRuleModel[] = (expect.rules ?? []).map((rule, index) => {
    const path = ["expect", "rules", index];
    let port: ExpectRuleModel["port"] = rule.port;
    if (typeof rule.port === "string") {
      const range = /^(\d+)-(\d+)$/.exec(rule.port);
      if (range) {
        const from = Number(range[1]), to = Number(range[2]);
        if (from < 1 || to > 65535 || from > to) ctx.diags.error(ctx.at.at([...path, "port"]), `port range '${rule.port}' must be FROM-TO with 1 <= FROM <= TO <= 65535`);
        port = { from, to };
      } else if (/^\d+$/.test(rule.port)) {
        port = Number(rule.port);
      } else {
        const problem = checkPortName(rule.port);
        if (problem) ctx.diags.error(ctx.at.at([...path, "port"]), `port '${rule.port}' is neither a number, a range FROM-TO nor a valid port name: ${problem}`);
      }
    }
    if (rule.family && !ctx.families.includes(rule.family)) {
      ctx.diags.error(ctx.at.at([...path, "family"]), `family '${rule.family}' is not a family of this cluster (${ctx.families.join(", ")})`);
    }
    if (rule.result === undefined && rule.backends === undefined && rule.clientAddress === undefined) {
      ctx.diags.error(ctx.at.at(path), "an expectation rule needs 'result', 'backends' or 'clientAddress'");
    }
    return {
      from: rule.from, to: rule.to, port, protocol: rule.protocol, family: rule.family,
      result: rule.result, backends: rule.backends, clientAddress: rule.clientAddress, index, pos: ctx.at.at(path),
    };
  });
  return { default: expect.default ?? "oracle", rules, http: (expect.http ?? []).flatMap((entry, index) => httpExpectation(ctx, entry, index)) };
}

/**
 * One `expect.http` entry (SPEC.md, "Layer 7"): `to` names a Gateway or an Ingress of the
 * scenario; the request gets its defaults (GET /, the Host header the client would send).
 */
function httpExpectation(ctx: ExpectationsContext, entry: HttpExpectationSpec, index: number): HttpExpectationModel[] {
  const path = ["expect", "http", index];
  const to = /^(gateway|ingress)\/([^/]+)\/([^/]+)$/.exec(entry.to);
  if (!to) {
    ctx.diags.error(ctx.at.at([...path, "to"]), `'${entry.to}' is not an HTTP entry; write gateway/NAMESPACE/NAME or ingress/NAMESPACE/NAME`);
    return [];
  }
  const [, kind, namespace, name] = to as unknown as [string, "gateway" | "ingress", string, string];
  const declared = ctx.resources.some((r) => r.object.kind === (kind === "gateway" ? "Gateway" : "Ingress") &&
    ((r.object.metadata as { namespace?: string; name?: string } | undefined)?.namespace ?? "default") === namespace &&
    (r.object.metadata as { name?: string } | undefined)?.name === name);
  if (!declared) ctx.diags.error(ctx.at.at([...path, "to"]), `${kind === "gateway" ? "Gateway" : "Ingress"} ${namespace}/${name} is not declared under resources:`);
  const method = entry.request.method ?? "GET";
  const requestPath = entry.request.path ?? "/";
  if (!requestPath.startsWith("/")) ctx.diags.error(ctx.at.at([...path, "request", "path"]), `request path '${requestPath}' must start with '/'`);
  // What goes on the wire as written (http-request.ts): the prober sends nothing else.
  const request = { method, host: entry.request.host ?? "", path: requestPath, headers: { ...(entry.request.headers ?? {}) } };
  for (const problem of httpRequestProblems(request)) ctx.diags.error(ctx.at.at([...path, "request", ...problem.field]), problem.message);
  const status = entry.status === undefined ? undefined : Array.isArray(entry.status) ? entry.status : [entry.status];
  return [{
    from: entry.from ?? "external",
    entry: { kind, namespace, name },
    ...(entry.port !== undefined ? { port: entry.port } : {}),
    request,
    ...(status ? { status } : {}),
    ...(entry.backends ? { backends: entry.backends } : {}),
    ...(entry.backendRequest ? { backendRequest: entry.backendRequest } : {}),
    ...(entry.redirect ? { redirect: entry.redirect } : {}),
    index, pos: ctx.at.at(path),
  }];
}

/** "1s", "500ms", "1.5s" → milliseconds (the schema checked the format). */
function parseDuration(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s)$/.exec(text);
  if (!match) return 1000;
  return Math.round(Number(match[1]) * (match[2] === "s" ? 1000 : 1));
}
