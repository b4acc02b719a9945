// Scenario text in haproxy.cfg: quoted so it stays inside its word, left out (with a note)
// when it cannot be written. The manifests here skip the scenario's validation on purpose, as
// text the API server would refuse must still never break out of a directive.
import assert from "node:assert/strict";
import { before, describe, it } from "mocha";
import { argumentName, commentText, formatLiteral, hostRegex, representable, socketAddress, word } from "./haproxy.js";
import { check, checkConfig, HAPROXY, rawManifests, startLab, type Probe } from "./haproxy.test-helpers.js";

describe("local gateway: haproxy.cfg quoting", () => {
  const words: [string, string][] = [
    ["plain", "'plain'"],
    ["it's", `'it'\\''s'`],
    ["a b\t#c $HOME \"q\" \\x", `'a b\t#c $HOME "q" \\x'`],
  ];
  for (const [text, quoted] of words) it(`word(${JSON.stringify(text)}) is ${quoted}`, () => assert.equal(word(text), quoted));

  it("refuses an empty word, which the config parser would drop", () => assert.throws(() => word(""), /cannot be written/));

  it("refuses what a quoted word cannot hold: newlines, other control characters, non-ASCII", () => {
    for (const text of ["a\nb", "a\rb", "a\u0000b", "caf\u00e9", "\u007f"]) {
      assert.equal(representable(text), false, JSON.stringify(text));
      assert.throws(() => word(text), /cannot be written into haproxy.cfg/);
    }
  });

  it("doubles % in log-format text", () => assert.equal(formatLiteral("50% %[x] %%"), "50%% %%[x] %%%%"));

  it("keeps comments on their line", () => assert.equal(commentText("a\nfrontend evil\r\u00e9"), "a?frontend evil??"));

  it("takes HTTP tokens without quote as fetch arguments", () => {
    for (const name of ["x-v", "X_Y.z", "a!#$%&*+^`|~b"]) assert.ok(argumentName(name), name);
    for (const name of ["x'v", "a,b", "a)b", "a b", "a(b", "", "\"q\""]) assert.equal(argumentName(name), false, name);
  });

  it("writes host patterns as anchored regexes of escaped labels", () => {
    assert.equal(hostRegex({ kind: "wildcard", suffix: "example.com" }), "^.+\\.example\\.com$");
    assert.equal(hostRegex({ kind: "one-label", suffix: "foo.com" }), "^[^.]+\\.foo\\.com$");
    assert.throws(() => hostRegex({ kind: "wildcard", suffix: "a$b" }), /not a hostname suffix/);
  });

  it("brackets IPv6 socket addresses", () => {
    assert.equal(socketAddress("10.0.0.1", 80), "10.0.0.1:80");
    assert.equal(socketAddress("fd00::1", 80), "[fd00::1]:80");
    assert.throws(() => socketAddress("10.0.0.1:80", 80), /not an IP address/);
  });
});

const AWKWARD = `it's #1 $HOME %d "q" \\back`;

describe("local gateway: scenario text through real HAProxy", function () {
  this.timeout(60_000);
  before(function () {
    if (!HAPROXY) this.skip();
  });

  it("matches and writes awkward text literally, and leaves out what cannot be written", async () => {
    const route = (name: string, rules: unknown[]) => ({
      apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name, namespace: "infra" },
      spec: { parentRefs: [{ name: "gw" }], rules },
    });
    const backend = [{ name: "be-v1", port: 8080 }];
    const manifests = [
      route("awkward", [
        { matches: [{ headers: [{ name: "x-awkward", value: AWKWARD }] }], backendRefs: backend },
        { matches: [{ headers: [{ name: "x-flag", value: "-i" }] }], backendRefs: backend },
        { matches: [{ headers: [{ name: "x-brace", value: "}" }] }, { headers: [{ name: "x-brace", value: "||" }] }], backendRefs: backend },
        { matches: [{ headers: [{ name: "x-re", type: "RegularExpression", value: "a'b|c\"d" }] }], backendRefs: backend },
        { matches: [{ path: { type: "Exact", value: "/a'b$c%25d" } }], backendRefs: backend },
        {
          matches: [{ path: { type: "PathPrefix", value: "/set" } }], backendRefs: backend,
          filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-out", value: AWKWARD }], add: [{ name: "x-more", value: "100%" }] } }],
        },
        {
          matches: [{ path: { type: "PathPrefix", value: "/redirect" } }],
          filters: [{ type: "RequestRedirect", requestRedirect: { path: { type: "ReplaceFullPath", replaceFullPath: "/p%q'r$s" } } }],
        },
      ]),
      route("injections", [
        { matches: [{ headers: [{ name: "x-inject", value: "v\n  http-request return status 299" }] }], backendRefs: backend },
        { matches: [{ path: { type: "Exact", value: "/inject\nfrontend evil" } }], backendRefs: backend },
        { matches: [{ headers: [{ name: "x'inject", value: "v" }] }], backendRefs: backend },
        { matches: [{ headers: [{ name: "x-empty", value: "" }] }], backendRefs: backend },
        {
          matches: [{ path: { type: "PathPrefix", value: "/filter-inject" } }], backendRefs: backend,
          filters: [{ type: "RequestHeaderModifier", requestHeaderModifier: { set: [{ name: "x-out", value: "a\r\nx-evil: 1" }] } }],
        },
      ]),
      { ...route("name\nfrontend evil", [{ matches: [{ path: { type: "PathPrefix", value: "/named" } }], backendRefs: backend }]) },
    ];
    const lab = await startLab({
      entry: { kind: "gateway", namespace: "infra", name: "gw" },
      extraManifests: rawManifests(JSON.stringify(manifests)),
      body: `
namespaces: [ { name: infra } ]
resources:
  - { apiVersion: v1, kind: Service, metadata: { name: be-v1, namespace: infra }, spec: { ports: [ { port: 8080 } ] } }
  - apiVersion: gateway.networking.k8s.io/v1
    kind: Gateway
    metadata: { name: gw, namespace: infra }
    spec: { gatewayClassName: "{GATEWAY_CLASS_NAME}", listeners: [ { name: http, port: 80, protocol: HTTP } ] }`,
    });
    try {
      checkConfig(lab.compiled.config);
      assert.doesNotMatch(lab.compiled.config, /^\s*(frontend evil|http-request return status 299|x-evil)/m);
      const notes = lab.compiled.notes.join("\n");
      assert.match(notes, /injections rule 0 match 0: the value of header x-inject is empty or has characters outside printable ASCII: left out/);
      assert.match(notes, /injections rule 1 match 0: the path has characters outside printable ASCII: left out/);
      assert.match(notes, /injections rule 2 match 0: header name "x'inject" cannot be written/);
      assert.match(notes, /injections rule 3 match 0: the value of header x-empty is empty/);
      assert.match(notes, /injections rule 4: filter RequestHeaderModifier: the value of header x-out is empty or has characters outside printable ASCII: the rule answers 500/);
      const V1 = { backend: "infra/be-v1" };
      const probes: Probe[] = [
        { path: "/", headers: { "x-awkward": AWKWARD }, expect: V1 },
        { path: "/", headers: { "x-awkward": "it's #1" }, expect: { status: 404 } },
        { path: "/", headers: { "x-flag": "-i" }, expect: V1 },
        { path: "/", headers: { "x-flag": "-I" }, expect: { status: 404 } },
        { path: "/", headers: { "x-brace": "}" }, expect: V1 },
        { path: "/", headers: { "x-brace": "||" }, expect: V1 },
        { path: "/", headers: { "x-re": "a'b" }, expect: V1 },
        { path: "/", headers: { "x-re": "c\"d" }, expect: V1 },
        { path: "/a'b$c%25d", expect: V1 },
        { path: "/set", headers: { "x-more": "50%" }, expect: { backend: "infra/be-v1", headers: { "x-out": AWKWARD, "x-more": "50%,100%" } } },
        { host: "gw.test", path: "/redirect", expect: { status: 302, location: "http://gw.test/p%q'r$s" } },
        { path: "/", headers: { "x-inject": "v" }, expect: { status: 404 } },
        { path: "/filter-inject", expect: { status: 500 } },
        { path: "/named", expect: V1 },
      ];
      for (const probe of probes) check(await lab.send(probe), probe);
    } finally {
      await lab.stop();
    }
  });
});
