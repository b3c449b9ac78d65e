// The report's picture, as SVG (pure): first the takeover runs of every "... takeover" group
// (one dot per run, time to the run's last phase, medians dashed, the goal dotted); then, for
// every timeline group (takeovers, resets from the e2e bench, ...), one row per run with a
// marker at each phase, so the spread of each phase is visible at a glance.

import type { Timeline } from "./report-json.js";

export interface PlotOptions {
  title: string;
  /** Horizontal goal line of the takeover panel, ms. */
  goalMs?: number;
  width?: number;
}

const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const end = (t: Timeline) => Math.max(0, ...Object.values(t.phases).filter(Number.isFinite));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.ceil(0.5 * s.length) - 1]! : Number.NaN;
}

/** A round axis maximum and tick step for values up to `max`. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.2 };
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

function groups(timelines: readonly Timeline[]): Map<string, Timeline[]> {
  const out = new Map<string, Timeline[]>();
  for (const t of timelines) out.set(t.label, [...(out.get(t.label) ?? []), t]);
  return out;
}

interface Panel {
  height: number;
  draw(y0: number): string[];
}

function takeoverPanel(series: [string, Timeline[]][], width: number, goalMs: number | undefined): Panel {
  const h = 300;
  const left = 70;
  const right = width - 220;
  const top = 40;
  const bottom = h - 40;
  const runs = Math.max(1, ...series.map(([, ts]) => ts.length));
  const max = Math.max(goalMs ?? 0, ...series.flatMap(([, ts]) => ts.map(end)));
  const { top: yTop, step } = niceScale(max * 1.05);
  return {
    height: h,
    draw(y0) {
      const y = (v: number) => y0 + bottom - ((bottom - top) * v) / yTop;
      const x = (i: number) => left + ((right - left) * (i + 0.5)) / runs;
      const out = [
        `<text x="${left}" y="${y0 + 24}" font-size="16" font-weight="bold">Takeover after kill -9: time until the VIP answers, per run</text>`,
        `<line x1="${left}" y1="${y0 + bottom}" x2="${right}" y2="${y0 + bottom}" stroke="#333"/>`,
        `<line x1="${left}" y1="${y0 + top}" x2="${left}" y2="${y0 + bottom}" stroke="#333"/>`,
        `<text x="${(left + right) / 2}" y="${y0 + h - 8}" font-size="12" text-anchor="middle">run</text>`,
      ];
      for (let v = 0; v <= yTop + 1e-9; v += step) {
        out.push(
          `<line x1="${left}" y1="${y(v)}" x2="${right}" y2="${y(v)}" stroke="#e5e5e5"/>`,
          `<text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Number(v.toFixed(3))} ms</text>`,
        );
      }
      for (let i = 0; i < runs; i += Math.max(1, Math.ceil(runs / 20)))
        out.push(
          `<text x="${x(i)}" y="${y0 + bottom + 14}" font-size="10" text-anchor="middle">${i + 1}</text>`,
        );
      if (goalMs !== undefined) {
        out.push(
          `<line x1="${left}" y1="${y(goalMs)}" x2="${right}" y2="${y(goalMs)}" stroke="#d62728" stroke-dasharray="2,3"/>`,
          `<text x="${right + 6}" y="${y(goalMs) + 4}" font-size="11" fill="#d62728">goal ${goalMs} ms</text>`,
        );
      }
      series.forEach(([label, ts], k) => {
        const color = PALETTE[k % PALETTE.length]!;
        const values = ts.map(end);
        const med = median(values);
        ts.forEach((t, i) => {
          out.push(
            `<circle cx="${x(i)}" cy="${y(end(t))}" r="4" fill="${color}"><title>${esc(label)} run ${t.run}: ${end(t)} ms</title></circle>`,
          );
        });
        if (Number.isFinite(med))
          out.push(
            `<line x1="${left}" y1="${y(med)}" x2="${right}" y2="${y(med)}" stroke="${color}" stroke-dasharray="6,4"/>`,
          );
        out.push(
          `<circle cx="${right + 12}" cy="${y0 + top + 10 + k * 36}" r="5" fill="${color}"/>`,
          `<text x="${right + 22}" y="${y0 + top + 14 + k * 36}" font-size="12">${esc(label)}</text>`,
          `<text x="${right + 22}" y="${y0 + top + 29 + k * 36}" font-size="11" fill="#555">median ${Math.round(med)} ms, n=${values.length}</text>`,
        );
      });
      return out;
    },
  };
}

function phasePanel(label: string, ts: Timeline[], width: number): Panel {
  const rows = ts.slice(0, 60);
  const rowH = rows.length > 30 ? 8 : 14;
  const left = 70;
  const right = width - 220;
  const top = 40;
  const h = top + rows.length * rowH + 40;
  const phases = [...new Set(rows.flatMap((t) => Object.keys(t.phases)))];
  const { top: xTop, step } = niceScale(Math.max(...rows.map(end)) * 1.02);
  return {
    height: h,
    draw(y0) {
      const x = (v: number) => left + ((right - left) * v) / xTop;
      const out = [
        `<text x="${left}" y="${y0 + 24}" font-size="16" font-weight="bold">${esc(label)}: phases per run (ms since the run's start)</text>`,
      ];
      const bottom = y0 + top + rows.length * rowH;
      for (let v = 0; v <= xTop + 1e-9; v += step) {
        out.push(
          `<line x1="${x(v)}" y1="${y0 + top}" x2="${x(v)}" y2="${bottom}" stroke="#e5e5e5"/>`,
          `<text x="${x(v)}" y="${bottom + 14}" font-size="10" text-anchor="middle">${Number(v.toFixed(3))}</text>`,
        );
      }
      rows.forEach((t, i) => {
        const cy = y0 + top + i * rowH + rowH / 2;
        out.push(
          `<line x1="${x(0)}" y1="${cy}" x2="${x(end(t))}" y2="${cy}" stroke="#bbb"/>`,
          `<text x="${left - 6}" y="${cy + 3}" font-size="${rowH > 10 ? 10 : 7}" text-anchor="end">run ${t.run}</text>`,
        );
        for (const [p, v] of Object.entries(t.phases)) {
          if (!Number.isFinite(v)) continue;
          const color = PALETTE[phases.indexOf(p) % PALETTE.length]!;
          out.push(
            `<circle cx="${x(v)}" cy="${cy}" r="${rowH > 10 ? 4 : 3}" fill="${color}"><title>${esc(p)}: ${v} ms</title></circle>`,
          );
        }
      });
      phases.forEach((p, k) => {
        const color = PALETTE[k % PALETTE.length]!;
        out.push(
          `<circle cx="${right + 12}" cy="${y0 + top + 6 + k * 18}" r="5" fill="${color}"/>`,
          `<text x="${right + 22}" y="${y0 + top + 10 + k * 18}" font-size="12">${esc(p)}</text>`,
        );
      });
      return out;
    },
  };
}

export function timelinesSvg(timelines: readonly Timeline[], o: PlotOptions): string {
  const width = o.width ?? 1100;
  const all = groups(timelines);
  const takeover = [...all].filter(([label]) => /takeover/i.test(label));
  const panels: Panel[] = [];
  if (takeover.length) panels.push(takeoverPanel(takeover, width, o.goalMs));
  for (const [label, ts] of all) panels.push(phasePanel(label, ts, width));
  const header = 40;
  const height = header + panels.reduce((a, p) => a + p.height + 10, 0) + (panels.length ? 0 : 40);
  const body: string[] = [];
  let y = header;
  for (const p of panels) {
    body.push(...p.draw(y));
    y += p.height + 10;
  }
  if (!panels.length)
    body.push(`<text x="20" y="${header + 20}" font-size="14">No timelines in this run.</text>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="20" y="26" font-size="18" font-weight="bold">${esc(o.title)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
