// Fault: the configuration file is corrupted on disk while haconnd runs. The running daemon
// keeps serving with the configuration it loaded; haconnshow reads the running state over the
// control socket and says clearly that the file cannot be read; a restart refuses with the
// reason and exit status 78 (EX_CONFIG: systemd does not restart it in a loop).

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFault } from "../faults/report.js";
import { AnswerLog } from "../faults/requester.js";
import { SingleNode } from "../faults/single-node.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { BUILT, cli, freeUdpPort, REPO, runDaemonToExit, waitFor } from "./harness.js";

function run(
  dirs: SingleNode["dirs"],
  command: string,
  args: string[],
): { code: number | null; out: string } {
  try {
    const out = execFileSync(join(REPO, "bin", command), args, {
      env: dirs.env,
      encoding: "utf8",
      timeout: 30_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number | null; stdout?: string; stderr?: string };
    return { code: err.status, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe.skipIf(!BUILT)("fault: configuration file corrupted on disk while running", () => {
  let node: SingleNode;
  const monitors: HamonSimMonitor[] = [];

  beforeAll(async () => {
    node = await SingleNode.start({
      prefix: "fconf",
      address: "127.0.97.1",
      pservers: [{ name: "PSERVER1" }, { name: "PSERVER2" }],
      hispeedMs: 1000,
    });
    const clusterPort = await freeUdpPort("127.0.97.11");
    for (const [i, name] of ["PSERVER1", "PSERVER2"].entries()) {
      monitors.push(
        await HamonSimMonitor.start({
          subsystem: 10001 + i,
          systemName: name,
          connector: node.connector,
          checkIntervalMs: 0,
          bind: { address: `127.0.97.${11 + i}`, port: clusterPort },
        }),
      );
    }
    for (const m of monitors) expect((await m.check())?.blockers.unknownSystem).toBe(false);
  }, 90_000);

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    await node?.stop();
  });

  it("keeps serving, haconnshow says why, a restart refuses with exit 78", async () => {
    const file = join(node.dirs.etc, "haconn.json");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, `${good.slice(0, Math.floor(good.length / 2))}\u0000garbage{{{`);
    const check = await monitors[1]!.check();
    const reset = await new AnswerLog(monitors[1]!, node.connector).reset(
      { subsystem: 10001, systemName: "PSERVER1" },
      { deadlineMs: 30_000 },
    ).done;
    const status = JSON.parse(cli(node.dirs, "haconnshow", ["status", "--json"])) as {
      servers: { name: string }[];
    };
    const setting = run(node.dirs, "haconnshow", ["setting"]);
    await node.daemon!.stop();
    const restart = await runDaemonToExit(node.dirs);
    const reason = restart.out.split("\n").find((l) => l.includes("cannot start")) ?? restart.out.trim();
    const row = recordFault({
      fault: "configuration file corrupted on disk while running",
      expected:
        "running daemon keeps serving the loaded config; haconnshow reports the unreadable file; restart refuses, exit 78",
      measured: `CHECK ${check ? "answered" : "unanswered"}, RESET ${reset}; status shows ${status.servers.length} servers; haconnshow setting exit ${setting.code}: "${setting.out.trim().split("\n")[0]}"; restart exit ${restart.code}: "${reason}"`,
      figures: { "restart exit status": String(restart.code) },
      checks: {
        "CHECK answered with the loaded config": check?.blockers.unknownSystem === false,
        "RESET answered": reset === "DUMP",
        "haconnshow status reads the running state": status.servers.length === 2,
        "haconnshow setting fails clearly": setting.code !== 0 && /haconn\.json/.test(setting.out),
        "restart refused with exit 78": restart.code === 78,
        "reason names the file": /haconn\.json/.test(reason),
      },
    });
    // Restore so the fixture stops cleanly.
    writeFileSync(file, good);
    await node.restart();
    await waitFor("serving again", async () => (await monitors[0]!.check())?.role === "active" || undefined);
    expect(row.checks, `${setting.out}\n${restart.out}`).toEqual(
      Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
    );
  }, 90_000);
});
