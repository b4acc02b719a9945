// Batched probing through `kubectl exec`: ONE exec per source pod runs all of that pod's probes.
//
//   kubectl exec -i -n NS POD -c netspec -- /bin/sh -c PROBE_SCRIPT netspec-probe PARALLEL
//
// PROBE_SCRIPT is fixed text (below); the probes arrive on stdin, one per line:
//
//   <n> <address> <port> <tcp|udp|sctp> <timeout ms> <samples> <4|6> <ip|dns>
//
// and are only ever read into shell variables and passed as quoted arguments, never evaluated
// (and every field is checked here first: a number, an IP literal or a DNS name). The script
// starts each probe in the background, at most PARALLEL at once, and each attempt prints one line
//
//   NSP <n> <sample> <exit code> <ms> <who answered or -> <agnhost connect's message>
//
// then `NSP-END` once all are done. Each attempt is `agnhost connect` (the upstream netpol e2e
// suite's probe), whose stderr says TIMEOUT / REFUSED / DNS / OTHER / UNKNOWN; when it connects,
// a second connection with `nc` reads the answering server's identity (serve-hostname writes
// the pod's hostname on TCP and answers any UDP datagram with it). DNS names are resolved with
// `dig` in the asked family first, so an IPv6 cell never silently takes the A record.
// agnhost's Linux image is Alpine with busybox sh, bind-tools (dig) and netcat-openbsd.
import { isIpAddress } from "../../kube/net.js";
import type { Observation, Observed, ProbeRequest } from "../../runner/provider.js";

export const PROBE_SCRIPT = String.raw`
par=$1
now() { read -r up _ < /proc/uptime; echo "\${up%.*}\${up#*.}"; }
one() {
  id=$1; host=$2; port=$3; proto=$4; tmo=$5; n=$6; fam=$7; kind=$8
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
    if [ "$rc" = 0 ] && command -v nc >/dev/null 2>&1; then
      case "$proto" in
        tcp) who=$(nc -w "$secs" "$a" "$port" </dev/null 2>/dev/null | head -n 1) ;;
        udp) who=$(echo hostname | nc -u -w "$secs" "$a" "$port" 2>/dev/null | head -n 1) ;;
      esac
      who=$(echo "$who" | tr -cd 'a-z0-9.-')
      [ -n "$who" ] || who=-
    fi
    echo "NSP $id $i $rc $(( (t1 - t0) * 10 )) $who $(echo "$out" | head -n 1)"
    i=$((i+1))
  done
}
j=0
while read -r id host port proto tmo n fam kind; do
  [ -n "$id" ] || continue
  one "$id" "$host" "$port" "$proto" "$tmo" "$n" "$fam" "$kind" &
  j=$((j+1))
  if [ "$j" -ge "$par" ]; then wait; j=0; fi
done
wait
echo NSP-END
`.replace(/\\\$/g, "$");

/** A DNS name, relative or absolute (a trailing dot: dig and agnhost skip the search list for it). */
const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.?$/;

/** The stdin line for one request; throws on anything that is not a plain address. */
export function requestLine(index: number, request: ProbeRequest, address: string, timeoutMs: number): string {
  const literal = isIpAddress(address);
  if (!literal && (!DNS_NAME.test(address) || address.replace(/\.$/, "").length > 253)) throw new Error(`refusing to probe ${JSON.stringify(address)}: not an IP address or DNS name`);
  const { port, protocol, family, http } = request.probe;
  if (http) throw new Error(`refusing to probe ${JSON.stringify(address)} with an HTTP request: agnhost connect makes bare connections`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port ${port}`);
  const samples = Math.max(1, Math.min(64, Math.floor(request.samples)));
  const timeout = Math.max(100, Math.floor(timeoutMs));
  const kind = literal ? "ip" : "dns";
  return `${index} ${address} ${port} ${protocol.toLowerCase()} ${timeout} ${samples} ${family === "ipv6" ? 6 : 4} ${kind}`;
}

export interface Attempt {
  readonly index: number;
  readonly sample: number;
  readonly code: number;
  readonly latencyMs: number;
  /** The answering server's hostname, when it told. */
  readonly who?: string;
  /** agnhost connect's message (empty when it connected). */
  readonly message: string;
}

const LINE = /^NSP (\d+) (\d+) (\d+) (\d+) (\S+) ?(.*)$/;

export interface ParsedOutput {
  readonly attempts: Attempt[];
  /** The script printed NSP-END: every probe ran to completion. */
  readonly complete: boolean;
  /** Lines that were not the script's (kubectl warnings, …). */
  readonly other: string[];
}

export function parseProbeOutput(stdout: string): ParsedOutput {
  const attempts: Attempt[] = [];
  const other: string[] = [];
  let complete = false;
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!line.trim()) continue;
    if (line === "NSP-END") { complete = true; continue; }
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

/** Folds a request's attempts: connected if any connected (the answering pods are the finding), else the first failure. */
export function observe(request: ProbeRequest, attempts: readonly Attempt[], identify: (who: string) => string | undefined): Observation {
  if (attempts.length === 0) return { id: request.id, observed: "error", backends: [], latencyMs: 0, detail: "the probe printed no result" };
  const sorted = [...attempts].sort((a, b) => a.sample - b.sample);
  const verdicts = sorted.map((a) => ({ attempt: a, ...classify(a.code, a.message) }));
  const connected = verdicts.filter((v) => v.observed === "connected");
  const chosen = connected[0] ?? verdicts[0]!;
  const backends = [...new Set(connected.map((v) => (v.attempt.who ? identify(v.attempt.who) : undefined)).filter((b): b is string => Boolean(b)))];
  return {
    id: request.id, observed: chosen.observed, backends, latencyMs: chosen.attempt.latencyMs,
    ...(chosen.detail ? { detail: chosen.detail } : {}),
  };
}
