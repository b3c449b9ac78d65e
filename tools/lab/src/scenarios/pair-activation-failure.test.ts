// Issue 17 row L ("a failed becomeActive (bind EADDRINUSE) is an unhandled rejection → crash"),
// on a real haconnd of a pair whose peer is down: the reset-path port is held by another process
// when the node takes the active role. It must log the failure, step down, stay up and try again
// with a backoff; once the port is free it becomes active. Addresses: 127.0.63.x.

import { createSocket } from "node:dgram";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";

describe.skipIf(!BUILT)("pair node whose takeover step fails (EADDRINUSE)", () => {
  let shared: LabDirs;
  let dirs: LabDirs;
  let proc: DaemonProcess | undefined;
  const ilo: IpmiSim[] = [];
  const squatter = createSocket({ type: "udp4", reuseAddr: false });
  let resetPort: number;

  const log = () =>
    readdirSync(dirs.log)
      .filter((n) => /^(eventlog|errlog)\d+$/.test(n))
      .map((n) => readFileSync(join(dirs.log, n), "utf8"))
      .join("\n");
  const role = () => {
    try {
      const s = JSON.parse(cli(dirs, "haconnshow", ["status", "--json"]));
      return s.mservers.find((m: { name: string }) => m.name === "HACON1")?.role as string | undefined;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    shared = labDirs("actfail");
    ilo.push(await IpmiSim.start({}), await IpmiSim.start({}));
    resetPort = await freeUdpPort("127.0.63.1");
    const mlanPort = await freeUdpPort("127.0.63.11");
    cli(shared, "haconnsetup", ["resetpath", "addr=127.0.63.1/8", `port=${resetPort}`]);
    for (const [i, [name, addr]] of (
      [
        ["HACON1", "127.0.63.11"],
        ["HACON2", "127.0.63.12"],
      ] as const
    ).entries()) {
      cli(
        shared,
        "haconnsetup",
        ["mserver", "add", name, `addr=127.0.0.1:${ilo[i]!.port}`, "account=admin", "cipher=3"],
        PW,
      );
      cli(shared, "haconnsetup", ["mlan", name, `addr=${addr}`, `port=${mlanPort}`]);
    }
    writeFileSync(join(shared.etc, "duplex.key"), `1 ${Buffer.alloc(32, 0x63).toString("hex")} send\n`, {
      mode: 0o600,
    });
    dirs = labDirs("actfail-HACON1");
    dirs.env.HACONN_ETC_DIR = shared.etc;
    // Somebody else holds the reset-path port (only HACON1 runs; HACON2 is down).
    await new Promise<void>((r) =>
      squatter.bind({ port: resetPort, address: "127.0.63.1", exclusive: true }, () => r()),
    );
    proc = await startDaemon(dirs, { HACONN_NODE_NAME: "HACON1" });
  }, 60_000);

  afterAll(async () => {
    await proc?.stop();
    try {
      squatter.close();
    } catch {
      // closed by the test
    }
    await Promise.all(ilo.map((s) => s.stop()));
    if (dirs) removeDirs(dirs);
    if (shared) removeDirs(shared);
  });

  it("logs the failure, stays up and not active, and takes the role once the port is free", async () => {
    // Either the failure is handled (logged) or, as before the fix, the daemon dies of it.
    await waitFor(
      "the takeover attempt",
      () => proc!.child.exitCode !== null || /taking the active role failed/.test(log()) || undefined,
      30_000,
    );
    expect(proc!.child.exitCode, proc!.output.join("").slice(-1500)).toBeNull();
    expect(log()).toMatch(/EADDRINUSE/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(proc!.child.exitCode, log()).toBeNull();
    expect(proc!.child.signalCode).toBeNull();
    expect(role()).not.toBe("active");
    squatter.close();
    await waitFor("active once the port is free", () => (role() === "active" ? true : undefined), 40_000);
    expect(proc!.child.exitCode).toBeNull();
  }, 90_000);
});
