// The providers' names, apart from their code, so the command line can list them without
// loading any provider (the local one brings the container engine client with it).
export const PROVIDERS = ["local", "kind", "existing"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
