// What a pair drill saw while it sampled the pair: who held the reset path (the VIP), which role
// each node gave itself, and who answered CHECK. Pure: turns samples into VIP moves (for the
// timeline), the moments two nodes held the VIP or called themselves active at once (split
// brain), and when CHECK was first answered by a given node.

export interface PairSample {
  at: number;
  /** Nodes holding the VIP (the reset-path address) at that moment. */
  holders: string[];
  /** Nodes that said "active" over their control socket at that moment. */
  actives: string[];
}

export interface CheckSample {
  at: number;
  /** The connector that answered, undefined when CHECK went unanswered. */
  responder?: string;
  role?: string;
}

export interface VipMove {
  at: number;
  from: string | undefined;
  to: string | undefined;
  /** For a move to a node: how long nobody held the VIP before it. */
  vacantMs?: number;
}

const holderOf = (s: PairSample): string | undefined => (s.holders.length === 1 ? s.holders[0] : undefined);

/** Every change of the (single) VIP holder, vacancy included, in time order. */
export function vipMoves(samples: readonly PairSample[]): VipMove[] {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const moves: VipMove[] = [];
  let current: string | undefined;
  let vacantSince: number | undefined;
  let first = true;
  for (const s of sorted) {
    if (s.holders.length > 1) continue; // an overlap is reported by overlaps(), not as a move
    const h = holderOf(s);
    if (first) {
      first = false;
      current = h;
      if (h === undefined) vacantSince = s.at;
      continue;
    }
    if (h === current) continue;
    const move: VipMove = { at: s.at, from: current, to: h };
    if (h !== undefined && vacantSince !== undefined) move.vacantMs = s.at - vacantSince;
    vacantSince = h === undefined ? s.at : undefined;
    moves.push(move);
    current = h;
  }
  return moves;
}

export interface Overlap {
  at: number;
  what: "VIP" | "active";
  nodes: string[];
}

/** Samples where two nodes held the VIP, or two nodes said they were active, at the same moment. */
export function overlaps(samples: readonly PairSample[]): Overlap[] {
  const found: Overlap[] = [];
  for (const s of [...samples].sort((a, b) => a.at - b.at)) {
    if (s.holders.length > 1) found.push({ at: s.at, what: "VIP", nodes: [...s.holders].sort() });
    if (s.actives.length > 1) found.push({ at: s.at, what: "active", nodes: [...s.actives].sort() });
  }
  return found;
}

/** The first CHECK answered by `node` at or after `since`. */
export function firstAnsweredBy(
  checks: readonly CheckSample[],
  node: string,
  since: number,
): CheckSample | undefined {
  return [...checks].sort((a, b) => a.at - b.at).find((c) => c.at >= since && c.responder === node);
}

/**
 * How many times the connector answering CHECK changed (unanswered CHECKs skipped). A takeover
 * is one change; more (HACON1, HACON2, HACON1 again) means two connectors answered in turn.
 */
export function responderChanges(checks: readonly CheckSample[]): number {
  let changes = 0;
  let last: string | undefined;
  for (const c of [...checks].sort((a, b) => a.at - b.at)) {
    if (!c.responder) continue;
    if (last !== undefined && c.responder !== last) changes++;
    last = c.responder;
  }
  return changes;
}

/** "CHECK answered by HACON1 ×12, unanswered ×5, by HACON2 ×30" (runs of the same responder). */
export function checkRuns(checks: readonly CheckSample[]): string {
  const runs: { who: string; n: number }[] = [];
  for (const c of [...checks].sort((a, b) => a.at - b.at)) {
    const who = c.responder ? `by ${c.responder}` : "unanswered";
    const last = runs.at(-1);
    if (last?.who === who) last.n++;
    else runs.push({ who, n: 1 });
  }
  return runs.length === 0 ? "no CHECK sent" : `CHECK ${runs.map((r) => `${r.who} ×${r.n}`).join(", ")}`;
}

/** One line for the timeline; `what` names the address ("VIP", or the reset-path socket on loopback). */
export function describeMove(m: VipMove, what = "VIP"): string {
  if (m.to === undefined) return `${what} left ${m.from ?? "?"}: nobody holds it`;
  if (m.from === undefined)
    return `${what} now on ${m.to}${m.vacantMs !== undefined ? ` (held by nobody for ${Math.round(m.vacantMs)} ms)` : ""}`;
  return `${what} moved from ${m.from} to ${m.to} between two samples`;
}
