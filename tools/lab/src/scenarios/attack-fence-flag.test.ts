// Attacks on the RESET FENCE flag (docs/protocol.md §3.1 flags byte, §4.3, §8) against a real
// built haconnd in key mode with two ipmi_sim BMCs (loopback, 127.0.186.x), every datagram from
// the independent raw client (../attacker, written from the page): the bit on another type is a
// reserved bit (dropped, counted `bad-flags`); the bit is under the tag (flipped on a captured
// signed RESET: `bad-mac`, no reset); a replayed FENCE RESET is `replay`, no second reset; an
// unsigned FENCE RESET is `unauthenticated`. The positive control: a signed FENCE RESET of a
// target the connector counts as already reset (status dump) does reset it (a real NMI at
// ipmi_sim), where a plain one is answered DUMP at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawUdp, RP_FLAG, RP_TYPE, rpBody, rpParse } from "../attacker/reset-path-raw.js";
import {
  type AttackLab,
  checkFrame,
  dumpState,
  frame,
  newRequestId,
  registerMonitors,
  resetFrame,
  startAttackLab,
} from "./attack-reset-path-setup.js";
import { BUILT, waitFor } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FENCE = RP_FLAG.fence;

describe.skipIf(!BUILT)("attack: the RESET FENCE flag (key mode)", () => {
  let lab: AttackLab;
  const opened: RawUdp[] = [];
  const attacker = async (address: string, port = 0) => {
    const s = await RawUdp.open(address, port);
    opened.push(s);
    return s;
  };
  const nmis = async () => (await lab.bmc.PSERVER1.actions()).filter((a) => a.action === "nmi").length;
  const resets = async () => (await lab.bmc.PSERVER1.actions()).filter((a) => a.action === "reset").length;
  const drops = async (): Promise<Record<string, number>> => (await dumpState(lab.dirs)).drops;
  /**
   * PSERVER1's dump notifier, rule 2 (§6): the same DUMP-NOTICE every 500 ms until DUMP-ACK
   * `accepted` (the connector lets one notice a second per system through, so a notice right
   * after an earlier one counts only on a repeat).
   */
  const notifyDump = async () => {
    const requestId = newRequestId();
    for (let i = 0; i < 8; i++) {
      await lab.m1.send(
        frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId }),
        lab.connector,
      );
      const ack = await lab.m1.waitFor(
        (r) =>
          r.frame?.type === RP_TYPE.dumpAck &&
          r.frame.requestId === requestId &&
          rpParse.dumpAck(r.frame.body).status === 1,
        500,
      );
      if (ack) return;
    }
    throw new Error("the DUMP-NOTICE was never accepted");
  };

  beforeAll(async () => {
    lab = await startAttackLab({ prefix: "atk-fence", net: 186, key: true, kdump: false });
    await registerMonitors(lab);
  }, 60_000);

  afterAll(async () => {
    for (const s of opened) s.socket.close();
    await lab?.close();
  });

  it("(a) FENCE on CHECK, RESULT-ACK, DUMP-NOTICE, ATTENTION-ACK (signed): dropped `bad-flags`, counted, unanswered", async () => {
    const before = await drops();
    const frames = [
      checkFrame(lab, 10002, "PSERVER2", { flags: FENCE }),
      frame(lab, RP_TYPE.resultAck, 10002, rpBody.resultAck(10001), { flags: FENCE }),
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { flags: FENCE }),
      frame(lab, RP_TYPE.attentionAck, 10002, rpBody.attentionAck(1n), { flags: FENCE }),
      // An unknown type with the bit: reserved too (step 6 comes before the type check).
      frame(lab, 0x55, 10002, Buffer.alloc(0), { flags: FENCE }),
    ];
    const s = await attacker("127.0.186.22");
    for (const f of frames) await s.send(f, lab.connector);
    await sleep(1000);
    expect(s.received).toEqual([]);
    const after = await drops();
    expect((after["bad-flags"] ?? 0) - (before["bad-flags"] ?? 0)).toBe(frames.length);
    // The monitors' registrations still work (nothing changed).
    await registerMonitors(lab);
  });

  it("(b) a captured signed plain RESET with the FENCE bit flipped: `bad-mac`, no reset, no answer", async () => {
    // What m2 would send (captured on the wire, never delivered): flags 0x01.
    const captured = resetFrame(lab, 10002, 10001, "PSERVER1", newRequestId());
    expect(captured.readUInt8(5)).toBe(RP_FLAG.auth);
    const forged = Buffer.from(captured);
    forged.writeUInt8(RP_FLAG.auth | FENCE, 5);
    const before = await drops();
    const s = await attacker("127.0.186.22");
    await s.send(forged, lab.connector);
    await sleep(1500);
    expect(s.received).toEqual([]);
    expect(await nmis()).toBe(0);
    const after = await drops();
    expect((after["bad-mac"] ?? 0) - (before["bad-mac"] ?? 0)).toBe(1);
  });

  it("(d) an unsigned FENCE RESET in key mode: `unauthenticated`, no reset, no answer", async () => {
    const before = await drops();
    const s = await attacker("127.0.186.22");
    await s.send(
      resetFrame(lab, 10002, 10001, "PSERVER1", newRequestId(), { unsigned: true, flags: FENCE }),
      lab.connector,
    );
    await sleep(1500);
    expect(s.received).toEqual([]);
    expect(await nmis()).toBe(0);
    const after = await drops();
    expect((after.unauthenticated ?? 0) - (before.unauthenticated ?? 0)).toBe(1);
  });

  it("(c) FENCE resets a target counted as already reset; a replay of that signed FENCE RESET is `replay`, no second reset", async () => {
    // 1. A first reset of PSERVER1 (plain), ended by its dump notice: status dump.
    const first = newRequestId();
    await lab.m2.send(resetFrame(lab, 10002, 10001, "PSERVER1", first), lab.connector);
    await waitFor("first NMI", async () => ((await nmis()) === 1 ? true : undefined));
    await notifyDump();
    const r1 = await lab.m2.waitFor(
      (r) => r.frame?.type === RP_TYPE.resetResult && r.frame.requestId === first,
      5000,
    );
    expect(rpParse.resetResult(r1!.frame!.body).result).toBe(1); // DUMP
    // 2. A plain RESET now (the node "came back", no CHECK yet): DUMP at once, nothing done.
    const plain = newRequestId();
    await lab.m2.send(resetFrame(lab, 10002, 10001, "PSERVER1", plain), lab.connector);
    const r2 = await lab.m2.waitFor(
      (r) => r.frame?.type === RP_TYPE.resetResult && r.frame.requestId === plain,
      3000,
    );
    expect(rpParse.resetResult(r2!.frame!.body).result).toBe(1);
    expect(lab.m2.frames(RP_TYPE.resetAccepted).some((f) => f.requestId === plain)).toBe(false);
    expect(await nmis()).toBe(1);
    // 3. A signed FENCE RESET: accepted, a real NMI; the target's dump notice ends it as DUMP.
    const fenceId = newRequestId();
    const fenceFrame = resetFrame(lab, 10002, 10001, "PSERVER1", fenceId, { flags: FENCE });
    expect(fenceFrame.readUInt8(5)).toBe(RP_FLAG.auth | FENCE);
    await lab.m2.send(fenceFrame, lab.connector);
    const accepted = await lab.m2.waitFor(
      (r) => r.frame?.type === RP_TYPE.resetAccepted && r.frame.requestId === fenceId,
      3000,
    );
    expect(accepted).toBeDefined();
    await waitFor("second NMI", async () => ((await nmis()) === 2 ? true : undefined));
    // The dump still runs: the notifier's repeat reaches the new reset's software-reset phase.
    await notifyDump();
    const r3 = await lab.m2.waitFor(
      (r) => r.frame?.type === RP_TYPE.resetResult && r.frame.requestId === fenceId,
      5000,
    );
    expect(rpParse.resetResult(r3!.frame!.body).result).toBe(1);
    // 4. The captured FENCE RESET replayed, from the requester's address and from another one.
    const before = await drops();
    const fromOwn = await attacker("127.0.186.22");
    const fromOther = await attacker("127.0.186.66");
    await fromOwn.send(fenceFrame, lab.connector);
    await fromOther.send(fenceFrame, lab.connector);
    await sleep(2000);
    expect(fromOwn.received).toEqual([]);
    expect(fromOther.received).toEqual([]);
    expect(await nmis()).toBe(2);
    expect(await resets()).toBe(0);
    const after = await drops();
    expect((after.replay ?? 0) - (before.replay ?? 0)).toBe(2);
    // 5. A genuine retransmission (new nonce and timestamp, same requestId, FENCE) is answered
    // from the request's memory: the same DUMP, no third reset.
    await lab.m2.send(resetFrame(lab, 10002, 10001, "PSERVER1", fenceId, { flags: FENCE }), lab.connector);
    await sleep(1500);
    const results = lab.m2.frames(RP_TYPE.resetResult).filter((f) => f.requestId === fenceId);
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(results.every((f) => rpParse.resetResult(f.body).result === 1)).toBe(true);
    expect(await nmis()).toBe(2);
    expect(await resets()).toBe(0);
  }, 60_000);
});
