/**
 * The node image: found or built, once per machine and build context.
 *
 * Its tag is `netspec-node:<hash>` where the hash covers the build context
 * (fixtures/node-image/Dockerfile, packages.txt and scripts/build-node-image.sh,
 * exactly as that script computes it), so editing any of them yields a new
 * image and an unchanged context never rebuilds.
 *
 * How a missing image is built (env NETSPEC_NODE_IMAGE_BUILD or `build`):
 *   auto       (default) a build of the Dockerfile through testcontainers, and if
 *              that fails (no registry to pull debian:bookworm-slim from) the offline script
 *   dockerfile only the Dockerfile build
 *   offline    only scripts/build-node-image.sh (debootstrap from the machine's
 *              Debian mirror + `docker import`; needs root and debootstrap)
 *   never      fail if the image is not there
 * NETSPEC_NODE_IMAGE=<ref> (or `image`) uses that image as is, building nothing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenericContainer } from 'testcontainers';
import { runCommand } from '../../exec/command.js';
import { engineMessage, imageExists } from './engine.js';

export type ImageBuildMode = 'auto' | 'dockerfile' | 'offline' | 'never';

/** The package root (holds dist/, fixtures/, scripts/, package.json). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const IMAGE_CONTEXT = path.join(PACKAGE_ROOT, 'fixtures', 'node-image');
export const OFFLINE_SCRIPT = path.join(PACKAGE_ROOT, 'scripts', 'build-node-image.sh');
export const IMAGE_REPO = 'netspec-node';

/** Hash of the build context, identical to build-node-image.sh's context_hash. */
export function contextHash(): string {
  const h = createHash('sha256');
  for (const [name, file] of [
    ['Dockerfile', path.join(IMAGE_CONTEXT, 'Dockerfile')],
    ['packages.txt', path.join(IMAGE_CONTEXT, 'packages.txt')],
    ['build-node-image.sh', OFFLINE_SCRIPT],
  ] as const) {
    h.update(name).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function nodeImageRef(): string {
  return `${IMAGE_REPO}:${contextHash()}`;
}

export interface EnsureImageOptions {
  /** Use this image as is (default: env NETSPEC_NODE_IMAGE). */
  image?: string;
  /** How to build a missing image (default: env NETSPEC_NODE_IMAGE_BUILD or 'auto'). */
  build?: ImageBuildMode;
  /** Progress messages (building takes a minute). */
  log?: (msg: string) => void;
}

export interface EnsuredImage {
  ref: string;
  /** How it was obtained. */
  source: 'present' | 'dockerfile' | 'offline' | 'given';
  durationMs: number;
}

function buildMode(opt?: ImageBuildMode): ImageBuildMode {
  const m = opt ?? (process.env.NETSPEC_NODE_IMAGE_BUILD as ImageBuildMode | undefined) ?? 'auto';
  if (!['auto', 'dockerfile', 'offline', 'never'].includes(m)) {
    throw new Error(`NETSPEC_NODE_IMAGE_BUILD must be auto, dockerfile, offline or never (got ${JSON.stringify(m)})`);
  }
  return m;
}

async function buildDockerfile(ref: string): Promise<void> {
  // Kept after this process (deleteOnExit: false): the image is cached per machine by its hash.
  await GenericContainer.fromDockerfile(IMAGE_CONTEXT).build(ref, { deleteOnExit: false });
}

async function buildOffline(ref: string): Promise<void> {
  await runCommand('bash', [OFFLINE_SCRIPT, ref], { timeoutMs: 20 * 60_000 });
}

// One build per process even if several scenarios ask at once.
const inflight = new Map<string, Promise<EnsuredImage>>();

export function ensureNodeImage(opts: EnsureImageOptions = {}): Promise<EnsuredImage> {
  const given = opts.image ?? process.env.NETSPEC_NODE_IMAGE;
  const ref = given || nodeImageRef();
  let p = inflight.get(ref);
  if (!p) {
    p = doEnsure(ref, !!given, opts).finally(() => inflight.delete(ref));
    inflight.set(ref, p);
  }
  return p;
}

async function doEnsure(ref: string, given: boolean, opts: EnsureImageOptions): Promise<EnsuredImage> {
  const start = Date.now();
  const done = (source: EnsuredImage['source']): EnsuredImage => ({ ref, source, durationMs: Date.now() - start });
  if (await imageExists(ref)) return done(given ? 'given' : 'present');
  if (given) throw new Error(`node image ${ref} (NETSPEC_NODE_IMAGE) is not present`);
  const source = await buildNodeImage(ref, buildMode(opts.build), opts.log);
  return done(source);
}

/** Builds `ref` from the context: `docker build`, else (auto) the offline script. */
export async function buildNodeImage(ref: string, mode: ImageBuildMode = 'auto', log?: (msg: string) => void): Promise<'dockerfile' | 'offline'> {
  if (mode === 'never') throw new Error(`node image ${ref} is not present and NETSPEC_NODE_IMAGE_BUILD=never`);
  if (mode === 'auto' || mode === 'dockerfile') {
    log?.(`building node image ${ref} from ${IMAGE_CONTEXT}`);
    try {
      await buildDockerfile(ref);
      return 'dockerfile';
    } catch (e) {
      if (mode === 'dockerfile') throw new Error(`building ${ref} from ${IMAGE_CONTEXT} failed: ${engineMessage(e)}`, { cause: e });
      log?.(`the Dockerfile build failed (${engineMessage(e).split('\n').pop()}); building offline with debootstrap`);
    }
  }
  log?.(`building node image ${ref} offline with ${OFFLINE_SCRIPT}`);
  await buildOffline(ref);
  return 'offline';
}
