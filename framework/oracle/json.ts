// `netspec expect --format json` (SPEC.md): one object, `{ "scenario", "cells": [...] }`,
// streamed so that a large matrix never sits in memory as one string. Each cell is one line
// with the keys in a fixed order (from, to, target, port, protocol, family, expected, reason,
// then backends for Service and DNS cells, clientAddress where it is asserted, then source and oracle when a rule or the default
// set `expected`). Lines are built by concatenating the JSON text of their values, each string
// encoded once (names and reasons repeat across millions of cells), and written in chunks.
// (Assembling bytes from cached Buffer pieces instead was measured at half the speed: a
// Buffer copy per piece costs more than V8's string concatenation and one UTF-8 encode.)
import type { Scenario } from "../scenario/model.js";
import type { ExpectedCell } from "./cells.js";
import { expectedCells } from "./index.js";

const CHUNK = 1 << 16;
/** Bound on remembered encodings (distinct strings: pod names, reasons). */
const ENCODED_LIMIT = 100_000;

/**
 * The document in chunks of about 64 KiB, produced as they are asked for (so a writer can wait
 * for its reader between chunks); `cells` counts the cells produced so far by the current iteration.
 */
export class CellsJson implements Iterable<string> {
  cells = 0;

  constructor(private readonly scenario: Scenario) {}

  *[Symbol.iterator](): Iterator<string> {
    const encode = stringEncoder();
    this.cells = 0;
    let chunk = `{"scenario":${JSON.stringify(this.scenario.name)},"cells":[`;
    for (const cell of expectedCells(this.scenario)) {
      chunk += `${this.cells === 0 ? "\n" : ",\n"}${cellJson(cell, encode)}`;
      this.cells++;
      if (chunk.length >= CHUNK) { yield chunk; chunk = ""; }
    }
    yield `${chunk}\n]}\n`;
  }
}

/**
 * The cell as JSON, equal to JSON.stringify of { from, to, target, port, protocol, family,
 * expected, reason, [backends], [clientAddress], [source, oracle] }. target, protocol, family, expected and
 * source ("oracle", "default", "rule N") come from fixed vocabularies of letters, digits, '-'
 * and spaces, which JSON quotes as they are.
 */
function cellJson(cell: ExpectedCell, encode: (text: string) => string): string {
  if (cell.target === "http") return httpCellJson(cell);
  const backends = cell.backends && cell.target !== "pod" ? `,"backends":${JSON.stringify(cell.backends)}` : "";
  // North-south cells: the client address the backend must see, where it is required.
  const client = cell.expectedClientAddress && cell.expectedClientAddress !== "any" ? `,"clientAddress":"${cell.expectedClientAddress}"` : "";
  const source = cell.source !== "oracle"
    ? `,"source":"${cell.source}","oracle":{"expected":"${cell.oracle.expected}","reason":${encode(cell.oracle.reason)}}`
    : "";
  return `{"from":${encode(cell.from)},"to":${encode(cell.to)},"target":"${cell.target}","port":${cell.port},"protocol":"${cell.protocol}","family":"${cell.family}","expected":"${cell.expected}","reason":${encode(cell.reason)}${backends}${client}${source}}`;
}

/** JSON.stringify for strings, remembering what it encoded. */
function stringEncoder(): (text: string) => string {
  const encoded = new Map<string, string>();
  return (text) => {
    let json = encoded.get(text);
    if (json === undefined) {
      if (encoded.size >= ENCODED_LIMIT) encoded.clear();
      json = JSON.stringify(text);
      encoded.set(text, json);
    }
    return json;
  };
}

/**
 * An HTTP cell in SPEC.md's shape ("Layer 7"): the request, `expected` about the connection to
 * the Gateway, then what answers: the status(es), the pods that may answer, what the backend
 * receives and the redirect, the entry's assertions where it makes them.
 */
function httpCellJson(cell: ExpectedCell): string {
  const asserted = cell.expectedHttp ?? {};
  const statuses = asserted.status ?? cell.http?.status ?? [];
  const backendRequest = asserted.backendRequest ?? cell.http?.backendRequest;
  const redirect = asserted.redirect ?? cell.http?.redirect;
  return JSON.stringify({
    from: cell.from, to: cell.to, target: "http", port: cell.port, protocol: cell.protocol, family: cell.family,
    request: cell.request, expected: cell.expected,
    status: statuses.length === 1 ? statuses[0] : statuses,
    backends: asserted.backends ?? cell.backends ?? [],
    ...(backendRequest ? { backendRequest } : {}),
    ...(redirect ? { redirect } : {}),
    reason: cell.reason,
    ...(cell.source !== "oracle" ? { source: cell.source, oracle: cell.oracle } : {}),
  });
}
