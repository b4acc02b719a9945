// The batched prober: the output parser on agnhost connect's real messages (quoted from
// kubernetes test/images/agnhost/connect/connect.go), and the real probe script run by /bin/sh
// with a stand-in agnhost, nc and dig.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProbeSpec } from "../../probe/protocol.js";
import type { ProbeRequest } from "../../runner/provider.js";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { classify, classifyCurl, echoedRequest, observe, parseProbeOutput, PROBE_SCRIPT, requestLine, unsendableRequest } from "./probe-script.js";

const request = (over: Partial<ProbeSpec> & { samples?: number } = {}): ProbeRequest => {
  const { samples = 1, ...spec } = over;
  return {
    id: "7", from: "shop/a", target: { kind: "external", ip: "10.244.1.5" }, samples,
    probe: { host: "10.244.1.5", port: 80, protocol: "TCP", family: "ipv4", ...spec },
  };
};

describe("kube providers: agnhost connect output", () => {
  it("classifies every prefix connect.go prints", () => {
    // connectTCP: fmt.Fprintf(os.Stderr, "TIMEOUT\n") / "REFUSED\n" / "DNS: %v\n" / "OTHER: %v\n" / "UNKNOWN: %v\n"
    assert.equal(classify(0, "").observed, "connected");
    assert.equal(classify(1, "TIMEOUT").observed, "timeout");
    assert.equal(classify(1, "REFUSED").observed, "refused");
    assert.equal(classify(1, "DNS: lookup api.shop.svc.cluster.local on 10.96.0.10:53: no such host").observed, "dns-error");
    assert.equal(classify(1, "OTHER: dial tcp 10.244.2.3:80: connect: no route to host").observed, "error");
    assert.equal(classify(1, "UNKNOWN: address 10.0.0.1: missing port in address").observed, "error");
    // parseUDPErrorAndExit: "TIMEOUT: %v\n" / "REFUSED: %v\n"
    assert.equal(classify(1, "TIMEOUT: read udp 10.244.1.2:41234->10.244.2.3:53: i/o timeout").observed, "timeout");
    assert.equal(classify(1, "REFUSED: read udp 10.244.1.2:41234->10.244.2.3:53: recvfrom: connection refused").observed, "refused");
    assert.equal(classify(1, "OTHER: No data received from the server. Cannot guarantee the server received the request.").observed, "error");
    // connectSCTP reports a refusal as OTHER
    assert.equal(classify(1, "OTHER: connection refused").observed, "refused");
    assert.equal(classify(127, "sh: /agnhost: not found").observed, "error");
  });

  it("parses the script's lines, keeps the rest aside, and notices a cut-off run", () => {
    const parsed = parseProbeOutput([
      "NSP 0 0 0 3 nsp-1931d23fcfad ",
      "NSP 1 0 1 1000 - TIMEOUT",
      "NSP 2 0 1 0 - DNS: no AAAA record for api.shop.svc.cluster.local",
      "Defaulted container \"netspec\" out of: netspec, serve-80-tcp",
      "NSP-END",
    ].join("\n"));
    assert.equal(parsed.complete, true);
    assert.deepEqual(parsed.other, ["Defaulted container \"netspec\" out of: netspec, serve-80-tcp"]);
    assert.deepEqual(parsed.attempts[0], { index: 0, sample: 0, code: 0, latencyMs: 3, who: "nsp-1931d23fcfad", message: "" });
    assert.equal(parsed.attempts[2]!.message, "DNS: no AAAA record for api.shop.svc.cluster.local");
    assert.equal(parseProbeOutput("NSP 0 0 0 3 - \n").complete, false);
  });

  it("folds samples: connected if any connected, answering pods are the backends", () => {
    const ids = new Map([["nsp-a", "shop/api-0"], ["nsp-b", "shop/api-1"]]);
    const o = observe(request({ samples: 3 }), [
      { index: 0, sample: 0, code: 1, latencyMs: 1000, message: "TIMEOUT" },
      { index: 0, sample: 1, code: 0, latencyMs: 2, who: "nsp-b", message: "" },
      { index: 0, sample: 2, code: 0, latencyMs: 2, who: "nsp-a", message: "" },
    ], (w) => ids.get(w));
    assert.equal(o.observed, "connected");
    assert.deepEqual(o.backends, ["shop/api-1", "shop/api-0"]);
    assert.equal(observe(request(), [], () => undefined).observed, "error");
  });

  it("writes request lines only from plain addresses", () => {
    assert.equal(requestLine(3, request({ protocol: "UDP", samples: 8 }), "10.244.1.5", 1000), "3 10.244.1.5 80 udp 1000 8 4 ip");
    assert.equal(requestLine(0, request({ family: "ipv6" }), "fd00:10:244:1::5", 500), "0 fd00:10:244:1::5 80 tcp 500 1 6 ip");
    assert.equal(requestLine(0, request(), "api.shop.svc.cluster.local", 500), "0 api.shop.svc.cluster.local 80 tcp 500 1 4 dns");
    assert.equal(requestLine(0, request(), "api.shop.svc.cluster.local.", 500), "0 api.shop.svc.cluster.local. 80 tcp 500 1 4 dns", "an absolute name keeps its dot");
    assert.throws(() => requestLine(0, request(), "api..shop", 500), /refusing/);
    assert.throws(() => requestLine(0, request(), "x; rm -rf /", 500), /refusing/);
    assert.throws(() => requestLine(0, request(), "$(reboot)", 500), /refusing/);
    assert.throws(() => requestLine(0, request({ port: 0 }), "10.0.0.1", 500), /bad port/);
    assert.equal(requestLine(0, request(), "10.244.1.5", 500, "http"), "0 10.244.1.5 80 tcp 500 1 4 ip http", "TCP identity from the echo backend");
    assert.equal(requestLine(0, request({ protocol: "UDP" }), "10.244.1.5", 500, "http"), "0 10.244.1.5 80 udp 500 1 4 ip", "UDP keeps serve-hostname's answer");
  });

  it("writes an HTTP request's fields base64-encoded, and refuses what curl could not send as written", () => {
    const http = { method: "GET", host: "foo.example.com", path: "/v2?animal=whale", headers: { version: "two", empty: "" } as Record<string, string> };
    const words = requestLine(2, request({ http, samples: 3 }), "172.18.255.200", 1000).split(" ");
    const [head, fields] = [words.slice(0, 8), words.slice(8)];
    assert.deepEqual(head, ["2", "172.18.255.200", "80", "http", "1000", "3", "4", "ip"]);
    assert.deepEqual(fields.map((f) => Buffer.from(f, "base64").toString()), ["GET", "foo.example.com", "/v2?animal=whale", "version: two", "empty;"]);
    const bad: [Partial<typeof http>, RegExp][] = [
      [{ method: "GE T" }, /not an HTTP token/], [{ path: "/a#b" }, /would not send/], [{ path: "/a b" }, /would not send/],
      [{ host: "a\r\nX-Injected: 1" }, /not a Host header/], [{ headers: { "x-a": "1\r\nX-Injected: 1" } }, /not a header field/],
      [{ headers: { "bad name": "1" } }, /not a header field/], [{ headers: { Host: "x" } }, /Host header among the headers/],
    ];
    for (const [over, message] of bad) {
      const r = request({ http: { ...http, ...over } });
      assert.match(unsendableRequest(r) ?? "", message, JSON.stringify(over));
      assert.throws(() => requestLine(0, r, "10.0.0.1", 500), /refusing/);
    }
    assert.throws(() => requestLine(0, request({ http }), "gw.example.com", 500), /not an IP address/);
  });

  it("classifies curl's exits", () => {
    assert.equal(classifyCurl(0, "").observed, "connected");
    assert.equal(classifyCurl(7, "curl: (7) Failed to connect to 10.0.0.1 port 80 after 0 ms: Couldn't connect to server").observed, "refused");
    assert.equal(classifyCurl(7, "curl: (7) Failed to connect to 10.0.0.1 port 80: Connection refused").observed, "refused");
    assert.equal(classifyCurl(7, "curl: (7) Failed to connect to 10.0.0.1 port 80 after 3 ms: No route to host").observed, "error");
    assert.equal(classifyCurl(28, "curl: (28) Connection timed out after 1001 milliseconds").observed, "timeout");
    assert.equal(classifyCurl(28, "curl: (28) Operation timed out after 3000 milliseconds with 0 bytes received").observed, "timeout");
    assert.equal(classifyCurl(52, "curl: (52) Empty reply from server").detail, "curl exit 52: curl: (52) Empty reply from server");
    assert.equal(classifyCurl(56, "curl: (56) Recv failure: Connection reset by peer").observed, "error");
  });

  it("reads the echo backend's JSON (conformance/echo-basic RequestAssertions)", () => {
    // json.MarshalIndent(RequestAssertions{…}, "", " "): Go's http.Header has canonical names and every value.
    const body = JSON.stringify({
      path: "/v2?animal=whale", host: "foo.example.com", method: "GET", proto: "HTTP/1.1",
      headers: { "User-Agent": ["curl/8.9.1"], Version: ["two"], "X-Forwarded-For": ["172.18.0.250", "10.244.1.1"] },
      namespace: "apps", ingress: "", service: "", pod: "nsp-0123456789ab", sni: "",
    }, null, " ");
    assert.deepEqual(echoedRequest(body), {
      pod: "nsp-0123456789ab",
      request: { method: "GET", path: "/v2?animal=whale", host: "foo.example.com", headers: { "user-agent": "curl/8.9.1", version: "two", "x-forwarded-for": "172.18.0.250, 10.244.1.1" } },
    });
    assert.equal(echoedRequest("fault filter abort"), undefined, "a body that is not the echo (the gateway's own 404 page)");
    assert.equal(echoedRequest(JSON.stringify({ message: "no healthy upstream" })), undefined);
    assert.equal(echoedRequest(undefined), undefined);
  });
});

describe("kube providers: the probe script under /bin/sh", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "netspec-probe-sh-"));
    // agnhost connect: port 80 connects, 81 is refused, 82 times out, 83 is "no route".
    fs.writeFileSync(path.join(dir, "agnhost"), `#!/bin/sh
[ "$1" = connect ] || exit 2
echo "$2 $3 $4" >> "${dir}/calls"
case "$2" in
  *:80) exit 0 ;;
  *:81) echo REFUSED >&2; exit 1 ;;
  *:82) echo TIMEOUT >&2; exit 1 ;;
  *) echo "OTHER: dial tcp $2: connect: no route to host" >&2; exit 1 ;;
esac
`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "nc"), `#!/bin/sh\necho nsp-0123456789ab\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "dig"), `#!/bin/sh
for a in "$@"; do name=$a; done
case "$name" in
  api.shop.svc.cluster.local) case "$*" in *AAAA*) echo fd00:10:96::64 ;; *) echo 10.96.0.100 ;; esac ;;
  headless.shop.svc.cluster.local) case "$*" in *AAAA*) ;; *) printf 'alias.example.\\n10.244.1.2\\n10.244.2.2\\n' ;; esac ;;
esac
`, { mode: 0o755 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const run = (lines: string[], par = 4) => {
    const script = PROBE_SCRIPT.replaceAll("/agnhost ", `${dir}/agnhost `);
    return execFileSync("/bin/sh", ["-c", script, "netspec-probe", String(par)], {
      input: `${lines.join("\n")}\n`, encoding: "utf8", env: { PATH: `${dir}:/usr/bin:/bin` },
    });
  };

  it("runs every probe, in parallel batches, one line per attempt, then NSP-END", () => {
    const out = parseProbeOutput(run([
      "0 10.244.1.5 80 tcp 1000 1 4 ip",
      "1 10.244.1.5 81 tcp 1000 1 4 ip",
      "2 10.244.1.5 82 udp 1000 1 4 ip",
      "3 fd00:10:244:1::5 83 tcp 1000 1 6 ip",
      "4 api.shop.svc.cluster.local 80 tcp 1000 2 6 dns",
      "5 missing.shop.svc.cluster.local 80 tcp 1000 1 4 dns",
      "6 headless.shop.svc.cluster.local 80 tcp 1000 3 4 dns",
    ], 3));
    assert.equal(out.complete, true);
    const by = (i: number) => out.attempts.filter((a) => a.index === i).sort((a, b) => a.sample - b.sample);
    assert.equal(classify(by(0)[0]!.code, by(0)[0]!.message).observed, "connected");
    assert.equal(by(0)[0]!.who, "nsp-0123456789ab", "the identity nc read");
    assert.equal(classify(by(1)[0]!.code, by(1)[0]!.message).observed, "refused");
    assert.equal(classify(by(2)[0]!.code, by(2)[0]!.message).observed, "timeout");
    assert.equal(classify(by(3)[0]!.code, by(3)[0]!.message).observed, "error");
    assert.equal(by(4).length, 2, "two samples");
    assert.equal(classify(by(5)[0]!.code, by(5)[0]!.message).observed, "dns-error");
    const calls = fs.readFileSync(path.join(dir, "calls"), "utf8");
    assert.match(calls, /\[fd00:10:244:1::5\]:83 --timeout=1000ms --protocol=tcp/, "IPv6 literals are bracketed");
    assert.match(calls, /\[fd00:10:96::64\]:80/, "a DNS name is resolved in the cell's family first");
    assert.match(calls, /10\.244\.1\.2:80[\s\S]*10\.244\.2\.2:80|10\.244\.2\.2:80[\s\S]*10\.244\.1\.2:80/, "samples spread over a headless Service's addresses");
    assert.doesNotMatch(calls, /alias\.example/, "CNAME lines are not addresses");
  });

  it("never evaluates what arrives on stdin", () => {
    const canary = path.join(dir, "pwned");
    const out = run([`0 $(touch${"${IFS}"}${canary}) 80 tcp 1000 1 4 dns`, `1 \`touch ${canary}\` 80 tcp 1000 1 4 ip`]);
    assert.equal(fs.existsSync(canary), false);
    assert.ok(parseProbeOutput(out).complete);
  });
});

describe("kube providers: HTTP requests from the probe script, with real curl, to a real server", () => {
  let server: Server;
  let port: number;
  let dir: string;
  const received: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[] = [];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "netspec-probe-http-"));
    // agnhost connect stands in as a plain success (the identity read is what is tested here).
    fs.writeFileSync(path.join(dir, "agnhost"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    // The echo backend's answer, as conformance/echo-basic writes it; /old redirects as a gateway would.
    server = createServer((req, res) => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers });
      if (req.url === "/old") { res.writeHead(301, { Location: "http://shop.example.com/new" }); res.end(); return; }
      if (req.url === "/nope") { res.writeHead(404, { "content-type": "text/plain" }); res.end("no route"); return; }
      const headers: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) (headers[req.rawHeaders[i]!] ??= []).push(req.rawHeaders[i + 1]!);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url, host: req.headers.host, method: req.method, proto: "HTTP/1.1", headers, namespace: "apps", ingress: "", service: "", pod: "nsp-0123456789ab" }, null, " "));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const http = (over: Partial<{ method: string; host: string; path: string; headers: Record<string, string> }> = {}) =>
    request({ port, samples: 2, http: { method: "GET", host: "shop.example.com", path: "/", headers: {}, ...over } });
  // Asynchronously: the server answers from this process's event loop.
  const run = (lines: string[]) => new Promise<ReturnType<typeof parseProbeOutput>>((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", PROBE_SCRIPT.replaceAll("/agnhost ", `${dir}/agnhost `), "netspec-probe", "4"], { env: { PATH: `${dir}:/usr/bin:/bin` } });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.on("error", reject);
    child.on("close", () => resolve(parseProbeOutput(stdout)));
    child.stdin.end(`${lines.join("\n")}\n`);
  });
  const identities = new Map([["nsp-0123456789ab", "apps/v2"]]);

  it("sends the request as written and returns status, Location and what the backend received", async () => {
    const requests = [
      http({ path: "/v2?animal=whale&x=$(touch${IFS}pwned)", headers: { version: "two", "x-quote": "it's `fine`" } }),
      http({ path: "/old" }),
      http({ path: "/nope", method: "DELETE" }),
    ];
    const out = await run(requests.map((r, i) => requestLine(i, r, "127.0.0.1", 2000)));
    assert.equal(out.complete, true);
    const observed = requests.map((r, i) => observe(r, out.attempts.filter((a) => a.index === i), (w) => identities.get(w)));
    assert.equal(observed[0]!.observed, "connected");
    assert.deepEqual(observed[0]!.backends, ["apps/v2"], "the pod the echo body names");
    assert.equal(observed[0]!.http?.status, 200);
    const echoed = observed[0]!.http?.request;
    assert.equal(echoed?.path, "/v2?animal=whale&x=$(touch${IFS}pwned)", "the path and query exactly as written");
    assert.equal(echoed?.host, "shop.example.com");
    assert.equal(echoed?.headers.version, "two");
    assert.equal(echoed?.headers["x-quote"], "it's `fine`");
    assert.equal(echoed?.headers.connection, "close");
    assert.equal(fs.existsSync(path.join(dir, "pwned")), false, "nothing of the request was evaluated");
    assert.deepEqual(observed[1]!.http, { status: 301, location: "http://shop.example.com/new" }, "no redirect is followed");
    assert.deepEqual(observed[2]!.http, { status: 404 });
    assert.deepEqual(observed[2]!.backends, [], "a body that is not the echo names no backend");
    assert.equal(received.filter((r) => r.url === "/nope").map((r) => r.method).join(","), "DELETE,DELETE", "one request per sample, with the method");
  });

  it("a refused connection is refused; a TCP probe in http mode learns the pod from the echo", async () => {
    const refused = http();
    const out = await run([
      requestLine(0, { ...refused, probe: { ...refused.probe, port: 1 } }, "127.0.0.1", 1000),
      requestLine(1, request({ port }), "127.0.0.1", 1000, "http"),
    ]);
    const o = observe({ ...refused, probe: { ...refused.probe, port: 1 } }, out.attempts.filter((a) => a.index === 0), () => undefined);
    assert.equal(o.observed, "refused", JSON.stringify(out.attempts));
    assert.equal(o.http, undefined);
    const tcp = out.attempts.find((a) => a.index === 1)!;
    assert.equal(tcp.who, "nsp-0123456789ab");
  });
});
