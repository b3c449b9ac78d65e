// A running simulated BMC seen from a drill (another process than the supervisor): its action
// record, its power state file and its process group, through the files ipmi_sim runs from.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IpmiSimAction } from "../ipmi-sim/index.js";
import { SIM_FILES } from "../ipmi-sim/sim-files.js";
import { isLabProcess } from "./processes.js";
import type { SimsBmcInfo } from "./sims-info.js";

export class LabBmc {
  constructor(
    readonly name: string,
    private readonly info: SimsBmcInfo,
    private readonly labDir: string,
  ) {}

  get endpoint(): string {
    return `${this.info.addr}:${this.info.port}`;
  }

  /** Power actions the BMC carried out at or after `since` (epoch ms). */
  actions(since = 0): IpmiSimAction[] {
    return readFileSync(join(this.info.dir, SIM_FILES.actions), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((line) => {
        const [at, action = ""] = line.trim().split(/\s+/, 2);
        return { atMs: Number(at), action };
      })
      .filter((a) => a.atMs >= since);
  }

  power(): "on" | "off" {
    return readFileSync(join(this.info.dir, SIM_FILES.power), "utf8").trim() === "0" ? "off" : "on";
  }

  /** As if the server lost power (the BMC keeps answering, reporting off). */
  setPower(state: "on" | "off"): void {
    writeFileSync(join(this.info.dir, SIM_FILES.power), state === "off" ? "0\n" : "1\n");
  }

  /** A hung BMC: SIGSTOP to its process group. */
  freeze(): void {
    this.signal("SIGSTOP");
  }

  thaw(): void {
    this.signal("SIGCONT");
  }

  private signal(sig: NodeJS.Signals): void {
    if (!isLabProcess(this.info.pid, this.labDir)) throw new Error(`BMC of ${this.name} is not running`);
    process.kill(-this.info.pid, sig);
  }
}
