// Drills of the management-server pair. They need two haconnd nodes (network namespaces, the
// reset-path VIP moving between them); until the pair runs in the lab they are reported as
// skipped, never faked. Each lists what it will check, so the pair plugs in here.
import type { Drill } from "../drill-context.js";

const needsPair = (name: string, summary: string): Drill => ({
  name,
  summary,
  clusters: [],
  needsPair: true,
  run: async () => ({ expected: summary, got: "skipped: needs the pair", pass: false }),
});

export const activeKilled = needsPair(
  "active-killed",
  "kill -9 the active haconnd: the standby fences it through its BMC and moves the VIP (takeover time)",
);

export const duplexCut = needsPair(
  "duplex-cut",
  "cut the duplex LAN: no split brain (one active, one VIP holder), same role after the link returns",
);
