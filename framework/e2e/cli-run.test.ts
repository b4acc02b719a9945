// `netspec run` as a user meets it, against the real Docker engine: exit codes, exactly the
// wrong cells named, no leftovers after Ctrl-C or a kill, and concurrent runs kept apart.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "mocha";

const main = fileURLToPath(new URL("../cli/main.js", import.meta.url));
const env = { ...process.env, NO_COLOR: "1" };
const example = "specs/examples/01-shop-api-isolation.yaml";

/** Containers and networks netspec labelled as created by process `pid`. */
function objectsOf(pid: number): string[] {
  const owner = `${hostname()}:${pid}:`;
  const list = (args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).split("\n").filter(Boolean)
    .filter((line) => line.split(" ")[1]?.startsWith(owner)).map((line) => line.split(" ")[0]!);
  return [
    ...list(["ps", "-a", "--filter", "label=netspec.owner", "--format", '{{.ID}} {{.Label "netspec.owner"}}']),
    ...list(["network", "ls", "--filter", "label=netspec.owner", "--format", '{{.ID}} {{.Label "netspec.owner"}}']),
  ];
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

describe("@docker netspec run (local provider)", function () {
  this.timeout(180_000);

  it("exits 1 and names exactly the cells whose expectation is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "netspec-wrong-"));
    const file = join(dir, "wrong.yaml");
    // The frontend IS allowed to reach the API; this rule claims otherwise.
    writeFileSync(file, readFileSync(example, "utf8").replace("{ from: shop/frontend, to: shop/api-*, port: http, result: allow }", "{ from: shop/frontend, to: shop/api-*, port: http, result: deny }"));
    const result = spawnSync(process.execPath, [main, "run", file, "--reporter", "console,json", "--out", dir], { encoding: "utf8", env });
    assert.equal(result.status, 1, result.stderr);
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { summary: { failed: number }; scenarios: { cells: { from: string; to: string; port: number; match: boolean; expected: string; observed: string }[] }[] };
    const failed = results.scenarios[0]!.cells.filter((c) => !c.match).map((c) => `${c.from} -> ${c.to}:${c.port} ${c.expected}/${c.observed}`).sort();
    assert.deepEqual(failed, ["shop/frontend -> shop/api-0:8080 deny/connected", "shop/frontend -> shop/api-1:8080 deny/connected"]);
    assert.equal(results.summary.failed, 2);
    assert.match(result.stderr, /shop\/frontend -> shop\/api-0 8080\/TCP ipv4: expected deny, observed connected/);
    assert.match(result.stderr, /expected by expect\.rules\[0\]; oracle: allow/);
  });

  it("an HTTP request answered by the wrong backend through a Gateway: exit 1, what was seen, how long the gateway took", () => {
    const dir = mkdtempSync(join(tmpdir(), "netspec-http-"));
    const file = join(dir, "wrong-backend.yaml");
    // /api goes to shop/catalog (PathPrefix /api); this entry claims shop/orders answers it.
    writeFileSync(file, readFileSync("specs/examples/50-gateway-path-matching.yaml", "utf8")
      .replace("path: /api }, status: 200, backends: [shop/catalog]", "path: /api }, status: 200, backends: [shop/orders]"));
    const result = spawnSync(process.execPath, [main, "run", file, "--reporter", "console,json", "--out", dir, "--http-deadline", "2"], { encoding: "utf8", env });
    assert.equal(result.status, 1, result.stderr);
    type Cell = { request: { path: string }; match: boolean; mismatch?: string; observedStatus?: number; backend?: string; observedRequest?: { path: string; host: string } };
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { scenarios: { cells: Cell[]; convergence?: Record<string, number> }[] };
    const scenario = results.scenarios[0]!;
    const failed = scenario.cells.filter((c) => !c.match);
    assert.deepEqual(failed.map((c) => c.request.path), ["/api"]);
    assert.equal(failed[0]!.observedStatus, 200);
    assert.equal(failed[0]!.backend, "shop/catalog");
    assert.deepEqual([failed[0]!.observedRequest?.path, failed[0]!.observedRequest?.host], ["/api", "shop.example.com"]);
    assert.match(failed[0]!.mismatch!, /answered by shop\/catalog, but only shop\/orders may answer/);
    assert.ok((scenario.convergence?.["gateway/infra/edge"] ?? -1) >= 0, JSON.stringify(scenario.convergence));
    assert.match(result.stderr, /gateway programmed in \d+ ms/);
  });

  it("exits 3 with a clear message when no Docker engine answers", function () {
    // Like testcontainers, netspec falls back from a dead DOCKER_HOST to the default sockets, so
    // "no engine" means none anywhere: a private mount namespace hides /run (the sockets) from
    // this one process. The script is fixed; the command arrives as its positional parameters.
    const hidden = ["--mount", "--", "bash", "-c", 'mount -t tmpfs tmpfs /run && exec "$@"', "bash"];
    if (spawnSync("unshare", [...hidden, "true"]).status !== 0) this.skip(); // needs root and unshare
    const result = spawnSync("unshare", [...hidden, process.execPath, main, "run", example], { encoding: "utf8", env: { ...env, DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stderr, /environment error: the local provider needs a Docker engine/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  });

  it("on Ctrl-C removes every container and network it created, and exits 130", async () => {
    const child = spawn(process.execPath, [main, "run", "specs/examples", "--parallel", "2"], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => { stderr += String(chunk); });
    const done = exited(child);
    await until(() => objectsOf(child.pid!).length > 0, 60_000, "the run's first containers");
    child.kill("SIGINT");
    const { code } = await done;
    assert.equal(code, 130, stderr);
    assert.deepEqual(objectsOf(child.pid!), [], "everything the run created is gone");
  });

  it("removes what a killed run left behind, at the next run", async () => {
    const child = spawn(process.execPath, [main, "run", example], { env, stdio: "ignore" });
    const done = exited(child);
    await until(() => objectsOf(child.pid!).length >= 2, 60_000, "the run's containers");
    child.kill("SIGKILL");
    await done;
    assert.ok(objectsOf(child.pid!).length > 0, "a killed run cannot clean up after itself");
    const next = spawnSync(process.execPath, [main, "run", example], { encoding: "utf8", env });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(objectsOf(child.pid!), [], "the next run removed the leftovers");
  });

  it("two runs at once do not see each other's objects", async () => {
    const start = () => {
      const child = spawn(process.execPath, [main, "run", example], { env, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr!.on("data", (chunk) => { stderr += String(chunk); });
      return exited(child).then(({ code }) => ({ code, stderr, pid: child.pid! }));
    };
    const [a, b] = await Promise.all([start(), start()]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual([...objectsOf(a.pid), ...objectsOf(b.pid)], []);
  });
});
