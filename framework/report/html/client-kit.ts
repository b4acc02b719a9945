// What the functions of the report's page share: types only, nothing here runs in the page.
// reportClient() (client.ts) builds one ClientKit; the functions index.ts inlines beside it
// (matrix-client.ts, http-client.ts, ...) take it as their first parameter, since they may not
// use module constants or anything else from outside their own bodies.
import type { F, ReportData, ScenarioData } from "./data.js";

/** Where a matrix cell's fields sit in its block's flat array: data.ts's F, CELL_STRIDE, MATCH and SKIPPED, handed to reportClient() by index.ts. */
export interface CellLayout {
  readonly fields: typeof F;
  readonly stride: number;
  /** flags bits */
  readonly match: number;
  readonly skipped: number;
}

/** The toolbar's choices; `text` is lower-cased. */
export interface Filters {
  failedOnly: boolean;
  changedOnly: boolean;
  fromNs: string;
  toNs: string;
  family: string;
  text: string;
}

/** What the page's script hands its functions: the data, its string table, DOM helpers, the tooltip, the filters. */
export interface ClientKit {
  readonly data: ReportData;
  readonly layout: CellLayout;
  readonly str: (i: number) => string;
  readonly el: <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string | number) => HTMLElementTagNameMap[K];
  readonly add: <T extends Node>(parent: Node, child: T) => T;
  readonly tip: HTMLElement;
  readonly filters: Readonly<Filters>;
}

/** A row of the scenario's list of mismatches and changes. */
export interface MismatchRow {
  readonly failed: boolean;
  readonly title: string;
  readonly expected: string;
  readonly observed: string;
  readonly backend: string;
  readonly why: string;
  readonly change: string;
  /** The matrix block or HTTP table (index in ScenarioData.blocks or .httpBlocks) and the cell in it. */
  readonly block: number;
  readonly cell: number;
}
/** A scenario's tab: a matrix block or an HTTP table (`index` into ScenarioData.blocks or .httpBlocks). */
export interface Tab {
  readonly kind: "matrix" | "http";
  readonly index: number;
}

/** A scenario's section as the page keeps it: drawn yet or not, its open tab and pinned cell. */
export interface ScenarioView {
  readonly scenario: ScenarioData;
  readonly tabs: Tab[];
  readonly section: HTMLElement;
  rendered: boolean;
  tab: number;
  readonly render: () => void;
  selected?: { tab: number; cell: number };
}
