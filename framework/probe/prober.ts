/**
 * The prober of one node: probes for several source pods at once, from inside each one's
 * network namespace, in one process. The node agent starts it through the socket launcher,
 * which has made every socket the batches need in their sources' namespaces:
 *   perl -e LAUNCHER N REQUEST… node /netspec/dist/probe/prober.js   (AgentProbeRequest batches on stdin)
 * It streams one ProbeResult JSON line per attempt as it completes, tagged with its source,
 * then a ProbeDone line per source (or a fatal line). A source without ProbeDone did not finish.
 * Runs under the node image's Node.js with node: built-ins only.
 */
import { DEFAULT_CONCURRENCY, parseBatch, readStdin, runBatch, socketPools, sourceResolvConf } from './probe-core.js';

/** Attempts in flight at once in this process, over all its sources. */
const IN_FLIGHT = 16_384;
import type { AgentProbeRequest, ProbeLine } from './protocol.js';

// Lines go out in one write per turn of the event loop, not one system call per attempt.
let pending = '';
function out(source: string, line: ProbeLine): void {
  if (pending === '') setImmediate(flush);
  pending += `${JSON.stringify({ source, ...line })}\n`;
}
function flush(): void {
  const text = pending;
  pending = '';
  if (text) process.stdout.write(text);
}

async function main(): Promise<void> {
  let batches: AgentProbeRequest['batches'];
  try {
    batches = (JSON.parse(await readStdin()) as Pick<AgentProbeRequest, 'batches'>).batches.map((b) => ({ ...b, batch: parseBatch(JSON.stringify(b.batch)) }));
  } catch (e) {
    out('?', { type: 'fatal', error: `bad probe request: ${(e as Error).message}` });
    process.exitCode = 2;
    return;
  }
  const pools = socketPools(batches, process.env.NETSPEC_SOCKETS);
  // The node's attempts in flight are bounded (memory, and fairness on a shared machine): each
  // source gets its share, never more than its batch asks for.
  const share = Math.max(16, Math.floor(IN_FLIGHT / Math.max(1, batches.length)));
  await Promise.all(batches.map(async (b, i) => {
    try {
      const batch = { ...b.batch, concurrency: Math.min(b.batch.concurrency ?? DEFAULT_CONCURRENCY, share) };
      out(b.source, await runBatch(batch, (r) => out(b.source, r), { conf: sourceResolvConf(b), pool: pools[i]! }));
    } catch (e) {
      out(b.source, { type: 'fatal', error: String((e as Error)?.stack ?? e) });
    }
  }));
}

main().catch((e) => {
  out('?', { type: 'fatal', error: String((e as Error)?.stack ?? e) });
  process.exitCode = 1;
});
