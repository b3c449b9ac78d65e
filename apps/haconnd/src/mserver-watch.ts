// Watches the management servers' own BMCs and PDU outlets for `haconnshow status` and for the
// redundancy warning: status normal/poff from the iLO (the last value is kept when the iLO does
// not answer), BMC link OK/NG, IPDU link OK/NG ("--" when iPDU control is off).

import type { ResolvedConfig } from "@haconn/config";
import type { Clock, TimerHandle } from "@haconn/core";
import type { Devices } from "./devices.js";

export type Link = "OK" | "NG" | "--";

export interface MserverHealth {
  name: string;
  addr: string;
  status: "normal" | "poff" | "reset" | "error" | "--";
  bmc: Link;
  ipdu: Link;
}

export class MserverWatch {
  readonly health = new Map<string, MserverHealth>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly devices: Devices,
    private readonly clock: Clock,
    private readonly periodMs = 5000,
  ) {
    for (const m of config.mservers) {
      this.health.set(m.name, {
        name: m.name,
        addr: m.bmc.addr,
        status: "--",
        bmc: "--",
        ipdu: m.ipdusd ? "--" : "--",
      });
    }
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
  }

  /** Marks a server as being reset by a fence (shown `reset` until the next answer). */
  mark(name: string, status: MserverHealth["status"]): void {
    const h = this.health.get(name);
    if (h) h.status = status;
  }

  async poll(): Promise<void> {
    await Promise.all(
      this.config.mservers.map(async (m) => {
        const h = this.health.get(m.name)!;
        try {
          const power = await this.devices.bmc(m.name).status({ timeoutMs: 4000 });
          h.bmc = "OK";
          h.status = power === "on" ? "normal" : "poff";
        } catch {
          h.bmc = "NG";
        }
        if (m.ipdusd && m.outlets.length > 0) {
          try {
            const ctl = this.devices.mserverOutlets(m.name);
            await ctl?.status({ timeoutMs: 3000 });
            h.ipdu = "OK";
          } catch {
            h.ipdu = "NG";
          }
        }
      }),
    );
    if (!this.stopped) this.timer = this.clock.setTimeout(() => void this.poll(), this.periodMs);
  }
}
