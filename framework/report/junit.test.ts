// JUnit XML: well-formed, escaped, and structurally valid against the rules of the Jenkins/Ant
// JUnit schema (junit-10.xsd) that CI systems parse, vendored here as a small table.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "mocha";
import { scenarioFromYaml } from "../scenario/build.js";
import { renderJUnit } from "./junit.js";
import { gatewayScenarioResult } from "./http.test-helpers.js";
import { syntheticRun, syntheticScenarioResult } from "./synthetic.js";

interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

/** A strict little XML parser: throws on anything not well-formed (enough for this test). */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => { throw new Error(`XML: ${msg} at ${i}: ${JSON.stringify(xml.slice(i, i + 40))}`); };
  const entity = (text: string) => text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);|&/g, (m, e: string | undefined) => {
    if (!e) fail("bare &");
    if (e!.startsWith("#x")) return String.fromCodePoint(parseInt(e!.slice(2), 16));
    if (e!.startsWith("#")) return String.fromCodePoint(parseInt(e!.slice(1), 10));
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    return named[e!] ?? fail(`unknown entity ${m}`);
  });
  // XML 1.0 Char production.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) fail("illegal character");
  if (xml.startsWith("<?xml")) { i = xml.indexOf("?>") + 2; }
  const skipWs = () => { while (/\s/.test(xml[i] ?? "")) i++; };
  const name = () => { const m = /^[A-Za-z_][\w.:-]*/.exec(xml.slice(i)); if (!m) fail("name expected"); i += m![0].length; return m![0]; };
  const element = (): XmlElement => {
    if (xml[i] !== "<") fail("< expected");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      skipWs();
      if (xml.startsWith("/>", i)) { i += 2; return el; }
      if (xml[i] === ">") { i++; break; }
      const attr = name();
      skipWs(); if (xml[i] !== "=") fail("= expected"); i++; skipWs();
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") fail("quote expected");
      const end = xml.indexOf(quote!, i + 1);
      const raw = xml.slice(i + 1, end);
      if (raw.includes("<")) fail("< in attribute");
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = entity(raw);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf("<", i);
      if (lt < 0) fail(`unclosed ${el.name}`);
      const text = xml.slice(i, lt);
      if (text.includes(">") && text.includes("]]>")) fail("]]> in text");
      el.text += entity(text);
      i = lt;
      if (xml.startsWith("</", i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipWs(); if (xml[i] !== ">") fail("> expected"); i++;
        return el;
      }
      el.children.push(element());
    }
  };
  skipWs();
  const root = element();
  skipWs();
  if (i !== xml.length) fail("content after the root element");
  return root;
}

// junit-10.xsd (Jenkins), as rules: allowed attributes, required ones, child order and counts.
const INT = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const SCHEMA: Record<string, { attrs: Record<string, RegExp | null>; required: string[]; children: [string, number, number][]; text?: boolean }> = {
  testsuites: { attrs: { name: null, time: DECIMAL, tests: INT, failures: INT, disabled: INT, errors: INT }, required: [], children: [["testsuite", 0, Infinity]] },
  testsuite: {
    attrs: { name: null, tests: INT, failures: INT, errors: INT, time: DECIMAL, disabled: INT, skipped: INT, timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, hostname: null, id: null, package: null, file: null, log: null, url: null, version: null },
    required: ["name", "tests"],
    children: [["properties", 0, 1], ["testcase", 0, Infinity], ["system-out", 0, 1], ["system-err", 0, 1]],
  },
  properties: { attrs: {}, required: [], children: [["property", 1, Infinity]] },
  property: { attrs: { name: null, value: null }, required: ["name", "value"], children: [] },
  testcase: {
    attrs: { name: null, assertions: null, time: DECIMAL, classname: null, status: null }, required: ["name"],
    children: [["skipped", 0, 1], ["error", 0, Infinity], ["failure", 0, Infinity], ["system-out", 0, Infinity], ["system-err", 0, Infinity]],
  },
  skipped: { attrs: { message: null }, required: [], children: [], text: true },
  error: { attrs: { message: null, type: null }, required: [], children: [], text: true },
  failure: { attrs: { message: null, type: null }, required: [], children: [], text: true },
  "system-out": { attrs: {}, required: [], children: [], text: true },
  "system-err": { attrs: {}, required: [], children: [], text: true },
};

export function validateJUnit(el: XmlElement, path = el.name): void {
  const rule = SCHEMA[el.name];
  assert.ok(rule, `${path}: element <${el.name}> is not in the schema`);
  for (const [attr, value] of Object.entries(el.attrs)) {
    assert.ok(attr in rule.attrs, `${path}: attribute ${attr} is not allowed`);
    const pattern = rule.attrs[attr];
    if (pattern) assert.match(value, pattern, `${path}@${attr}`);
  }
  for (const attr of rule.required) assert.ok(attr in el.attrs, `${path}: required attribute ${attr} missing`);
  if (!rule.text) assert.equal(el.text.trim(), "", `${path}: text not allowed`);
  let position = 0;
  const counts = new Map<string, number>();
  for (const child of el.children) {
    const at = rule.children.findIndex(([n]) => n === child.name);
    assert.ok(at >= 0, `${path}: <${child.name}> not allowed here`);
    assert.ok(at >= position, `${path}: <${child.name}> out of order`);
    position = at;
    counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
    validateJUnit(child, `${path}/${child.name}`);
  }
  for (const [n, min, max] of rule.children) {
    const c = counts.get(n) ?? 0;
    assert.ok(c >= min && c <= max, `${path}: <${n}> occurs ${c} times`);
  }
}

const nasty = `<script>alert("x")</script> & 'quotes' ]]> \u0001\u0008 \uD800 end`;

function sampleRun() {
  const shop = scenarioFromYaml(readFileSync("specs/examples/01-shop-api-isolation.yaml", "utf8"), "specs/examples/01-shop-api-isolation.yaml");
  const ipblock = scenarioFromYaml(readFileSync("specs/examples/06-ipblock-except.yaml", "utf8"), "specs/examples/06-ipblock-except.yaml");
  const failing = syntheticScenarioResult(shop, { fail: (c) => c.from === "ops/debug" && c.target === "service" });
  const skipping = syntheticScenarioResult(ipblock, { skip: (c) => (c.target === "external" ? "outside the cluster" : undefined) });
  const errored = { ...syntheticScenarioResult(shop, { error: `provision failed: ${nasty}` }), name: "broken" };
  const described = { ...failing, name: "described", description: nasty, diagnostics: { "node-a nft": `table inet netspec { ${nasty} }` } };
  return syntheticRun([failing, skipping, errored, described]);
}

describe("JUnit reporter", () => {
  const results = sampleRun();
  const xml = renderJUnit(results);
  const root = parseXml(xml);

  it("is well-formed and valid against the JUnit schema's structure", () => {
    assert.equal(root.name, "testsuites");
    validateJUnit(root);
  });

  it("has one testsuite per scenario and one testcase per expectation group", () => {
    assert.deepEqual(root.children.map((s) => s.attrs.name), results.scenarios.map((s) => s.name));
    const shop = root.children[0]!;
    const names = shop.children.filter((c) => c.name === "testcase").map((c) => c.attrs.name!);
    assert.ok(names.some((n) => n.startsWith("shop/frontend → shop/api-* port http: allow (")), `a rule is titled as written:\n${names.join("\n")}`);
    assert.ok(names.some((n) => n.startsWith("ops/debug → pods")), names.join("\n"));
    for (const suite of root.children) {
      const cases = suite.children.filter((c) => c.name === "testcase");
      assert.equal(Number(suite.attrs.tests), cases.length);
      assert.equal(Number(suite.attrs.failures), cases.filter((c) => c.children.some((x) => x.name === "failure")).length);
      assert.equal(Number(suite.attrs.skipped), cases.filter((c) => c.children.some((x) => x.name === "skipped")).length);
      assert.equal(Number(suite.attrs.errors), cases.filter((c) => c.children.some((x) => x.name === "error")).length);
    }
  });

  it("lists the mismatching cells in the failure body", () => {
    const failure = root.children[0]!.children.flatMap((c) => c.children).find((c) => c.name === "failure")!;
    assert.match(failure.attrs.message!, /did not match/);
    assert.match(failure.text, /ops\/debug -> svc\/shop\/api 80\/TCP ipv4: expected deny .*observed connected/);
  });

  it("reports skipped cells as skipped testcases with the reason", () => {
    const skipped = root.children[1]!.children.flatMap((c) => c.children).filter((c) => c.name === "skipped");
    assert.ok(skipped.length > 0);
    assert.match(skipped[0]!.attrs.message!, /outside the cluster/);
  });

  it("escapes scenario text and replaces characters XML cannot carry", () => {
    const errored = root.children[2]!.children.find((c) => c.name === "testcase")!.children[0]!;
    assert.equal(errored.name, "error");
    assert.ok(errored.attrs.message!.includes(`<script>alert("x")</script> & 'quotes' ]]>`));
    assert.ok(errored.attrs.message!.includes("\\u0001\\u0008 \\ud800 end"));
    const described = root.children[3]!;
    const description = described.children[0]!.children.find((p) => p.attrs.name === "description")!;
    assert.ok(description.attrs.value!.startsWith(`<script>alert("x")</script>`));
    assert.doesNotMatch(xml, /<script>/);
    assert.ok(described.children.some((c) => c.name === "system-out" && c.text.includes("table inet netspec")));
  });
});

describe("JUnit reporter: HTTP requests", () => {
  // Two sources (apps/v1, apps/v2) send each request of the Gateway fixture over both families;
  // one request fails over IPv6, one is skipped.
  const yaml = readFileSync("fixtures/layer7/gateway-routing.yaml", "utf8")
    .replace(/- \{ to: gateway/g, "- { from: apps/*, to: gateway").replace(/^namespaces:/m, "cluster: { ipFamily: dual }\nnamespaces:");
  const result = gatewayScenarioResult({
    fail: (c) => c.from === "apps/v1" && c.family === "ipv6" && c.request?.path === "/v2/items",
    skip: (c) => (c.request?.path === "/old" && c.from === "apps/v1" ? "no HTTP prober here" : undefined),
  }, yaml);
  const root = parseXml(renderJUnit(syntheticRun([result])));
  const cases = root.children[0]!.children.filter((c) => c.name === "testcase");
  const named = (name: string) => cases.filter((c) => c.attrs.name === name);

  it("is valid, files each request under its Gateway, one testcase per request and source over both families", () => {
    validateJUnit(root);
    assert.equal(result.cells.length, 20);
    assert.equal(cases.length, 10, cases.map((c) => c.attrs.name).join("\n"));
    assert.ok(cases.every((c) => c.attrs.classname === "netspec.gw-routing.gateway/infra/gw"));
    assert.equal(named("HTTP requests via gateway/infra/gw port 80: apps/v1 → GET shop.example.com/ [version=two] (2 cells)").length, 1);
    assert.equal(named("HTTP requests via gateway/infra/gw port 80: apps/v2 → GET shop.example.com/v2/items (2 cells)").length, 1);
  });

  it("fails a request with the answer expected and observed per family, and skips with the reason", () => {
    const failing = cases.filter((c) => c.children.some((x) => x.name === "failure"));
    assert.deepEqual(failing.map((c) => c.attrs.name), ["HTTP requests via gateway/infra/gw port 80: apps/v1 → GET shop.example.com/v2/items (2 cells)"]);
    const failure = failing[0]!.children[0]!;
    assert.equal(failure.attrs.message, "1 of 2 cells did not match: ipv6: expected 200 from apps/v2, observed 404");
    assert.match(failure.text, /^apps\/v1 → gateway\/infra\/gw:80 GET shop\.example\.com\/v2\/items ipv6: expected 200 from apps\/v2 \(expect\.http\[0\]\), observed 404\n {4}expected status 200, observed 404; oracle: allow — listener http /);
    const skipped = named("HTTP requests via gateway/infra/gw port 80: apps/v1 → GET shop.example.com/old (2 skipped cells)");
    assert.equal(skipped.length, 1, cases.map((c) => c.attrs.name).join("\n"));
    assert.match(skipped[0]!.children[0]!.attrs.message!, /2 cells skipped: no HTTP prober here/);
  });
});
