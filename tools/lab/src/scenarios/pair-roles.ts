// Roles of a loopback pair as `haconnshow status --json` shows them on each node, and a wait
// for "one active, one standby, link OK on both" (shared by the pair scenarios).
import { cli, type LabDirs, waitFor } from "./harness.js";

export const PAIR_NODES = ["HACON1", "HACON2"] as const;
export type PairNode = (typeof PAIR_NODES)[number];

export interface PairStatus {
  link: string;
  mservers: { name: string; role: string; status: string }[];
}

export function pairRoles(dirsOf: (n: PairNode) => LabDirs) {
  const status = (n: PairNode): PairStatus => JSON.parse(cli(dirsOf(n), "haconnshow", ["status", "--json"]));
  const roleOf = (n: PairNode) => {
    try {
      return status(n).mservers.find((m) => m.name === n)?.role;
    } catch {
      return undefined;
    }
  };
  /** Waits for one active and one standby, then for link OK on both; returns who is which. */
  const settled = async () => {
    const active = await waitFor(
      "one active, one standby",
      () => {
        const roles = PAIR_NODES.map(roleOf);
        return roles.slice().sort().join() === "active,standby"
          ? PAIR_NODES[roles.indexOf("active")]
          : undefined;
      },
      30_000,
    );
    await waitFor(
      "link OK on both",
      () => {
        try {
          return PAIR_NODES.every((n) => status(n).link === "OK") || undefined;
        } catch {
          return undefined;
        }
      },
      20_000,
    );
    return { active, standby: PAIR_NODES.find((n) => n !== active)! };
  };
  return { status, roleOf, settled };
}
