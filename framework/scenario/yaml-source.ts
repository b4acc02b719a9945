// YAML documents that remember where every value came from, so that any problem found later
// (schema, semantics, oracle) can be reported at file:line:column.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from "yaml";
import type { SourcePos } from "./model.js";

export type Path = readonly (string | number)[];

/** Finds positions inside one YAML document, below a base path. */
export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
    private readonly base: Path = [],
  ) {}

  /** A locator for a sub-tree: paths passed to it are relative to `sub`. */
  child(sub: Path): Locator {
    return new Locator(this.file, this.doc, this.lines, [...this.base, ...sub]);
  }

  /** Position of the value at `path` (or of its key, with `key`), or of the deepest ancestor found. */
  at(path: Path = [], key = false): SourcePos {
    if (!this.doc || !this.lines) return { file: this.file, line: 1, col: 1 };
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    const full = [...this.base, ...path];
    for (let i = 0; i < full.length; i++) {
      const segment = full[i];
      const last = i === full.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        const valueStart = rangeStart(pair.value);
        if (last && key) { offset = keyStart ?? offset; break; }
        offset = valueStart ?? keyStart ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
        node = node.items[segment];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

export interface ParsedDocument {
  readonly value: unknown;
  readonly locator: Locator;
}

export interface ParseProblem extends SourcePos {
  readonly message: string;
}

/** Parses every `---` document of a YAML text; syntax problems come back with positions. */
export function parseYaml(file: string, text: string): { documents: ParsedDocument[]; problems: ParseProblem[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: ParseProblem[] = [];
  const documents: ParsedDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An empty stream parses to an EmptyStream; there is nothing to report.
    return { documents, problems };
  }
  for (const doc of list) {
    for (const error of doc.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      problems.push({ file, line, col, message: `YAML syntax: ${firstLine(error.message)}` });
    }
    if (doc.errors.length === 0 && doc.contents !== null) {
      documents.push({ value: doc.toJS({ maxAliasCount: 100 }), locator: new Locator(file, doc, lines) });
    }
  }
  return { documents, problems };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}
