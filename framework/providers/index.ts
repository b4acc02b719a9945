// The providers netspec can run scenarios on, by name.
import type { Provider } from "../runner/provider.js";
import { LocalProvider } from "./local/provider.js";
import { KindProvider } from "./kind/provider.js";
import { ExistingProvider } from "./existing/provider.js";
import type { KubeProviderOptions } from "./kube/options.js";

export type { KubeProviderOptions };
export { PROVIDERS, type ProviderName } from "./names.js";

export function providerFor(name: string, options: KubeProviderOptions = {}): Provider {
  switch (name) {
    case "local": return new LocalProvider();
    case "kind": return new KindProvider(options);
    case "existing": return new ExistingProvider(options);
    default: throw new Error(`unknown provider '${name}'`);
  }
}
