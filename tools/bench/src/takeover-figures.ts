// The takeover bench's figures and timelines, per failure mode (takeover-modes.ts): haconn's
// takeover beside keepalived's failover at the same detection budget, each figure with its goal
// and verdict. Goal (issue 19): haconn's first answer through the VIP no later than keepalived's
// (ratio of medians ≤ 1.0), fencing included, and never two VIP holders.

import { type Figure, figure, peer, summarize, type Timeline } from "./report-json.js";
import type { TakeoverRun } from "./takeover-haconn.js";
import { type FailureMode, MODE_TEXT } from "./takeover-modes.js";

type Phase = "answerMs" | "vipMs" | "fencedMs" | "detectedMs";

const ok = (runs: TakeoverRun[], key: Phase) =>
  runs.flatMap((r) => (r.error === undefined && r[key] !== undefined ? [r[key]!] : []));

/** Ratio of two positive figures, rounded to two decimals; NaN when either is missing. */
export function ratio(a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? Math.round((a / b) * 100) / 100 : Number.NaN;
}

function modeFigures(mode: FailureMode, haconn: TakeoverRun[], ka: TakeoverRun[], kaName: string): Figure[] {
  const h = haconn.filter((r) => r.mode === mode);
  const k = ka.filter((r) => r.mode === mode);
  const what = MODE_TEXT[mode];
  const answers = ok(h, "answerMs");
  const kaAnswers = ok(k, "answerMs");
  const hs = summarize(answers);
  const ks = summarize(kaAnswers);
  const medianRatio = ratio(hs.median, ks.median);
  const withPeer = (name: string, samples: number[]) =>
    k.length ? { peer: peer(`${kaName}: ${name}`, samples) } : {};
  const allAnswered = answers.length > 0 && answers.length === h.length;
  const figures: Figure[] = [
    figure(`takeover, ${what} → new active answers CHECK on the VIP`, "ms", answers, {
      goal: k.length ? "median ≤ keepalived's median" : "median ≤ 1000 ms",
      pass: allAnswered && (k.length ? hs.median <= ks.median : hs.median <= 1000),
      ...withPeer("VIP answers from the BACKUP", kaAnswers),
    }),
  ];
  if (k.length) {
    figures.push(
      figure(`takeover, ${what}: ratio haconn / keepalived, median`, "×", [medianRatio], {
        goal: "≤ 1.0",
        pass: allAnswered && medianRatio <= 1,
      }),
      figure(`takeover, ${what}: ratio haconn / keepalived, max`, "×", [ratio(hs.max, ks.max)]),
    );
  }
  figures.push(
    figure(`takeover, ${what} → standby decides to fence`, "ms", ok(h, "detectedMs")),
    figure(`takeover, ${what} → old active fenced (iLO reset)`, "ms", ok(h, "fencedMs"), {
      goal: "every run fenced before the VIP moved",
      pass: h.length > 0 && h.every((r) => r.fencedMs !== undefined && (r.vipMs ?? Infinity) >= r.fencedMs),
    }),
    figure(
      `takeover, ${what} → VIP on the new active`,
      "ms",
      ok(h, "vipMs"),
      withPeer("VIP on the BACKUP", ok(k, "vipMs")),
    ),
    figure(
      `takeover, ${what}: two nodes holding the VIP, total per run`,
      "ms",
      h.map((r) => r.overlapMs),
      {
        goal: "max = 0 ms",
        pass: h.length > 0 && h.every((r) => r.overlapMs === 0),
        ...withPeer(
          "two holders (window ends 1 s after the answer)",
          k.map((r) => r.overlapMs),
        ),
      },
    ),
    figure(
      `takeover, ${what}: moments with two VIP holders, per run`,
      "count",
      h.map((r) => r.overlapCount),
      {
        goal: "max = 0",
        pass: h.length > 0 && h.every((r) => r.overlapCount === 0),
        ...withPeer(
          "moments with two holders",
          k.map((r) => r.overlapCount),
        ),
      },
    ),
  );
  return figures;
}

export function takeoverFigures(
  modes: readonly FailureMode[],
  haconn: TakeoverRun[],
  ka: TakeoverRun[],
  kaName: string,
): Figure[] {
  return modes.flatMap((m) => modeFigures(m, haconn, ka, kaName));
}

export function takeoverTimelines(haconn: TakeoverRun[], ka: TakeoverRun[]): Timeline[] {
  const phases = (r: TakeoverRun, answer: string): Record<string, number> => {
    const p: [string, number | undefined][] = [
      ["fence decided", r.detectedMs],
      ["fenced", r.fencedMs],
      ["VIP added", r.vipMs],
      [answer, r.answerMs],
    ];
    return Object.fromEntries(
      p
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
  };
  return [
    ...haconn.map((r) => ({
      run: r.run,
      label: `haconn takeover (${r.mode})`,
      phases: phases(r, "CHECK answered"),
    })),
    ...ka.map((r) => ({
      run: r.run,
      label: `keepalived takeover (${r.mode})`,
      phases: phases(r, "VIP answers"),
    })),
  ];
}
