/**
 * The prober of one node: probes for several source pods at once, from inside each one's
 * network namespace, in one process. The node agent starts it through the socket launcher,
 * which has made every socket the batches need in their sources' namespaces:
 *   perl -e LAUNCHER N REQUEST… node /netspec/dist/probe/prober.js   (AgentProbeRequest batches on stdin)
 * It streams one ProbeResult JSON line per attempt as it completes, tagged with its source,
 * then a ProbeDone line per source (or a fatal line). A source without ProbeDone did not finish.
 * Runs under the node image's Node.js with node: built-ins only.
 */
import { parseBatch, readResolvConf, readStdin, runBatch, socketPools } from './probe-core.js';
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
  await Promise.all(batches.map(async (b, i) => {
    try {
      out(b.source, await runBatch(b.batch, (r) => out(b.source, r), { conf: readResolvConf(b.netns), pool: pools[i]! }));
    } catch (e) {
      out(b.source, { type: 'fatal', error: String((e as Error)?.stack ?? e) });
    }
  }));
}

main().catch((e) => {
  out('?', { type: 'fatal', error: String((e as Error)?.stack ?? e) });
  process.exitCode = 1;
});
