// Every action and exit status of fence_haconn, with the reset path replaced by a recorded
// answer (the real connector is exercised by tools/lab's pacemaker-fence scenario).
import { formatKeyFile, generateAuthKey, parseKeyFile } from "@haconn/protocol";
import { describe, expect, it } from "vitest";
import { type FenceDeps, type ResetCall, type ResetOutcome, runFenceAgent } from "./agent.js";
import type { MonitorState } from "./local-state.js";
import { parseFenceOptions } from "./options.js";

const key = generateAuthKey(1);
const NOW = 1_800_000_000_000;
const state = (over: Partial<MonitorState> = {}): MonitorState => ({
  version: 1,
  node: "pn1",
  subsystem: 1,
  system: "PN1",
  clusterPort: 40000,
  connector: { ip: "10.81.1.100", port: 30000 },
  intervalSec: 1,
  pairSubsystem: 0,
  pid: 1,
  startedAtMs: NOW - 10_000,
  lastReply: { atMs: NOW - 500, role: "active", status: "normal", blockers: [], responder: "HACON1" },
  attentions: [],
  ...over,
});
const CONF = "nodelist {\n node {\n name: pn1\n nodeid: 1\n }\n node {\n name: pn2\n nodeid: 2\n }\n}\n";

function world(outcome?: ResetOutcome, files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: ResetCall[] = [];
  const slept: number[] = [];
  const fs: Record<string, string> = {
    "/k": formatKeyFile({ keys: [key], send: key }),
    "/run/haconn/pcmk-monitor.json": JSON.stringify(state()),
    "/etc/corosync/corosync.conf": CONF,
    ...files,
  };
  const deps: FenceDeps = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    readFile: (p) => {
      if (!(p in fs)) throw new Error(`ENOENT ${p}`);
      return fs[p]!;
    },
    loadKey: (p) => {
      if (!(p in fs)) throw new Error(`cannot read ${p}`);
      return parseKeyFile(fs[p]!);
    },
    appendFile: (p, t) => {
      fs[p] = (fs[p] ?? "") + t;
    },
    now: () => NOW,
    sleep: async (ms) => {
      slept.push(ms);
    },
    reset: async (c) => {
      calls.push(c);
      return outcome ?? { kind: "silent", sends: 10, accepted: undefined };
    },
  };
  const run = (stdin: string) =>
    runFenceAgent(parseFenceOptions([], `ip=10.81.1.100\nipport=30000\nkey_file=/k\n${stdin}`), deps);
  return { run, out, err, calls, slept, fs };
}

const result = (r: "DUMP" | "POFF" | "FAIL" | "ERROR", detail: string): ResetOutcome =>
  ({ kind: "result", sends: 1, result: { targetSubsystem: 2, result: r, detail } }) as ResetOutcome;

describe("fence_haconn actions", () => {
  it("--version prints the product version and commit, like every haconn command", async () => {
    const w = world();
    expect(await w.run("action=reboot\nversion=1\n")).toBe(0);
    expect(w.out.join("")).toMatch(/^fence_haconn \(haconn\) \S+ commit \S+\n$/);
    expect(w.calls).toEqual([]);
  });

  it("reboot: DUMP from the connector is success, with the target's subsystem = its nodeid", async () => {
    const w = world(result("DUMP", "none"));
    expect(await w.run("action=reboot\nplug=PN2\nnodename=pn2\n")).toBe(0);
    expect(w.out.join("")).toBe("Success: Rebooted\n");
    expect(w.calls[0]).toMatchObject({
      connector: { address: "10.81.1.100", port: 30000 },
      senderId: 1,
      clusterPort: 40000,
      target: { subsystem: 2, system: "PN2" },
      timeoutMs: 40_000,
    });
  });

  it("reboot: every RESET carries FENCE; an immediate DUMP is final (no second request, no sleep)", async () => {
    const w = world({
      kind: "result",
      sends: 1,
      accepted: false,
      result: { targetSubsystem: 2, result: "DUMP", detail: "none" },
    });
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(0);
    expect(w.calls).toHaveLength(1);
    expect(w.calls[0]!.fence).toBe(true);
    expect(w.slept).toEqual([]);
  });

  it("reboot: silence names the possible cause (a connector older than the FENCE flag)", async () => {
    const w = world();
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(1);
    expect(w.err.join("")).toMatch(
      /did not answer \(10 RESET sends; a haconnd older than the RESET FENCE flag/,
    );
  });

  it("reboot: POFF is success too", async () => {
    const w = world(result("POFF", "none"));
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(0);
    expect(w.out.join("")).toMatch(/^Success: Rebooted/);
  });

  it.each([
    ["FAIL", "resetFailed", /could not reset PN2/],
    ["FAIL", "requesterBeingReset", /lost the fence race/],
    ["FAIL", "notActive", /not the active one/],
    ["ERROR", "invalidRequester", /does not know this node \(PN1\) as a requester/],
    ["ERROR", "requesterResetComplete", /was itself reset/],
    ["ERROR", "unknownTarget", /does not know PN2/],
  ] as const)("reboot: %s/%s fails with the reason on stderr", async (r, detail, re) => {
    const w = world(result(r, detail));
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(1);
    expect(w.err.join("")).toMatch(re);
    expect(w.out).toEqual([]);
  });

  it("reboot: a silent connector fails (and an accepted reset without a result too)", async () => {
    const w = world();
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(1);
    expect(w.err.join("")).toMatch(/did not answer \(10 RESET sends;/);
    const w2 = world({ kind: "silent", sends: 1, accepted: { targetSubsystem: 2, phase: "hardReset" } });
    expect(await w2.run("plug=PN2\nnodename=pn2\npower_timeout=5\n")).toBe(1);
    expect(w2.err.join("")).toMatch(
      /accepted the reset of PN2 \(phase hardReset\) but gave no result within 5 s/,
    );
  });

  it("reboot: waits `delay` first, writes the debug file, refuses to fence itself", async () => {
    const w = world(result("DUMP", "none"));
    expect(await w.run("plug=PN2\nnodename=pn2\ndelay=3\ndebug_file=/dbg\n")).toBe(0);
    expect(w.slept).toEqual([3000]);
    expect(w.fs["/dbg"]).toMatch(/RESET PN2 \(subsystem 2, node pn2\)/);
    const self = world(result("DUMP", "none"));
    expect(await self.run("plug=PN1\nnodename=pn1\n")).toBe(1);
    expect(self.calls).toEqual([]);
  });

  it("reboot without this node's registration or key fails before sending anything", async () => {
    const w = world(result("DUMP", "none"), {});
    delete w.fs["/run/haconn/pcmk-monitor.json"];
    expect(await w.run("plug=PN2\nnodename=pn2\n")).toBe(1);
    expect(w.err.join("")).toMatch(/not registered with haconn/);
    const nokey = world(result("DUMP", "none"), { "/k": "garbage" });
    expect(await nokey.run("plug=PN2\nnodename=pn2\n")).toBe(1);
    expect(nokey.err.join("")).toMatch(/Failed: reset-path key file/);
    expect([...w.calls, ...nokey.calls]).toEqual([]);
  });

  it("off and on are refused, pointing at the configuration to use", async () => {
    const off = world();
    expect(await off.run("action=off\nplug=PN2\n")).toBe(1);
    expect(off.err.join("")).toMatch(/pcmk_off_action=reboot/);
    expect(off.err.join("")).toMatch(/stonith-action=reboot/);
    const on = world();
    expect(await on.run("action=on\nplug=PN2\n")).toBe(1);
    expect([...off.calls, ...on.calls]).toEqual([]);
  });

  it("status: ON unless haconn's last notice about the node was a power-off (exit 2)", async () => {
    const on = world();
    expect(await on.run("action=status\nplug=PN2\nnodename=pn2\n")).toBe(0);
    expect(on.out.join("")).toBe("Status: ON\n");
    const poff = state({
      attentions: [
        { atMs: NOW - 100, eventId: 9, state: "POFF", targetSubsystem: 2, targetSystemName: "PN2" },
      ],
    });
    const off = world(undefined, { "/run/haconn/pcmk-monitor.json": JSON.stringify(poff) });
    expect(await off.run("action=status\nplug=PN2\nnodename=pn2\n")).toBe(2);
    expect(off.out.join("")).toBe("Status: OFF\n");
  });

  it("monitor: fails when the connector stopped answering this node's CHECK", async () => {
    expect(await world().run("action=monitor\n")).toBe(0);
    const stale = state({
      lastReply: { atMs: NOW - 60_000, role: "active", status: "normal", blockers: [], responder: "H" },
    });
    const w = world(undefined, { "/run/haconn/pcmk-monitor.json": JSON.stringify(stale) });
    expect(await w.run("action=monitor\n")).toBe(1);
    expect(w.err.join("")).toMatch(/has not answered this node's CHECK/);
  });

  it("list, metadata and validate-all", async () => {
    const l = world();
    expect(await l.run("action=list\n")).toBe(0);
    expect(l.out.join("")).toBe("pn1,subsystem 1\npn2,subsystem 2\n");
    const m = world();
    expect(await m.run("action=metadata\n")).toBe(0);
    expect(m.out.join("")).toMatch(/<resource-agent name="fence_haconn"/);
    expect(await world().run("action=validate-all\nplug=PN2\nnodename=pn2\n")).toBe(0);
    const v = world();
    const noIp = await runFenceAgent(parseFenceOptions([], "action=validate-all\nipport=1\n"), {
      ...({} as FenceDeps),
      err: (t: string) => v.err.push(t),
      now: () => NOW,
    });
    expect(noIp).toBe(1);
    expect(v.err.join("")).toMatch(/You have to enter fence address/);
    expect(v.calls).toEqual([]);
  });
});
