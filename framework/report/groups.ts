// Expectation groups: how cells are bundled into test cases (mocha tests, JUnit testcases).
// A rule's cells form one group (the user wrote them as one assertion); oracle cells are grouped
// by source pod and target kind, so one failing policy shows as a few readable tests.
//
// A group's title says what it asserts, so a CI test tab reads on its own: a rule as the user
// wrote it (`shop/frontend → shop/api-* port http: allow`), an oracle group as what it checks
// (`shop/frontend → pods: as Kubernetes semantics say`). An HTTP request is its own test, per
// source, filed under the Gateway or Ingress it goes through (`HTTP requests via
// gateway/infra/gw port 80: external → GET shop.example.com/v2`): the families it is sent over
// are one test, as an `expect.http` entry is one assertion.
import { TARGET_KIND_LABELS, type CellKey } from "../scenario/target.js";
import { requestText } from "./http-cell.js";

export interface GroupedCell extends CellKey {
  readonly source: string;
  readonly expected: string;
}

/** A rule's title by its index in expect.rules (scenario/references.ts formatRule), when known. */
export type RuleTitles = (index: number) => string | undefined;

/** The Gateway or Ingress an HTTP cell goes through, as its group's prefix: `HTTP requests via gateway/infra/gw port 80`. */
export function httpEntryTitle(cell: GroupedCell): string {
  return `${TARGET_KIND_LABELS.http.group} via ${cell.to} port ${cell.port}`;
}

export function groupKey(cell: GroupedCell, ruleTitles?: RuleTitles): string {
  if (cell.request) return `${httpEntryTitle(cell)}: ${cell.from} → ${requestText(cell.request)}`;
  if (cell.source.startsWith("rule ")) {
    const index = Number(cell.source.slice(5));
    return ruleTitles?.(index) ?? `expect.rules[${index}]`;
  }
  // Cells the expect.default sets all carry its one verdict.
  return `${cell.from} → ${TARGET_KIND_LABELS[cell.target].group}: ${cell.source === "default" ? `${cell.expected} (expect.default)` : "as Kubernetes semantics say"}`;
}

/**
 * Cells by group, titled as groupKey says. Rules first, in the order the user wrote them; then
 * the oracle's groups in matrix order. Two rules written alike keep apart, the later titled
 * with its index.
 */
export function groupCells<T extends GroupedCell>(cells: Iterable<T>, ruleTitles?: RuleTitles): Map<string, T[]> {
  const byRule = new Map<number, T[]>();
  const byOracleGroup = new Map<string, T[]>();
  for (const cell of cells) {
    const list = cell.source.startsWith("rule ") && !cell.request
      ? getOrAdd(byRule, Number(cell.source.slice(5)))
      : getOrAdd(byOracleGroup, groupKey(cell));
    list.push(cell);
  }
  const groups = new Map<string, T[]>();
  for (const [index, list] of [...byRule].sort(([a], [b]) => a - b)) {
    const title = groupKey(list[0]!, ruleTitles);
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
