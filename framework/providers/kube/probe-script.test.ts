// The batched prober: the output parser on agnhost connect's real messages (quoted from
// kubernetes test/images/agnhost/connect/connect.go), and the real probe script run by /bin/sh
// with a stand-in agnhost, nc and dig.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProbeSpec } from "../../probe/protocol.js";
import type { ProbeRequest } from "../../runner/provider.js";
import { classify, observe, parseProbeOutput, PROBE_SCRIPT, requestLine } from "./probe-script.js";

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
    const http = { method: "GET", host: "foo.example.com", path: "/", headers: {} };
    assert.throws(() => requestLine(0, request({ http }), "10.0.0.1", 500), /HTTP request/);
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
