// Batched probing through `kubectl exec`: ONE exec per source pod runs all of that pod's probes.
//
//   kubectl exec -i -n NS POD -c netspec -- /bin/sh -c PROBE_SCRIPT netspec-probe PARALLEL
//
// PROBE_SCRIPT is fixed text (below); the probes arrive on stdin, one per line:
//
//   <n> <address> <port> <tcp|udp|sctp> <timeout ms> <samples> <4|6> <ip|dns> [line|http]
//   <n> <address> <port> http <timeout ms> <samples> <4|6> ip <method> <host> <path> [<header>...]
//
// and are only ever read into shell variables and passed as quoted arguments, never evaluated
// (and every field is checked here first: a number, an IP literal or a DNS name; an HTTP
// request's fields travel base64-encoded, so no byte of them is ever a shell word of its own).
// The script starts each probe in the background, at most PARALLEL at once, and each attempt
// prints one line
//
//   NSP <n> <sample> <exit code> <ms> <who answered or -> <agnhost connect's message>
//   NSH <n> <sample> <curl's exit code> <ms> <status> <Location> <body> <curl's message>   (base64, or -)
//
// then `NSP-END` once all are done. Each connection attempt is `agnhost connect` (the upstream
// netpol e2e suite's probe), whose stderr says TIMEOUT / REFUSED / DNS / OTHER / UNKNOWN; when
// it connects, a second connection reads the answering server's identity: with `nc` (agnhost
// serve-hostname writes the pod's hostname on TCP and answers any UDP datagram with it), or,
// where the pods' TCP ports run the HTTP echo backend (manifests.ts; the `http` mode), with an
// HTTP request whose JSON answer names the pod. DNS names are resolved with `dig` in the asked
// family first, so an IPv6 cell never silently takes the A record.
// An HTTP cell's request is sent with curl, as one HTTP/1.1 request per sample (Connection:
// close, no redirect followed), headers and body kept for the answer: agnhost connect makes bare
// connections only, and curl is what the e2e image carries for HTTP (the upstream suites curl
// from agnhost pods too). agnhost's Linux image is Alpine with busybox sh (and base64, mktemp),
// bind-tools (dig), netcat-openbsd and curl (test/images/agnhost/Dockerfile).
import { isIpAddress } from "../../kube/net.js";
import type { EchoedRequest, HttpAnswer } from "../../probe/protocol.js";
import type { Observation, Observed, ProbeRequest } from "../../runner/provider.js";

export const PROBE_SCRIPT = String.raw`
par=$1
now() { read -r up _ < /proc/uptime; echo "\${up%.*}\${up#*.}"; }
dec() { printf '%s' "$1" | base64 -d 2>/dev/null; }
enc() { base64 | tr -d '\n'; }
one() {
  id=$1; host=$2; port=$3; proto=$4; tmo=$5; n=$6; fam=$7; kind=$8; ident=$9
  secs=$(( (tmo + 999) / 1000 ))
  addrs=$host
  if [ "$kind" = dns ] && command -v dig >/dev/null 2>&1; then
    if [ "$fam" = 6 ]; then
      rr=AAAA; addrs=$(dig +short +search +time="$secs" +tries=2 AAAA "$host" 2>/dev/null | grep ':' | grep -v '[.]$')
    else
      rr=A; addrs=$(dig +short +search +time="$secs" +tries=2 A "$host" 2>/dev/null | grep -E '^[0-9.]+$')
    fi
    if [ -z "$addrs" ]; then
      i=0; while [ "$i" -lt "$n" ]; do echo "NSP $id $i 1 0 - DNS: no $rr record for $host"; i=$((i+1)); done
      return
    fi
  fi
  count=$(echo "$addrs" | wc -l)
  i=0
  while [ "$i" -lt "$n" ]; do
    a=$(echo "$addrs" | sed -n "$(( i % count + 1 ))p")
    case "$a" in *:*) hp="[$a]:$port";; *) hp="$a:$port";; esac
    t0=$(now)
    out=$(/agnhost connect "$hp" --timeout="\${tmo}ms" --protocol="$proto" 2>&1); rc=$?
    t1=$(now)
    who=-
    if [ "$rc" = 0 ]; then
      case "$proto" in
        tcp)
          if [ "$ident" = http ]; then
            who=$(curl --silent --globoff --max-time "$secs" "http://$hp/" 2>/dev/null | sed -n 's/^ *"pod": *"\([^"]*\)".*/\1/p' | head -n 1)
          else
            who=$(nc -w "$secs" "$a" "$port" </dev/null 2>/dev/null | head -n 1)
          fi ;;
        udp) who=$(echo hostname | nc -u -w "$secs" "$a" "$port" 2>/dev/null | head -n 1) ;;
      esac
      who=$(echo "$who" | tr -cd 'a-z0-9.-')
      [ -n "$who" ] || who=-
    fi
    echo "NSP $id $i $rc $(( (t1 - t0) * 10 )) $who $(echo "$out" | head -n 1)"
    i=$((i+1))
  done
}
request() {
  id=$1; host=$2; port=$3; tmo=$4; n=$5; spec=$6
  secs=$(( (tmo + 999) / 1000 ))
  set -f
  set -- $spec
  method=$(dec "$1"); vhost=$(dec "$2"); rpath=$(dec "$3"); shift 3
  hdrs=$*
  if [ "$method" = HEAD ]; then set -- --head; else set -- --request "$method"; fi
  set -- "$@" --header "Host: $vhost" --header "Connection: close"
  for h in $hdrs; do set -- "$@" --header "$(dec "$h")"; done
  case "$host" in *:*) url="http://[$host]:$port$rpath";; *) url="http://$host:$port$rpath";; esac
  tmp=$(mktemp -d) || { echo "NSH $id 0 99 0 000 - - $(printf 'mktemp failed' | enc)"; return; }
  i=0
  while [ "$i" -lt "$n" ]; do
    t0=$(now)
    code=$(curl --silent --show-error --globoff --path-as-is --http1.1 --connect-timeout "$secs" --max-time $((secs * 3)) \
      --output "$tmp/body" --dump-header "$tmp/head" --write-out '%{http_code}' "$@" "$url" 2>"$tmp/err"); rc=$?
    t1=$(now)
    loc=$(tr -d '\r' < "$tmp/head" 2>/dev/null | sed -n 's/^[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]: *//p' | head -n 1)
    if [ -n "$loc" ]; then loc=$(printf '%s' "$loc" | enc); else loc=-; fi
    if [ -s "$tmp/body" ]; then body=$(head -c 65536 "$tmp/body" | enc); else body=-; fi
    if [ -s "$tmp/err" ]; then err=$(head -n 1 "$tmp/err" | tr -d '\n' | enc); else err=-; fi
    echo "NSH $id $i $rc $(( (t1 - t0) * 10 )) \${code:-000} $loc $body $err"
    rm -f "$tmp/body" "$tmp/head" "$tmp/err"
    i=$((i+1))
  done
  rm -rf "$tmp"
}
j=0
while read -r id host port proto tmo n fam kind rest; do
  [ -n "$id" ] || continue
  if [ "$proto" = http ]; then
    request "$id" "$host" "$port" "$tmo" "$n" "$rest" &
  else
    one "$id" "$host" "$port" "$proto" "$tmo" "$n" "$fam" "$kind" "$rest" &
  fi
  j=$((j+1))
  if [ "$j" -ge "$par" ]; then wait; j=0; fi
done
wait
echo NSP-END
`.replace(/\\\$/g, "$");

/** A DNS name, relative or absolute (a trailing dot: dig and agnhost skip the search list for it). */
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/;

/** How a TCP probe learns which pod answered: serve-hostname's line, or the HTTP echo backend's JSON. */
export type IdentityMode = "line" | "http";

/** RFC 9110 section 5.6.2: a token (methods and header names). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A request target curl sends as written (--path-as-is): visible ASCII, no fragment. */
const SENDABLE_PATH = /^\/[\x21-\x22\x24-\x7e]*$/;
/** A field value: visible ASCII, spaces and tabs, no line breaks. */
const FIELD_VALUE = /^[\t\x20-\x7e]*$/;

/** Why an HTTP request cannot be sent as the scenario writes it (undefined: it can). */
export function unsendableRequest(request: ProbeRequest): string | undefined {
  const http = request.probe.http;
  if (!http) return undefined;
  if (!TOKEN.test(http.method)) return `method ${JSON.stringify(http.method)} is not an HTTP token`;
  if (!SENDABLE_PATH.test(http.path)) return `path ${JSON.stringify(http.path)} has characters curl would not send as written (spaces, '#', non-ASCII)`;
  if (!FIELD_VALUE.test(http.host) || http.host === "") return `host ${JSON.stringify(http.host)} is not a Host header value`;
  for (const [name, value] of Object.entries(http.headers)) {
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return `header ${JSON.stringify(`${name}: ${value}`)} is not a header field curl can send`;
    if (name.toLowerCase() === "host") return "a Host header among the headers (the request's host says it)";
  }
  return undefined;
}

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The stdin line for one request; throws on anything that is not a plain address or a sendable request. */
export function requestLine(index: number, request: ProbeRequest, address: string, timeoutMs: number, identity: IdentityMode = "line"): string {
  const literal = isIpAddress(address);
  if (!literal && (!DNS_NAME.test(address) || address.replace(/\.$/, "").length > 253)) throw new Error(`refusing to probe ${JSON.stringify(address)}: not an IP address or DNS name`);
  const { port, protocol, family, http } = request.probe;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
  const samples = Math.max(1, Math.min(64, Math.floor(request.samples)));
  const timeout = Math.max(100, Math.floor(timeoutMs));
  const fam = family === "ipv6" ? 6 : 4;
  if (http) {
    if (!literal) throw new Error(`refusing to send an HTTP request to ${JSON.stringify(address)}: not an IP address`);
    const problem = unsendableRequest(request);
    if (problem) throw new Error(`refusing to send the HTTP request: ${problem}`);
    // curl's --header syntax: "name;" sends a header with an empty value ("name:" would remove it).
    const headers = Object.entries(http.headers).map(([name, value]) => b64(value === "" ? `${name};` : `${name}: ${value}`));
    return [index, address, port, "http", timeout, samples, fam, "ip", b64(http.method), b64(http.host), b64(http.path), ...headers].join(" ");
  }
  const kind = literal ? "ip" : "dns";
  return `${index} ${address} ${port} ${protocol.toLowerCase()} ${timeout} ${samples} ${fam} ${kind}${protocol === "TCP" && identity === "http" ? " http" : ""}`;
}

export interface Attempt {
  readonly index: number;
  readonly sample: number;
  readonly code: number;
  readonly latencyMs: number;
  /** The answering server's hostname, when it told. */
  readonly who?: string;
  /** agnhost connect's (or curl's) message (empty when it connected). */
  readonly message: string;
  /** An HTTP request's answer: the status (000: none), Location and body as curl received them. */
  readonly http?: { readonly status: number; readonly location?: string; readonly body?: string };
}

const LINE = /^NSP (\d+) (\d+) (\d+) (\d+) (\S+) ?(.*)$/;
const HTTP_LINE = /^NSH (\d+) (\d+) (\d+) (\d+) (\d{3}) (\S+) (\S+) (\S+)$/;

export interface ParsedOutput {
  readonly attempts: Attempt[];
  /** The script printed NSP-END: every probe ran to completion. */
  readonly complete: boolean;
  /** Lines that were not the script's (kubectl warnings, …). */
  readonly other: string[];
}

const unb64 = (field: string) => (field === "-" ? undefined : Buffer.from(field, "base64").toString("utf8"));

export function parseProbeOutput(stdout: string): ParsedOutput {
  const attempts: Attempt[] = [];
  const other: string[] = [];
  let complete = false;
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!line.trim()) continue;
    if (line === "NSP-END") { complete = true; continue; }
    const h = HTTP_LINE.exec(line);
    if (h) {
      const location = unb64(h[6]!);
      const body = unb64(h[7]!);
      attempts.push({
        index: Number(h[1]), sample: Number(h[2]), code: Number(h[3]), latencyMs: Number(h[4]), message: unb64(h[8]!)?.trim() ?? "",
        http: { status: Number(h[5]), ...(location !== undefined ? { location } : {}), ...(body !== undefined ? { body } : {}) },
      });
      continue;
    }
    const m = LINE.exec(line);
    if (!m) { other.push(line); continue; }
    attempts.push({
      index: Number(m[1]), sample: Number(m[2]), code: Number(m[3]), latencyMs: Number(m[4]),
      ...(m[5] !== "-" ? { who: m[5] } : {}), message: m[6]!.trim(),
    });
  }
  return { attempts, complete, other };
}

/**
 * agnhost connect's verdict (test/images/agnhost/connect/connect.go): exit 0 is a connection;
 * otherwise stderr starts with a fixed word:
 *   TIMEOUT              the attempt timed out (TCP: "TIMEOUT"; UDP: "TIMEOUT: read udp …: i/o timeout")
 *   REFUSED              connection refused (TCP: "REFUSED"; UDP: "REFUSED: read udp …: connection refused")
 *   DNS: <error>         the name did not resolve
 *   OTHER: <error>       another network error ("no route to host"; SCTP reports refusals here)
 *   UNKNOWN: <error>     a non-network error (bad arguments)
 */
export function classify(code: number, message: string): { observed: Observed; detail?: string } {
  if (code === 0) return { observed: "connected" };
  const text = message.trim();
  if (/^TIMEOUT\b/.test(text)) return { observed: "timeout" };
  if (/^REFUSED\b/.test(text)) return { observed: "refused" };
  if (/^DNS\b/.test(text)) return { observed: "dns-error", detail: text };
  if (/^(OTHER|UNKNOWN)\b/.test(text)) {
    if (/connection refused/i.test(text)) return { observed: "refused", detail: text };
    if (/i\/o timeout|deadline exceeded|timed out/i.test(text)) return { observed: "timeout", detail: text };
    return { observed: "error", detail: text };
  }
  if (code === 126 || code === 127) return { observed: "error", detail: `agnhost could not run (exit ${code}): ${text}` };
  return { observed: "error", detail: text ? `exit ${code}: ${text}` : `exit ${code}` };
}

/**
 * curl's verdict on an HTTP request (libcurl-errors.3): exit 0 is an answer, whatever its
 * status; 7 CURLE_COULDNT_CONNECT (a refusal, or an unreachable network), 28
 * CURLE_OPERATION_TIMEDOUT (the connect timeout too), 6 CURLE_COULDNT_RESOLVE_HOST; the
 * rest (52 empty reply, 56 a reset while receiving, …) are errors with curl's message.
 */
export function classifyCurl(code: number, message: string): { observed: Observed; detail?: string } {
  if (code === 0) return { observed: "connected" };
  const text = message.trim();
  if (code === 28 || (code === 7 && /timed? ?out/i.test(text))) return { observed: "timeout" };
  // curl 7.x and 8.x say "Couldn't connect to server" for a refusal (older ones "Connection
  // refused"); an unreachable network names itself.
  if (code === 7 && !/unreachable|no route/i.test(text)) return { observed: "refused" };
  if (code === 6) return { observed: "dns-error", detail: text };
  if (code === 126 || code === 127) return { observed: "error", detail: `curl could not run (exit ${code}): ${text}` };
  return { observed: "error", detail: `curl exit ${code}${text ? `: ${text}` : ""}` };
}

/** The echo backend's JSON (conformance/echo-basic RequestAssertions), or undefined for another body. */
export function echoedRequest(body: string | undefined): { pod: string; request: EchoedRequest } | undefined {
  if (body === undefined) return undefined;
  let parsed: unknown;
  try { parsed = JSON.parse(body); } catch { return undefined; }
  const echo = parsed as { path?: unknown; host?: unknown; method?: unknown; headers?: unknown; pod?: unknown };
  if (!echo || typeof echo !== "object" || typeof echo.pod !== "string" || typeof echo.path !== "string" || typeof echo.method !== "string") return undefined;
  // Go's http.Header: canonical names, every value of a repeated field; names are compared in
  // lower case (RFC 9110 5.1) and repeated values combined with ", " (5.3).
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(echo.headers && typeof echo.headers === "object" ? echo.headers : {})) {
    headers[name.toLowerCase()] = (Array.isArray(values) ? values : [values]).map(String).join(", ");
  }
  return { pod: echo.pod, request: { method: echo.method, path: echo.path, host: typeof echo.host === "string" ? echo.host : "", headers } };
}

/** Folds a request's attempts: connected if any connected (the answering pods are the finding), else the first failure. */
export function observe(request: ProbeRequest, attempts: readonly Attempt[], identify: (who: string) => string | undefined): Observation {
  if (attempts.length === 0) return { id: request.id, observed: "error", backends: [], latencyMs: 0, detail: "the probe printed no result" };
  const sorted = [...attempts].sort((a, b) => a.sample - b.sample);
  const isHttp = request.probe.http !== undefined;
  const verdicts = sorted.map((a) => ({ attempt: a, ...(isHttp ? classifyCurl(a.code, a.message) : classify(a.code, a.message)) }));
  const connected = verdicts.filter((v) => v.observed === "connected");
  const chosen = connected[0] ?? verdicts[0]!;
  if (isHttp) {
    const echoes = connected.map((v) => echoedRequest(v.attempt.http?.body));
    const backends = [...new Set(echoes.map((e) => (e ? identify(e.pod) : undefined)).filter((b): b is string => Boolean(b)))];
    const first = connected[0];
    const answer: HttpAnswer | undefined = first?.attempt.http && {
      status: first.attempt.http.status,
      ...(first.attempt.http.location !== undefined ? { location: first.attempt.http.location } : {}),
      ...(echoes[0] ? { request: echoes[0].request } : {}),
    };
    return {
      id: request.id, observed: chosen.observed, backends, latencyMs: chosen.attempt.latencyMs,
      ...(answer ? { http: answer } : {}), ...(chosen.detail ? { detail: chosen.detail } : {}),
    };
  }
  const backends = [...new Set(connected.map((v) => (v.attempt.who ? identify(v.attempt.who) : undefined)).filter((b): b is string => Boolean(b)))];
  return {
    id: request.id, observed: chosen.observed, backends, latencyMs: chosen.attempt.latencyMs,
    ...(chosen.detail ? { detail: chosen.detail } : {}),
  };
}
