// Expectation groups: how cells are bundled into test cases (mocha tests, JUnit testcases).
// A rule's cells form one group (the user wrote them as one assertion); oracle cells are grouped
// by source pod and target kind, so one failing policy shows as a few readable tests.
//
// A group's title says what it asserts, so a CI test tab reads on its own: a rule as the user
// wrote it (`shop/frontend → shop/api-* port http: allow`), an oracle group as what it checks
// (`shop/frontend → pods: as Kubernetes semantics say`).
import type { CellKey } from "../oracle/cells.js";
import type { ExpectRuleModel } from "../scenario/model.js";
import type { Reference } from "../scenario/schema.js";

export interface GroupedCell extends CellKey {
  readonly source: string;
  readonly expected: string;
}

export function groupKey(cell: GroupedCell, rules?: readonly ExpectRuleModel[]): string {
  if (cell.source.startsWith("rule ")) {
    const index = Number(cell.source.slice(5));
    const rule = rules?.find((r) => r.index === index);
    return rule ? ruleTitle(rule) : `expect.rules[${index}]`;
  }
  const kind = cell.target === "pod" ? "pods" : cell.target === "service" ? "Services" : cell.target === "dns" ? "DNS names" : "external addresses";
  // Cells the expect.default sets all carry its one verdict.
  return `${cell.from} → ${kind}: ${cell.source === "default" ? `${cell.expected} (expect.default)` : "as Kubernetes semantics say"}`;
}

/** `shop/frontend → shop/api-* port http/TCP ipv6: allow, answered by shop/api-0`. */
export function ruleTitle(rule: ExpectRuleModel): string {
  const port = rule.port === undefined ? "" : typeof rule.port === "object" ? ` ports ${rule.port.from}-${rule.port.to}` : ` port ${rule.port}`;
  const protocol = rule.protocol ? `${port ? "/" : " "}${rule.protocol}` : "";
  const family = rule.family ? ` ${rule.family}` : "";
  const result = rule.result ?? "as the oracle says";
  const backends = rule.backends ? `, answered by ${rule.backends.join(" or ")}` : "";
  return `${referenceText(rule.from)} → ${referenceText(rule.to)}${port}${protocol}${family}: ${result}${backends}`;
}

function referenceText(ref: Reference): string {
  if (typeof ref === "string") return ref;
  const labels = Object.entries(ref.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
  return `${ref.namespace ?? "*"}/{${labels}}`;
}

/**
 * Cells by group, titled as groupKey says (`rules`: the scenario's, for titles that quote
 * them). Rules first, in the order the user wrote them; then the oracle's groups in matrix
 * order. Two rules written alike keep apart, the later titled with its index.
 */
export function groupCells<T extends GroupedCell>(cells: Iterable<T>, rules?: readonly ExpectRuleModel[]): Map<string, T[]> {
  const byRule = new Map<number, T[]>();
  const byOracleGroup = new Map<string, T[]>();
  for (const cell of cells) {
    const list = cell.source.startsWith("rule ")
      ? getOrAdd(byRule, Number(cell.source.slice(5)))
      : getOrAdd(byOracleGroup, groupKey(cell));
    list.push(cell);
  }
  const groups = new Map<string, T[]>();
  for (const [index, list] of [...byRule].sort(([a], [b]) => a - b)) {
    const title = groupKey(list[0]!, rules);
    groups.set(groups.has(title) ? `${title} (expect.rules[${index}])` : title, list);
  }
  for (const [title, list] of byOracleGroup) groups.set(title, list);
  return groups;
}

function getOrAdd<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}
