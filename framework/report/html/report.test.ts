// The HTML report in a real headless browser (Debian's Chromium via playwright-core; no
// download, no Docker): it renders without console errors, shows the counts of results.json,
// makes a mismatch visible with its details, filters client-side, and renders hostile scenario
// text as text. The same test writes the README's screenshots to docs/images/.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "mocha";
import type { Page } from "playwright-core";
import type { CellResult, RunResults, ScenarioResult } from "../../runner/results.js";
import { scenarioFromYaml } from "../../scenario/build.js";
import { chromiumAvailable, CHROMIUM, launchChromium, type HeadlessBrowser } from "../browser.js";
import { SYMBOLS } from "../matrix-table.js";
import { compareRuns } from "../regression.js";
import { syntheticRun, syntheticScenarioResult } from "../synthetic.js";
import { gatewayScenarioResult, GATEWAY_ROUTING } from "../http.test-helpers.js";
import { renderHtml } from "./index.js";

const load = (file: string) => scenarioFromYaml(readFileSync(`specs/examples/${file}`, "utf8"), `specs/examples/${file}`);

/** A realistic run: a few failures, skipped external cells, dual-stack, Services. */
export function demoRun(): RunResults {
  const scenarios: ScenarioResult[] = [
    syntheticScenarioResult(load("01-shop-api-isolation.yaml"), { fail: (c) => c.from === "ops/debug" && c.to !== "ops/debug" }),
    syntheticScenarioResult(load("17-replicas-default-deny-expectations.yaml"), { fail: (_c, i) => i === 5 || i === 17 }),
    syntheticScenarioResult(load("09-dual-stack-ipv6-ipblock.yaml")),
    syntheticScenarioResult(load("06-ipblock-except.yaml"), { skip: (c) => (c.target === "external" ? "192.0.2.10 is not hosted by this provider (a synthetic skip for the report)" : undefined) }),
    syntheticScenarioResult(load("15-admin-network-policy.yaml")),
    syntheticScenarioResult(load("08-udp-ports.yaml")),
  ];
  const run = syntheticRun(scenarios, "local", "2025-01-15T09:30:00.000Z");
  return { ...run, environment: { node: "v20.18.0", platform: "linux", arch: "x64" } };
}

const EVIL = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">"'&amp;`;

function hostileRun(): RunResults {
  const base = syntheticScenarioResult(load("01-shop-api-isolation.yaml"), { fail: (_c, i) => i === 0 });
  const cells = base.cells.map((c): CellResult => ({ ...c, from: `${c.from}${EVIL}`, reason: `${c.reason} ${EVIL}`, ...(c.match ? {} : { mismatch: EVIL }) }));
  const topology = base.topology!;
  const evil: ScenarioResult = {
    ...base, name: `evil${EVIL}`, description: `described ${EVIL}\u2028\u2029 end`, tags: [EVIL], file: `dir/${EVIL}.yaml`, cells,
    topology: { ...topology, policies: [{ apiVersion: "v1", kind: "NetworkPolicy", name: EVIL, namespace: EVIL, object: { metadata: { name: EVIL } } }] },
    diagnostics: { [EVIL]: EVIL },
  };
  return syntheticRun([evil], `local${EVIL}`);
}

/** The Gateway fixture sent by two sources (apps/v1, apps/v2) over both families; apps/v1's /v2/items fails over IPv4. */
function httpRun(): RunResults {
  const yaml = readFileSync(GATEWAY_ROUTING, "utf8")
    .replace(/- \{ to: gateway/g, "- { from: apps/*, to: gateway").replace(/^namespaces:/m, "cluster: { ipFamily: dual }\nnamespaces:");
  const result = gatewayScenarioResult({ fail: (c) => c.from === "apps/v1" && c.family === "ipv4" && c.request?.path === "/v2/items" }, yaml);
  return syntheticRun([result, syntheticScenarioResult(load("08-udp-ports.yaml"))]);
}

const HOSTILE_HTTP = `<script>window.__pwned = 3</script>`;

/** HTTP cells whose request, source, reason and echoed request carry markup. */
function hostileHttpRun(): RunResults {
  const run = httpRun();
  const s = run.scenarios[0]!;
  const cells = s.cells.map((c): CellResult => ({
    ...c, request: { method: "GET", host: `${c.request!.host}${HOSTILE_HTTP}`, path: `${c.request!.path}<img src=x onerror="window.__pwned=4">`, headers: { [`x-${HOSTILE_HTTP}`]: HOSTILE_HTTP } },
    reason: `${c.reason} ${HOSTILE_HTTP}`,
    ...(c.observedRequest ? { observedRequest: { ...c.observedRequest, path: `/echo${HOSTILE_HTTP}`, headers: { evil: HOSTILE_HTTP } } } : {}),
    ...(c.match ? {} : { mismatch: HOSTILE_HTTP }),
  }));
  return syntheticRun([{ ...s, cells }]);
}

describe("HTML report in headless Chromium", function () {
  this.timeout(60_000);
  let browser: HeadlessBrowser;
  let dir: string;
  const errors: string[] = [];

  before(async function () {
    if (!chromiumAvailable()) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set NETSPEC_CHROMIUM)`);
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), "netspec-report-"));
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, html: string): Promise<Page> {
    const file = join(dir, name);
    writeFileSync(file, html);
    const page = await browser.context.newPage();
    page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(`${name}: ${m.text()}`); });
    page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) errors.push(`${name}: network request ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("html[data-ready=true]", { timeout: 10_000 });
    return page;
  }

  it("renders without console errors and shows the counts of results.json", async () => {
    const results = demoRun();
    const page = await open("demo.html", renderHtml(results));
    const count = (key: string) => page.locator(`[data-count="${key}"]`).textContent();
    assert.equal(await count("scenarios"), String(results.summary.scenarios));
    assert.equal(await count("cells"), String(results.summary.cells));
    assert.equal(await count("passed"), String(results.summary.passed));
    assert.equal(await count("failed"), String(results.summary.failed));
    assert.equal(await count("skipped"), String(results.summary.skipped));
    assert.ok(results.summary.failed > 0 && results.summary.skipped > 0, "the demo has failures and skipped cells");
    // The scenario index: one row per scenario with its own counts.
    for (const s of results.scenarios) {
      const cells = await page.locator(`#index tr[data-scenario="${s.name}"] td`).allTextContents();
      assert.equal(cells[2], String(s.cells.length), s.name);
      assert.equal(cells[4], String(s.cells.filter((c) => !c.match && !c.skipped).length), s.name);
      assert.equal(cells[5], String(s.cells.filter((c) => c.skipped).length), s.name);
    }
    assert.match((await page.locator("#verdict").textContent())!, new RegExp(`${results.summary.failed} cells did not match in 2 scenarios`));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("makes a mismatching cell visible and opens its details", async () => {
    const results = demoRun();
    const page = await open("demo.html", renderHtml(results));
    const section = page.locator('section[data-scenario="shop-api-isolation"]');
    await section.scrollIntoViewIfNeeded();
    const failing = section.locator("td.fail");
    await failing.first().waitFor();
    assert.ok(await failing.first().isVisible());
    // The first block shown is one with failures; its tab says how many.
    assert.match((await section.locator('.tabs button[aria-selected="true"]').textContent())!, /✗/);
    const style = await failing.first().evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(style, "rgb(213, 94, 0)", "failed cells are vermillion");
    const s = results.scenarios.find((x) => x.name === "shop-api-isolation")!;
    const first = s.cells.find((c) => !c.match && !c.skipped)!;
    // A failed cell reads as the text table's symbol for the expectation, then what was observed.
    assert.equal((await failing.first().textContent())!.charAt(0), SYMBOLS[first.expected]);
    await failing.first().hover();
    assert.match((await page.locator("#tip").textContent())!, new RegExp(`^${first.from} → ${first.to} +${first.port}/TCP ipv4\n✗ FAILED\nexpected: ${first.expected}[\\s\\S]*observed: ${first.observed}`));
    await failing.first().click();
    const details = section.locator(".details");
    assert.equal(await details.locator('dd[data-fact="observed"]').textContent(), first.observed);
    assert.equal(await details.locator('dd[data-fact="expected"]').textContent(), `${first.expected} (oracle)`);
    assert.match((await details.locator('dd[data-fact="reason"]').textContent())!, /./);
    assert.match((await details.locator('dd[data-fact="latency"]').textContent())!, /ms$/);
    // The mismatch list shows every failed cell of the scenario.
    assert.equal(await section.locator(".changes-list tbody tr").count(), s.cells.filter((c) => !c.match && !c.skipped).length);
    await writeScreenshots(page, section);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("filters by failed only, namespace and family without a server", async () => {
    const results = demoRun();
    const page = await open("demo.html", renderHtml(results));
    const visible = async () => page.locator("section.scenario:visible").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.scenario));
    assert.equal((await visible()).length, results.scenarios.length);
    await page.check("#f-failed");
    assert.deepEqual(await visible(), results.scenarios.filter((s) => s.status !== "passed").map((s) => s.name));
    assert.match((await page.locator("#showing").textContent())!, /showing 2 of 6 scenarios/);
    // Failed only also trims the matrix to rows and columns with a failure.
    const section = page.locator('section[data-scenario="shop-api-isolation"]');
    await section.scrollIntoViewIfNeeded();
    await section.locator("td.fail").first().waitFor();
    assert.deepEqual(await section.locator("tbody th").allTextContents(), ["ops/debug"]);
    await page.uncheck("#f-failed");
    await page.selectOption("#f-family", "ipv6");
    assert.deepEqual(await visible(), results.scenarios.filter((s) => s.cells.some((c) => c.family === "ipv6")).map((s) => s.name));
    await page.selectOption("#f-family", "");
    await page.selectOption("#f-from", "ops");
    const withOps = results.scenarios.filter((s) => s.cells.some((c) => c.from.startsWith("ops/"))).map((s) => s.name);
    assert.deepEqual(await visible(), withOps);
    await section.scrollIntoViewIfNeeded();
    await section.locator("table.matrix").waitFor();
    assert.deepEqual(await section.locator("tbody th").allTextContents(), ["ops/debug"]);
    await page.selectOption("#f-from", "");
    await page.fill("#f-text", "udp");
    assert.deepEqual(await visible(), ["udp-ports"]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("renders hostile scenario text as text and runs none of it", async () => {
    const page = await open("hostile.html", renderHtml(hostileRun()));
    const section = page.locator("section.scenario").first();
    await section.scrollIntoViewIfNeeded();
    await section.locator("td.fail").first().waitFor();
    assert.equal(await section.locator("h3").textContent(), `evil${EVIL}`);
    assert.equal(await section.locator(".desc").textContent(), `described ${EVIL}\u2028\u2029 end`);
    assert.equal(await section.locator(".chip").first().textContent(), EVIL);
    await section.locator("td.fail").first().click();
    assert.equal(await section.locator('dd[data-fact="mismatch"]').textContent(), EVIL);
    await section.locator("details.policies > summary").click();
    assert.match((await section.locator("details.policies h5").textContent())!, /<script>/);
    await section.locator("details.diagnostics > summary").click();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await page.locator("script").count(), 2, "only the report's own data and script elements");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows the regression view: new failures, fixed cells, changed backends", async () => {
    const current = demoRun();
    const baseline = structuredClone(current) as RunResults;
    // In the baseline, ops/debug was still kept out (so those are new failures) and one cell of
    // the replicas scenario failed that now passes.
    for (const s of baseline.scenarios) {
      (s as { cells: CellResult[] }).cells = s.cells.map((c) => (s.name === "shop-api-isolation" && !c.match && !c.skipped ? { ...c, observed: "timeout", match: true } : c));
    }
    const replicas = baseline.scenarios[1]!.cells as CellResult[];
    const fixedIndex = replicas.findIndex((c) => c.match && !c.skipped);
    replicas[fixedIndex] = { ...replicas[fixedIndex]!, observed: replicas[fixedIndex]!.observed === "connected" ? "timeout" : "connected", match: false };
    const regression = compareRuns(baseline, current);
    const page = await open("regression.html", renderHtml(current, { regression }));
    assert.equal(await page.locator('[data-change="new-failure"]').textContent(), String(regression.counts["new-failure"]));
    assert.equal(await page.locator('[data-change="fixed"]').textContent(), "1");
    const section = page.locator('section[data-scenario="replicas-default-deny-expectations"]');
    await section.scrollIntoViewIfNeeded();
    await section.locator("table.matrix").waitFor();
    await page.check("#f-changed");
    assert.deepEqual(await page.locator("section.scenario:visible").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.scenario)),
      ["shop-api-isolation", "replicas-default-deny-expectations"]);
    await section.scrollIntoViewIfNeeded();
    const fixed = section.locator("td.fixed");
    await fixed.first().waitFor();
    await fixed.first().click();
    assert.match((await section.locator('dd[data-fact="change"]').textContent())!, /^fixed; baseline: expected .* \(failed\)/);
    await page.uncheck("#f-changed");
    if (process.env.NETSPEC_SCREENSHOTS === "1") {
      mkdirSync("docs/images", { recursive: true });
      await section.scrollIntoViewIfNeeded();
      await section.locator("td.sel").waitFor();
      await page.mouse.move(0, 0);
      await section.locator(".matrix-area").screenshot({ path: "docs/images/report-regression-matrix.png" });
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: "docs/images/report-regression.png", clip: { x: 0, y: 0, width: 1440, height: 640 } });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows each Gateway's requests by source: status and answering pod, counted with the rest", async () => {
    const results = httpRun();
    const page = await open("http.html", renderHtml(results));
    const s = results.scenarios[0]!;
    const cells = await page.locator(`#index tr[data-scenario="${s.name}"] td`).allTextContents();
    assert.equal(cells[2], String(s.cells.length));
    assert.equal(cells[4], "1");
    const section = page.locator(`section[data-scenario="${s.name}"]`);
    await section.scrollIntoViewIfNeeded();
    await section.locator("table.http").waitFor();
    assert.deepEqual(await section.locator(".tabs button").allTextContents(), ["HTTP gateway/infra/gw 80/TCP ipv41 ✗", "HTTP gateway/infra/gw 80/TCP ipv6"]);
    assert.deepEqual(await section.locator("table.http thead th").allTextContents(), ["request ↓  from →", "apps/v1", "apps/v2"]);
    assert.deepEqual(await section.locator("table.http tbody th").allTextContents(), [
      "GETshop.example.com/v2/items", "GETshop.example.com/version=two", "GETshop.example.com/anything", "GETshop.example.com/old", "GETother.example.com/",
    ]);
    assert.equal(await section.locator("table.http tbody th .headers").textContent(), "version=two");
    // Row 3 (/anything), source apps/v2: passed, 200 from apps/v1.
    const anything = section.locator("table.http tbody tr").nth(2).locator("td").nth(1);
    assert.equal(await anything.getAttribute("class"), "allow");
    assert.equal(await anything.locator(".st").textContent(), "200");
    assert.equal(await anything.locator(".be").textContent(), "apps/v1");
    const redirect = section.locator("table.http tbody tr").nth(3).locator("td").first();
    assert.deepEqual(await redirect.locator("span").allTextContents(), ["301", "→ http://shop.example.com/new"]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows a failed request's expected answer beside the observed one, and the reason and what the backend saw on demand", async () => {
    const page = await open("http.html", renderHtml(httpRun()));
    const section = page.locator('section[data-scenario="gw-routing"]');
    await section.scrollIntoViewIfNeeded();
    const failed = section.locator("table.http td.fail");
    await failed.waitFor();
    assert.equal(await failed.count(), 1);
    assert.deepEqual(await failed.locator(".want .v, .got .v").allTextContents(), ["200 · apps/v2", "404"]);
    await failed.hover();
    assert.match((await page.locator("#tip").textContent())!, /^apps\/v1 → gateway\/infra\/gw:80 GET shop\.example\.com\/v2\/items ipv4\n✗ FAILED\nexpected: 200 from apps\/v2 \(expect\.http\[0\]\)\nobserved: 404\n/);
    await failed.click();
    const details = section.locator(".details");
    assert.deepEqual(await details.locator('tr[data-compare="status"] td').allTextContents(), ["200", "404"]);
    assert.deepEqual(await details.locator('tr[data-compare="answered by"] td').allTextContents(), ["apps/v2", "—"]);
    assert.equal(await details.locator('dd[data-fact="mismatch"]').textContent(), "expected status 200, observed 404");
    assert.match((await details.locator('dd[data-fact="reason"]').textContent())!, /HTTPRoute apps\/web rules\[0\] matches\[0\] \(PathPrefix \/v2\); won over/);
    // A passing routed cell: what the backend received, beside what it had to.
    await section.locator("table.http tbody tr").nth(1).locator("td").first().click();
    assert.deepEqual(await details.locator('tr[data-compare="backend received"] td').allTextContents(), [
      "method GET, path /, host shop.example.com, header version=two", "GET / host shop.example.com; headers version=two, x-forwarded-for=10.244.0.10",
    ]);
    assert.equal(await details.locator('dd[data-fact="backend received"]').textContent(), "GET / host shop.example.com; headers version=two, x-forwarded-for=10.244.0.10");
    // The list of mismatches names the request and links to its cell.
    const row = section.locator(".changes-list tbody tr");
    assert.equal(await row.count(), 1);
    assert.deepEqual((await row.locator("td").allTextContents()).slice(0, 3), [
      "apps/v1 → gateway/infra/gw:80 GET shop.example.com/v2/items ipv4", "200 from apps/v2 (expect.http[0])", "404",
    ]);
    await page.locator("#f-family").selectOption("ipv6");
    await section.locator("table.http").waitFor();
    assert.deepEqual(await section.locator(".tabs button").allTextContents(), ["HTTP gateway/infra/gw 80/TCP ipv6"]);
    await page.locator("#f-family").selectOption("");
    await page.check("#f-failed");
    await section.locator("table.http td.fail").waitFor();
    assert.deepEqual(await section.locator("table.http tbody th").allTextContents(), ["GETshop.example.com/v2/items"]);
    assert.deepEqual(await section.locator("table.http thead th.source").allTextContents(), ["apps/v1"]);
    await page.uncheck("#f-failed");
    await page.selectOption("#f-to", "infra");
    assert.deepEqual(await page.locator("section.scenario:visible").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.scenario)), ["gw-routing"]);
    if (process.env.NETSPEC_SCREENSHOTS === "1") {
      await page.selectOption("#f-to", "");
      await section.scrollIntoViewIfNeeded();
      await section.locator("table.http td.fail").click();
      await page.mouse.move(0, 0);
      await section.locator(".matrix-area").screenshot({ path: "docs/images/report-http.png" });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("renders markup in a request's host, path and headers, a reason and an echo as text", async () => {
    const page = await open("hostile-http.html", renderHtml(hostileHttpRun()));
    const section = page.locator("section.scenario").first();
    await section.scrollIntoViewIfNeeded();
    await section.locator("table.http td.fail").waitFor();
    const request = section.locator("table.http tbody th").first();
    assert.equal(await request.locator(".host").textContent(), `shop.example.com${HOSTILE_HTTP}`);
    assert.equal(await request.locator(".path").textContent(), `/v2/items<img src=x onerror="window.__pwned=4">`);
    assert.equal(await request.locator(".headers").textContent(), `x-${HOSTILE_HTTP}=${HOSTILE_HTTP}`);
    await section.locator("table.http td.fail").click();
    assert.equal(await section.locator('dd[data-fact="mismatch"]').textContent(), HOSTILE_HTTP);
    assert.ok((await section.locator('dd[data-fact="reason"]').textContent())!.endsWith(HOSTILE_HTTP));
    await section.locator("table.http tbody tr").nth(1).locator("td").first().click();
    assert.match((await section.locator('dd[data-fact="backend received"]').textContent())!, /^GET \/echo<script>window\.__pwned = 3<\/script> host /);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await page.locator("script").count(), 2, "only the report's own data and script elements");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("marks an HTTP cell whose answer changed since the baseline", async () => {
    const current = httpRun();
    const baseline = structuredClone(current) as RunResults;
    const cells = baseline.scenarios[0]!.cells as CellResult[];
    const i = cells.findIndex((c) => c.from === "apps/v2" && c.family === "ipv4" && c.request?.path === "/old");
    cells[i] = { ...cells[i]!, observedStatus: 302 };
    const regression = compareRuns(baseline, current);
    assert.deepEqual(regression.changes.map((c) => c.kinds), [["observed-changed"]]);
    const page = await open("http-regression.html", renderHtml(current, { regression }));
    const section = page.locator('section[data-scenario="gw-routing"]');
    await section.scrollIntoViewIfNeeded();
    await section.locator("table.http").waitFor();
    const changed = section.locator("table.http td.chg");
    assert.equal(await changed.count(), 1);
    await changed.click();
    assert.match((await section.locator('dd[data-fact="change"]').textContent())!, /^outcome changed; baseline: expected allow, observed connected 302 to http:\/\/shop\.example\.com\/new \(passed\)/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});

async function writeScreenshots(page: Page, section: ReturnType<Page["locator"]>): Promise<void> {
  // Only `npm run screenshots` rewrites the README's images: a test run leaves tracked files alone.
  if (process.env.NETSPEC_SCREENSHOTS !== "1") return;
  mkdirSync("docs/images", { recursive: true });
  await section.screenshot({ path: "docs/images/report-matrix.png" });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: "docs/images/report-overview.png" });
}
