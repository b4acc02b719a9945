// The stand-in kind/kubectl/docker (fixtures/fake-bin) on PATH, with a private state directory
// and call log per test.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scenarioFromYaml } from "../../scenario/build.js";
import type { Scenario } from "../../scenario/model.js";

export const FAKE_BIN = path.resolve("fixtures/fake-bin");

export interface FakeWorld {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Every recorded call, in order. */
  calls(): { tool: string; argv: string[]; stdinLines?: number }[];
  /** Calls of one tool as "verb noun …" strings without the connection flags. */
  commands(tool: string): string[];
  clusters(): string[];
  cleanup(): void;
}

export function fakeWorld(extra: Record<string, string> = {}): FakeWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "netspec-fake-"));
  const log = path.join(dir, "calls.log");
  const env = {
    ...process.env,
    PATH: `${FAKE_BIN}:${process.env.PATH}`,
    FAKE_K8S_STATE: path.join(dir, "state"), FAKE_K8S_LOG: log, NETSPEC_STATE_DIR: path.join(dir, "owners"),
    NETSPEC_KIND: path.join(FAKE_BIN, "kind"), NETSPEC_KUBECTL: path.join(FAKE_BIN, "kubectl"), NETSPEC_DOCKER: path.join(FAKE_BIN, "docker"),
    ...extra,
  };
  const calls = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
  return {
    dir, env, calls,
    commands: (tool) => calls().filter((c) => c.tool === tool).map((c) => {
      const argv = [...c.argv];
      for (const f of ["--kubeconfig", "--context"]) { const i = argv.indexOf(f); if (i >= 0) argv.splice(i, 2); }
      const dd = argv.indexOf("--");
      return (dd >= 0 && argv[0] === "exec" ? argv.slice(0, dd) : argv).join(" ");
    }),
    clusters: () => { try { return fs.readdirSync(path.join(dir, "state", "clusters")).map((f) => f.replace(/\.json$/, "")); } catch { return []; } },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A scenario with no policies (the stand-in has no data plane): every cell connects. */
export const OPEN_SCENARIO = `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: open-cluster }
cluster:
  nodes:
    - { name: node-a, zone: zone-a }
    - { name: node-b, zone: zone-b }
namespaces: [ { name: shop }, { name: ops } ]
pods:
  - { name: web, namespace: shop, labels: { app: web }, ports: [ { name: http, port: 80 }, { name: dns, port: 53, protocol: UDP } ] }
  - { name: client, namespace: ops, node: node-b }
resources:
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
    spec: { selector: { app: web }, ports: [ { name: http, port: 80, targetPort: http } ] }
probe: { to: [pods, services, dns] }
`;

export function openScenario(): Scenario {
  return scenarioFromYaml(OPEN_SCENARIO, "open.yaml");
}
