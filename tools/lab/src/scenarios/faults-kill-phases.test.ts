// Fault: kill -9 of the active haconnd of a pair at each phase of a reset — right after the NMI
// (the DUMP notice then reaches the new active), right after a DUMP notice was acknowledged,
// during the hispeed wait, during the hardware reset, during the PDU cut. The new active must
// finish the job; every accepted request is answered exactly once (one distinct result); no NMI
// after a DUMP notice; never two actives; the reset logs of both nodes stay parsable.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSimSendNotice } from "../dump-sim/index.js";
import { checkLogs } from "../faults/logcheck.js";
import { LoopbackPair, PAIR_NODES, type PairNode } from "../faults/pair-fixture.js";
import { type FaultRow, recordFault } from "../faults/report.js";
import { AnswerLog, distinctResults, type ResetRecord } from "../faults/requester.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { BUILT, freeUdpPort, waitFor } from "./harness.js";

const HISPEED = 5000;
const PS = ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER4", "PSERVER5", "PSERVER6"];
const REQUESTER = "PSERVER6";
const monAddr = (name: string) => `127.0.99.${11 + PS.indexOf(name)}`;
const sub = (name: string) => 10001 + PS.indexOf(name);

describe.skipIf(!BUILT)("fault: kill -9 of the active at each reset phase (pair on loopback)", () => {
  let pair: LoopbackPair;
  const mon: Record<string, HamonSimMonitor> = {};
  let log: AnswerLog;

  beforeAll(async () => {
    pair = await LoopbackPair.start({
      prefix: "fkill",
      addresses: ["127.0.99.1", "127.0.99.41", "127.0.99.42"],
      hispeedMs: HISPEED,
      pdu: true,
      pservers: PS.map((name) =>
        name === "PSERVER5"
          ? { name, extra: ["ipdusd=on", "timeout=5", "recoverytime=5"], outlets: [1, 2] }
          : { name },
      ),
    });
    const clusterPort = await freeUdpPort(monAddr(PS[0]!));
    for (const name of PS) {
      mon[name] = await HamonSimMonitor.start({
        subsystem: sub(name),
        systemName: name,
        connector: pair.connector,
        checkIntervalMs: 1000,
        bind: { address: monAddr(name), port: clusterPort },
      });
    }
    await pair.settled(40_000);
    await waitFor("registered", () => Object.values(mon).every((m) => m.lastCheckReply) || undefined, 20_000);
    log = new AnswerLog(mon[REQUESTER]!, pair.connector);
    pair.startSampler(100);
  }, 120_000);

  afterAll(async () => {
    for (const m of Object.values(mon)) await m.stop();
    await pair?.stop();
  });

  const actions = async (name: string) => pair.bmc[name]!.actions();
  const count = async (name: string, action: string, since = 0) =>
    (await actions(name)).filter((a) => a.action === action && a.atMs >= since).length;
  const nmiAt = (name: string) =>
    waitFor("NMI", async () => (await actions(name)).find((a) => a.action === "nmi")?.atMs, 20_000);

  interface Phase {
    record: ResetRecord;
    result: string | undefined;
    killed: PairNode;
    takeoverMs: number;
  }

  /** Starts a reset of `target`, waits for `killWhen`, kills the active, waits for the result. */
  async function phase(target: string, killWhen: () => Promise<void>, duringTakeover?: () => Promise<void>) {
    const killed = (await pair.active())!;
    const survivor = PAIR_NODES.find((n) => n !== killed)!;
    const run = log.reset(
      { subsystem: sub(target), systemName: target },
      { silenceMs: 3000, deadlineMs: 60_000 },
    );
    await killWhen();
    const t0 = Date.now();
    await pair.kill(killed);
    const takeover = waitFor(
      "takeover",
      async () => ((await pair.role(survivor)) === "active" ? Date.now() : undefined),
      20_000,
    );
    await duringTakeover?.();
    const takeoverMs = (await takeover) - t0;
    const result = await run.done;
    await new Promise((r) => setTimeout(r, 2000)); // late duplicates or second results would show now
    return { record: run.record, result, killed, takeoverMs } satisfies Phase;
  }

  async function restore(p: Phase): Promise<void> {
    await pair.startNode(p.killed);
    await pair.settled(40_000);
  }

  function finish(row: Omit<FaultRow, "checks">, p: Phase, checks: Record<string, boolean>): FaultRow {
    const logs = PAIR_NODES.map((n) => checkLogs(pair.nodeDirs[n].log));
    return recordFault({
      ...row,
      figures: { ...row.figures, "takeover ms": p.takeoverMs, "result copies": p.record.results.length },
      checks: {
        ...checks,
        "request answered": p.result !== undefined,
        "one distinct result": distinctResults(p.record).length === 1,
        "never two actives": pair.violations.length === 0,
        "reset logs parsable (both nodes)": logs.every((l) => l.bad.length === 0),
      },
    });
  }

  const allPass = (row: FaultRow) =>
    expect(row.checks, row.measured).toEqual(
      Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
    );

  it("killed right after the NMI: the DUMP notice reaches the new active; no hardware reset", async () => {
    let noticeAt = 0;
    let notice: Promise<unknown> | undefined;
    const p = await phase(
      "PSERVER1",
      async () => void (await nmiAt("PSERVER1")),
      async () => {
        noticeAt = Date.now();
        notice = dumpSimSendNotice({
          connector: pair.connector,
          subsystem: sub("PSERVER1"),
          bind: { address: monAddr("PSERVER1"), port: 0 },
          maxSends: 40,
        });
      },
    );
    const ack = (await notice) as { ack?: { status: string } };
    const row = finish(
      {
        fault:
          "kill -9 of the active right after RESET accepted + NMI issued; DUMP notice during the takeover",
        expected: "new active takes the DUMP notice: result DUMP, no hardware reset, no NMI after the notice",
        measured: `result ${p.result}; DUMP-ACK ${ack.ack?.status}; NMIs ${await count("PSERVER1", "nmi")}, hardware resets ${await count("PSERVER1", "reset")}`,
        figures: {},
      },
      p,
      {
        "result DUMP": p.result === "DUMP",
        "no NMI after the notice": (await count("PSERVER1", "nmi", noticeAt)) === 0,
        "no hardware reset": (await count("PSERVER1", "reset")) === 0,
      },
    );
    await restore(p);
    allPass(row);
  }, 120_000);

  it("killed right after a DUMP notice was acknowledged: no second NMI, no hardware reset", async () => {
    let ackedAt = 0;
    const p = await phase("PSERVER2", async () => {
      await nmiAt("PSERVER2");
      const ack = await dumpSimSendNotice({
        connector: pair.connector,
        subsystem: sub("PSERVER2"),
        bind: { address: monAddr("PSERVER2"), port: 0 },
      });
      ackedAt = Date.now();
      if (ack.ack?.status !== "accepted") throw new Error("DUMP-NOTICE not accepted");
    });
    const row = finish(
      {
        fault: "kill -9 of the active right after it acknowledged a DUMP notice (hispeed 5 s)",
        expected: "job complete: result DUMP; the new active sends no NMI and no hardware reset",
        measured: `result ${p.result}; NMIs ${await count("PSERVER2", "nmi")}, hardware resets ${await count("PSERVER2", "reset")}`,
        figures: {},
      },
      p,
      {
        "result DUMP": p.result === "DUMP",
        "no NMI after the notice": (await count("PSERVER2", "nmi", ackedAt)) === 0,
        "no hardware reset": (await count("PSERVER2", "reset")) === 0,
      },
    );
    await restore(p);
    allPass(row);
  }, 120_000);

  it("killed during the hispeed wait: the new active issues the hardware reset", async () => {
    let nmi = 0;
    const p = await phase("PSERVER3", async () => {
      nmi = await nmiAt("PSERVER3");
      await new Promise((r) => setTimeout(r, 1500));
    });
    const acts = await actions("PSERVER3");
    const hard = acts.filter((a) => a.action === "reset");
    const row = finish(
      {
        fault: "kill -9 of the active 1.5 s into the hispeed wait (5 s), no DUMP notice",
        expected: "new active resumes the job: hardware reset at the hispeed deadline or later, result DUMP",
        measured: `result ${p.result}; NMIs ${acts.filter((a) => a.action === "nmi").length}, hardware resets ${hard.length}`,
        figures: { "NMI to hardware reset ms": hard[0] ? Math.round(hard[0].atMs - nmi) : "none" },
      },
      p,
      {
        "result DUMP": p.result === "DUMP",
        "hardware reset issued once": hard.length === 1,
        "not before the hispeed time": !!hard[0] && hard[0].atMs - nmi >= HISPEED - 100,
      },
    );
    await restore(p);
    allPass(row);
  }, 120_000);

  it("killed during the hardware reset: the new active finishes it", async () => {
    let nmi = 0;
    const p = await phase(
      "PSERVER4",
      async () => {
        nmi = await nmiAt("PSERVER4");
        await pair.bmc.PSERVER4!.setDelay(2500); // the HARDRESET call stays in flight 2.5 s
        await new Promise((r) => setTimeout(r, Math.max(0, nmi + HISPEED + 700 - Date.now())));
      },
      () => pair.bmc.PSERVER4!.setDelay(0),
    ); // the BMC answers at once again for the new active
    const acts = await actions("PSERVER4");
    const hard = acts.filter((a) => a.action === "reset").length;
    const row = finish(
      {
        fault: "kill -9 of the active while its HARDRESET call is in flight (BMC answers 2.5 s late)",
        expected:
          "new active completes the job: result DUMP (a repeated hardware reset is tolerated and counted)",
        measured: `result ${p.result}; NMIs ${acts.filter((a) => a.action === "nmi").length}, hardware resets ${hard}`,
        figures: { "hardware resets": hard },
      },
      p,
      {
        "result DUMP": p.result === "DUMP",
        "hardware reset carried out": hard >= 1,
      },
    );
    await restore(p);
    allPass(row);
  }, 120_000);

  it("killed during the PDU cut: the new active restores the outlets and answers", async () => {
    const pdu = pair.pdu!;
    const before = pdu.transitions().length;
    const p = await phase("PSERVER5", async () => {
      await nmiAt("PSERVER5");
      pair.bmc.PSERVER5!.freeze();
      await waitFor(
        "outlets cut",
        () =>
          pdu
            .transitions()
            .slice(before)
            .filter((t) => t.to === "off").length >= 2
            ? true
            : undefined,
        30_000,
      );
    });
    await waitFor(
      "outlets on",
      () => (pdu.outletState(1) === "on" && pdu.outletState(2) === "on") || undefined,
      30_000,
    ).catch(() => undefined);
    pair.bmc.PSERVER5!.thaw();
    const t = pdu.transitions().slice(before);
    const row = finish(
      {
        fault: "kill -9 of the active during the PDU cut (BMC hung, ipdusd=on, recoverytime 5 s)",
        expected: "new active restores the outlets after the recovery time and answers DUMP",
        measured: `result ${p.result}; outlets ${t.map((x) => `${x.outlet}${x.to}`).join(" ")}; now ${pdu.outletState(1)}/${pdu.outletState(2)}`,
        figures: { "outlet transitions": t.length },
      },
      p,
      {
        "result DUMP": p.result === "DUMP",
        "outlets restored": pdu.outletState(1) === "on" && pdu.outletState(2) === "on",
      },
    );
    await restore(p);
    allPass(row);
  }, 150_000);
});
