/**
 * Prober CLI: run inside a source pod's network namespace
 *   ip netns exec POD node /netspec/dist/probe/prober.js < batch.json
 * Reads one ProbeBatch (JSON) on stdin, probes every target concurrently
 * (bounded), and streams one ProbeResult JSON line per attempt to stdout as it
 * completes, then a ProbeDone line. A missing ProbeDone means it died.
 *
 * The per-pod server offers the same over its control socket without a Node
 * start-up per batch (server.ts); this CLI serves pods without a server and
 * manual debugging. Runs under Debian's nodejs 18 with node: built-ins only.
 */
import { parseBatch, readStdin, runBatch } from './probe-core.js';
import type { ProbeLine } from './protocol.js';


function out(line: ProbeLine): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

async function main(): Promise<void> {
  let batch;
  try {
    batch = parseBatch(await readStdin());
  } catch (e) {
    out({ type: 'fatal', error: `bad batch: ${(e as Error).message}` });
    process.exitCode = 2;
    return;
  }
  out(await runBatch(batch, out));
}

main().catch((e) => {
  out({ type: 'fatal', error: String((e as Error)?.stack ?? e) });
  process.exitCode = 1;
});
