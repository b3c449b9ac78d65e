// The adversary: an unauthenticated host on the reset-path LAN that sends forged datagrams to the
// VIP at seeded times (its own PRNG, so a seed's world stays the same whatever it does):
//   - DUMP-NOTICE with a registered subsystem from its own address (not the system's);
//   - fence_kdump datagrams from addresses no system is registered at;
//   - DUMP-NOTICE / fence_kdump spoofing a system's registered address while no reset of that
//     system is in its software-reset phase (during that phase a spoofed registered address is
//     indistinguishable from the system without a key: signed DUMP-NOTICE in key mode, rp-core);
//   - RESULT-ACK / ATTENTION-ACK from its own addresses with guessed ids (and, switchable, from a
//     monitor's address on another port);
//   - CHECK with a monitor's identity from its own address (squatting).
// In key mode (plan.keyMode) every datagram but fence_kdump must be signed: the adversary's are
// dropped at the socket and never reach the engine (unless the injected bug lets them through).
// It plays at the level the simulator models: engine events for what reaches the engine, and the
// reset path's ACK cancel keys (ack-book.ts) for what the daemon's service handles itself.

import type { EngineEvent } from "@haconn/core";
import type { AckBook } from "./ack-book.js";
import type { AdversaryPlan } from "./adversary-plan.js";
import type { Connectors } from "./connector.js";
import type { Invariants } from "./invariants.js";
import { Rng } from "./prng.js";
import type { Scenario } from "./scenario.js";
import type { World } from "./world.js";

/** The adversary's own addresses (no system is registered there). */
const ATTACKER_ADDRS = ["127.0.9.66", "127.0.9.67", "127.0.0.199"];

export class Adversary {
  private readonly rng: Rng;
  sent = 0;

  constructor(
    private readonly world: World,
    private readonly scenario: Scenario,
    private readonly plan: AdversaryPlan,
    private readonly connectors: () => Connectors,
    private readonly acks: AckBook,
    private readonly checks: Invariants,
  ) {
    this.rng = new Rng(plan.seed);
  }

  start(): void {
    const s = this.plan.switches;
    if (!s.dumpNotices && !s.acks && !s.squatChecks && !s.ackPortSpoof) return;
    this.next();
  }

  private next(): void {
    const gap = this.rng.int(1, this.plan.meanGapMs * 2);
    if (this.world.now + gap > this.scenario.faultMs + this.scenario.quietMs) return;
    this.world.schedule(gap, "adversary acts", () => {
      this.act();
      this.next();
    });
  }

  private act(): void {
    const s = this.plan.switches;
    const kinds: (() => void)[] = [];
    if (s.dumpNotices)
      kinds.push(
        () => this.forgedNotice(),
        () => this.forgedKdump(),
        () => this.spoofedIdle(),
      );
    if (s.acks) kinds.push(() => this.forgedAck(false));
    if (s.ackPortSpoof) kinds.push(() => this.forgedAck(true));
    if (s.squatChecks) kinds.push(() => this.squat());
    if (kinds.length > 0) this.rng.pick(kinds)();
  }

  private attacker(): string {
    return this.rng.pick(ATTACKER_ADDRS);
  }

  private system() {
    return this.rng.pick(this.scenario.systems);
  }

  /** Key mode: an unsigned datagram is dropped at the socket (fence_kdump has no trailer). */
  private dropped(kdump: boolean): boolean {
    return this.plan.keyMode && !kdump && !this.scenario.bugs.keyModeAcceptsUnsigned;
  }

  /** One forged datagram to the VIP: the adversary's own delay, no loss. */
  private toVip(label: string, event: () => EngineEvent | null, kdump = false): void {
    this.sent++;
    const drop = this.dropped(kdump);
    this.world.schedule(
      this.rng.int(1, 30),
      `adversary → VIP ${label}${drop ? " (unsigned: dropped)" : ""}`,
      () => {
        const c = this.connectors();
        const node = c.vipNode();
        const ev = event();
        if (node && ev && !drop) c.dispatch(node, ev, undefined, true);
      },
    );
  }

  private forgedNotice(): void {
    const sys = this.system();
    // Injected bug: a connector that matches by subsystem alone takes it as the system's own.
    const from = { addr: this.scenario.bugs.noticeBySubsystem ? sys.addr : this.attacker(), port: 7410 };
    this.toVip(`forged DUMP-NOTICE ${sys.name} from ${from.addr}`, () => ({
      type: "dumpNotice",
      now: this.world.now,
      from,
      subsystem: sys.subsystem,
    }));
  }

  private forgedKdump(): void {
    const from = { addr: this.attacker(), port: this.rng.int(1024, 65535) };
    this.toVip(
      `forged fence_kdump from ${from.addr}`,
      () => ({ type: "dumpNotice", now: this.world.now, from, subsystem: null }),
      true,
    );
  }

  /** Spoofs the system's own address, but only while no reset of it is in its software-reset phase. */
  private spoofedIdle(): void {
    const sys = this.system();
    const kdump = this.rng.chance(0.5);
    this.toVip(
      `spoofed ${kdump ? "fence_kdump" : "DUMP-NOTICE"} ${sys.name} outside a reset`,
      () => {
        const engine = this.connectors().vipNode()?.engine;
        const soft = Object.values(engine?.shared.jobs ?? {}).some(
          (j) => j.system === sys.server && j.vmName === sys.vmName && j.phase === "soft",
        );
        if (soft) return null;
        return {
          type: "dumpNotice",
          now: this.world.now,
          from: { addr: sys.addr, port: kdump ? this.rng.int(1024, 65535) : 7410 },
          subsystem: kdump ? null : sys.subsystem,
        };
      },
      kdump,
    );
  }

  /** RESULT-ACK / ATTENTION-ACK with a guessed id: from its own address, or the monitor's on another port. */
  private forgedAck(portSpoof: boolean): void {
    const sys = this.system();
    const result = this.rng.chance(0.5);
    const from = portSpoof
      ? { addr: sys.addr, port: sys.port + this.rng.int(1, 50) }
      : { addr: this.attacker(), port: this.rng.pick([sys.port, this.rng.int(1024, 65535)]) };
    const id = this.rng.int(1, result ? 12 : 8);
    // It claims the monitor's own subsystem: only the address and port can refuse it.
    const subsystem = sys.subsystem;
    this.sent++;
    const drop = this.dropped(false);
    this.world.schedule(
      this.rng.int(1, 30),
      `adversary → VIP forged ${result ? "RESULT" : "ATTENTION"}-ACK #${id}${drop ? " (unsigned: dropped)" : ""}`,
      () => {
        const node = this.connectors().vipNode();
        if (!node || drop) return;
        const cut = result
          ? this.acks.ack(node.name, { kind: "result", from, requestId: id, subsystem })
          : this.acks.ack(node.name, { kind: "attention", from, eventId: id, subsystem });
        if (cut)
          this.checks.unauthenticatedCancel(
            `${node.name}: forged ACK from ${from.addr}:${from.port} cut ${cut}`,
          );
      },
    );
  }

  /** A CHECK with a monitor's identity from the adversary's address (unsigned). */
  private squat(): void {
    const sys = this.system();
    const peer = this.scenario.systems[sys.peer]!;
    const from = { addr: this.attacker(), port: sys.port };
    this.toVip(`forged CHECK ${sys.name} from ${from.addr}`, () => ({
      type: "check",
      now: this.world.now,
      from,
      system: sys.server,
      subsystem: sys.subsystem,
      port: sys.port,
      vmName: sys.vmName,
      pairSubsystem: peer.subsystem,
      authenticated: false,
    }));
  }
}
