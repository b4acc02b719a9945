// The report benchmark: 50 scenarios x ~1,000 cells (targets: HTML < 5 MB, opening in headless
// Chromium < 2 s), and one 50-pod scenario whose 2,500-cell block must stay usable.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { scenarioFromYaml } from "../scenario/build.js";
import { chromiumAvailable, CHROMIUM, launchChromium } from "../report/browser.js";
import { renderHtml } from "../report/html/index.js";
import { syntheticRun, syntheticScenarioResult } from "../report/synthetic.js";
import type { ScenarioResult } from "../runner/results.js";

/**
 * `namespaces` x `perNamespace` pods on port 80, each namespace isolated but for its own pods;
 * with `http`, a Gateway in ns0 routing to two Services there, and four requests through it from
 * every pod of ns1 (a table of 4 requests x `perNamespace` sources).
 */
function scenarioYaml(name: string, namespaces: number, perNamespace: number, http = false): string {
  const ns = Array.from({ length: namespaces }, (_, i) => `ns${i}`);
  const pods = ns.flatMap((n) => Array.from({ length: perNamespace }, (_, j) => `  - { name: pod-${j}, namespace: ${n}, labels: { app: a${j % 3} }, ports: [ { name: http, port: 80 } ] }`));
  const policies = ns.map((n) => `  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: same-namespace, namespace: ${n} }
    spec: { podSelector: {}, ingress: [ { from: [ { podSelector: {} } ] } ] }`);
  const gateway = http ? [`  - { apiVersion: v1, kind: Service, metadata: { name: a0, namespace: ns0 }, spec: { selector: { app: a0 }, ports: [ { port: 80 } ] } }
  - { apiVersion: v1, kind: Service, metadata: { name: a1, namespace: ns0 }, spec: { selector: { app: a1 }, ports: [ { port: 80 } ] } }
  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: gw, namespace: ns0 }
    spec: { gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [ { name: http, port: 80, protocol: HTTP } ] }
  - apiVersion: gateway.networking.k8s.io/v1
    kind: HTTPRoute
    metadata: { name: web, namespace: ns0 }
    spec:
      parentRefs: [ { name: gw } ]
      rules:
        - { matches: [ { path: { type: PathPrefix, value: /a1 } } ], backendRefs: [ { name: a1, port: 80 } ] }
        - { matches: [ { path: { type: PathPrefix, value: /old } } ], filters: [ { type: RequestRedirect, requestRedirect: { path: { type: ReplaceFullPath, replaceFullPath: /new } } } ] }
        - { backendRefs: [ { name: a0, port: 80 } ] }`] : [];
  const requests = http ? `expect:
  http:
${["/", "/a1/items", "/old", "/a0?x=1"].map((path) => `    - { from: ns1/*, to: gateway/ns0/gw, request: { host: shop.example.com, path: "${path}" } }`).join("\n")}
` : "";
  return `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: ${name}, description: "benchmark scenario ${name}", tags: [bench, netpol] }
namespaces: [ ${ns.map((n) => `{ name: ${n} }`).join(", ")} ]
pods:
${pods.join("\n")}
resources:
${[...policies, ...gateway].join("\n")}
probe: { to: [pods] }
${requests}`;
}

export async function reportBench(): Promise<void> {
  console.log("\nreport: 50 scenarios x (1,024 connection cells + 32 HTTP requests), 1% failing (targets: HTML < 5 MB, open in headless Chromium < 2 s)");
  const t0 = Date.now();
  const scenarios: ScenarioResult[] = [];
  for (let i = 0; i < 50; i++) {
    const scenario = scenarioFromYaml(scenarioYaml(`bench-${i}`, 4, 8, true), `bench-${i}.yaml`);
    scenarios.push(syntheticScenarioResult(scenario, { seed: i + 1, fail: (_c, j) => (j * 7 + i) % 100 === 0 }));
  }
  const results = syntheticRun(scenarios);
  const built = Date.now() - t0;
  const t1 = Date.now();
  const html = renderHtml(results);
  const renderMs = Date.now() - t1;
  const big = syntheticRun([syntheticScenarioResult(scenarioFromYaml(scenarioYaml("bench-50-pods", 5, 10), "big.yaml"), { fail: (_c, j) => j % 97 === 0 })]);
  const bigHtml = renderHtml(big);
  const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
  console.log(`  cells ${results.summary.cells}  synthetic results ${built} ms  renderHtml ${renderMs} ms  HTML ${mib(Buffer.byteLength(html))} MiB`);
  if (!chromiumAvailable()) { console.log(`  (no Chromium at ${CHROMIUM}: opening time not measured; apt-get install chromium)`); return; }
  const dir = mkdtempSync(join(tmpdir(), "netspec-report-bench-"));
  const browser = await launchChromium();
  try {
    const open = async (file: string, text: string) => {
      const path = join(dir, file);
      writeFileSync(path, text);
      const page = await browser.context.newPage();
      const started = Date.now();
      await page.goto(pathToFileURL(path).href);
      await page.waitForSelector("html[data-ready=true]");
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      return { page, ms: Date.now() - started };
    };
    // A warm-up load, so the figure is the report's and not the browser's first start.
    const warm = await browser.context.newPage();
    writeFileSync(join(dir, "warmup.html"), "<!DOCTYPE html><title>warm-up</title>");
    await warm.goto(pathToFileURL(join(dir, "warmup.html")).href);
    await warm.close();
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { page, ms } = await open("report.html", html);
      runs.push(ms);
      if (i === 2) {
        // Every matrix drawn: scroll to the end, as a reader would.
        const t = Date.now();
        await page.evaluate(async () => {
          for (const s of Array.from(document.querySelectorAll("section.scenario"))) {
            s.scrollIntoView();
            await new Promise((r) => requestAnimationFrame(() => r(null)));
          }
        });
        const drawn = await page.locator("table.matrix td").count();
        console.log(`  scrolled through all 50 scenarios in ${Date.now() - t} ms (${drawn} matrix cells drawn)`);
        // Every scenario's HTTP table: its tab clicked in the page (the scenario redrawn on it).
        const httpMs = await page.evaluate(() => {
          const started = performance.now();
          for (const tab of Array.from(document.querySelectorAll<HTMLElement>('.tabs button[data-kind="http"]'))) tab.click();
          return Math.round(performance.now() - started);
        });
        console.log(`  every scenario's HTTP table drawn (its tab clicked) in ${httpMs} ms (${await page.locator("table.http td").count()} HTTP cells drawn)`);
      }
      await page.close();
    }
    console.log(`  open to interactive (load, parse, first matrices painted): ${runs.map((r) => `${r} ms`).join(", ")}  (best ${Math.min(...runs)} ms)`);
    const { page, ms } = await open("big.html", bigHtml);
    const cells = await page.locator("table.matrix td").count();
    const t = Date.now();
    await page.check("#f-failed");
    await page.uncheck("#f-failed");
    console.log(`  50 pods (one ${cells}-cell block): open ${ms} ms, filter on and off ${Date.now() - t} ms, HTML ${mib(Buffer.byteLength(bigHtml))} MiB`);
    await page.close();
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
