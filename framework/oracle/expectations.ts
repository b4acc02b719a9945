// The user's expectations merged over the oracle (SPEC.md, `expect:`): a baseline for every
// cell (the oracle's verdict, or allow/deny for all), then each rule in order, a later rule
// winning where rules overlap.
import { cidrContains } from "../kube/net.js";
import type { ExpectRuleModel, Scenario } from "../scenario/model.js";
import { clientIds } from "../scenario/clients.js";
import { globToRegExp, parseReference, resolvePods, type ParsedReference } from "../scenario/references.js";
import type { ClientAddressExpectation } from "../scenario/schema.js";
import type { DnsTarget } from "../scenario/target.js";
import type { ExpectedCell, OracleCell } from "./cells.js";
import { resolveDnsName } from "./services/index.js";

interface CompiledRule {
  readonly rule: ExpectRuleModel;
  readonly from: Set<string> | undefined;
  readonly to: ParsedReference | undefined;
  readonly toPods: Set<string> | undefined;
}

/** What a DNS target's record is, as a key: two names are the same target when their keys are equal. */
function recordKey(target: DnsTarget): string {
  const record = target.record;
  switch (record.kind) {
    case "service": return `service ${record.service.id}`;
    case "srv": return `srv ${record.service.id} ${record.port.name}/${record.port.protocol}`;
    case "endpoint": return `endpoint ${record.service.id} ${record.hostname}`;
    case "pod": return `pod ${record.namespace} ${record.ip}`;
    case "upstream": return `upstream ${record.name}`;
    case "missing": return `missing ${target.fqdn}`;
  }
}

export class Expectations {
  private readonly rules: CompiledRule[];
  /** How many cells each rule matched (index = rule index), for "matches no cell" warnings. */
  readonly matched: number[];

  constructor(private readonly scenario: Scenario) {
    this.rules = scenario.expect.rules.map((rule) => {
      const from = parseReference(rule.from);

      const to = parseReference(rule.to);
      return {
        rule,
        from: typeof from === "string" ? undefined : clientIds(scenario, rule.from),
        to: typeof to === "string" ? undefined : to,
        toPods: typeof to === "string" || (to.kind !== "pods" && to.kind !== "selector") ? undefined : new Set(resolvePods(scenario, to).map((p) => p.id)),
      };
    });
    this.matched = this.rules.map(() => 0);
  }

  apply(cell: OracleCell): ExpectedCell {
    const baseline = this.scenario.expect.default;
    let expected = baseline === "oracle" ? cell.expected : baseline;
    // The reason stays the oracle's: it explains the cell; `source` says who set `expected`.
    const reason = cell.reason;
    let source = baseline === "oracle" ? "oracle" : "default";
    let expectedBackends: readonly string[] | undefined;
    let expectedClientAddress: ClientAddressExpectation | undefined = cell.clientAddress;
    for (let i = 0; i < this.rules.length; i++) {
      const compiled = this.rules[i]!;
      if (!this.matches(compiled, cell)) continue;
      this.matched[i]!++;
      const { rule } = compiled;
      if (rule.result !== undefined) { expected = rule.result; source = `rule ${i}`; }
      if (rule.backends !== undefined) expectedBackends = rule.backends;
      if (rule.clientAddress !== undefined) expectedClientAddress = rule.clientAddress;
    }
    if (cell.destination.kind === "http") {
      const entry = this.scenario.expect.http[cell.destination.expectation];
      const { status, backends, backendRequest, redirect } = entry ?? {};
      const asserted = status !== undefined || backends !== undefined || backendRequest !== undefined || redirect !== undefined;
      return {
        ...cell, expected: baseline === "oracle" ? cell.expected : baseline, source: asserted ? `http ${cell.destination.expectation}` : source,
        oracle: { expected: cell.expected, reason: cell.reason },
        ...(asserted ? { expectedHttp: { ...(status ? { status } : {}), ...(backends ? { backends } : {}), ...(backendRequest ? { backendRequest } : {}), ...(redirect ? { redirect } : {}) } } : {}),
      };
    }
    return {
      from: cell.from, to: cell.to, target: cell.target, port: cell.port, protocol: cell.protocol, family: cell.family,
      expected, reason, backends: cell.backends, destination: cell.destination, portName: cell.portName, clientAddress: cell.clientAddress,
      source, oracle: { expected: cell.expected, reason: cell.reason }, expectedBackends, expectedClientAddress,
    };
  }

  /** Whether rule `index` applies to a cell (without counting it as matched). */
  ruleMatches(index: number, cell: OracleCell): boolean {
    const rule = this.rules[index];
    return rule !== undefined && this.matches(rule, cell);
  }

  private matches({ rule, from, to, toPods }: CompiledRule, cell: OracleCell): boolean {
    if (!from?.has(cell.from) || !to) return false;
    if (rule.protocol !== undefined && rule.protocol !== cell.protocol) return false;
    if (rule.family !== undefined && rule.family !== cell.family) return false;
    if (rule.port !== undefined) {
      if (typeof rule.port === "number" && rule.port !== cell.port) return false;
      if (typeof rule.port === "string" && rule.port !== cell.portName) return false;
      if (typeof rule.port === "object" && (cell.port < rule.port.from || cell.port > rule.port.to)) return false;
    }
    // The rule's `to` against the cell's typed target: a reference kind names one target kind.
    const target = cell.destination;
    switch (to.kind) {
      case "pods":
      case "selector":
        return target.kind === "pod" && toPods!.has(target.pod.id);
      case "service":
        return target.kind === "service" && target.service.namespace === to.namespace && target.service.name === to.name;
      case "dns": {
        // The name as written, or any spelling of the same record for this client (a relative
        // name is resolved in the client's namespace): `dns/api.shop` holds for the cells of
        // `probe.to: dns`, which look up api.shop.svc.cluster.local.
        if (target.kind !== "dns") return false;
        if (target.name === to.name) return true;
        const named = resolveDnsName(this.scenario, to.name, cell.from.slice(0, cell.from.indexOf("/")));
        return named !== undefined && recordKey(named) === recordKey(target);
      }
      case "cidr":
        return target.kind === "external" && cidrContains(to.cidr, target.ip);
      case "ip":
        return target.kind === "external" && target.ip === to.ip;
      case "nodeport":
        return target.kind === "nodeport" && target.service.namespace === to.namespace && target.service.name === to.name &&
          (to.node === undefined || target.node.name === to.node);
      case "loadbalancer":
      case "externalip":
        return target.kind === to.kind && target.service.namespace === to.namespace && target.service.name === to.name;
      case "hostport":
        return target.kind === "hostport" && target.pod.namespace === to.namespace && globToRegExp(to.glob).test(target.pod.name);
      case "node":
      case "external":
        // Sources only (reference-checks rejects them as targets).
        return false;
    }
  }
}
