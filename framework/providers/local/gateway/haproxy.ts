// HAProxy 2.6 configuration text: how scenario text is written so that it stays inside the word
// it belongs to, and what cannot be written at all.
//
// Sources (HAProxy 2.6 configuration.txt):
//   §2.2  Quoting and escaping: a line is one directive; inside single quotes nothing is
//         interpreted ("the efficient way to quote regexes"), and quoted strings concatenate,
//         so a literal `'` is written `'\''`. A newline cannot be quoted: it ends the directive.
//   §7.1  ACL flags: `--` ends them, so a pattern starting with `-` stays a pattern.
//   §7.3  Sample fetch arguments: `,` and `)` end an argument and quotes inside are interpreted,
//         so names written into `req.fhdr(<name>)` must be free of them.
//   §8.2.4 Custom log format (set-header values, redirect locations, set-path): `%` starts a
//         variable, `%%` is a literal percent sign.
import { familyOf, isIpAddress } from "../../../kube/net.js";
import type { HostPattern } from "./plan.js";

/** Tab and printable ASCII: what a quoted word can carry (HTTP header values are no wider: RFC 9110 §5.5). */
const REPRESENTABLE = /^[\t\x20-\x7e]*$/;

export function representable(text: string): boolean {
  return REPRESENTABLE.test(text);
}

/** One config word that holds `text` literally. The parser drops an empty word (`''`), so there is none. */
export function word(text: string): string {
  if (text === "" || !representable(text)) throw new Error(`cannot be written into haproxy.cfg: ${JSON.stringify(text)}`);
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Literal text inside a log-format string. */
export function formatLiteral(text: string): string {
  return text.replaceAll("%", "%%");
}

/**
 * A header or query parameter name that can be a sample fetch argument: an HTTP token
 * (RFC 9110 §5.6.2 tchar, which the Gateway API's HTTPHeaderName pattern follows) without `'`.
 */
const ARGUMENT_NAME = /^[!#$%&*+.^_`|~0-9A-Za-z-]+$/;

export function argumentName(text: string): boolean {
  return ARGUMENT_NAME.test(text);
}

/** A lower-case DNS name, optionally `*.`-prefixed: the characters the host regexes below may hold. */
const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function hostnameSyntax(text: string): boolean {
  return HOSTNAME.test(text);
}

/** The PCRE a wildcard host pattern is matched with (an exact one is a string comparison). */
export function hostRegex(pattern: Exclude<HostPattern, { kind: "exact" }>): string {
  if (!HOSTNAME.test(pattern.suffix) || pattern.suffix.startsWith("*")) throw new Error(`not a hostname suffix: ${pattern.suffix}`);
  const suffix = pattern.suffix.replaceAll(".", "\\.");
  return pattern.kind === "wildcard" ? `^.+\\.${suffix}$` : `^[^.]+\\.${suffix}$`;
}

/** `address:port` as bind and server lines take it (IPv6 in brackets). */
export function socketAddress(address: string, port: number): string {
  if (!isIpAddress(address)) throw new Error(`not an IP address: ${address}`);
  return familyOf(address) === "ipv6" ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Comment text: scenario names are shown, but nothing in them can end the comment's line. */
export function commentText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

/** One `global`, `defaults`, `frontend` or `backend` section. */
export class Section {
  private readonly lines: string[] = [];

  constructor(private readonly header: string) {}

  /** A directive; its parts are written as given (quote scenario text with `word`). */
  line(...parts: readonly string[]): this {
    this.lines.push(`  ${parts.join(" ")}`);
    return this;
  }

  comment(text: string): this {
    this.lines.push(`  # ${commentText(text)}`);
    return this;
  }

  text(): string {
    return [this.header, ...this.lines].join("\n");
  }
}
