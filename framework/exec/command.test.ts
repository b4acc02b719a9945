// The command layer against real processes: what a failure carries, timeouts, cancellation.
import assert from "node:assert/strict";
import { describe, it } from "mocha";
import { AbortedError, CommandError, runCommand, shellLine, ToolMissingError } from "./command.js";
import { mapLimit } from "./limit.js";

describe("exec: one command layer", () => {
  it("returns stdout and stderr, feeds stdin and streams stdout lines", async () => {
    const lines: string[] = [];
    const result = await runCommand("sh", ["-c", 'read x; echo "got $x"; echo two; echo oops >&2', "sh"], { input: "one\n", onLine: (l) => lines.push(l) });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "got one\ntwo\n");
    assert.equal(result.stderr, "oops\n");
    assert.deepEqual(lines, ["got one", "two"]);
  });

  it("fails with the paste-ready command line, the output and the cause", async () => {
    const error = await runCommand("sh", ["-c", "echo it broke >&2; exit 4", "it's me"]).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof CommandError);
    assert.equal(error.commandLine, `sh -c 'echo it broke >&2; exit 4' 'it'\\''s me'`);
    assert.equal(error.result.code, 4);
    assert.match(error.message, /failed \(exit 4\):\nit broke/);
    assert.ok(error.cause instanceof Error, "execa's own error is kept as the cause");
  });

  it("returns a failed run when failure is allowed, and says when it timed out", async () => {
    assert.equal((await runCommand("sh", ["-c", "exit 3"], { allowFailure: true })).code, 3);
    const slow = await runCommand("sleep", ["5"], { timeoutMs: 100, allowFailure: true });
    assert.equal(slow.timedOut, true);
    await assert.rejects(runCommand("sleep", ["5"], { timeoutMs: 100 }), (e: unknown) => e instanceof CommandError && /timed out/.test(e.message));
  });

  it("tells a missing tool and an interrupted run apart from a failure", async () => {
    await assert.rejects(runCommand("netspec-no-such-tool", []), (e: unknown) => e instanceof ToolMissingError && e.tool === "netspec-no-such-tool");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(runCommand("sleep", ["5"], { signal: controller.signal }), AbortedError);
  });

  it("quotes for a shell only what needs it", () => {
    assert.equal(shellLine(["kubectl", "get", "pods", "-l", "app=api,tier=web"]), "kubectl get pods -l app=api,tier=web");
    assert.equal(shellLine(["echo", "", "a b", "$HOME"]), "echo '' 'a b' '$HOME'");
  });
});

describe("exec: one concurrency limiter", () => {
  it("keeps input order, never runs more than the limit, and lets every item finish before the first failure is thrown", async () => {
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    const work = async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5 * (n % 3)));
      running--;
      finished.push(n);
      if (n === 2 || n === 5) throw new Error(`item ${n}`);
      return n * 10;
    };
    await assert.rejects(mapLimit([0, 1, 2, 3, 4, 5, 6], 3, work), /item 2/);
    assert.equal(finished.length, 7, "every item ran to completion");
    assert.ok(peak <= 3, `peak ${peak}`);
    assert.deepEqual(await mapLimit([3, 1, 2], 2, async (n) => n * 2), [6, 2, 4]);
  });
});
