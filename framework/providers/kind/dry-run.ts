// `netspec run --provider kind|existing --dry-run --out DIR`: what netspec would create, written
// as files, creating nothing: per scenario the kind config (kind) and one manifest file with
// every object in apply order (the Layer 7 objects last, with the classes --gateway-class and
// --ingress-class give them). Users review it; tests check the generation with it.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Scenario } from "../../scenario/model.js";
import { needsEchoServers } from "../kube/layer7.js";
import { allManifests, DEFAULT_AGNHOST_IMAGE, DEFAULT_ECHO_IMAGE, generateManifests, toYaml } from "../kube/manifests.js";
import { LABEL_NODE, NameMap, runLabel } from "../kube/names.js";
import type { KubeProviderOptions } from "../kube/options.js";
import { generateKindConfig, kindConfigYaml, readKindConfig } from "./config.js";

export interface DryRunFile {
  readonly scenario: string;
  readonly kind: "kind-config" | "manifests";
  readonly path: string;
}

export async function dryRun(provider: "kind" | "existing", scenarios: readonly Scenario[], options: KubeProviderOptions, out: string): Promise<DryRunFile[]> {
  fs.mkdirSync(out, { recursive: true });
  const files: DryRunFile[] = [];
  const base = provider === "kind" && options.kindConfig ? readKindConfig(options.kindConfig) : undefined;
  const image = options.agnhostImage ?? (options.env ?? process.env).NETSPEC_AGNHOST_IMAGE ?? DEFAULT_AGNHOST_IMAGE;
  const echoImage = options.echoImage ?? (options.env ?? process.env).NETSPEC_ECHO_IMAGE ?? DEFAULT_ECHO_IMAGE;
  const layer7 = {
    ...(options.gatewayClass !== undefined ? { gatewayClass: options.gatewayClass } : {}),
    ...(options.ingressClass !== undefined ? { ingressClass: options.ingressClass } : {}),
  };
  for (const scenario of scenarios) {
    if (provider === "kind") {
      const config = generateKindConfig(scenario, { cni: Boolean(options.cni), kubeProxyMode: options.kubeProxyMode, image: options.kindImage, base });
      const file = path.join(out, `${scenario.name}.kind-config.yaml`);
      fs.writeFileSync(file, `# kind create cluster --config ${path.basename(file)}   (netspec --dry-run, scenario ${scenario.name})\n${kindConfigYaml(config)}`);
      files.push({ scenario: scenario.name, kind: "kind-config", path: file });
    }
    const names = provider === "kind"
      ? new NameMap(scenario.namespaces.map((n) => n.name))
      : new NameMap(scenario.namespaces.map((n) => n.name), "dryrun");
    const generated = generateManifests(scenario, {
      names, runLabel: runLabel("dry-run"), image,
      placement: (node): Record<string, string> => (provider === "kind"
        ? { [LABEL_NODE]: node }
        : { "kubernetes.io/hostname": options.nodeMap?.[node] ?? `<node for ${node}>` }),
      preexisting: provider === "kind" ? new Set(["default"]) : undefined,
      layer7,
      ...(needsEchoServers(scenario, layer7) ? { echoImage } : {}),
    });
    const file = path.join(out, `${scenario.name}.manifests.yaml`);
    const notes = generated.omitted.map((note) => `# ${note}\n`).join("");
    fs.writeFileSync(file, `# kubectl apply order (netspec --dry-run, scenario ${scenario.name}, provider ${provider})\n${notes}${await toYaml(allManifests(generated))}`);
    files.push({ scenario: scenario.name, kind: "manifests", path: file });
  }
  return files;
}
