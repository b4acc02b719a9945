// Usage text and the error a user gets for a wrong command line (exit 2).
export const USAGE = `netspec: declarative network-topology tests for Kubernetes

Usage:
  netspec validate <path>...                         schema and semantic checks, nothing provisioned
  netspec expect <file> [--format table|json|summary] the oracle's expected matrix
  netspec explain <file> --from REF --to REF [--port P] [--protocol TCP|UDP|SCTP] [--family ipv4|ipv6]
                                                     how one cell's verdict is reached, tier by tier
  netspec run <path>... [--provider local] [--reporter console,json] [--out DIR] [--parallel N]
                                                     provision, probe with real packets, compare

A <path> is a scenario file or a directory (every *.yaml/*.yml scenario below it).
Exit codes: 0 expectations held, 1 mismatch, 2 invalid scenario or usage, 3 environment failed,
130 interrupted.`;

export { UsageError } from "../runner/validate-paths.js";
