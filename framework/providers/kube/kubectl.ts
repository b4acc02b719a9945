// Driving kubectl: global connection flags (--kubeconfig, --context) on every call, JSON in and
// out. Scenario values reach kubectl only as separate argv elements or as the JSON documents on
// stdin, never through a shell; resource names are DNS-1123 (validated by the scenario loader),
// so none can be read as a flag, and `--` separates kubectl's flags from an exec'd command.
import { runCommand, type CommandOptions, type CommandResult } from "../../exec/command.js";

export interface KubectlOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** The kubectl binary (default: NETSPEC_KUBECTL or `kubectl` on PATH). */
  readonly binary?: string;
  readonly signal?: AbortSignal;
  /** The environment of every kubectl process (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KubeList<T = KubeObject> {
  items: T[];
}

export class Kubectl {
  readonly binary: string;

  constructor(readonly options: KubectlOptions = {}) {
    this.binary = options.binary ?? options.env?.NETSPEC_KUBECTL ?? process.env.NETSPEC_KUBECTL ?? "kubectl";
  }

  /** The connection flags, for messages that tell users how to look themselves. */
  get connectionArgs(): string[] {
    return [
      ...(this.options.kubeconfig ? ["--kubeconfig", this.options.kubeconfig] : []),
      ...(this.options.context ? ["--context", this.options.context] : []),
    ];
  }

  run(args: readonly string[], options: CommandOptions = {}): Promise<CommandResult> {
    return runCommand(this.binary, [...this.connectionArgs, ...args], { signal: this.options.signal, env: this.options.env, timeoutMs: 120_000, ...options });
  }

  async getJson<T = KubeObject>(args: readonly string[], options: CommandOptions = {}): Promise<KubeList<T>> {
    const result = await this.run(["get", ...args, "-o", "json"], options);
    const parsed = JSON.parse(result.stdout || "{}") as Partial<KubeList<T>> & { kind?: string };
    if (Array.isArray(parsed.items)) return { items: parsed.items };
    return { items: parsed.kind ? [parsed as unknown as T] : [] };
  }

  /** `kubectl apply -f -` with the objects as one JSON List (server-side validation applies). */
  async apply(objects: readonly KubeObject[], options: CommandOptions = {}): Promise<string> {
    if (objects.length === 0) return "";
    const list = { apiVersion: "v1", kind: "List", items: objects };
    const result = await this.run(["apply", "-f", "-"], { input: JSON.stringify(list), timeoutMs: 300_000, ...options });
    return result.stdout;
  }

  /** `kubectl auth can-i VERB RESOURCE`: true for yes. */
  async canI(check: PermissionCheck): Promise<boolean> {
    const args = ["auth", "can-i", check.verb, check.resource,
      ...(check.subresource ? [`--subresource=${check.subresource}`] : []),
      ...(check.namespace ? ["-n", check.namespace] : []), ...(check.allNamespaces ? ["--all-namespaces"] : [])];
    const result = await this.run(args, { allowFailure: true, timeoutMs: 30_000 });
    if (result.code !== 0 && !/^no\b/m.test(result.stdout)) {
      throw new Error(`kubectl auth can-i failed (exit ${result.code}): ${(result.stderr || result.stdout).trim()}`);
    }
    return /^yes\b/m.test(result.stdout);
  }
}

export interface PermissionCheck {
  readonly verb: string;
  /** `pods`, `networkpolicies.networking.k8s.io`, … */
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  /** In every namespace (namespaces netspec creates do not exist yet). */
  readonly allNamespaces?: boolean;
}

export function describePermission(check: PermissionCheck): string {
  return `${check.verb} ${check.resource}${check.subresource ? `/${check.subresource}` : ""}`;
}

/** The API group of an apiVersion (`networking.k8s.io/v1` → `networking.k8s.io`, `v1` → ""). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

/** A kubectl resource argument for a kind, qualified by group (`networkpolicy.networking.k8s.io`). */
export function resourceArg(apiVersion: string, kind: string): string {
  const group = groupOf(apiVersion);
  return group ? `${kind.toLowerCase()}.${group}` : kind.toLowerCase();
}
