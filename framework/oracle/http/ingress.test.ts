// Ingress routing, table-driven. The path and hostname tables re-encode the Ingress concept
// page's "Examples" and "Hostname wildcards" tables
// (https://kubernetes.io/docs/concepts/services-networking/ingress/), one case per row (rows
// listing two request paths are two cases); the rest is one case per rule of ingress.ts.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import type { Ingress, IngressClass, IngressRule } from "../../kube/gateway-types.js";
import type { Service } from "../../kube/types.js";
import type { HttpRequest } from "../../scenario/target.js";
import { assertVerdict, ingress, ingressClass, request, service, type Expectation } from "./fixtures.test-helpers.js";
import { IngressRouter, ingressClassOf, type IngressImplementation } from "./ingress.js";

const NGINX = "k8s.io/ingress-nginx";
const IMPL: IngressImplementation = { controllers: [NGINX], annotationClasses: ["nginx"] };
const NGINX_CLASS = ingressClass("nginx", NGINX);

const backend = (name: string, port: number | string = 80) => ({ service: { name, port: typeof port === "number" ? { number: port } : { name: port } } });
const path = (pathType: string, value: string, to: string) => ({ path: value, pathType, backend: backend(to) });
const rule = (host: string | undefined, ...paths: ReturnType<typeof path>[]): IngressRule => ({ ...(host ? { host } : {}), http: { paths } });

const SERVICES: Service[] = ["p0", "p1", "p2", "default", "service1", "service2", "service3", "a", "b"].map((name) => service(`shop/${name}`, 80));

let caseCount = 0;
function router(ingresses: Ingress[], more: { classes?: IngressClass[]; impl?: IngressImplementation; services?: Service[] } = {}) {
  return new IngressRouter({ ingresses, ingressClasses: more.classes ?? [NGINX_CLASS], services: more.services ?? SERVICES }, more.impl ?? IMPL);
}
const routeTo = (r: IngressRouter, req: HttpRequest, id = "shop/web") => {
  const [namespace, name] = id.split("/");
  return r.route({ namespace: namespace!, name: name! }, req);
};

// ---- the concept page's path examples -------------------------------------------------------------------

interface PathRow {
  readonly kind: string;
  /** The Ingress's paths, each to its own Service p0, p1, p2 in order. */
  readonly paths: readonly [type: string, value: string][];
  readonly request: string;
  /** Which path answers, or "default" (the Ingress has a defaultBackend) or 404. */
  readonly answer: number | "default" | 404;
  readonly note?: string;
}
const PATH_TABLE: PathRow[] = [
  { kind: "Prefix", paths: [["Prefix", "/"]], request: "/any/path/at/all", answer: 0, note: "/ matches every path" },
  { kind: "Exact", paths: [["Exact", "/foo"]], request: "/foo", answer: 0 },
  { kind: "Exact", paths: [["Exact", "/foo"]], request: "/bar", answer: 404 },
  { kind: "Exact", paths: [["Exact", "/foo"]], request: "/foo/", answer: 404 },
  { kind: "Exact", paths: [["Exact", "/foo/"]], request: "/foo", answer: 404 },
  { kind: "Prefix", paths: [["Prefix", "/foo"]], request: "/foo", answer: 0 },
  { kind: "Prefix", paths: [["Prefix", "/foo"]], request: "/foo/", answer: 0 },
  { kind: "Prefix", paths: [["Prefix", "/foo/"]], request: "/foo", answer: 0 },
  { kind: "Prefix", paths: [["Prefix", "/foo/"]], request: "/foo/", answer: 0 },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bb"]], request: "/aaa/bbb", answer: 404, note: "bb is not the element bbb" },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bbb"]], request: "/aaa/bbb", answer: 0 },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bbb/"]], request: "/aaa/bbb", answer: 0, note: "the trailing slash is ignored" },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bbb"]], request: "/aaa/bbb/", answer: 0, note: "a trailing slash matches" },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bbb"]], request: "/aaa/bbb/ccc", answer: 0, note: "a subpath matches" },
  { kind: "Prefix", paths: [["Prefix", "/aaa/bbb"]], request: "/aaa/bbbxyz", answer: 404, note: "not a string prefix match" },
  { kind: "Prefix", paths: [["Prefix", "/"], ["Prefix", "/aaa"]], request: "/aaa/ccc", answer: 1, note: "the longer /aaa wins" },
  { kind: "Prefix", paths: [["Prefix", "/"], ["Prefix", "/aaa"], ["Prefix", "/aaa/bbb"]], request: "/aaa/bbb", answer: 2 },
  { kind: "Prefix", paths: [["Prefix", "/"], ["Prefix", "/aaa"], ["Prefix", "/aaa/bbb"]], request: "/ccc", answer: 0, note: "only / matches" },
  { kind: "Prefix", paths: [["Prefix", "/aaa"]], request: "/ccc", answer: "default", note: "the default backend takes it" },
  { kind: "Mixed", paths: [["Prefix", "/foo"], ["Exact", "/foo"]], request: "/foo", answer: 1, note: "Exact is preferred on an equal path" },
  { kind: "Mixed", paths: [["Prefix", "/foo/"], ["Exact", "/foo"]], request: "/foo", answer: 1, note: "a trailing slash makes a Prefix no longer: Exact is preferred" },
  { kind: "Mixed", paths: [["Prefix", "/foo/"], ["Exact", "/foo"]], request: "/foo/bar", answer: 0 },
];

describe("Ingress path types (the concept page's examples)", () => {
  for (const row of PATH_TABLE) {
    caseCount++;
    const paths = row.paths.map(([type, value]) => `${value} (${type})`).join(", ");
    it(`${row.kind} ${paths} <- ${row.request}: ${row.answer === 404 ? "no match" : row.answer === "default" ? "default backend" : `path ${row.answer}`}${row.note ? ` (${row.note})` : ""}`, () => {
      const spec = {
        ingressClassName: "nginx",
        ...(row.answer === "default" ? { defaultBackend: backend("default") } : {}),
        rules: [rule(undefined, ...row.paths.map(([type, value], i) => path(type, value, `p${i}`)))],
      };
      const verdict = routeTo(router([ingress("shop/web", spec)]), request(row.request));
      const expected: Expectation = row.answer === 404 ? { outcome: "status", status: 404 }
        : { backends: [row.answer === "default" ? "shop/default" : `shop/p${row.answer}`] };
      assertVerdict(verdict, expected);
    });
  }
});

describe("Ingress hostname wildcards (the concept page's table)", () => {
  const table: [host: string, header: string, matches: boolean][] = [
    ["*.foo.com", "bar.foo.com", true],
    ["*.foo.com", "baz.bar.foo.com", false],
    ["*.foo.com", "foo.com", false],
  ];
  for (const [host, header, matches] of table) {
    caseCount++;
    it(`${host} ${matches ? "matches" : "does not match"} ${header}`, () => {
      const web = ingress("shop/web", { ingressClassName: "nginx", rules: [rule(host, path("Prefix", "/", "a"))] });
      assertVerdict(routeTo(router([web]), request("/", { host: header })), matches ? { backends: ["shop/a"] } : { outcome: "status", status: 404 });
    });
  }
});

// ---- one case per rule ---------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly ingresses: Ingress[];
  readonly request: HttpRequest;
  readonly expect: Expectation;
  readonly target?: string;
  readonly classes?: IngressClass[];
  readonly impl?: IngressImplementation;
  readonly services?: Service[];
}

const web = (spec: NonNullable<Ingress["spec"]>, annotations?: Record<string, string>) => ingress("shop/web", spec, annotations);
const FANOUT = web({ ingressClassName: "nginx", rules: [rule("foo.bar.com", path("Prefix", "/bar", "service1")), rule("*.foo.com", path("Prefix", "/foo", "service2"))] });
const VIRTUAL_HOSTS = web({
  ingressClassName: "nginx",
  rules: [rule("first.bar.com", path("Prefix", "/", "service1")), rule("second.bar.com", path("Prefix", "/", "service2")), rule(undefined, path("Prefix", "/", "service3"))],
});

const CASES: Case[] = [
  // hosts
  { name: "the docs' wildcard example: foo.bar.com /bar", ingresses: [FANOUT], request: request("/bar", { host: "foo.bar.com" }), expect: { backends: ["shop/service1"] } },
  { name: "the docs' wildcard example: bar.foo.com /foo", ingresses: [FANOUT], request: request("/foo", { host: "bar.foo.com" }), expect: { backends: ["shop/service2"] } },
  { name: "a wildcard host matches one label less than expected: not at all", ingresses: [FANOUT], request: request("/foo", { host: "foo.com" }), expect: { outcome: "status", status: 404 } },
  { name: "the host's port and case are ignored", ingresses: [FANOUT], request: request("/bar", { host: "Foo.Bar.com:8080" }), expect: { backends: ["shop/service1"] } },
  { name: "name-based virtual hosts: first.bar.com to its own rule", ingresses: [VIRTUAL_HOSTS], request: request("/", { host: "first.bar.com" }), expect: { backends: ["shop/service1"], reason: /more specific host on an equal path/ } },
  { name: "name-based virtual hosts: second.bar.com", ingresses: [VIRTUAL_HOSTS], request: request("/x", { host: "second.bar.com" }), expect: { backends: ["shop/service2"] } },
  { name: "name-based virtual hosts: any other host to the host-less rule", ingresses: [VIRTUAL_HOSTS], request: request("/", { host: "third.example" }), expect: { backends: ["shop/service3"] } },
  {
    name: "a host-less rule's longer path for a named host: how the rules combine is the controller's",
    ingresses: [web({ ingressClassName: "nginx", rules: [rule("first.bar.com", path("Prefix", "/", "service1")), rule(undefined, path("Prefix", "/api", "service3"))] })],
    request: request("/api", { host: "first.bar.com" }),
    expect: { outcome: "undefined", backends: ["shop/service1", "shop/service3"], reason: /pooled .*most specific host only/ },
  },
  // precedence and defaults
  { name: "defaultBackend when no rule matches the host", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("default"), rules: [rule("a.example", path("Prefix", "/", "a"))] })], request: request("/", { host: "b.example" }), expect: { backends: ["shop/default"], reason: /defaultBackend/ } },
  { name: "a defaultBackend alone takes everything", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("default") })], request: request("/x"), expect: { backends: ["shop/default"] } },
  { name: "no match and no defaultBackend: 404", ingresses: [web({ ingressClassName: "nginx", rules: [rule(undefined, path("Exact", "/only", "a"))] })], request: request("/other"), expect: { outcome: "status", status: 404 } },
  { name: "ImplementationSpecific: undefined", ingresses: [web({ ingressClassName: "nginx", rules: [rule(undefined, path("ImplementationSpecific", "/x", "a"))] })], request: request("/x"), expect: { outcome: "undefined", reason: /up to the IngressClass/ } },
  { name: "a rule without http: undefined", ingresses: [web({ ingressClassName: "nginx", rules: [{ host: "bare.example" }] })], request: request("/", { host: "bare.example" }), expect: { outcome: "undefined", reason: /no http paths/ } },
  // merged Ingresses of one class
  {
    name: "Ingresses of one class are merged: another Ingress's longer path wins",
    ingresses: [web({ ingressClassName: "nginx", rules: [rule("shop.example", path("Prefix", "/", "a"))] }), ingress("shop/api", { ingressClassName: "nginx", rules: [rule("shop.example", path("Prefix", "/api", "b"))] })],
    request: request("/api/x", { host: "shop.example" }), expect: { backends: ["shop/b"], reason: /Ingress shop\/api/ },
  },
  {
    name: "two Ingresses with the same host and path: undefined",
    ingresses: [web({ ingressClassName: "nginx", rules: [rule("shop.example", path("Prefix", "/", "a"))] }), ingress("shop/other", { ingressClassName: "nginx", rules: [rule("shop.example", path("Prefix", "/", "b"))] })],
    request: request("/", { host: "shop.example" }), expect: { outcome: "undefined", backends: ["shop/a", "shop/b"], reason: /match equally with different backends/ },
  },
  {
    name: "two different defaultBackends: undefined",
    ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("a") }), ingress("shop/other", { ingressClassName: "nginx", defaultBackend: backend("b") })],
    request: request("/"), expect: { outcome: "undefined", backends: ["shop/a", "shop/b"] },
  },
  {
    name: "an Ingress of another class does not join the merge",
    ingresses: [web({ ingressClassName: "nginx", rules: [rule(undefined, path("Prefix", "/", "a"))] }), ingress("shop/other", { ingressClassName: "traefik", rules: [rule(undefined, path("Prefix", "/api", "b"))] })],
    classes: [NGINX_CLASS, ingressClass("traefik", "traefik.io/ingress-controller")],
    request: request("/api"), expect: { backends: ["shop/a"] },
  },
  // classes
  {
    name: "a class of another controller: not served",
    ingresses: [web({ ingressClassName: "traefik", rules: [rule(undefined, path("Prefix", "/", "a"))] })],
    classes: [ingressClass("traefik", "traefik.io/ingress-controller")],
    request: request("/"), expect: { outcome: "unserved", reason: /controller traefik\.io\/ingress-controller, not the controller under test/ },
  },
  { name: "a class that does not exist: not served", ingresses: [web({ ingressClassName: "missing", rules: [rule(undefined, path("Prefix", "/", "a"))] })], request: request("/"), expect: { outcome: "unserved", reason: /no IngressClass missing/ } },
  { name: "no class: the default IngressClass", ingresses: [web({ rules: [rule(undefined, path("Prefix", "/", "a"))] })], classes: [ingressClass("nginx", NGINX, true)], request: request("/"), expect: { backends: ["shop/a"] } },
  { name: "no class: the deprecated annotation the controller honours", ingresses: [web({ rules: [rule(undefined, path("Prefix", "/", "a"))] }, { "kubernetes.io/ingress.class": "nginx" })], classes: [], request: request("/"), expect: { backends: ["shop/a"] } },
  {
    name: "the annotation keeps the default class away (admission skips it)",
    ingresses: [web({ rules: [rule(undefined, path("Prefix", "/", "a"))] }, { "kubernetes.io/ingress.class": "other" })],
    classes: [ingressClass("nginx", NGINX, true)],
    request: request("/"), expect: { outcome: "unserved", reason: /annotation kubernetes\.io\/ingress\.class: other/ },
  },
  { name: "no class at all: the controller's choice", ingresses: [web({ rules: [rule(undefined, path("Prefix", "/", "a"))] })], classes: [], request: request("/"), expect: { outcome: "undefined", backends: ["shop/a"], reason: /controller's choice/ } },
  { name: "no class, and the controller serves class-less Ingresses", ingresses: [web({ rules: [rule(undefined, path("Prefix", "/", "a"))] })], classes: [], impl: { ...IMPL, servesClassless: true }, request: request("/"), expect: { backends: ["shop/a"] } },
  { name: "a class the provider serves without an IngressClass object", ingresses: [web({ ingressClassName: "provided", rules: [rule(undefined, path("Prefix", "/", "a"))] })], classes: [], impl: { classNames: ["provided"] }, request: request("/"), expect: { backends: ["shop/a"] } },
  {
    name: "a class-less Ingress the controller may serve changes the merge: undefined",
    ingresses: [web({ ingressClassName: "nginx", rules: [rule(undefined, path("Prefix", "/", "a"))] }), ingress("shop/classless", { rules: [rule(undefined, path("Prefix", "/api", "b"))] })],
    request: request("/api"), expect: { outcome: "undefined", backends: ["shop/a", "shop/b"], reason: /would change the answer/ },
  },
  // backends
  { name: "a port name resolves to the Service port", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("named", "http") })], services: [service("shop/named", ["http", 8080])], request: request("/"), expect: { backends: ["shop/named"] } },
  { name: "a Service that does not exist: undefined", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("ghost") })], request: request("/"), expect: { outcome: "undefined", reason: /Service shop\/ghost does not exist/ } },
  { name: "a port the Service does not have: undefined", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("a", 81) })], request: request("/"), expect: { outcome: "undefined", reason: /has no port 81/ } },
  { name: "no ready endpoints: undefined, typically 503", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("a") })], impl: { ...IMPL, readyEndpoints: () => false }, request: request("/"), expect: { outcome: "undefined", status: 503 } },
  {
    name: "a resource backend: undefined",
    ingresses: [web({ ingressClassName: "nginx", defaultBackend: { resource: { apiGroup: "k8s.example.com", kind: "StorageBucket", name: "static-assets" } } })],
    request: request("/"), expect: { outcome: "undefined", reason: /resource backend/ },
  },
  { name: "the backend receives the request unchanged", ingresses: [web({ ingressClassName: "nginx", defaultBackend: backend("a") })], request: request("/x?y=1", { host: "shop.example", headers: { "X-Test": "1" } }), expect: { backends: ["shop/a"], backendRequest: { path: "/x?y=1", host: "shop.example", headers: { "x-test": "1" } } } },
];

describe("Ingress routing rules", () => {
  for (const c of CASES) {
    caseCount++;
    it(c.name, () => {
      const r = router(c.ingresses, { ...(c.classes ? { classes: c.classes } : {}), ...(c.impl ? { impl: c.impl } : {}), ...(c.services ? { services: [...SERVICES, ...c.services] } : {}) });
      assertVerdict(routeTo(r, c.request, c.target), c.expect);
    });
  }
});

describe("ingressClassOf", () => {
  const bare = web({ rules: [] });
  it("the newest of several default classes, by creationTimestamp", () => {
    const choice = ingressClassOf(bare, [ingressClass("old", NGINX, true, "2024-01-01T00:00:00Z"), ingressClass("new", NGINX, true, "2024-06-01T00:00:00Z")]);
    assert.equal(choice.name, "new");
    assert.equal(choice.source, "default");
  });
  it("several default classes without creation times: not certain", () => {
    const choice = ingressClassOf(bare, [ingressClass("one", NGINX, true), ingressClass("two", NGINX, true)]);
    assert.equal(choice.certain, false);
    assert.equal(choice.name, undefined);
  });
  it("ingressClassName comes first, whatever the annotation says", () => {
    assert.equal(ingressClassOf(web({ ingressClassName: "nginx" }, { "kubernetes.io/ingress.class": "other" }), []).name, "nginx");
  });
  caseCount += 3;
});

describe("servingOf", () => {
  it("tells whether the controller serves an Ingress, and why", () => {
    const other = ingress("shop/other", { ingressClassName: "traefik", defaultBackend: backend("a") });
    const serving = router([other], { classes: [NGINX_CLASS, ingressClass("traefik", "traefik.io/ingress-controller")] }).servingOf(other);
    assert.equal(serving.served, false);
    assert.match(serving.reason, /IngressClass traefik has controller traefik\.io\/ingress-controller/);
  });
  caseCount++;
});

describe("ingress case count", () => {
  it(`holds ${caseCount} cases (at least 25)`, () => assert.ok(caseCount >= 25));
  it("a target Ingress that is not in the scenario: a usage error", () => assert.throws(() => routeTo(router([]), request("/")), RangeError));
});
