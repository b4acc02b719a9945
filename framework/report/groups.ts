// Expectation groups: how cells are bundled into test cases (mocha tests, JUnit testcases).
// A rule's cells form one group (the user wrote them as one assertion); oracle cells are grouped
// by source pod and target kind, so one failing policy shows as a few readable tests.
import type { CellKey } from "../oracle/cells.js";

export interface GroupedCell extends CellKey {
  readonly source: string;
}

export function groupKey(cell: GroupedCell): string {
  if (cell.source.startsWith("rule ")) return `expect.rules[${cell.source.slice(5)}]`;
  const kind = cell.target === "pod" ? "pods" : cell.target === "service" ? "Services" : cell.target === "dns" ? "DNS names" : "external addresses";
  return `${cell.from} → ${kind}`;
}

export function groupCells<T extends GroupedCell>(cells: Iterable<T>): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const cell of cells) {
    const key = groupKey(cell);
    const list = groups.get(key) ?? [];
    list.push(cell);
    groups.set(key, list);
  }
  // Rules first, in the order the user wrote them; then the oracle's groups in matrix order.
  const rank = (key: string) => (key.startsWith("expect.rules[") ? Number(key.slice(13, -1)) : Number.MAX_SAFE_INTEGER);
  return new Map([...groups].sort(([a], [b]) => rank(a) - rank(b)));
}
