// Usage text and the error a user gets for a wrong command line (exit 2).
export const USAGE = `netspec: declarative network-topology tests for Kubernetes

Usage:
  netspec validate <path>...                         schema and semantic checks, nothing provisioned
  netspec expect <file> [--format table|json|summary] the oracle's expected matrix
  netspec explain <file> --from REF --to REF [--port P] [--protocol TCP|UDP|SCTP] [--family ipv4|ipv6]
                                                     how one cell's verdict is reached, tier by tier
  netspec run <path>... [--provider local|kind|existing] [--reporter console,json] [--out DIR] [--parallel N]
              [--converge MS] [--dry-run]            provision, probe with real packets, compare
    kind:     [--cni FILE|DIR|SCRIPT|URL] [--kind-config FILE] [--kind-image IMAGE]
              [--kube-proxy-mode iptables|ipvs|nftables|none] [--cluster-name NAME [--keep]]
    existing: [--kubeconfig FILE] [--context NAME] [--node-map SCENARIO_NODE=NODE,...]
    --dry-run writes the kind config and the manifests netspec would apply under --out (docs/providers.md).
  netspec report --current NEW/results.json [--baseline OLD/results.json] [--reporter console,html] [--out DIR]
                                                     reports from saved results; with a baseline, what changed

Reporters (--reporter, comma-separated; files go to --out, default ./reports):
  console      progress and mismatches on stderr          json         results.json
  junit        junit.xml (a testsuite per scenario)       html         report.html (self-contained)
  conformance  conformance.yaml (per tag: passed/failed/skipped, features)
Run and report options:
  --baseline FILE                  mark every cell that changed since that results.json
  --implementation-name NAME       for the conformance report (also --implementation-version,
                                   --implementation-organization, --implementation-url, --implementation-contact)

A <path> is a scenario file or a directory (every *.yaml/*.yml scenario below it).
Exit codes: 0 expectations held, 1 mismatch, 2 invalid scenario or usage, 3 environment failed,
130 interrupted.`;

export { UsageError } from "../runner/validate-paths.js";
