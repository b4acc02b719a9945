/**
 * The local provider's machinery (nodes are containers, pods are
 * network namespaces inside them). The Provider implementation builds on
 * these; nothing here knows about scenarios.
 *
 * Environment:
 *   NETSPEC_NODE_IMAGE=<ref>            use this node image as is
 *   NETSPEC_NODE_IMAGE_BUILD=auto|dockerfile|offline|never
 *                                       how to build a missing node image (image.ts)
 *   NETSPEC_DEBIAN_MIRROR=<url>         mirror for the offline build (default: from /etc/apt)
 *   DOCKER_HOST, Docker contexts, ~/.testcontainers.properties, TESTCONTAINERS_RYUK_DISABLED
 *                                       how the engine is found (testcontainers' rules, engine.ts)
 */
export {
  provisionCluster, destroyCluster, probe, runOnNode, startServers, diagnose, normalizeSpec, nodeSetupPhases, POD_SYSCTLS,
  type LocalCluster, type LocalClusterSpec, type LocalExternal, type LocalNode, type LocalPod, type ProvisionOptions, type ProbeRun,
} from './cluster.js';
export { cleanupStale, destroyRun, type StaleReport } from './cleanup.js';
export { ensureNodeImage, buildNodeImage, nodeImageRef, contextHash, type EnsureImageOptions, type EnsuredImage, type ImageBuildMode } from './image.js';
export { checkEngine, DockerUnavailableError, EngineError } from './engine.js';
export { AgentError, type SourcedResult } from './agent-client.js';
export { newRunId, netnsName, LABEL_RUN, LABEL_OWNER, LABEL_NODE } from './names.js';
export { GATEWAY6, gateway4 } from './plumbing.js';
