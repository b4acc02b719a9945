// PortPlans written as haproxy.cfg: one frontend per (port, family) bound to the pod's address of
// that family, forwarding to Services' cluster IPs of the same family (kube-proxy on the node
// then picks an endpoint).
//
// A frontend evaluates its `http-request` rules in order, then its `use_backend` rules, so:
//   1. the path and the Host header (port removed, lower case) are captured once, before any
//      filter rewrites them, into txn.path and txn.host;
//   2. txn.listener is set by the first selector whose host pattern matches;
//   3. txn.action is set by the first entry, in precedence order, whose conditions all hold;
//   4. the action's filters run, and txn.weight picks its share (rand over the total weight);
//   5. `use_backend` sends the request to that share's backend, which applies the
//      backendRef's own filters and has one server: the cluster IP and port.
// Nothing matched: default_backend (404, or an Ingress defaultBackend).
//
// A Service without endpoints refuses the connection (kube-proxy rejects it), and with
// `retries 0` and no health checks HAProxy answers 503 at once, as HTTPRouteRule.BackendRefs
// asks ("implementations SHOULD return a 503 for requests to that backend").
import { Buffer } from "node:buffer";
import { FAMILIES, type Family } from "../../../kube/net.js";
import { argumentName, commentText, formatLiteral, hostRegex, Section, socketAddress, word } from "./haproxy.js";
import type { Filter, HostPattern, PathCondition, PathModifier, PortPlan, Target, ValueCondition } from "./plan.js";

export interface RenderInput {
  /** Says what the proxy serves, for the config's first comment. */
  readonly title: string;
  readonly plans: readonly PortPlan[];
  readonly bind: Partial<Record<Family, string>>;
}

const FAMILY_TAG: Record<Family, string> = { ipv4: "v4", ipv6: "v6" };

export function renderConfig(input: RenderInput, notes: string[]): string {
  const frontends: Section[] = [];
  const backends = new Backends(notes);
  for (const family of FAMILIES) {
    const address = input.bind[family];
    if (address === undefined) continue;
    for (const plan of input.plans) frontends.push(renderFrontend(plan, family, address, backends));
  }
  return [
    `# ${commentText(input.title)}\n# HAProxy 2.6 configuration compiled by netspec from the scenario's manifests.`,
    globalSections(),
    ...frontends.map((s) => s.text()),
    ...backends.sections().map((s) => s.text()),
    "",
  ].join("\n\n");
}

function globalSections(): string {
  const global = new Section("global")
    .line("nbthread 1")
    // A second proxy bound to the same address fails loudly instead of sharing its connections.
    .line("noreuseport")
    .line("log stdout format raw local0 info");
  const defaults = new Section("defaults")
    .line("mode http")
    .line("log global")
    .line("option httplog")
    .line("option dontlognull")
    .comment("an unreachable backend answers 503 at once: no retries, no health checks")
    .line("retries 0")
    .line("timeout connect 2s")
    .line("timeout client 30s")
    .line("timeout server 30s")
    .line("timeout http-request 10s");
  return `${global.text()}\n\n${defaults.text()}`;
}

function renderFrontend(plan: PortPlan, family: Family, address: string, backends: Backends): Section {
  const tag = `${plan.port}_${FAMILY_TAG[family]}`;
  const fe = new Section(`frontend fe_${tag}`).line("bind", socketAddress(address, plan.port));
  fe.comment("the request as it arrived: its path, and its Host header without the port, in lower case");
  fe.line("http-request set-var(txn.path) path");
  fe.line("http-request set-var(txn.host)", word("req.hdr(host),regsub(:[0-9]*$,),lower"));
  if (usesQueryString(plan)) fe.line("http-request set-var-fmt(txn.qs)", word("?%[query]"), "if { query -m found }");
  fe.line("acl have_listener var(txn.listener) -m found");
  fe.line("acl have_action var(txn.action) -m found");

  plan.selectors.forEach((selector, i) => {
    fe.comment(`listener ${selector.label}`);
    const conditions = ["!have_listener"];
    if (selector.host) conditions.push(hostAcl(fe, `l${i}_host`, selector.host));
    fe.line(`http-request set-var(txn.listener) int(${i}) if`, ...conditions);
    fe.line(`acl l${i} var(txn.listener) -m int ${i}`);
  });

  plan.entries.forEach((entry, i) => {
    fe.comment(entry.label);
    const conditions = ["!have_action"];
    if (entry.selector !== undefined) conditions.push(`l${entry.selector}`);
    const selectorHost = entry.selector === undefined ? undefined : plan.selectors[entry.selector]!.host;
    if (entry.host && !sameHost(entry.host, selectorHost)) conditions.push(hostAcl(fe, `m${i}_host`, entry.host));
    conditions.push(...pathAcl(fe, `m${i}_path`, entry.path));
    if (entry.method) {
      fe.line(`acl m${i}_method method -m str --`, word(entry.method));
      conditions.push(`m${i}_method`);
    }
    entry.headers.forEach((h, j) => conditions.push(valueAcl(fe, `m${i}_h${j}`, "req.fhdr", h)));
    entry.query.forEach((q, j) => conditions.push(valueAcl(fe, `m${i}_q${j}`, "url_param", q)));
    fe.line(`http-request set-var(txn.action) int(${entry.action}) if`, ...conditions);
  });

  const switching: string[][] = [];
  plan.actions.forEach((action, i) => {
    const acl = `a${i}`;
    fe.comment(`rule ${action.label}`);
    fe.line(`acl ${acl} var(txn.action) -m int ${i}`);
    action.filters.forEach((filter, k) => renderFilter(fe, filter, [acl], `${acl}_f${k}`));
    // A redirect answers in the http-request phase: no backend is ever chosen.
    if (action.filters.some((f) => f.kind === "redirect")) return;
    if (action.shares.length === 0) {
      switching.push(["use_backend", backends.status(500), "if", acl]);
      return;
    }
    const total = action.shares.reduce((sum, s) => sum + s.weight, 0);
    if (action.shares.length > 1) fe.line(`http-request set-var(txn.weight) rand(${total}) if ${acl}`);
    let upTo = 0;
    action.shares.forEach((share, k) => {
      const backend = backends.target(`be_${tag}_a${i}_s${k}`, share.target, share.filters, family);
      upTo += share.weight;
      if (k === action.shares.length - 1) {
        switching.push(["use_backend", backend, "if", acl]);
      } else {
        fe.line(`acl ${acl}_w${k} var(txn.weight) -m int lt ${upTo}`);
        switching.push(["use_backend", backend, "if", acl, `${acl}_w${k}`]);
      }
    });
  });
  for (const line of switching) fe.line(...line);
  fe.line("default_backend", backends.target(`be_${tag}_default`, plan.fallback, [], family));
  return fe;
}

function usesQueryString(plan: PortPlan): boolean {
  const redirects = (filters: readonly Filter[]) => filters.some((f) => f.kind === "redirect");
  return plan.actions.some((a) => redirects(a.filters) || a.shares.some((s) => redirects(s.filters)));
}

function sameHost(a: HostPattern, b: HostPattern | undefined): boolean {
  if (!b || a.kind !== b.kind) return false;
  return a.kind === "exact" ? a.name === (b as typeof a).name : a.suffix === (b as typeof a).suffix;
}

/** Declares an ACL for a host pattern and returns its name. */
function hostAcl(section: Section, name: string, host: HostPattern): string {
  if (host.kind === "exact") section.line(`acl ${name} var(txn.host) -m str --`, word(host.name));
  else section.line(`acl ${name} var(txn.host) -m reg --`, word(hostRegex(host)));
  return name;
}

/**
 * Declares the ACL of a path condition and returns the conditions to AND. PathPrefix is
 * element-wise (HTTPPathMatch PathPrefix; Ingress Prefix): the prefix itself or the prefix
 * followed by `/`; two `acl` lines of one name are ORed.
 */
function pathAcl(section: Section, name: string, path: PathCondition): string[] {
  switch (path.kind) {
    case "exact":
      section.line(`acl ${name} var(txn.path) -m str --`, word(path.value));
      return [name];
    case "prefix":
      if (path.value === "") return [];
      section.line(`acl ${name} var(txn.path) -m str --`, word(path.value));
      section.line(`acl ${name} var(txn.path) -m beg --`, word(`${path.value}/`));
      return [name];
    case "regex":
      section.line(`acl ${name} var(txn.path) -m reg --`, word(wholeMatch(path.pattern)));
      return [name];
  }
}

function valueAcl(section: Section, name: string, fetch: "req.fhdr" | "url_param", condition: ValueCondition): string {
  const value = condition.kind === "exact" ? condition.value : wholeMatch(condition.value);
  section.line("acl", name, word(`${fetch}(${argument(condition.name)})`), condition.kind === "exact" ? "-m str --" : "-m reg --", word(value));
  return name;
}

/**
 * RegularExpression matches (path, header, query: Implementation-specific) match the whole
 * value, as Envoy-based implementations do; the dialect is HAProxy's PCRE2.
 */
function wholeMatch(pattern: string): string {
  return `^(?:${pattern})$`;
}

function argument(name: string): string {
  if (!argumentName(name)) throw new Error(`not a header or parameter name HAProxy can take as an argument: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Writes one filter as http-request (or http-response) rules under `conditions`; ACLs it needs
 * are named from `prefix`.
 */
function renderFilter(section: Section, filter: Filter, conditions: readonly string[], prefix: string): void {
  const when = (...more: string[]) => {
    const all = [...conditions, ...more];
    return all.length === 0 ? [] : ["if", ...all];
  };
  switch (filter.kind) {
    case "headers": {
      // HTTPHeaderFilter: set overwrites, add appends to the existing value ("my-header: foo"
      // plus "bar,baz" gives "foo,bar,baz"), remove deletes; header names are case-insensitive
      // in HAProxy as in HTTP. An existing single line is extended in place; none or several
      // get one more line, which HTTP reads as the same list (RFC 9110 §5.3).
      const rule = filter.phase === "request" ? "http-request" : "http-response";
      const fetch = filter.phase === "request" ? "req" : "res";
      for (const h of filter.set) section.line(rule, "set-header", word(h.name), word(formatLiteral(h.value)), ...when());
      filter.add.forEach((h, k) => {
        const single = `${prefix}_single${k}`;
        section.line("acl", single, word(`${fetch}.fhdr_cnt(${argument(h.name)})`), "-m int eq 1");
        section.line(rule, "set-header", word(h.name), word(`%[${fetch}.fhdr(${argument(h.name)})],${formatLiteral(h.value)}`), ...when(single));
        section.line(rule, "add-header", word(h.name), word(formatLiteral(h.value)), ...when(`!${single}`));
      });
      for (const name of filter.remove) section.line(rule, "del-header", word(name), ...when());
      return;
    }
    case "redirect": {
      // HTTPRequestRedirectFilter: the port is left out of Location for http:80 and https:443.
      const wellKnown = (filter.scheme === "http" && filter.port === 80) || (filter.scheme === "https" && filter.port === 443);
      const authority = `${filter.hostname === undefined ? "%[var(txn.host)]" : formatLiteral(filter.hostname)}${wellKnown ? "" : `:${filter.port}`}`;
      for (const variant of pathFormats(section, filter.path, prefix)) {
        const location = `${filter.scheme}://${authority}${variant.format}%[var(txn.qs)]`;
        section.line("http-request redirect location", word(location), `code ${filter.status}`, ...when(...variant.conditions));
      }
      return;
    }
    case "rewrite":
      if (filter.hostname !== undefined) section.line("http-request set-header Host", word(formatLiteral(filter.hostname)), ...when());
      if (filter.path) {
        for (const variant of pathFormats(section, filter.path, prefix)) {
          if (variant.format === "%[var(txn.path)]") continue;
          // set-path keeps the query string.
          section.line("http-request set-path", word(variant.format), ...when(...variant.conditions));
        }
      }
      return;
  }
}

/**
 * The new path as log-format text, with the extra conditions of each variant. ReplacePrefixMatch
 * replaces the matched element-wise prefix: what follows it in the original path is "" or starts
 * with `/`, and the replacement has no trailing slash, so no `//` appears; an empty replacement
 * of the whole path leaves `/` (the HTTPPathModifier ReplacePrefixMatch table).
 */
function pathFormats(section: Section, path: PathModifier | undefined, prefix: string): { format: string; conditions: string[] }[] {
  const original = "%[var(txn.path)]";
  if (!path) return [{ format: original, conditions: [] }];
  if (path.kind === "full") return [{ format: formatLiteral(path.value === "" ? "/" : path.value), conditions: [] }];
  const length = Buffer.byteLength(path.matched);
  const rest = `%[var(txn.path),bytes(${length})]`;
  if (path.replacement !== "") return [{ format: `${formatLiteral(path.replacement)}${rest}`, conditions: [] }];
  if (length === 0) return [{ format: original, conditions: [] }];
  const whole = `${prefix}_whole`;
  section.line(`acl ${whole} var(txn.path) -m len ${length}`);
  return [{ format: "/", conditions: [whole] }, { format: rest, conditions: [`!${whole}`] }];
}

/** Backend sections, and the shared ones that only answer a status. */
class Backends {
  private readonly list: Section[] = [];
  private readonly statuses = new Set<number>();
  private readonly noted = new Set<string>();

  constructor(private readonly notes: string[]) {}

  status(status: number): string {
    this.statuses.add(status);
    return `be_status_${status}`;
  }

  /** The backend a target is reached through (with the backendRef's filters), declared once. */
  target(name: string, target: Target, filters: readonly Filter[], family: Family): string {
    if (target.kind === "status") return this.status(target.status);
    const address = target.service.clusterIPs[family];
    if (address === undefined) {
      const why = target.service.headless ? "is headless" : `has no ${family} cluster IP`;
      const note = `Service ${target.service.id} ${why}: the ${family} gateway answers 503 for ${target.label}`;
      if (!this.noted.has(note)) this.notes.push(note);
      this.noted.add(note);
      return this.status(503);
    }
    const section = new Section(`backend ${name}`).comment(target.label);
    filters.forEach((filter, k) => renderFilter(section, filter, [], `f${k}`));
    section.line("server s", socketAddress(address, target.port));
    this.list.push(section);
    return name;
  }

  sections(): Section[] {
    const statuses = [...this.statuses].sort((a, b) => a - b)
      .map((status) => new Section(`backend be_status_${status}`).line(`http-request return status ${status}`));
    return [...this.list, ...statuses];
  }
}
