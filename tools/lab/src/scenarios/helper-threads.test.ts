// The daemon's helper threads (V8's compiler and GC workers, libuv's pool) run below its main
// thread, the reset path (apps/haconnd/src/helper-threads.ts): checked on the real bin/haconnd
// process through /proc, and a bad HACONN_HELPER_NICE refuses the start with exit status 78.

import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SingleNode } from "../faults/single-node.js";
import { BUILT, runDaemonToExit, waitFor } from "./harness.js";

function threadsOf(pid: number): Array<{ tid: number; name: string; nice: number }> {
  const out: Array<{ tid: number; name: string; nice: number }> = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const tid = Number(t);
      out.push({
        tid,
        name: readFileSync(`/proc/${pid}/task/${t}/comm`, "latin1").trim(),
        nice: getPriority(tid),
      });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

describe.skipIf(!BUILT)("haconnd's helper threads run below its main thread", () => {
  let node: SingleNode;

  beforeAll(async () => {
    node = await SingleNode.start({
      prefix: "hthreads",
      address: "127.0.93.1",
      pservers: [{ name: "PSERVER1" }],
    });
  }, 90_000);

  afterAll(async () => {
    await node?.stop();
  });

  it("V8's workers are at nice 10, the main thread keeps its priority, the journal says so", async () => {
    const daemon = node.daemon!;
    const pid = daemon.child.pid!;
    const line = await waitFor(
      "the helper-threads line",
      () =>
        daemon.output
          .join("")
          .split("\n")
          .find((l) => l.includes("helper threads at nice 10")),
      10_000,
    );
    const threads = threadsOf(pid);
    const main = threads.find((t) => t.tid === pid)!;
    const v8 = threads.filter((t) => t.name === "V8Worker");
    expect(main.nice).toBe(getPriority(process.pid)); // the test runner's, inherited
    expect(v8.length).toBeGreaterThan(0);
    for (const t of v8) expect(t.nice).toBe(Math.min(19, main.nice + 10));
    expect(line).toMatch(/^haconnd: helper threads at nice 10: .*V8Worker/);
  }, 20_000);

  it("a bad HACONN_HELPER_NICE stops the start with the reason and exit status 78", async () => {
    const result = await runDaemonToExit(node.dirs, { HACONN_HELPER_NICE: "high" });
    expect(result.code).toBe(78);
    expect(result.out).toMatch(/cannot start: HACONN_HELPER_NICE must be off or an integer 1-19, not "high"/);
    expect(node.daemon!.child.exitCode).toBeNull(); // the running daemon is untouched
  }, 30_000);
});
