// Attacks on the reset path of a real built haconnd with a reset-path key (loopback,
// 127.0.111.x), with the independent raw client (../attacker). Issue #17 rows M2 (replay across
// a restart), M4 (fence_kdump logged rate-limited in key mode) and the dump-notice rules of
// point 2 on the reset-path side (unsigned DUMP-NOTICE dropped, DUMP-ACK recorded / unknown).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kdumpNotice, RawUdp, RP_TYPE, rpBody, rpParse } from "../attacker/reset-path-raw.js";
import {
  type AttackLab,
  checkFrame,
  dumpState,
  frame,
  logLines,
  registerMonitors,
  resetFrame,
  startAttackLab,
} from "./attack-reset-path-setup.js";
import { BUILT, waitFor } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// M2 runs first: the notice tests below may leave PSERVER1 marked dumped.
describe.skipIf(!BUILT)("attack: reset path with a key", () => {
  let lab: AttackLab;
  const opened: RawUdp[] = [];
  const attacker = async (address: string, port = 0) => {
    const s = await RawUdp.open(address, port);
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    lab = await startAttackLab({ prefix: "atk-rpk", net: 111, key: true, kdump: true });
    await registerMonitors(lab);
  }, 60_000);

  afterAll(async () => {
    for (const s of opened) s.socket.close();
    await lab?.close();
  });

  it("M2: a signed CHECK + RESET captured before a restart is refused after it (no second reset)", async () => {
    const ts = Date.now();
    const capturedCheck = checkFrame(lab, 10002, "PSERVER2", { requestId: 21 });
    const capturedReset = resetFrame(lab, 10002, 10001, "PSERVER1", 22);
    // The monitor sent them: a reset of PSERVER1 runs (NMI), the DUMP notice completes it.
    await lab.m2.send(capturedCheck, lab.connector);
    await lab.m2.send(capturedReset, lab.connector);
    await waitFor("NMI", async () =>
      (await lab.bmc.PSERVER1.actions()).filter((a) => a.action === "nmi").length === 1 ? true : undefined,
    );
    const notifier = await attacker("127.0.111.21");
    await notifier.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 23 }),
      lab.connector,
    );
    await notifier.waitFor((r) => r.frame?.type === RP_TYPE.dumpAck, 3000);
    await lab.restart();
    expect(Date.now() - ts).toBeLessThan(25_000); // still inside the ±30 s window
    const replayer = await attacker("127.0.111.22", 0);
    const before = (await dumpState(lab.dirs)).drops.stale;
    await replayer.send(capturedCheck, lab.connector);
    await replayer.send(capturedReset, lab.connector);
    await sleep(2000);
    expect((await lab.bmc.PSERVER1.actions()).filter((a) => a.action === "nmi")).toHaveLength(1);
    expect((await dumpState(lab.dirs)).drops.stale).toBe(before + 2);
    // Fresh frames of the real monitor still count.
    await registerMonitors(lab);
  }, 90_000);

  it("dump notices: unsigned dropped; signed without a reset `recorded`; from elsewhere `unknown`", async () => {
    const n = await attacker("127.0.111.21");
    const before = (await dumpState(lab.dirs)).drops.unauthenticated;
    await n.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 11, unsigned: true }),
      lab.connector,
    );
    await n.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 12 }),
      lab.connector,
    );
    const ack = await n.waitFor((r) => r.frame?.type === RP_TYPE.dumpAck, 3000);
    expect(ack?.frame?.requestId).toBe(12);
    expect(rpParse.dumpAck(ack!.frame!.body)).toEqual({ subsystem: 10001, status: 2 });
    expect((await dumpState(lab.dirs)).drops.unauthenticated).toBe(before + 1);
    const other = await attacker("127.0.111.69");
    await other.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 13 }),
      lab.connector,
    );
    const probe = await other.waitFor((r) => r.frame?.type === RP_TYPE.dumpAck, 3000);
    expect(rpParse.dumpAck(probe!.frame!.body).status).toBe(3);
  });

  it("M4: 3000 fence_kdump notices (key mode) add no reset-log line and at most a line per source", async () => {
    const before = logLines(lab.dirs, "resetlog").length;
    const s = await attacker("127.0.111.70");
    for (let i = 0; i < 15; i++)
      await Promise.all(Array.from({ length: 200 }, () => s.send(kdumpNotice("le"), lab.kdump!)));
    await sleep(500);
    expect(logLines(lab.dirs, "resetlog").length).toBe(before);
    expect(
      logLines(lab.dirs, "eventlog").filter((l) => l.includes("127.0.111.70:")).length,
    ).toBeLessThanOrEqual(1);
  });
});
