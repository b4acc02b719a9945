// JUnit XML (the Jenkins/Ant dialect GitLab, GitHub Actions test reporters, Jenkins and Azure
// read): one <testsuite> per scenario, one <testcase> per expectation group (a rule's cells, or
// source pod x target kind for the oracle baseline), the mismatching cells in the failure body,
// skipped cells as a skipped testcase of their own, a scenario error as <error>. An HTTP request
// is a testcase per source (groups.ts), its classname the Gateway or Ingress it goes through, its
// failure message the expected and the observed answer (status, answering pod, Location).
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cellId } from "../scenario/target.js";
import type { CellResult, RunResults, ScenarioResult } from "../runner/results.js";
import { groupCells } from "./groups.js";
import { answeredBy, expectationSource, expectedAnswerText, fullReceivedText, httpCellTitle, isHttpCell, observedAnswerText, type HttpCell } from "./http-cell.js";
import { xmlAttr, xmlText } from "./xml.js";

interface TestCase {
  readonly name: string;
  readonly classname: string;
  readonly time: number;
  readonly outcome?: { readonly kind: "failure" | "skipped" | "error"; readonly message: string; readonly type?: string; readonly body?: string };
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** Why a cell failed, one line per cell, as a person reads it in a CI test tab. */
export function describeMismatch(cell: CellResult): string {
  if (isHttpCell(cell)) return describeHttpMismatch(cell);
  const who = expectationSource(cell.source);
  const answered = answeredBy(cell);
  const backend = cell.backend ? ` (answered by ${cell.backend}${answered.length > 1 ? `; all: ${answered.join(", ")}` : ""})` : "";
  const lines = [
    `${cellId(cell)}: expected ${cell.expected} (${who}), observed ${cell.observed}${backend}`,
    `    ${cell.mismatch ? `${cell.mismatch}; ` : ""}oracle: ${cell.oracle} — ${cell.reason}`,
  ];
  if (cell.detail) lines.push(`    detail: ${cell.detail}`);
  return lines.join("\n");
}

/** An HTTP request's mismatch: the answer expected and observed, what the backend received, the reason. */
function describeHttpMismatch(cell: HttpCell): string {
  const lines = [
    `${httpCellTitle(cell)}: expected ${expectedAnswerText(cell)} (${expectationSource(cell.source)}), observed ${observedAnswerText(cell)}`,
    `    ${cell.mismatch ? `${cell.mismatch}; ` : ""}oracle: ${cell.oracle} — ${cell.reason}`,
  ];
  if (cell.observedRequest) lines.push(`    backend received: ${fullReceivedText(cell.observedRequest)}`);
  if (cell.detail) lines.push(`    detail: ${cell.detail}`);
  return lines.join("\n");
}

/** The failure message: how many cells differ and which; for an HTTP request, expected and observed answer per family. */
function failureMessage(failed: readonly CellResult[], probed: number): string {
  const counted = `${failed.length} of ${probed} cell${probed === 1 ? "" : "s"} did not match`;
  if (failed.every(isHttpCell)) {
    return `${counted}: ${failed.map((c) => `${c.family}: expected ${expectedAnswerText(c)}, observed ${observedAnswerText(c)}`).join("; ")}`;
  }
  return `${counted}: ${failed.slice(0, 3).map(cellId).join("; ")}${failed.length > 3 ? "; …" : ""}`;
}

function testCases(scenario: ScenarioResult): TestCase[] {
  const scenarioClass = `netspec.${scenario.name}`;
  if (scenario.status === "error") {
    return [{ name: "scenario", classname: scenarioClass, time: scenario.durationMs, outcome: { kind: "error", type: "error", message: scenario.error ?? "the scenario could not run" } }];
  }
  const cases: TestCase[] = [];
  // The probe phase's time is spread over the testcases by cell count.
  const perCell = scenario.cells.length ? scenario.phases.probe / scenario.cells.length : 0;
  for (const [group, cells] of groupCells(scenario.cells, (i) => scenario.rules?.[i])) {
    // HTTP requests are filed under the Gateway or Ingress they go through.
    const classname = cells[0]!.target === "http" ? `${scenarioClass}.${cells[0]!.to}` : scenarioClass;
    const probed = cells.filter((c) => !c.skipped);
    const skipped = cells.filter((c) => c.skipped);
    if (probed.length > 0) {
      const failed = probed.filter((c) => !c.match);
      cases.push({
        name: `${group} (${probed.length} cell${probed.length === 1 ? "" : "s"})`, classname, time: perCell * probed.length,
        ...(failed.length ? {
          outcome: {
            kind: "failure", type: "mismatch",
            message: failureMessage(failed, probed.length),
            body: failed.map(describeMismatch).join("\n"),
          },
        } : {}),
      });
    }
    if (skipped.length > 0) {
      const reasons = [...new Set(skipped.map((c) => c.detail ?? "not probed"))];
      cases.push({
        name: `${group} (${skipped.length} skipped cell${skipped.length === 1 ? "" : "s"})`, classname, time: 0,
        outcome: { kind: "skipped", message: `${skipped.length} cell${skipped.length === 1 ? "" : "s"} skipped: ${reasons.join("; ")}`, body: skipped.map((c) => `${cellId(c)}: ${c.detail ?? "not probed"}`).join("\n") },
      });
    }
  }
  return cases;
}

export function renderJUnit(results: RunResults): string {
  const suites = results.scenarios.map((scenario) => ({ scenario, cases: testCases(scenario) }));
  const count = (kind: string) => suites.reduce((n, s) => n + s.cases.filter((c) => c.outcome?.kind === kind).length, 0);
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="netspec" tests="${total}" failures="${count("failure")}" errors="${count("error")}" time="${seconds(results.durationMs)}">`);
  suites.forEach(({ scenario, cases }, id) => {
    const n = (kind: string) => cases.filter((c) => c.outcome?.kind === kind).length;
    out.push(`  <testsuite name="${xmlAttr(scenario.name)}" tests="${cases.length}" failures="${n("failure")}" errors="${n("error")}" skipped="${n("skipped")}" time="${seconds(scenario.durationMs)}" timestamp="${xmlAttr(results.startedAt.replace(/\.\d+Z$/, ""))}" hostname="${xmlAttr(results.provider)}" id="${id}" package="netspec" file="${xmlAttr(scenario.file)}">`);
    const properties: [string, string][] = [
      ["file", scenario.file], ["provider", results.provider], ["netspec.version", results.tool.version],
      ["status", scenario.status], ["cells", String(scenario.cells.length)],
      ["phase.provision.ms", String(scenario.phases.provision)], ["phase.apply.ms", String(scenario.phases.apply)], ["phase.probe.ms", String(scenario.phases.probe)],
    ];
    if (scenario.description) properties.push(["description", scenario.description]);
    if (scenario.tags.length) properties.push(["tags", scenario.tags.join(",")]);
    out.push("    <properties>");
    for (const [name, value] of properties) out.push(`      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`);
    out.push("    </properties>");
    for (const c of cases) {
      const open = `    <testcase name="${xmlAttr(c.name)}" classname="${xmlAttr(c.classname)}" time="${seconds(c.time)}"`;
      if (!c.outcome) { out.push(`${open}/>`); continue; }
      const o = c.outcome;
      out.push(`${open}>`);
      out.push(`      <${o.kind} message="${xmlAttr(o.message)}"${o.type ? ` type="${xmlAttr(o.type)}"` : ""}>${xmlText(o.body ?? "")}</${o.kind}>`);
      out.push("    </testcase>");
    }
    if (scenario.diagnostics && Object.keys(scenario.diagnostics).length) {
      const text = Object.entries(scenario.diagnostics).map(([name, body]) => `== ${name}\n${body}`).join("\n\n");
      out.push(`    <system-out>${xmlText(text)}</system-out>`);
    }
    out.push("  </testsuite>");
  });
  out.push("</testsuites>");
  return `${out.join("\n")}\n`;
}

export function writeJUnit(dir: string, results: RunResults): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "junit.xml");
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, renderJUnit(results));
  renameSync(temporary, path);
  return path;
}
