// The `lab` command in netns mode, as built: HACON1 and HACON2 in their own namespaces with a
// duplex veth, a reset-path bridge and a real VIP; the duplex LAN cut (no split brain, the pair
// OK again); up again over a running lab (its namespaces are rebuilt, never doubled); down
// removes processes, namespaces and files. Needs root and network namespaces.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../netns/index.js";
import { labNamespaces } from "./lab-netns.js";
import { netnsNames } from "./pair-topology.js";
import { repoRoot } from "./paths.js";
import { labProcesses } from "./processes.js";
import type { LabState } from "./state.js";

const root = repoRoot();
const LAB = join(root, "tools/lab/dist/lab.js");
const BUILT = [
  LAB,
  join(root, "apps/haconnd/dist/haconnd.js"),
  join(root, "apps/cli/dist/haconnsetup.js"),
].every((f) => existsSync(f));

describe.skipIf(!BUILT || !netnsAvailable())("lab in network namespaces", () => {
  let dir: string;
  const lab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [LAB, ...args], {
      env: { ...process.env, HACONN_LAB_DIR: dir },
      encoding: "utf8",
      timeout: 150_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const mine = () => labNamespaces().filter((n) => n.startsWith(`${netnsNames(dir).prefix}-`));
  const vipOn = (ns: string) =>
    execFileSync("ip", ["-n", ns, "-4", "-o", "addr", "show"], { encoding: "utf8" }).includes(
      " 10.78.1.100/",
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "haconn-labnetns-"));
  });

  afterAll(() => {
    if (!dir) return;
    lab("down");
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("brings the pair up as separate hosts with a real VIP on exactly one of them", () => {
    const r = lab("up");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/mode netns — HACON1 and HACON2 are separate hosts in network namespaces/);
    expect(r.out).toMatch(/\$ haconnsetup resetpath addr=10\.78\.1\.100\/24 port=30000/);
    expect(r.out).toMatch(/\$ haconnsetup mlan HACON2 addr=10\.78\.3\.2 port=5002/);
    expect(r.out).toMatch(
      /\$ ip netns exec hcl-[0-9a-f]{6}-n2 env HACONN_NODE_NAME=HACON2 HACONN_VIP=ip haconnd/,
    );
    expect(r.out).toMatch(/pair OK/);
    const names = netnsNames(dir);
    expect(mine().sort()).toEqual([names.lab, names.nodes.HACON1, names.nodes.HACON2].sort());
    const holders = [names.nodes.HACON1, names.nodes.HACON2].filter(vipOn);
    expect(holders).toHaveLength(1);
    expect(vipOn(names.lab)).toBe(false);
    const s = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as LabState;
    expect(s.mode).toBe("netns");
  }, 150_000);

  it("cuts the duplex LAN: exactly one active, never two, the pair OK again", () => {
    const r = lab("drill", "duplex-cut");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/link down\s+lab\s+ip -n hcl-[0-9a-f]{6}-n\d link set dx0 down/);
    expect(r.out).toMatch(/VIP move\s+sampler\s+VIP 10\.78\.1\.100 (now on|moved from HACON\d to) HACON\d/);
    expect(r.out).toMatch(/^verdict: PASS duplex-cut \(expected .*, got .*never two at once.*pair OK again/m);
  }, 150_000);

  it("status shows both nodes; up again rebuilds the namespaces; down removes everything", () => {
    const st = lab("status");
    expect(st.code, st.out).toBe(0);
    expect(st.out).toMatch(/\[HACON2\]\$ haconnshow status[\s\S]*link status : OK/);
    const again = lab("up");
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/cleaning up what a previous lab left[\s\S]*removed 3 network namespaces/);
    expect(mine()).toHaveLength(3);
    const down = lab("down");
    expect(down.code, down.out).toBe(0);
    expect(mine()).toEqual([]);
    expect(labProcesses(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  }, 200_000);
});
