// The Pacemaker lab's iPDU (the built pdu-sim inside a lab namespace) against fence-agents'
// fence_ipdu run in that namespace: an outlet switched off reaches onOff at once, the front
// panel switches it on again, and fence_ipdu sees both. Needs root (network namespaces) and the
// built tools/lab/dist/pdu-sim.js; skipped otherwise. The community on fence_ipdu's argv is
// fence_ipdu's own way (a test peer), never ours.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NetnsLab, netnsAvailable } from "../netns/index.js";
import { REPO } from "../scenarios/harness.js";
import { LabPdu } from "./lab-pdu.js";

const run = promisify(execFile);
const COMMUNITY = "pduLab9";
const ADDR = "10.81.9.60";
const READY =
  netnsAvailable() &&
  existsSync(join(REPO, "tools/lab/dist/pdu-sim.js")) &&
  existsSync("/usr/sbin/fence_ipdu");

describe.skipIf(!READY)("LabPdu: the lab's iPDU in a namespace, driven by fence_ipdu", () => {
  const lab = new NetnsLab("lpdu");
  let ns = "";
  let pdu: LabPdu | undefined;
  const offs: number[] = [];

  beforeAll(async () => {
    NetnsLab.cleanupLeftovers(lab.prefix);
    ns = lab.add("p");
    lab.exec(ns, ["ip", "addr", "add", `${ADDR}/32`, "dev", "lo"]);
    pdu = await LabPdu.start({
      repo: REPO,
      netns: ns,
      address: ADDR,
      community: COMMUNITY,
      onOff: (o) => offs.push(o),
    });
  }, 30_000);

  afterAll(async () => {
    await pdu?.stop();
    lab.destroy();
  });

  const fence = async (action: string) => {
    try {
      const r = await run("ip", [
        "netns",
        "exec",
        ns,
        "/usr/sbin/fence_ipdu",
        "--ip",
        ADDR,
        "--snmp-version",
        "2c",
        "--community",
        COMMUNITY,
        "--plug",
        "2",
        "--action",
        action,
      ]);
      return { code: 0, out: r.stdout };
    } catch (e) {
      const x = e as { code?: number; stdout?: string };
      return { code: x.code ?? -1, out: x.stdout ?? "" };
    }
  };

  it("reports fence_ipdu's off at once, and the front panel's on is what fence_ipdu reads next", async () => {
    expect(pdu!.target).toBe(`${ADDR}:161`);
    expect((await fence("status")).out).toContain("ON");
    expect((await fence("off")).code).toBe(0);
    await expect.poll(() => offs, { timeout: 2000 }).toEqual([2]);
    expect(pdu!.outletState(2)).toBe("off");
    expect((await fence("status")).code).toBe(2);
    pdu!.switchOn(2);
    await expect.poll(async () => (await fence("status")).code, { timeout: 5000 }).toBe(0);
    expect(pdu!.outletState(2)).toBe("on");
    expect(pdu!.transitions.map((t) => `${t.outlet}${t.to}`)).toEqual(["2off"]);
  }, 60_000);
});
