// Warnings `netspec validate` derives from the oracle, before any cluster exists: expectation
// rules that match no cell (usually a typo), and rules that contradict the oracle (either the
// rule or the policies are wrong: both verdicts and the oracle's reason are shown).
import type { Diagnostics } from "../scenario/diagnostics.js";
import { Layer7Kinds } from "../kube/gateway-types.js";
import type { ManifestModel, Scenario } from "../scenario/model.js";
import { formatReference, globToRegExp } from "../scenario/references.js";
import { cellId } from "../scenario/target.js";
import { compatible, type ExpectedCell } from "./cells.js";
import { Expectations } from "./expectations.js";
import { ingressClassWarnings, routeConditionWarnings } from "./http/conditions.js";
import { expectedCells } from "./index.js";

export interface LintResult {
  readonly cells: number;
}

export function lintExpectations(scenario: Scenario, diags: Diagnostics): LintResult {
  const expectations = new Expectations(scenario);
  const contradictions = new Map<number, { count: number; example: ExpectedCell }>();
  let cells = 0;
  const strayBackends = new Map<number, { pods: Set<string>; example: ExpectedCell }>();
  const httpContradictions = new Map<number, { problem: string; example: ExpectedCell }>();
  for (const cell of expectedCells(scenario, expectations)) {
    cells++;
    if (cell.destination.kind === "http" && cell.expectedHttp && !httpContradictions.has(cell.destination.expectation)) {
      const problem = httpContradiction(cell);
      if (problem) httpContradictions.set(cell.destination.expectation, { problem, example: cell });
    }
    if (cell.expectedBackends && cell.backends) {
      // The oracle knows who may answer this client; a `backends:` list that leaves one out
      // will fail whenever that backend answers.
      const missing = cell.backends.filter((b) => !cell.expectedBackends!.includes(b));
      const index = lastRuleWithBackends(scenario, expectations, cell);
      if (missing.length > 0 && index !== undefined) {
        const entry = strayBackends.get(index) ?? { pods: new Set<string>(), example: cell };
        missing.forEach((m) => entry.pods.add(m));
        strayBackends.set(index, entry);
      }
    }
    if (!cell.source.startsWith("rule ")) continue;
    if (compatible(cell.expected, cell.oracle.expected)) continue;
    const index = Number(cell.source.slice(5));
    const entry = contradictions.get(index) ?? { count: 0, example: cell };
    entry.count++;
    contradictions.set(index, entry);
  }
  scenario.expect.rules.forEach((rule, i) => {
    const pos = rule.pos ?? { file: scenario.file, line: 1, col: 1 };
    if (expectations.matched[i] === 0) {
      const filters = [rule.port !== undefined ? `port ${typeof rule.port === "object" ? `${rule.port.from}-${rule.port.to}` : rule.port}` : "", rule.protocol ?? "", rule.family ?? ""].filter(Boolean).join(", ");
      diags.warning(pos, `expectation rule ${i} (${formatReference(rule.from)} → ${formatReference(rule.to)}${filters ? `, ${filters}` : ""}) matches no cell of the matrix; check the references, the port and probe.to`);
    }
    const stray = strayBackends.get(i);
    if (stray) {
      diags.warning(pos, `expectation rule ${i} lists backends ${(rule.backends ?? []).join(", ")}, but the oracle says ${[...stray.pods].join(", ")} may also answer, e.g. ${cellId(stray.example)} (${stray.example.oracle.reason})`);
    }
    const contradiction = contradictions.get(i);
    if (contradiction) {
      const { example, count } = contradiction;
      diags.warning(pos, `expectation rule ${i} says '${example.expected}' but the oracle says '${example.oracle.expected}' for ${count} cell(s), e.g. ${cellId(example)}: ${example.oracle.reason}`);
    }
  });
  scenario.expect.http.forEach((entry, i) => {
    const unheard = unheardPort(scenario, entry);
    if (unheard) diags.warning(entry.pos ?? { file: scenario.file, line: 1, col: 1 }, `expect.http[${i}] ${unheard}`);
    const found = httpContradictions.get(i);
    if (found) diags.warning(entry.pos ?? { file: scenario.file, line: 1, col: 1 }, `expect.http[${i}] ${found.problem}, e.g. ${cellId(found.example)}: ${found.example.oracle.reason}`);
  });
  layer7Conditions(scenario, diags);
  return { cells };
}

/** A port an entry names that its Gateway has no listener on (the request would be refused): usually a typo. */
function unheardPort(scenario: Scenario, entry: Scenario["expect"]["http"][number]): string | undefined {
  if (entry.port === undefined || entry.entry.kind !== "gateway") return undefined;
  const { namespace, name } = entry.entry;
  const gateway = scenario.manifests.find((m) => m.kind === "Gateway" && (m.namespace ?? "default") === namespace && m.name === name);
  const ports = [...new Set(((gateway?.object as { spec?: { listeners?: { port: number }[] } } | undefined)?.spec?.listeners ?? []).map((l) => l.port))];
  if (ports.length === 0 || ports.includes(entry.port)) return undefined;
  return `names port ${entry.port}, but Gateway ${namespace}/${name} listens on ${ports.join(", ")} only: the connection is refused there`;
}

/**
 * Where an `expect.http` entry's assertions cannot hold if the oracle is right: a status the
 * oracle does not give, pods none of which may answer, another redirect or backend path.
 */
function httpContradiction(cell: ExpectedCell): string | undefined {
  const asserted = cell.expectedHttp!;
  const oracle = cell.http;
  if (cell.oracle.expected !== "allow" || !oracle) return undefined;
  if (asserted.status && oracle.status.length > 0 && !asserted.status.some((s) => oracle.status.includes(s))) {
    return `asserts status ${asserted.status.join(" or ")}, but the oracle answers ${oracle.status.join(" or ")}`;
  }
  const pods = cell.backends ?? [];
  if (asserted.backends && pods.length > 0) {
    const patterns = asserted.backends.map(globToRegExp);
    if (!pods.some((pod) => patterns.some((p) => p.test(pod)))) return `asserts backends ${asserted.backends.join(", ")}, but the oracle says ${pods.join(", ")} answer`;
  }
  const path = asserted.backendRequest?.path;
  if (path !== undefined && oracle.backendRequest && oracle.backendRequest.path !== path) {
    return `asserts the backend receives path ${path}, but the oracle says ${oracle.backendRequest.path}`;
  }
  const redirect = asserted.redirect;
  if (redirect && oracle.redirect) {
    const wrong = (["scheme", "host", "port", "path"] as const).find((k) => redirect[k] !== undefined && redirect[k] !== oracle.redirect![k]);
    if (wrong) return `asserts a redirect ${wrong} ${redirect[wrong]}, but the oracle redirects to ${wrong} ${oracle.redirect[wrong]}`;
  }
  return undefined;
}

/** The index of the last rule with `backends:` matching the cell (the one that set them). */
function lastRuleWithBackends(scenario: Scenario, expectations: Expectations, cell: ExpectedCell): number | undefined {
  for (let i = scenario.expect.rules.length - 1; i >= 0; i--) {
    if (scenario.expect.rules[i]!.backends !== undefined && expectations.ruleMatches(i, cell)) return i;
  }
  return undefined;
}

/**
 * The conditions Layer 7 objects would carry (route Accepted / ResolvedRefs, several default
 * IngressClasses), as warnings at the field concerned: the API server accepts them, and they do
 * not route as written.
 */
function layer7Conditions(scenario: Scenario, diags: Diagnostics): void {
  const of = (kind: string) => scenario.manifests.filter((m) => m.kind === kind && `${m.apiVersion}/${m.kind}` in Layer7Kinds);
  const routes = of("HTTPRoute");
  const classes = of("IngressClass");
  if (routes.length === 0 && classes.length < 2) return;
  const objects = (list: readonly ManifestModel[]) => list.map((m) => m.object) as never[];
  const problems = [
    ...routeConditionWarnings({
      gatewayClasses: objects(of("GatewayClass")), gateways: objects(of("Gateway")), httpRoutes: objects(routes),
      referenceGrants: objects(of("ReferenceGrant")),
      services: scenario.services.filter((s) => !s.system).map((s) => s.manifest),
      namespaceLabels: Object.fromEntries(scenario.namespaces.map((n) => [n.name, n.labels])),
    }),
    ...ingressClassWarnings(objects(classes)),
  ];
  for (const problem of problems) {
    const manifest = scenario.manifests.find((m) => m.kind === problem.kind && m.name === problem.name && (m.namespace ?? undefined) === problem.namespace);
    const pos = manifest?.locator?.at([...problem.path]) ?? manifest?.pos;
    const what = `${problem.kind} ${problem.namespace ? `${problem.namespace}/` : ""}${problem.name}`;
    if (pos) diags.warning(pos, `${what}: ${problem.message}`);
  }
}
