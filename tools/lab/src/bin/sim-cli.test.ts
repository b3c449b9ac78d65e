// The built hamon-sim and dump-sim commands against the codec-built fake connector. Skipped until
// `pnpm --filter @haconn/lab build` has produced tools/lab/dist.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { HamonSimFakeConnector } from "../hamon-sim/fake-connector.js";

const run = promisify(execFile);
const dist = join(import.meta.dirname, "../../dist");
const built = existsSync(join(dist, "hamon-sim.js")) && existsSync(join(dist, "dump-sim.js"));
let connector: HamonSimFakeConnector | undefined;

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
});

describe.skipIf(!built)("simulator commands", () => {
  it("hamon-sim registers two monitors, resets one and prints the exchanges", async () => {
    connector = await HamonSimFakeConnector.start({ resultDelayMs: 50 });
    const c = `${connector.endpoint.address}:${connector.endpoint.port}`;
    const { stdout } = await run(
      process.execPath,
      [
        join(dist, "hamon-sim.js"),
        "--connector",
        c,
        "--monitor",
        "subsystem=10001,name=PSERVER3,bind=127.0.0.21",
        "--monitor",
        "subsystem=10002,name=PSERVER4,bind=127.0.0.22",
        "--interval",
        "1",
        "--reset",
        "target=10001,name=PSERVER3,by=10002",
        "--reset-after",
        "1",
        "--duration",
        "2",
      ],
      { timeout: 20_000 },
    );
    expect(stdout).toMatch(/hamon\[10002\] -> 127\.0\.0\.1:\d+ RESET #\d+/);
    expect(stdout).toMatch(/hamon\[10002\] <- 127\.0\.0\.1:\d+ RESET-RESULT #\d+ .*"result":"DUMP"/);
    expect(stdout).toMatch(/hamon\[10001\] <- 127\.0\.0\.1:\d+ ATTENTION #\d+/);
    expect(stdout).toMatch(/reset outcome .*"accepted"/);
  });

  it("hamon-sim refuses a non-loopback connector without --in-namespace", async () => {
    const r = await run(
      process.execPath,
      [
        join(dist, "hamon-sim.js"),
        "--connector",
        "192.168.0.3:5001",
        "--monitor",
        "subsystem=1,name=X",
        "--duration",
        "1",
      ],
      { timeout: 20_000 },
    ).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(r).toMatchObject({ code: 2 });
    expect((r as { stderr: string }).stderr).toMatch(/outside 127\.0\.0\.0\/8/);
  });

  it("dump-sim sends both forms", async () => {
    connector = await HamonSimFakeConnector.start({ kdumpBind: { address: "127.0.0.1", port: 0 } });
    const ours = await run(
      process.execPath,
      [
        join(dist, "dump-sim.js"),
        "--connector",
        `127.0.0.1:${connector.endpoint.port}`,
        "--subsystem",
        "10001",
      ],
      { timeout: 20_000 },
    ).catch((e: { code: number; stdout: string }) => e);
    expect(ours.stdout).toMatch(/DUMP-ACK .*"status":"unknownSystem"/);
    const k = connector.kdumpEndpoint!;
    await run(
      process.execPath,
      [
        join(dist, "dump-sim.js"),
        "--form",
        "fence-kdump",
        "--connector",
        `${k.address}:${k.port}`,
        "--count",
        "1",
      ],
      { timeout: 20_000 },
    );
    const end = Date.now() + 5000;
    while (connector.kdumpNotices.length === 0 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect(connector.kdumpNotices).toHaveLength(1);
  });
});
