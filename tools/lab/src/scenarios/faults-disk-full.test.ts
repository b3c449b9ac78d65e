// Fault: the log directory is full (a 64 KiB tmpfs mounted on it, then filled). haconnd must keep
// resetting — a log it cannot write is reported (journal/stderr), never fatal — and write again,
// with whole lines only, once space returns.

import { execFileSync } from "node:child_process";
import { mkdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLogs, resetLogOf } from "../faults/logcheck.js";
import { recordFault } from "../faults/report.js";
import { AnswerLog, distinctResults } from "../faults/requester.js";
import { SingleNode } from "../faults/single-node.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { BUILT, freeUdpPort, waitFor } from "./harness.js";

const isRoot = process.getuid?.() === 0;

describe.skipIf(!BUILT || !isRoot)("fault: disk full for the log directory", () => {
  let node: SingleNode;
  let mounted = "";
  const fillers: string[] = [];
  const monitors: HamonSimMonitor[] = [];
  let log: AnswerLog;

  const fill = () => {
    for (let i = fillers.length; ; i++) {
      const p = join(mounted, `filler${i}`);
      try {
        writeFileSync(p, Buffer.alloc(1024));
        fillers.push(p);
      } catch {
        try {
          unlinkSync(p);
        } catch {
          // not created
        }
        return;
      }
    }
  };

  beforeAll(async () => {
    node = await SingleNode.start({
      prefix: "fdisk",
      address: "127.0.96.1",
      pservers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, { name: "PSERVER3" }],
      hispeedMs: 1000,
      beforeStart: (dirs) => {
        mkdirSync(dirs.log, { recursive: true });
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0750", "tmpfs", dirs.log]);
        mounted = dirs.log;
      },
    });
    const clusterPort = await freeUdpPort("127.0.96.11");
    for (const [i, name] of ["PSERVER1", "PSERVER2", "PSERVER3"].entries()) {
      const m = await HamonSimMonitor.start({
        subsystem: 10001 + i,
        systemName: name,
        connector: node.connector,
        checkIntervalMs: 1000,
        bind: { address: `127.0.96.${11 + i}`, port: clusterPort },
      });
      monitors.push(m);
    }
    await waitFor("registered", () => monitors.every((m) => m.lastCheckReply) || undefined);
    log = new AnswerLog(monitors[2]!, node.connector);
  }, 90_000);

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    if (mounted) {
      try {
        execFileSync("umount", ["-l", mounted]);
      } catch {
        // not mounted
      }
    }
    await node?.stop();
  });

  it("keeps resetting while the disk is full, reports it, and logs again when space returns", async () => {
    fill();
    const full = await log.reset({ subsystem: 10001, systemName: "PSERVER1" }, { deadlineMs: 30_000 }).done;
    await new Promise((r) => setTimeout(r, 1500)); // CHECKs and polls keep logging into the full disk
    const aliveWhileFull = node.alive();
    const reportedFull = node.daemon!.output.join("").includes("log file cannot be written");
    const resetLinesWhileFull = resetLogOf(node.dirs.log, "PSERVER1").length;
    for (const f of fillers.splice(0)) unlinkSync(f);
    const t0 = Date.now();
    const run = log.reset({ subsystem: 10002, systemName: "PSERVER2" }, { deadlineMs: 30_000 });
    const after = await run.done;
    await waitFor(
      "recovery reported",
      () => node.daemon!.output.join("").includes("log file writable again") || undefined,
      10_000,
    );
    const lines = resetLogOf(node.dirs.log, "PSERVER2");
    const logs = checkLogs(node.dirs.log);
    const eventText = execFileSync("cat", [join(node.dirs.log, "eventlog1")], { encoding: "utf8" });
    const lost = eventText
      .split("\n")
      .filter((l) => l.includes("were lost"))
      .map((l) => JSON.parse(l) as { file: string; lost: number });
    const row = recordFault({
      fault: "disk full for the log directory (64 KiB tmpfs, filled)",
      expected:
        "resets go on (DUMP); the logging failure is reported, not fatal; logging resumes when space returns",
      measured: `while full: result ${full}, daemon ${aliveWhileFull ? "alive" : "dead"}, ${resetLinesWhileFull} PSERVER1 reset-log lines; after: result ${after}, ${lines.length} PSERVER2 lines`,
      figures: {
        "lines lost (reported)": lost.map((l) => `${l.file.split("/").pop()} ${l.lost}`).join(", "),
        "recovery to first logged line ms": lines.length ? Date.now() - t0 : "none",
        "log lines checked": logs.resetLines + logs.eventLines,
      },
      checks: {
        "reset answered while full": full === "DUMP",
        "daemon alive": aliveWhileFull && node.alive(),
        "failure reported on stderr/journal": reportedFull,
        "reset answered after": after === "DUMP" && distinctResults(run.record).length === 1,
        "reset log written again": lines.some((l) => l.includes("RM-RESET")),
        "loss counted in the event log": /lines were lost/.test(eventText),
        "every log line whole and parsable": logs.bad.length === 0,
      },
    });
    expect(row.checks, logs.bad.slice(0, 5).join("\n")).toEqual(
      Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
    );
  }, 90_000);
});
