// Carries out the election's effects for the pair controller: VIP probes, fencing the peer,
// taking or leaving the reset path, and the hand-over's release-then-announce order.

import type { DeepReadonly, ManagementServer } from "@haconn/config";
import type { HaEffect, HaEvent, HaState } from "@haconn/ha";
import { fencePeer } from "./fence-peer.js";
import type { PairHost } from "./pair-host.js";
import type { StateChannel } from "./state-channel.js";

/** What the effects act on (the pair controller provides it). */
export interface HaEffectTarget {
  readonly host: PairHost;
  peer(): DeepReadonly<ManagementServer>;
  ha(): HaState;
  dispatch(event: HaEvent): void;
  channel: Pick<StateChannel, "closeStream" | "mirror" | "synced">;
  stopListening(): void;
  listen(): Promise<void>;
  /** Taking the active role worked / failed (backoff, step down: pair-controller.ts). */
  activated(): void;
  activationFailed(error: unknown): Promise<void>;
  heartbeat(): void;
  /** Hand-over: this node announces it is leaving; its VIP release is in flight. */
  flags: { leaving: boolean; releasing: boolean };
}

export async function runHaEffect(t: HaEffectTarget, e: HaEffect): Promise<void> {
  const { host } = t;
  const now = () => host.clock.now();
  switch (e.kind) {
    case "log":
      host.log(e.level, e.message, e.fields);
      return;
    case "probeVip": {
      const inUse = await host.vipInUseElsewhere().catch(() => true);
      t.dispatch({ type: "vipProbed", now: now(), inUse });
      return;
    }
    case "fencePeer": {
      const r = await fencePeer(host.devices, t.peer());
      t.dispatch({ type: "fenced", now: now(), ...r });
      return;
    }
    case "becomeActive":
      t.channel.closeStream();
      try {
        // Stale: taken over by fencing, or from a standby that held a newer state than ours.
        await host.becomeActive(
          t.channel.synced ? t.channel.mirror : undefined,
          e.reason === "fenced" || (e.reason === "peerStandby" && (t.ha().peer?.stateVersion ?? 0) > 0),
        );
      } catch (error) {
        await t.activationFailed(error);
        return;
      }
      t.activated();
      await t.listen();
      return;
    case "becomeStandby":
      t.stopListening();
      await host.becomeStandby();
      return;
    case "stepDown":
      t.stopListening();
      if (e.reason !== "hand-over") {
        t.channel.closeStream();
        await host.becomeStandby();
        return;
      }
      // A hand-over keeps the stream (the standby closes it when it takes over; restart()
      // closes whatever is left). Its "leaving" heartbeat makes the standby take the VIP: it
      // goes out only once this node released it (no instant with two holders), and no
      // heartbeat at all in between (a few ms).
      t.flags.releasing = true;
      try {
        await host.becomeStandby();
      } finally {
        t.flags.releasing = false;
        if (t.flags.leaving) t.heartbeat();
      }
      return;
    case "sendHandover":
      t.flags.leaving = true;
      if (!t.flags.releasing) t.heartbeat();
      return;
  }
}
