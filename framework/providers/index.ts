// The providers netspec can run scenarios on, by name.
import type { Provider } from "../runner/provider.js";
import { LocalProvider } from "./local/provider.js";

export const PROVIDERS: readonly string[] = ["local"];

export function providerFor(name: string): Provider {
  switch (name) {
    case "local": return new LocalProvider();
    default: throw new Error(`unknown provider '${name}'`);
  }
}
