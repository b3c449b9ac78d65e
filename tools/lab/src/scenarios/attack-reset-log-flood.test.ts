// Without a key (resetpath insecure=on), a spoofer of a registered monitor's address floods the
// connector with RESETs that are refused (unknown target, the requester itself) or that pile new
// request ids onto a running reset. Before: two reset-log lines (RECV, SEND) and an event-log
// line per datagram, so ~730 k datagrams rotate the evidence away (issue #17 point 4, M4). Now:
// one group of lines per reason per source a minute, every refusal counted in the state dump,
// and the lines of the reset actually carried out, and its result, all written.
// Real built haconnd and ipmi_sim; the independent raw client (../attacker); 127.0.119.x.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawUdp, RP_TYPE, rpBody } from "../attacker/reset-path-raw.js";
import {
  type AttackLab,
  dumpState,
  frame,
  logLines,
  registerMonitors,
  resetFrame,
  resultsOf,
  startAttackLab,
} from "./attack-reset-path-setup.js";
import { BUILT, waitFor } from "./harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!BUILT)("attack: reset-log flood from a spoofed registered address (no key)", () => {
  let lab: AttackLab;
  const opened: RawUdp[] = [];

  beforeAll(async () => {
    lab = await startAttackLab({ prefix: "atk-rlog", net: 119, key: false, kdump: false });
    await registerMonitors(lab);
  }, 60_000);

  afterAll(async () => {
    for (const s of opened) s.socket.close();
    await lab?.close();
  });

  it("4000 refused RESETs and 1000 piled-on request ids leave a bounded reset log; the real reset is logged whole", async () => {
    // The monitor of PSERVER2 is registered from 127.0.119.22; the spoofer uses that address.
    const spoofer = await RawUdp.open("127.0.119.22", 0);
    opened.push(spoofer);
    const before = logLines(lab.dirs, "resetlog").length;
    const eventsBefore = logLines(lab.dirs, "eventlog").length;
    let id = 1_000_000;
    for (let burst = 0; burst < 20; burst++) {
      const sends = [];
      for (let i = 0; i < 100; i++) {
        sends.push(spoofer.send(resetFrame(lab, 10002, 10077, "PSERVER1", id++), lab.connector)); // unknown target
        sends.push(spoofer.send(resetFrame(lab, 10002, 10002, "PSERVER2", id++), lab.connector)); // itself
      }
      await Promise.all(sends);
      await sleep(20);
    }
    await sleep(500);
    const flood = logLines(lab.dirs, "resetlog").slice(before);
    const events = logLines(lab.dirs, "eventlog").length - eventsBefore;
    console.log(`after the flood: ${flood.length} reset-log lines, ${events} event-log lines`);
    // One RECV + SEND per reason (and source) this minute: 4, not 8000.
    expect(flood.length).toBeLessThanOrEqual(4);
    expect(events).toBeLessThanOrEqual(6);
    const st = await dumpState(lab.dirs);
    const counted = st.resetPath.service.refusedResetLines;
    console.log(`counted: ${JSON.stringify(counted)}`);
    expect(counted, "refusals counted in dumpState").toBeTruthy();
    // Counted, whatever loopback dropped under the flood.
    expect(counted.byReason["ERROR/unknownTarget"]).toBeGreaterThan(400);
    expect(counted.byReason["ERROR/invalidRequester"]).toBeGreaterThan(400);
    expect(counted.suppressed).toBe(
      counted.byReason["ERROR/unknownTarget"] + counted.byReason["ERROR/invalidRequester"] - 2,
    );

    // The real monitor's RESET of PSERVER1 in the middle of more of the same: carried out and logged.
    const at = logLines(lab.dirs, "resetlog").length;
    await lab.m2.send(resetFrame(lab, 10002, 10001, "PSERVER1", 777), lab.connector);
    await waitFor("NMI on PSERVER1", async () =>
      (await lab.bmc.PSERVER1.actions()).some((x) => x.action === "nmi") ? true : undefined,
    );
    // Piled-on request ids for the running reset from the spoofed address: at most 4 wait.
    const sends = [];
    for (let i = 0; i < 1000; i++) {
      sends.push(spoofer.send(resetFrame(lab, 10002, 10001, "PSERVER1", id++), lab.connector));
    }
    await Promise.all(sends);
    await sleep(300);
    const running = (await dumpState(lab.dirs)).shared.jobs[`${lab.clusterPort}/10001`];
    expect(running?.requesters.length).toBeLessThanOrEqual(5);
    // The target's notifier (from its registered address) reports its dump: result DUMP to m2.
    const notifier = await RawUdp.open("127.0.119.21", 0);
    opened.push(notifier);
    await notifier.send(
      frame(lab, RP_TYPE.dumpNotice, 10001, rpBody.dumpNotice(), { requestId: 9 }),
      lab.connector,
    );
    await waitFor("DUMP to the real monitor", () => resultsOf(lab.m2, 777)[0]);
    expect(resultsOf(lab.m2, 777)[0]).toEqual({ target: 10001, result: 1, detail: 0 });
    await sleep(300);
    const real = logLines(lab.dirs, "resetlog").slice(at);
    const ours = (s: string) => real.filter((l) => l.includes(s));
    expect(ours("RM-RESET PSERVER1 10001 RECV 127.0.119.22")).not.toHaveLength(0);
    expect(ours("SOFTRESET PSERVER1 10001 SEND")).toHaveLength(1);
    expect(
      ours("RM-RESET PSERVER1 10001 SEND 127.0.119.22").filter((l) => l.endsWith("DUMP")).length,
    ).toBeGreaterThanOrEqual(1);
    // The piled-on ids: at most 4 waited (each gets its result line), the rest one group of lines.
    expect(real.length).toBeLessThanOrEqual(20);

    // PSERVER1 now counts as dumped: 1000 new RESETs naming it from the spoofed address are each
    // answered DUMP from the state — one group of lines, and at most 8 result series repeating.
    const after = logLines(lab.dirs, "resetlog").length;
    const more = [];
    for (let i = 0; i < 1000; i++) {
      more.push(spoofer.send(resetFrame(lab, 10002, 10001, "PSERVER1", id++), lab.connector));
    }
    await Promise.all(more);
    await sleep(300);
    const st2 = await dumpState(lab.dirs);
    console.log(
      `DUMP-from-state flood: repeats ${st2.resetPath.service.repeats}, reset-log lines ${logLines(lab.dirs, "resetlog").length - after}`,
    );
    expect(st2.resetPath.service.repeats).toBeLessThanOrEqual(8 + 2);
    expect(logLines(lab.dirs, "resetlog").length - after).toBeLessThanOrEqual(2);
  }, 90_000);
});
