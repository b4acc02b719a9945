// Real HAProxy runs for the gateway tests: the compiled config is checked with `haproxy -c`,
// then served by `haproxy -f cfg -db` on loopback addresses, in front of "Services" that are
// small node:http echo servers on other loopback addresses (the whole of 127/8 is loopback on
// Linux), each answering with its name, its address and the request it received.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { Family } from "../../../kube/net.js";
import { scenarioFromYaml } from "../../../scenario/build.js";
import { LOCAL_LAYER7, type Layer7Implementation } from "../../../scenario/implementation.js";
import type { ManifestModel, Scenario, ServiceModel } from "../../../scenario/model.js";
import { compileGatewayConfig, type GatewayConfig, type GatewayConfigInput } from "./index.js";

export const HAPROXY = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"]
  .find((path) => spawnSync(path, ["-v"]).status === 0);

/** What an echo server answers. */
export interface Echo {
  /** `namespace/name` of the Service it stands for. */
  readonly service: string;
  /** The address it was reached on (a cluster IP of one family). */
  readonly address: string;
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly host?: string;
  /** Header names in lower case; repeated headers joined with ", " (node:http). */
  readonly headers: IncomingHttpHeaders;
}

export interface Answer {
  readonly status: number;
  readonly location?: string;
  readonly headers: IncomingHttpHeaders;
  /** The echo, when a backend answered. */
  readonly echo?: Echo;
}

export interface Request {
  readonly host?: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly family?: Family;
}

export interface Expect {
  /** 200 when `backend` is given. */
  readonly status?: number;
  /** `namespace/name` of the Service that must answer. */
  readonly backend?: string;
  /** What the backend received. */
  readonly path?: string;
  readonly host?: string;
  /** Header values the backend received; null: the header is absent. */
  readonly headers?: Readonly<Record<string, string | null>>;
  readonly location?: string;
  /** Response headers (lower-case names); null: absent. */
  readonly responseHeaders?: Readonly<Record<string, string | null>>;
}

export type Probe = Request & { readonly expect: Expect };

/** Asserts an answer is what a probe expects. */
export function check(answer: Answer, probe: Probe): void {
  const what = `${probe.method ?? "GET"} ${probe.host ?? ""}${probe.path}${probe.port ? ` (port ${probe.port})` : ""}`;
  const { expect } = probe;
  assert.equal(answer.status, expect.status ?? 200, `${what}: status (answered by ${answer.echo?.service ?? "the proxy"})`);
  if (expect.backend) assert.equal(answer.echo?.service, expect.backend, `${what}: backend`);
  if (expect.path !== undefined) assert.equal(answer.echo?.path, expect.path, `${what}: path received`);
  if (expect.host !== undefined) assert.equal(answer.echo?.host, expect.host, `${what}: Host received`);
  for (const [name, value] of Object.entries(expect.headers ?? {})) {
    assert.equal(answer.echo?.headers[name] ?? null, value, `${what}: header ${name} received`);
  }
  for (const [name, value] of Object.entries(expect.responseHeaders ?? {})) {
    assert.equal(answer.headers[name] ?? null, value, `${what}: response header ${name}`);
  }
  if (expect.location !== undefined) assert.equal(answer.location, expect.location, `${what}: Location`);
}

/** A fresh loopback /24 per case: 127.X.Y.0, the gateway on .1, Services from .10. */
let blocks = 0;
function loopbackBlock(): string {
  blocks++;
  const x = 100 + (process.pid % 100);
  return `127.${x}.${(blocks % 250) + 1}`;
}

export interface Lab {
  readonly scenario: Scenario;
  readonly input: GatewayConfigInput;
  readonly compiled: GatewayConfig;
  send(request: Request): Promise<Answer>;
  stop(): Promise<void>;
}

export interface LabOptions {
  /** Scenario YAML after the header. */
  readonly body: string;
  readonly entry: GatewayConfigInput["entry"];
  /** Services (`ns/name`) whose echo servers are not started: no endpoints, connections refused. */
  readonly down?: readonly string[];
  /** Also serve IPv6 on ::1 (Services on ::1 then need distinct ports). */
  readonly ipv6?: boolean;
  /** Manifests added as written, past the scenario's validation (for text it would refuse). */
  readonly extraManifests?: readonly ManifestModel[];
  /** Default: LOCAL_LAYER7. */
  readonly implementation?: Layer7Implementation;
}

export const SCENARIO_HEADER = `apiVersion: netspec/v1alpha1
kind: Scenario
metadata: { name: gateway-haproxy }
pods: []
`;

/**
 * The compiler's input for a scenario whose Services' cluster IPs are moved to a fresh loopback
 * block (and ::1), the gateway bound on the block's .1 (and ::1).
 */
export function loopbackInput(options: LabOptions): { scenario: Scenario; input: GatewayConfigInput } {
  const scenario = scenarioFromYaml(SCENARIO_HEADER + options.body, "gateway-haproxy.yaml");
  const block = loopbackBlock();
  const services = scenario.services.map((s, i): ServiceModel => s.system || s.type === "ExternalName" || s.headless ? s : {
    ...s,
    clusterIPs: { ipv4: `${block}.${10 + i}`, ...(options.ipv6 ? { ipv6: "::1" } : {}) },
  });
  const bind: Partial<Record<Family, string>> = { ipv4: `${block}.1`, ...(options.ipv6 ? { ipv6: "::1" } : {}) };
  const input: GatewayConfigInput = {
    entry: options.entry, manifests: [...scenario.manifests, ...(options.extraManifests ?? [])], services,
    namespaces: scenario.namespaces, implementation: options.implementation ?? LOCAL_LAYER7, bind,
  };
  return { scenario, input };
}

/** Builds the scenario, compiles the gateway config, starts the echo servers and HAProxy. */
export async function startLab(options: LabOptions): Promise<Lab> {
  const { scenario, input } = loopbackInput(options);
  const { bind, services } = input;
  const compiled = compileGatewayConfig(input);
  const echoes = await startEchoes(services.filter((s) => !s.system && !(options.down ?? []).includes(s.id)));
  let proxy: Proxy | undefined;
  try {
    if (compiled.ports.length > 0) proxy = await Proxy.start(compiled.config, Object.values(bind) as string[], compiled.ports);
  } catch (e) {
    await Promise.all(echoes.map(closeServer));
    throw e;
  }
  return {
    scenario, input, compiled,
    send: (req) => send(req.family === "ipv6" ? "::1" : bind.ipv4!, req.port ?? compiled.ports[0]!, req),
    async stop() {
      await proxy?.stop();
      await Promise.all(echoes.map(closeServer));
    },
  };
}

async function startEchoes(services: readonly ServiceModel[]): Promise<Server[]> {
  const servers: Server[] = [];
  try {
    for (const service of services) {
      for (const address of Object.values(service.clusterIPs)) {
        for (const port of service.ports.filter((p) => p.protocol === "TCP")) servers.push(await echoServer(service.id, address, port.port));
      }
    }
  } catch (e) {
    await Promise.all(servers.map(closeServer));
    throw e;
  }
  return servers;
}

function echoServer(service: string, address: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const echo: Echo = {
      service, address, method: req.method ?? "", path: req.url ?? "", headers: req.headers,
      ...(req.headers.host === undefined ? {} : { host: req.headers.host }),
    };
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(echo));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** One request over a fresh connection; the answer's status, Location and echo. */
export function send(address: string, port: number, req: Request): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(req.host === undefined ? {} : { host: req.host }), ...req.headers };
    const r = httpRequest({ host: address, port, path: req.path, method: req.method ?? "GET", headers, agent: false, setHost: req.host === undefined }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => { body += chunk; });
      res.on("end", () => {
        const echo = res.headers["content-type"] === "application/json" ? JSON.parse(body) as Echo : undefined;
        resolve({
          status: res.statusCode ?? 0, headers: res.headers,
          ...(res.headers.location === undefined ? {} : { location: res.headers.location }),
          ...(echo ? { echo } : {}),
        });
      });
    });
    r.on("error", reject);
    r.end();
  });
}

/** `haproxy -c -f`: the config parses, with neither alerts nor warnings. */
export function checkConfig(config: string): void {
  const dir = mkdtempSync(join(tmpdir(), "netspec-haproxy-"));
  try {
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, config);
    const r = spawnSync(HAPROXY!, ["-c", "-f", file], { encoding: "utf8" });
    const output = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, `haproxy -c failed:\n${output}\n${config}`);
    assert.doesNotMatch(output, /WARNING|ALERT/, `haproxy -c warned:\n${output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A running `haproxy -f cfg -db`, stopped by its pid. */
class Proxy {
  private output = "";

  private constructor(private readonly child: ChildProcess, private readonly dir: string) {
    child.stdout!.on("data", (d: Buffer) => { this.output += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { this.output += d.toString(); });
  }

  static async start(config: string, addresses: readonly string[], ports: readonly number[]): Promise<Proxy> {
    checkConfig(config);
    const dir = mkdtempSync(join(tmpdir(), "netspec-haproxy-"));
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, config);
    const proxy = new Proxy(spawn(HAPROXY!, ["-f", file, "-db"], { stdio: ["ignore", "pipe", "pipe"] }), dir);
    try {
      for (const address of addresses) for (const port of ports) await proxy.listening(address, port);
    } catch (e) {
      await proxy.stop();
      throw e;
    }
    return proxy;
  }

  /** Waits until the frontend accepts connections, or HAProxy has exited. */
  private async listening(address: string, port: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`haproxy exited (${this.child.exitCode}):\n${this.output}`);
      if (await connects(address, port)) return;
      if (Date.now() > deadline) throw new Error(`haproxy does not listen on ${address}:${port}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

/** A free TCP port on an address (for the IPv6 case, where every Service shares ::1). */
export function freePort(address: string): Promise<number> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Manifests from a YAML list of objects, taken as written (no scenario validation). */
export function rawManifests(text: string): ManifestModel[] {
  return (parse(text) as Record<string, unknown>[]).map((object) => {
    const metadata = object["metadata"] as { name: string; namespace?: string };
    return {
      apiVersion: object["apiVersion"] as string, kind: object["kind"] as string, name: metadata.name,
      ...(metadata.namespace === undefined ? {} : { namespace: metadata.namespace }), object,
    };
  });
}
