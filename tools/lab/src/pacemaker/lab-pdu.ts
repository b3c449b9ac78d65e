// An IBM iPDU for the Pacemaker lab (issue 18 §5, dead BMC): the lab's pdu-sim (col11, the
// firmware fence_ipdu was tested on) run by its built entry point inside a network namespace of
// the lab, on an address of that namespace, so the Pacemaker nodes (fence_ipdu) and the haconn
// pair (ipdusd) reach it on the management LAN. Each outlet feeds one node: an outlet switched
// off calls `onOff(outlet)` at once (the caller kills that node). The community comes from the
// environment, never from argv.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

export interface LabPduOptions {
  /** Checkout root (tools/lab/dist/pdu-sim.js). */
  repo: string;
  /** Network namespace of the lab that holds `address`. */
  netns: string;
  address: string;
  /** Default 161. */
  port?: number;
  community: string;
  outlets?: number;
  onOff: (outlet: number) => void;
}

export interface LabPduTransition {
  outlet: number;
  to: "on" | "off";
  at: number;
}

export class LabPdu {
  readonly transitions: LabPduTransition[] = [];
  private readonly state = new Map<number, "on" | "off">();

  private constructor(
    readonly o: LabPduOptions,
    private readonly child: ChildProcess,
  ) {}

  static async start(o: LabPduOptions): Promise<LabPdu> {
    const port = o.port ?? 161;
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        o.netns,
        process.execPath,
        join(o.repo, "tools/lab/dist/pdu-sim.js"),
        "--variant",
        "col11",
        "--address",
        o.address,
        "--port",
        String(port),
        "--outlets",
        String(o.outlets ?? 12),
        "--report-ms",
        "10",
        "--panel",
      ],
      { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, PDU_SIM_COMMUNITY: o.community } },
    );
    const pdu = new LabPdu(o, child);
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    let ready = false;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let m: { outlet?: number; to?: "on" | "off"; at?: number; target?: string };
      try {
        m = JSON.parse(line);
      } catch {
        return;
      }
      if (m.outlet === undefined) {
        ready = true;
        return;
      }
      pdu.state.set(m.outlet, m.to!);
      pdu.transitions.push({ outlet: m.outlet, to: m.to!, at: m.at! });
      if (m.to === "off") o.onOff(m.outlet);
    });
    const until = Date.now() + 15_000;
    while (!ready) {
      if (child.exitCode !== null) throw new Error(`pdu-sim did not start: ${err.trim()}`);
      if (Date.now() > until) {
        child.kill("SIGKILL");
        throw new Error(`pdu-sim not ready within 15 s: ${err.trim()}`);
      }
      await sleep(50);
    }
    return pdu;
  }

  get target(): string {
    return `${this.o.address}:${this.o.port ?? 161}`;
  }

  /** The outlet's state as the simulator last reported it (outlets start on). */
  outletState(outlet: number): "on" | "off" {
    return this.state.get(outlet) ?? "on";
  }

  /** Switches an outlet on at the PDU's front panel (the operator after a cut without restore). */
  switchOn(outlet: number): void {
    if (this.outletState(outlet) === "on") return;
    this.child.stdin!.write(`on ${outlet}\n`);
    this.state.set(outlet, "on");
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once("close", resolve));
    this.child.kill("SIGTERM");
    await Promise.race([gone, sleep(5000)]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}
