// Attacks on the reset path of a real built haconnd without a reset-path key (loopback,
// 127.0.110.x; attackers from 127.0.110.6x-9x and 127.112.x.x), with the independent raw client
// (../attacker). Issue #17 rows H1, H2, H3, M1, M4 (kdump / drop logs), M5 and point 10.
// Floods are sized to run in seconds; what must not grow is read from dumpState.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kdumpNotice, RawUdp, RP_TYPE, rpBody, rpParse } from "../attacker/reset-path-raw.js";
import {
  type AttackLab,
  checkFrame,
  dumpState,
  frame,
  logLines,
  newRequestId,
  registerMonitors,
  resetFrame,
  resultsOf,
  startAttackLab,
} from "./attack-reset-path-setup.js";
import { BUILT, waitFor } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!BUILT)("attack: reset path without a key", () => {
  let lab: AttackLab;
  const opened: RawUdp[] = [];
  const attacker = async (address: string, port = 0) => {
    const s = await RawUdp.open(address, port);
    opened.push(s);
    return s;
  };

  beforeAll(async () => {
    lab = await startAttackLab({ prefix: "atk-rp", net: 110, key: false, kdump: true, vhost: true });
    await registerMonitors(lab);
  }, 60_000);

  afterAll(async () => {
    for (const s of opened) {
      try {
        s.socket.close();
      } catch {
        // closed by the test already
      }
    }
    await lab?.close();
  });

  it("H1: CHECKs from 3000 new addr:port pairs leave no per-sender state in the daemon", async () => {
    const senders = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attacker(`127.112.${i >> 4}.${(i & 15) + 1}`)),
    );
    for (let round = 0; round < 100; round++) {
      await Promise.all(
        senders.map((s, i) =>
          s.send(checkFrame(lab, 30_000 + round * 30 + i, round % 2 ? "NOSUCH" : "PSERVER1"), lab.connector),
        ),
      );
      await sleep(5);
      // New source ports: reopen half of the senders every round.
      if (round % 10 === 9) {
        for (let i = 0; i < senders.length; i += 2) {
          const old = senders[i]!;
          senders[i] = await attacker(old.socket.address().address);
          old.socket.close();
        }
      }
    }
    await sleep(300);
    const st = await dumpState(lab.dirs);
    expect(st.resetPath, "dumpState exposes the reset path's tables").toBeTruthy();
    expect(st.resetPath.service).toMatchObject({ repeats: 0, dumpAnswers: 0, kdumpSources: 0 });
    expect(st.resetPath.replyLimiter.used).toBeLessThanOrEqual(st.resetPath.replyLimiter.capacity);
    expect(st.resetPath.refused["check-refused"]).toBeGreaterThan(2000); // loopback may drop some
    // The registry holds only the two real monitors.
    expect(Object.keys(st.shared.monitors).sort()).toEqual([
      `${lab.clusterPort}/10001`,
      `${lab.clusterPort}/10002`,
    ]);
  }, 60_000);

  it("H2: 6000 RESETs from an unknown requester: no replicated growth, a legitimate CHECK stays fast", async () => {
    const a = await attacker("127.0.110.99");
    const before = (await dumpState(lab.dirs)).shared.version;
    const rtts: number[] = [];
    let lost = 0;
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const requestId = newRequestId();
        const t0 = performance.now();
        await lab.m1.send(checkFrame(lab, 10001, "PSERVER1", { requestId }), lab.connector);
        const got = await lab.m1.waitFor((r) => r.frame?.requestId === requestId, 2000);
        if (got) rtts.push(performance.now() - t0);
        else lost++;
        await sleep(50);
      }
    })();
    for (let burst = 0; burst < 30; burst++) {
      const sends = [];
      for (let i = 0; i < 200; i++) {
        sends.push(a.send(resetFrame(lab, 10099, 10001, "PSERVER1", burst * 200 + i + 1), lab.connector));
      }
      await Promise.all(sends);
      await sleep(100); // ~2000 RESETs a second for 3 s
    }
    flooding = false;
    await probe;
    const st = await dumpState(lab.dirs);
    expect(st.shared.recent).toHaveLength(0);
    // Only the probe's CHECK refreshes changed the replicated state (one delta each).
    expect(st.shared.version - before).toBeLessThanOrEqual(rtts.length + lost + 1);
    expect(lost).toBe(0);
    rtts.sort((x, y) => x - y);
    expect(rtts[Math.floor(rtts.length * 0.99)]!).toBeLessThan(1000);
    // Answers to the flood are limited per source: ~2 a second, not one (or ten) per RESET.
    await sleep(1500);
    expect(a.frames(RP_TYPE.resetResult).length).toBeLessThanOrEqual(20);
    expect(st.resetPath.refused["unknown-requester"]).toBeGreaterThan(5000);
  }, 60_000);

  it("M1: one spoofed RESET gets one ERROR (invalid requester), never repeated", async () => {
    const victim = await attacker("127.0.110.98");
    await victim.send(resetFrame(lab, 10098, 10001, "PSERVER1", 77), lab.connector);
    await sleep(3500);
    expect(resultsOf(victim, 77)).toEqual([{ target: 10001, result: 4, detail: 4 }]);
  });

  it("M1: UNSUPPORTED-VERSION at most a few per source; over 548 bytes never answered", async () => {
    const a = await attacker("127.0.110.97");
    const v2 = frame(lab, RP_TYPE.check, 10001, rpBody.check({ replyPort: 7, system: "PSERVER1" }), {
      version: 2,
    });
    await Promise.all(Array.from({ length: 200 }, () => a.send(v2, lab.connector)));
    const long = Buffer.concat([v2, Buffer.alloc(600 - v2.length)]);
    const b = await attacker("127.0.110.96");
    await b.send(long, lab.connector);
    await sleep(500);
    const answers = a.frames(RP_TYPE.unsupportedVersion);
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.length).toBeLessThanOrEqual(3);
    expect(b.received).toHaveLength(0);
    const st = await dumpState(lab.dirs);
    expect(st.drops["too-long"]).toBeGreaterThanOrEqual(1);
  });

  it("M1/M4: 2000 dropped datagrams from each of two sources: one line per reason per source per minute", async () => {
    const a = await attacker("127.0.110.95");
    const b = await attacker("127.0.110.93");
    const junk = Buffer.from("not a haconn frame at all, just 40 bytes");
    const before = (await dumpState(lab.dirs)).drops["bad-magic"];
    for (let i = 0; i < 10; i++) {
      await Promise.all(Array.from({ length: 200 }, () => a.send(junk, lab.connector)));
      await Promise.all(Array.from({ length: 200 }, () => b.send(junk, lab.connector)));
    }
    await waitFor("drops counted", async () =>
      (await dumpState(lab.dirs)).drops["bad-magic"] >= before + 4000 ? true : undefined,
    );
    for (const src of ["127.0.110.95:", "127.0.110.93:"]) {
      expect(
        logLines(lab.dirs, "eventlog").filter((l) => l.includes(src)),
        src,
      ).toHaveLength(1);
    }
  });

  it("M4: 2000 fence_kdump notices from unregistered addresses add no reset-log line; malformed ones counted by reason", async () => {
    const kd = lab.kdump!;
    const before = logLines(lab.dirs, "resetlog").length;
    const senders = await Promise.all(Array.from({ length: 20 }, (_, i) => attacker(`127.112.9.${i + 1}`)));
    for (let round = 0; round < 100; round++) {
      await Promise.all(senders.map((s) => s.send(kdumpNotice("le"), kd)));
      if (round % 10 === 9) await sleep(5);
    }
    await senders[0]!.send(kdumpNotice("le").subarray(0, 7), kd);
    await senders[0]!.send(Buffer.concat([kdumpNotice("be"), Buffer.from([0])]), kd);
    await senders[0]!.send(Buffer.alloc(8, 0x55), kd);
    await senders[0]!.send(kdumpNotice("le", 2), kd);
    await sleep(500);
    expect(logLines(lab.dirs, "resetlog").length).toBe(before);
    const st = await dumpState(lab.dirs);
    expect(st.resetPath.kdumpDrops).toMatchObject({
      short: 1,
      "trailing-bytes": 1,
      "bad-magic": 1,
      "unsupported-version": 1,
    });
    // Counted, whatever loopback dropped under the flood (each datagram that arrived is counted).
    expect(st.resetPath.refused["unknown-system"]).toBeGreaterThan(500);
    expect(
      logLines(lab.dirs, "eventlog").filter((l) => l.includes("127.112.9.1:")).length,
    ).toBeLessThanOrEqual(5);
  });

  it("point 10: an UNSUPPORTED-VERSION with senderId ≠ 0 is counted bad-field", async () => {
    const a = await attacker("127.0.110.94");
    const before = (await dumpState(lab.dirs)).drops["bad-field"];
    await a.send(frame(lab, RP_TYPE.unsupportedVersion, 7, Buffer.from([1, 1])), lab.connector);
    await waitFor("bad-field", async () =>
      (await dumpState(lab.dirs)).drops["bad-field"] === before + 1 ? true : undefined,
    );
  });

  it("H3: a CHECK with a live monitor's identity from another address does not move it", async () => {
    await registerMonitors(lab);
    const squatter = await attacker("127.0.110.66", lab.clusterPort);
    const requestId = newRequestId();
    await squatter.send(checkFrame(lab, 10001, "PSERVER1", { requestId }), lab.connector);
    const reply = await squatter.waitFor((r) => r.frame?.requestId === requestId, 3000);
    expect(reply && rpParse.checkReply(reply.frame!.body).blockers & 1).toBe(1);
    const st = await dumpState(lab.dirs);
    expect(st.shared.monitors[`${lab.clusterPort}/10001`].addr).toBe("127.0.110.21");
    // The squatter's RESET is not the monitor's.
    await squatter.send(resetFrame(lab, 10001, 10002, "PSERVER2", 501), lab.connector);
    await sleep(300);
    expect(resultsOf(squatter, 501)).toEqual([{ target: 10002, result: 4, detail: 4 }]);
  });

  it("H3: 16 guest slots squatted by one sender: the real guest gets in once the squatter is silent for 3 periods", async () => {
    const squatter = await attacker("127.0.110.80", 0);
    const guest = await attacker("127.0.110.31", 0);
    const guestCheck = async () => {
      const requestId = newRequestId();
      await guest.send(
        checkFrame(lab, 20001, "VHOST1", { vm: "realvm", intervalSec: 1, replyPort: 6500, requestId }),
        lab.connector,
      );
      const r = await guest.waitFor((x) => x.frame?.requestId === requestId, 3000);
      return rpParse.checkReply(r!.frame!.body).blockers & 1;
    };
    for (let g = 0; g < 16; g++) {
      const body = checkFrame(lab, 30_100 + g, "VHOST1", { vm: `fake${g}`, intervalSec: 1, replyPort: 6500 });
      await squatter.send(body, lab.connector);
    }
    await sleep(200);
    expect(await guestCheck(), "refused while the squatters are live").toBe(1);
    // A squatter that stops checking holds nothing after 3 missed periods (3 s here).
    await sleep(3200);
    expect(await guestCheck(), "accepted once they are stale").toBe(0);
  }, 30_000);

  it("point 10: RESET-RESULT details: unknown target ERROR/6", async () => {
    await lab.m1.send(resetFrame(lab, 10001, 10077, "PSERVER1", 601), lab.connector);
    await waitFor("ERROR", () => resultsOf(lab.m1, 601)[0]);
    expect(resultsOf(lab.m1, 601)[0]).toEqual({ target: 10077, result: 4, detail: 6 });
  });

  it("M5 + point 10: a reset runs; forged ACKs do not cut ATTENTION repeats; FAIL/2, DUMP-ACK accepted, then ERROR/5", async () => {
    await registerMonitors(lab);
    await lab.m2.send(resetFrame(lab, 10002, 10001, "PSERVER1", 701), lab.connector);
    await waitFor("NMI on PSERVER1", async () =>
      (await lab.bmc.PSERVER1.actions()).some((x) => x.action === "nmi") ? true : undefined,
    );
    // The target itself asks for a reset while being reset: FAIL, requester being reset.
    await lab.m1.send(resetFrame(lab, 10001, 10002, "PSERVER2", 702), lab.connector);
    await waitFor("FAIL", () => resultsOf(lab.m1, 702)[0]);
    expect(resultsOf(lab.m1, 702)[0]).toEqual({ target: 10002, result: 3, detail: 2 });
    // DUMP-NOTICE from the target's address while its reset is in the soft phase.
    const notifier = await attacker("127.0.110.21");
    await notifier.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 703 }),
      lab.connector,
    );
    const ack = await notifier.waitFor((r) => r.frame?.type === RP_TYPE.dumpAck, 3000);
    expect(rpParse.dumpAck(ack!.frame!.body)).toEqual({ subsystem: 10001, status: 1 });
    const att = await lab.m2.waitFor((r) => r.frame?.type === RP_TYPE.attention, 5000);
    const event = rpParse.attention(att!.frame!.body);
    // Forged ATTENTION-ACKs: from the monitor's address but another port, and with another subsystem.
    const forger = await attacker("127.0.110.22");
    const ackBody = rpBody.attentionAck(event.eventId);
    await forger.send(
      frame(lab, RP_TYPE.attentionAck, 10002, ackBody, { requestId: att!.frame!.requestId }),
      lab.connector,
    );
    const spoofPort = await attacker("127.0.110.23", 0);
    await spoofPort.send(
      frame(lab, RP_TYPE.attentionAck, 10099, ackBody, { requestId: att!.frame!.requestId }),
      lab.connector,
    );
    await sleep(2600);
    const copies = lab.m2.frames(RP_TYPE.attention).length;
    expect(copies).toBeGreaterThanOrEqual(3);
    // The real ACK stops them.
    await lab.m2.send(
      frame(lab, RP_TYPE.attentionAck, 10002, ackBody, { requestId: att!.frame!.requestId }),
      lab.connector,
    );
    await sleep(1500);
    expect(lab.m2.frames(RP_TYPE.attention).length).toBeLessThanOrEqual(copies + 1);
    // The result was DUMP/none; the reset target's own RESET now gets ERROR/5.
    expect(resultsOf(lab.m2, 701)[0]).toEqual({ target: 10001, result: 1, detail: 0 });
    await lab.m1.send(resetFrame(lab, 10001, 10002, "PSERVER2", 704), lab.connector);
    await waitFor("ERROR/5", () => resultsOf(lab.m1, 704)[0]);
    expect(resultsOf(lab.m1, 704)[0]).toEqual({ target: 10002, result: 4, detail: 5 });
    // Whoever asks about a subsystem from an address it is not registered at learns nothing.
    const prober = await attacker("127.0.110.67");
    await prober.send(
      frame(lab, RP_TYPE.dumpNotice, 10002, rpBody.dumpNotice(), { requestId: 705 }),
      lab.connector,
    );
    const probe = await prober.waitFor((r) => r.frame?.type === RP_TYPE.dumpAck, 3000);
    expect(rpParse.dumpAck(probe!.frame!.body).status).toBe(3);
  }, 60_000);
});
