// Every kind a scenario's `resources:` may hold, keyed by `apiVersion/kind`: the Service,
// EndpointSlice and policy kinds of types.ts and the Layer 7 kinds of gateway-types.ts (kept
// apart there so neither file imports the other's schemas).
import { Layer7Kinds, Layer7NamespacedKinds } from "./gateway-types.js";
import { KnownKinds, NamespacedKinds } from "./types.js";

export const ModelledKinds = { ...KnownKinds, ...Layer7Kinds } as const;
export type ModelledKindKey = keyof typeof ModelledKinds;

/** Kinds that live in a namespace (a cluster-scoped kind ignores metadata.namespace). */
export const ModelledNamespacedKinds: ReadonlySet<string> = new Set([...NamespacedKinds, ...Layer7NamespacedKinds]);
