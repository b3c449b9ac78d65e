import { describe, expect, it } from "vitest";
import {
  checkRuns,
  describeMove,
  firstAnsweredBy,
  overlaps,
  type PairSample,
  responderChanges,
  vipMoves,
} from "./vip-moves.js";

const s = (at: number, holders: string[], actives: string[] = holders): PairSample => ({
  at,
  holders,
  actives,
});

describe("VIP moves and split brain from samples", () => {
  it("turns a takeover into two moves: the VIP leaves, then arrives with the time nobody held it", () => {
    const samples = [
      s(0, ["HACON1"]),
      s(50, ["HACON1"]),
      s(100, []),
      s(150, []),
      s(260, ["HACON2"]),
      s(300, ["HACON2"]),
    ];
    const moves = vipMoves([...samples].reverse()); // order of arrival does not matter
    expect(moves).toEqual([
      { at: 100, from: "HACON1", to: undefined },
      { at: 260, from: undefined, to: "HACON2", vacantMs: 160 },
    ]);
    expect(describeMove(moves[0]!)).toBe("VIP left HACON1: nobody holds it");
    expect(describeMove(moves[1]!, "VIP 10.78.1.100")).toBe(
      "VIP 10.78.1.100 now on HACON2 (held by nobody for 160 ms)",
    );
    expect(overlaps(samples)).toEqual([]);
  });

  it("a direct move between two samples, and no move while the holder stays", () => {
    expect(vipMoves([s(0, ["A"]), s(10, ["A"]), s(20, ["B"])])).toEqual([{ at: 20, from: "A", to: "B" }]);
    expect(describeMove({ at: 20, from: "A", to: "B" })).toBe("VIP moved from A to B between two samples");
    expect(vipMoves([s(0, ["A"]), s(10, ["A"])])).toEqual([]);
    expect(vipMoves([])).toEqual([]);
  });

  it("reports two holders or two actives at the same moment as overlaps, not as moves", () => {
    const samples = [s(0, ["A"]), s(10, ["A", "B"]), s(20, ["B"], ["A", "B"]), s(30, ["B"])];
    expect(overlaps(samples)).toEqual([
      { at: 10, what: "VIP", nodes: ["A", "B"] },
      { at: 10, what: "active", nodes: ["A", "B"] },
      { at: 20, what: "active", nodes: ["A", "B"] },
    ]);
    expect(vipMoves(samples)).toEqual([{ at: 20, from: "A", to: "B" }]);
  });

  it("finds the first CHECK answered by the new active and summarises who answered", () => {
    const checks = [
      { at: 0, responder: "A", role: "active" },
      { at: 100 },
      { at: 400 },
      { at: 700, responder: "B", role: "active" },
      { at: 750, responder: "B", role: "active" },
    ];
    expect(firstAnsweredBy(checks, "B", 50)?.at).toBe(700);
    expect(firstAnsweredBy(checks, "A", 50)).toBeUndefined();
    expect(checkRuns(checks)).toBe("CHECK by A ×1, unanswered ×2, by B ×2");
    expect(checkRuns([])).toBe("no CHECK sent");
    expect(responderChanges(checks)).toBe(1); // a takeover: one change, gaps ignored
    expect(responderChanges([...checks, { at: 800, responder: "A" }])).toBe(2); // two answering in turn
    expect(responderChanges([{ at: 0 }, { at: 1 }])).toBe(0);
  });
});
