// The Ingress controller through real HAProxy: Ingresses compiled into one config, served on
// loopback in front of echo "Services". The path cases follow the examples table of the Ingress
// concept page (https://kubernetes.io/docs/concepts/services-networking/ingress/#examples),
// the host cases its "Hostname wildcards" table.
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import { check, checkConfig, HAPROXY, loopbackInput, rawManifests, startLab, type Expect, type LabOptions, type Probe } from "./haproxy.test-helpers.js";
import { compileGatewayConfig } from "./index.js";

interface Case {
  readonly name: string;
  readonly resources: string;
  /** Resources as a YAML list, past the scenario's validation. */
  readonly unchecked?: string;
  readonly probes: readonly Probe[];
  readonly notes?: readonly RegExp[];
}

const service = (name: string, ports = "[ { port: 80 } ]") =>
  `  - { apiVersion: v1, kind: Service, metadata: { name: ${name}, namespace: apps }, spec: { ports: ${ports} } }`;

const BODY = (resources: string) => `
namespaces: [ { name: apps } ]
resources:
${service("svc-a")}
${service("svc-b")}
${service("svc-c")}
${service("named", "[ { name: http, port: 8080 }, { name: admin, port: 9090 } ]")}
${resources}`;

interface Path { readonly type: string; readonly path?: string; readonly to: string; readonly port?: string }
const paths = (list: readonly Path[]) => `{ paths: [ ${list.map((p) =>
  `{ ${p.path === undefined ? "" : `path: "${p.path}", `}pathType: ${p.type}, backend: { service: { name: ${p.to}, port: ${p.port ?? "{ number: 80 }"} } } }`).join(", ")} ] }`;
const ingress = (name: string, spec: string, meta = "") =>
  `  - { apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: { name: ${name}, namespace: apps${meta} }, spec: ${spec} }`;
/** One Ingress of class netspec, one rule per host. */
const hosts = (name: string, rules: Readonly<Record<string, readonly Path[]>>, extra = "") => ingress(name, `{ ingressClassName: netspec, ${extra}rules: [ ${Object.entries(rules)
  .map(([host, list]) => `{ ${host === "" ? "" : `host: "${host}", `}http: ${paths(list)} }`).join(", ")} ] }`);
const ok = (service: string, more: Omit<Expect, "backend"> = {}): Expect => ({ backend: `apps/${service}`, ...more });
const P = (path: string, to: string): Path => ({ type: "Prefix", path, to });
const E = (path: string, to: string): Path => ({ type: "Exact", path, to });
const NONE: Expect = { status: 404 };

const CASES: readonly Case[] = [
  {
    name: "path types: Exact, element-wise Prefix with the trailing slash ignored (the concept page's examples)",
    resources: hosts("examples", {
      "prefix-root.test": [P("/", "svc-a")],
      "exact-foo.test": [E("/foo", "svc-a")],
      "exact-foo-slash.test": [E("/foo/", "svc-a")],
      "prefix-foo.test": [P("/foo", "svc-a")],
      "prefix-foo-slash.test": [P("/foo/", "svc-a")],
      "prefix-aaa-bb.test": [P("/aaa/bb", "svc-a")],
      "prefix-aaa-bbb.test": [P("/aaa/bbb", "svc-a")],
      "prefix-aaa.test": [P("/aaa", "svc-a")],
    }),
    probes: [
      { host: "prefix-root.test", path: "/anything/at/all", expect: ok("svc-a") },
      { host: "exact-foo.test", path: "/foo", expect: ok("svc-a") },
      { host: "exact-foo.test", path: "/bar", expect: NONE },
      { host: "exact-foo.test", path: "/foo/", expect: NONE },
      { host: "exact-foo-slash.test", path: "/foo", expect: NONE },
      { host: "prefix-foo.test", path: "/foo", expect: ok("svc-a") },
      { host: "prefix-foo.test", path: "/foo/", expect: ok("svc-a") },
      { host: "prefix-foo-slash.test", path: "/foo", expect: ok("svc-a") },
      { host: "prefix-foo-slash.test", path: "/foo/", expect: ok("svc-a") },
      { host: "prefix-aaa-bb.test", path: "/aaa/bbb", expect: NONE },
      { host: "prefix-aaa-bbb.test", path: "/aaa/bbb", expect: ok("svc-a") },
      { host: "prefix-aaa-bbb.test", path: "/aaa/bbb/", expect: ok("svc-a") },
      { host: "prefix-aaa-bbb.test", path: "/aaa/bbb/ccc", expect: ok("svc-a") },
      { host: "prefix-aaa-bbb.test", path: "/aaa/bbbxyz", expect: NONE },
      { host: "prefix-aaa.test", path: "/aaabbb", expect: NONE },
      { host: "prefix-aaa.test", path: "/aaa/ccc?x=1", expect: ok("svc-a", { path: "/aaa/ccc?x=1" }) },
    ],
  },
  {
    name: "several paths match: the longest wins, Exact over Prefix on a tie, then the oldest Ingress",
    resources: [
      hosts("multi", {
        "multi.test": [P("/", "svc-a"), P("/aaa", "svc-b"), P("/aaa/bbb", "svc-c"), E("/foo", "svc-c"), P("/foo", "svc-b"), P("/foo/", "svc-a")],
      }),
      hosts("newer", { "multi.test": [P("/aaa", "svc-c"), P("/zzz", "svc-c")] }, ""),
    ].join("\n"),
    probes: [
      { host: "multi.test", path: "/aaa/ccc", expect: ok("svc-b") },
      { host: "multi.test", path: "/aaa/bbb/x", expect: ok("svc-c") },
      { host: "multi.test", path: "/ccc", expect: ok("svc-a") },
      { host: "multi.test", path: "/foo", expect: ok("svc-c") },
      { host: "multi.test", path: "/foo/", expect: ok("svc-b") },
      { host: "multi.test", path: "/zzz/1", expect: ok("svc-c") },
    ],
  },
  {
    name: "hosts: precise first, a wildcard covers exactly one label, rules without host take the rest; Host compared without port, in lower case",
    resources: hosts("hosts", {
      "bar.foo.com": [P("/", "svc-a")],
      "*.foo.com": [P("/", "svc-b")],
      "": [P("/", "svc-c")],
    }),
    probes: [
      { host: "bar.foo.com", path: "/", expect: ok("svc-a") },
      { host: "BAR.foo.com:80", path: "/", expect: ok("svc-a", { host: "BAR.foo.com:80" }) },
      { host: "baz.foo.com", path: "/", expect: ok("svc-b") },
      { host: "baz.bar.foo.com", path: "/", expect: ok("svc-c") },
      { host: "foo.com", path: "/", expect: ok("svc-c") },
      { host: "elsewhere.org", path: "/", expect: ok("svc-c") },
    ],
  },
  {
    name: "a host's own paths only: a path of the rules without host does not serve a host that has rules",
    resources: hosts("exclusive", { "shop.test": [P("/cart", "svc-a")], "": [P("/help", "svc-b")] }),
    probes: [
      { host: "shop.test", path: "/cart", expect: ok("svc-a") },
      { host: "shop.test", path: "/help", expect: NONE },
      { host: "other.test", path: "/help", expect: ok("svc-b") },
      { host: "other.test", path: "/cart", expect: NONE },
    ],
  },
  {
    name: "rules of one host merge across Ingresses; defaultBackend (the oldest Ingress's) takes what no path matches",
    resources: [
      hosts("first", { "merge.test": [P("/one", "svc-a")] }, `defaultBackend: { service: { name: svc-c, port: { number: 80 } } }, `),
      hosts("second", { "merge.test": [P("/two", "svc-b")] }, `defaultBackend: { service: { name: svc-a, port: { number: 80 } } }, `),
    ].join("\n"),
    notes: [/Ingress apps\/second: defaultBackend ignored: the older Ingress apps\/first has one/],
    probes: [
      { host: "merge.test", path: "/one", expect: ok("svc-a") },
      { host: "merge.test", path: "/two", expect: ok("svc-b") },
      { host: "merge.test", path: "/three", expect: ok("svc-c") },
      { host: "unknown.test", path: "/", expect: ok("svc-c") },
    ],
  },
  {
    name: "backend ports by number or by name; a missing Service or port answers 503",
    resources: hosts("ports", {
      "ports.test": [
        { type: "Prefix", path: "/by-number", to: "named", port: "{ number: 9090 }" },
        { type: "Prefix", path: "/by-name", to: "named", port: "{ name: http }" },
        { type: "Prefix", path: "/no-such-port", to: "named", port: "{ name: grpc }" },
        { type: "Prefix", path: "/no-such-service", to: "ghost" },
      ],
    }),
    notes: [/Service apps\/ghost does not exist: answers 503/, /Service apps\/named has no TCP port grpc: answers 503/],
    probes: [
      { host: "ports.test", path: "/by-number", expect: ok("named") },
      { host: "ports.test", path: "/by-name", expect: ok("named") },
      { host: "ports.test", path: "/no-such-port", expect: { status: 503 } },
      { host: "ports.test", path: "/no-such-service", expect: { status: 503 } },
      { host: "ports.test", path: "/elsewhere", expect: NONE },
    ],
  },
  {
    name: "ImplementationSpecific is served as Prefix",
    resources: ingress("specific", `{ ingressClassName: netspec, rules: [ { host: specific.test, http: ${paths([{ type: "ImplementationSpecific", path: "/docs", to: "svc-a" }])} } ] }`),
    notes: [/ImplementationSpecific is served as Prefix/],
    probes: [
      { host: "specific.test", path: "/docs/a", expect: ok("svc-a") },
      { host: "specific.test", path: "/docsx", expect: NONE },
    ],
  },
  {
    name: "classes: served by name, by a declared class of its controller, by the class annotation, or without class; not another controller's",
    resources: [
      "  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: mine }, spec: { controller: netspec.dev/ingress } }",
      "  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: nginx }, spec: { controller: k8s.io/ingress-nginx } }",
      ingress("by-name", `{ ingressClassName: netspec, rules: [ { host: by-name.test, http: ${paths([P("/", "svc-a")])} } ] }`),
      ingress("by-class", `{ ingressClassName: mine, rules: [ { host: by-class.test, http: ${paths([P("/", "svc-a")])} } ] }`),
      ingress("by-annotation", `{ rules: [ { host: by-annotation.test, http: ${paths([P("/", "svc-a")])} } ] }`, ", annotations: { kubernetes.io/ingress.class: netspec }"),
      ingress("classless", `{ rules: [ { host: classless.test, http: ${paths([P("/", "svc-a")])} } ] }`),
      ingress("nginx", `{ ingressClassName: nginx, rules: [ { host: nginx.test, http: ${paths([P("/", "svc-a")])} } ] }`),
      ingress("nginx-annotation", `{ rules: [ { host: nginx-annotation.test, http: ${paths([P("/", "svc-a")])} } ] }`, ", annotations: { kubernetes.io/ingress.class: nginx }"),
      ingress("unknown", `{ ingressClassName: nobody, rules: [ { host: unknown.test, http: ${paths([P("/", "svc-a")])} } ] }`),
    ].join("\n"),
    notes: [/Ingress apps\/nginx: IngressClass nginx has controller k8s.io\/ingress-nginx: not served/, /Ingress apps\/unknown: IngressClass nobody is not served/],
    probes: [
      ...["by-name", "by-class", "by-annotation", "classless"].map((h): Probe => ({ host: `${h}.test`, path: "/", expect: ok("svc-a") })),
      ...["nginx", "nginx-annotation", "unknown"].map((h): Probe => ({ host: `${h}.test`, path: "/", expect: NONE })),
    ],
  },
  {
    name: "an Ingress without class gets the default IngressClass: another controller's default takes it away",
    resources: [
      `  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: nginx, annotations: { ingressclass.kubernetes.io/is-default-class: "true" } }, spec: { controller: k8s.io/ingress-nginx } }`,
      ingress("classless", `{ rules: [ { host: classless.test, http: ${paths([P("/", "svc-a")])} } ] }`),
    ].join("\n"),
    notes: [/Ingress apps\/classless: IngressClass nginx has controller k8s.io\/ingress-nginx: not served/],
    probes: [{ host: "classless.test", path: "/", expect: NONE }],
  },
  {
    name: "several default IngressClasses: the newest is assigned",
    resources: [
      `  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: old-nginx, creationTimestamp: "2023-01-01T00:00:00Z", annotations: { ingressclass.kubernetes.io/is-default-class: "true" } }, spec: { controller: k8s.io/ingress-nginx } }`,
      `  - { apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: { name: ours, creationTimestamp: "2024-01-01T00:00:00Z", annotations: { ingressclass.kubernetes.io/is-default-class: "true" } }, spec: { controller: netspec.dev/ingress } }`,
      ingress("classless", `{ rules: [ { host: classless.test, http: ${paths([P("/", "svc-a")])} } ] }`),
    ].join("\n"),
    probes: [{ host: "classless.test", path: "/", expect: ok("svc-a") }],
  },
  {
    name: "nothing served: every request answers 404",
    resources: "",
    probes: [{ host: "any.test", path: "/", expect: NONE }],
  },
];

function options(c: Pick<Case, "resources" | "unchecked">): LabOptions {
  return { body: BODY(c.resources), entry: { kind: "ingress" }, ...(c.unchecked ? { extraManifests: rawManifests(c.unchecked) } : {}) };
}

describe("local gateway: the Ingress controller through real HAProxy", function () {
  this.timeout(60_000);
  before(function () {
    if (!HAPROXY) this.skip();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const lab = await startLab(options(c));
      try {
        assert.deepEqual(lab.compiled.ports, [80]);
        for (const pattern of c.notes ?? []) assert.ok(lab.compiled.notes.some((n) => pattern.test(n)), `no note ${pattern} in:\n${lab.compiled.notes.join("\n")}`);
        for (const probe of c.probes) check(await lab.send(probe), probe);
      } finally {
        await lab.stop();
      }
    });
  }

  it("every case's config passes haproxy -c without warnings", () => {
    for (const c of CASES) checkConfig(compileGatewayConfig(loopbackInput(options(c)).input).config);
  });

  it("a resource backend answers 503, tls is noted", async () => {
    const lab = await startLab(options({ resources: "", unchecked: `
- apiVersion: networking.k8s.io/v1
  kind: Ingress
  metadata: { name: resource, namespace: apps }
  spec:
    ingressClassName: netspec
    tls: [ { hosts: [ r.test ], secretName: cert } ]
    rules: [ { host: r.test, http: { paths: [ { path: /, pathType: Prefix, backend: { resource: { apiGroup: k8s.example.com, kind: StorageBucket, name: b } } } ] } } ]` }));
    try {
      check(await lab.send({ host: "r.test", path: "/" }), { path: "/", expect: { status: 503 } });
      assert.match(lab.compiled.notes.join("\n"), /resource backend StorageBucket b is not supported: answers 503/);
      assert.match(lab.compiled.notes.join("\n"), /Ingress apps\/resource: tls is not served/);
    } finally {
      await lab.stop();
    }
  });
});
