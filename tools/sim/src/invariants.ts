// The invariants, checked as the run goes. Node roles and the VIP are checked after every
// step; the others at the only steps that can change them (a reset command issued or carried
// out, a result received, a system booting), which is the same as after every step.

import type { World } from "./world.js";

export interface ResetRequestRecord {
  id: number;
  requester: number;
  target: number;
  sentAt: number;
  /** Some connector answered `accepted` (seen at the connector, even if the datagram was lost). */
  accepted: boolean;
  /** Distinct results received by the requester's HA monitor. */
  results: string[];
  /** The requester stopped (hung, dumped, reset, powered off) before it had its result. */
  abandoned: boolean;
  /** Sent with the FENCE flag (every retransmission too). */
  fence: boolean;
}

export interface RoleView {
  name: string;
  /** The daemon runs and its election role is active. */
  acting: boolean;
  /** Its host carries the VIP (a killed daemon leaves it there until the host is reset). */
  vip: boolean;
}

export class Invariants {
  /** Systems (by index) some HA monitor asked to reset, at least once before. */
  private readonly asked = new Set<number>();
  /** Systems hit by a destructive command and not booted since. */
  private readonly inEpisode = new Set<number>();
  /** Jobs ended by a DUMP notice: `<target key>#<job id>#<started at>`. */
  private readonly dumped = new Set<string>();
  readonly requests = new Map<number, ResetRequestRecord>();

  constructor(
    private readonly world: World,
    private readonly peerOf: (system: number) => number,
    private readonly nameOf: (system: number) => string,
  ) {}

  roles(nodes: readonly RoleView[]): void {
    const acting = nodes.filter((n) => n.acting);
    if (acting.length > 1)
      this.world.violate("single-active", `${acting.map((n) => n.name).join(" and ")} both active`);
    const vip = nodes.filter((n) => n.vip);
    if (vip.length > 1)
      this.world.violate("single-vip", `${vip.map((n) => n.name).join(" and ")} both hold the VIP`);
  }

  requestSent(record: ResetRequestRecord): void {
    this.asked.add(record.target);
    this.requests.set(record.id, record);
  }

  /** A connector issued NMI / hardware reset / outlet off aimed at `system` (null: no system behind it). */
  destructiveIssued(system: number | null, op: string, by: string, job: string | null): void {
    if (system !== null && !this.asked.has(system)) {
      this.world.violate(
        "unrequested-reset",
        `${by} issued ${op} on ${this.nameOf(system)} that nobody asked to reset`,
      );
    }
    if (op === "reset" && job !== null && this.dumped.has(job)) {
      this.world.violate(
        "reset-after-dump",
        `${by} issued a hardware reset for job ${job} after its DUMP notice`,
      );
    }
  }

  /** An ATTENTION DUMP not backed by a genuine notice of a system whose reset was in its soft phase. */
  forgedDump(message: string): void {
    this.world.violate("forged-dump", message);
  }

  /** A forged datagram ended, changed or cut something (a job, a result, a registration, repeats). */
  unauthenticatedCancel(message: string): void {
    this.world.violate("unauthenticated-cancel", message);
  }

  /** Registrations taken by an unsigned CHECK while stale (or a free slot), without a key. */
  insecureTakeovers = 0;

  /** What the adversary's datagrams did to registrations it had taken (insecure mode). */
  takenSlotUses = 0;

  /** Systems whose registration the adversary took and spoke for (insecure mode's trade-off). */
  private readonly spokenFor = new Set<number>();

  takenSlotUsed(message: string, system = -1): void {
    if (system >= 0) this.spokenFor.add(system);
    this.takenSlotUses++;
    this.world.note(`TRADE-OFF ${message}`);
  }

  /** Insecure mode's documented trade-off happened: counted and traced, not a violation. */
  insecureTakeover(message: string): void {
    this.insecureTakeovers++;
    this.world.note(`TRADE-OFF ${message}`);
  }

  jobDumped(job: string): void {
    this.dumped.add(job);
  }

  /** A destructive command took effect on a system (the device carried it out). */
  destructiveExecuted(system: number, op: string): void {
    this.inEpisode.add(system);
    const peer = this.peerOf(system);
    if (this.inEpisode.has(peer)) {
      this.world.violate(
        "pair-race",
        `${op} on ${this.nameOf(system)} while its pair peer ${this.nameOf(peer)} is also down from a reset`,
      );
    }
  }

  booted(system: number): void {
    this.inEpisode.delete(system);
    this.bootAt.set(system, this.world.now);
  }

  /** When each system last booted (the start of the life it runs now). */
  private readonly bootAt = new Map<number, number>();

  resultReceived(id: number, result: string): void {
    const r = this.requests.get(id);
    if (!r || r.results.includes(result)) return;
    // FENCE (docs/protocol.md §4.3): "down" (DUMP / POFF) must never be answered for a target
    // that runs a life begun before the request and was not hit (NMI, hardware reset, outlet
    // off) since: that is the false "fenced" the flag exists to rule out.
    // Not checked for a target whose registration the adversary took without a key (insecure
    // mode): a forged DUMP notice from its address is the documented trade-off, counted above.
    const booted = this.bootAt.get(r.target);
    if (
      r.fence &&
      !this.spokenFor.has(r.target) &&
      (result === "DUMP" || result === "POFF") &&
      !this.inEpisode.has(r.target) &&
      booted !== undefined &&
      booted < r.sentAt
    ) {
      this.world.violate(
        "fence-not-down",
        `FENCE RESET #${id} (${this.nameOf(r.requester)} → ${this.nameOf(r.target)}) got ${result}, but ${this.nameOf(r.target)} runs since ${booted} and was not hit since`,
      );
    }
    r.results.push(result);
    if (r.results.length > 1) {
      this.world.violate(
        "one-result",
        `RESET #${id} (${this.nameOf(r.requester)} → ${this.nameOf(r.target)}) got ${r.results.join(" then ")}`,
      );
    }
  }

  /** At the end of the quiet period: every accepted request of a requester still up has a result. */
  atEnd(): void {
    for (const r of this.requests.values()) {
      if (r.accepted && !r.abandoned && r.results.length === 0) {
        this.world.violate(
          "result-missing",
          `RESET #${r.id} (${this.nameOf(r.requester)} → ${this.nameOf(r.target)}) accepted at ${r.sentAt}, no result`,
        );
      }
    }
  }
}
