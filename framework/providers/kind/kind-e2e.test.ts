// The real thing: the example scenarios on a kind cluster with a real CNI, through the CLI.
// Skipped, with the reason, where `kind` is missing or no registry serves the images (kind's
// node image, agnhost). CI runs it (.github/workflows/kind-e2e.yml) with:
//   NETSPEC_E2E_CNI      a --cni argument (manifest, directory or script); unset: kindnet
//   NETSPEC_E2E_FAMILY   ipv4 | ipv6 | dual: the examples of that cluster family (default ipv4)
//   NETSPEC_E2E_OUT      report directory (default reports/kind-e2e)
//   NETSPEC_E2E_SKIP     comma-separated scenario names to leave out (default: the
//                        AdminNetworkPolicy example, which needs CRDs and an implementation)
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { validatePaths } from "../../runner/validate-paths.js";
import { DEFAULT_AGNHOST_IMAGE } from "../kube/manifests.js";

function unavailable(): string | undefined {
  const kind = process.env.NETSPEC_KIND ?? "kind";
  if (spawnSync(kind, ["version"], { stdio: "ignore" }).status !== 0) return `'${kind}' is not installed (the stand-in tests cover the orchestration; install kind to run this)`;
  const docker = process.env.NETSPEC_DOCKER ?? "docker";
  if (spawnSync(docker, ["info"], { stdio: "ignore", timeout: 20_000 }).status !== 0) return "no Docker engine is reachable";
  const image = process.env.NETSPEC_AGNHOST_IMAGE ?? DEFAULT_AGNHOST_IMAGE;
  const present = spawnSync(docker, ["image", "inspect", image], { stdio: "ignore" }).status === 0;
  if (!present && spawnSync(docker, ["pull", image], { stdio: "ignore", timeout: 300_000 }).status !== 0) {
    return `no container registry is reachable (docker pull ${image} failed) and the image is not in Docker`;
  }
  return undefined;
}

describe("@docker kind provider: real end to end", function () {
  this.timeout(60 * 60_000);
  before(function () {
    const reason = unavailable();
    if (reason) {
      console.log(`      skipped: ${reason}`);
      this.skip();
    }
  });

  it("every selected example holds on a kind cluster with the CNI under test", async () => {
    const family = process.env.NETSPEC_E2E_FAMILY ?? "ipv4";
    const skip = new Set((process.env.NETSPEC_E2E_SKIP ?? "admin-network-policy").split(",").map((s) => s.trim()).filter(Boolean));
    const { scenarios } = validatePaths(["specs/examples"], { lint: false });
    const files = scenarios.filter((s) => s.ipFamily === family && !skip.has(s.name)).map((s) => s.file);
    assert.ok(files.length > 0, `no example scenario has ipFamily ${family}`);
    const out = process.env.NETSPEC_E2E_OUT ?? "reports/kind-e2e";
    fs.mkdirSync(out, { recursive: true });
    const args = ["dist/cli/main.js", "run", ...files, "--provider", "kind", "--reporter", "console,json", "--out", out, "--converge", "20000",
      ...(process.env.NETSPEC_E2E_CNI ? ["--cni", path.resolve(process.env.NETSPEC_E2E_CNI)] : [])];
    const code = await new Promise<number | null>((resolve) => spawn(process.execPath, args, { stdio: "inherit" }).on("close", resolve));
    assert.equal(code, 0, `netspec exited ${code}; see ${out}/results.json and ${out}/diagnostics/`);
  });
});
