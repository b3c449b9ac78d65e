// A drill's timeline: what happened, from the records of every party (HA monitors, the
// connector's reset log, the simulated BMC, PDU and ESXi host), in time order, with the time
// since the drill's first event and since the previous line, in milliseconds.

export type Phase =
  | "request"
  | "NMI"
  | "dump notice"
  | "hardware reset"
  | "PDU cut"
  | "PDU restore"
  | "ATTENTION"
  | "result"
  | "power off"
  | "power on"
  | "fault"
  | "repair"
  | "back to normal"
  | "kill"
  | "fence"
  | "VIP move"
  | "CHECK"
  | "link down"
  | "link up"
  | "restart"
  | "node lost"
  | "resource start";

export interface TimelineEvent {
  at: number;
  phase: Phase;
  /** Who recorded it: "hamon 10004", "connector", "BMC PSERVER3", "PDU", "ESXi", "lab", "sampler". */
  source: string;
  text: string;
}

export class Timeline {
  readonly events: TimelineEvent[] = [];

  add(at: number | undefined, phase: Phase, source: string, text: string): void {
    if (at === undefined || !Number.isFinite(at)) return;
    this.events.push({ at, phase, source, text });
  }

  /** Milliseconds from the first event of `phase` (optionally matching `source`) to the first of `to`. */
  span(from: Phase, to: Phase): number | undefined {
    const a = this.first(from);
    const b = this.first(to);
    return a && b ? b.at - a.at : undefined;
  }

  first(phase: Phase, source?: string): TimelineEvent | undefined {
    return this.sorted().find((e) => e.phase === phase && (source === undefined || e.source === source));
  }

  sorted(): TimelineEvent[] {
    return [...this.events].sort((a, b) => a.at - b.at);
  }
}

const ms = (n: number) => String(Math.round(n));

export function formatTimeline(timeline: Timeline): string[] {
  const events = timeline.sorted();
  if (events.length === 0) return ["  (no events)"];
  const t0 = events[0]!.at;
  const sourceWidth = Math.max(6, ...events.map((e) => e.source.length));
  const lines = [
    `  ${"t+ms".padStart(7)} ${"Δms".padStart(6)}  ${"phase".padEnd(14)} ${"source".padEnd(sourceWidth)}  what`,
  ];
  let previous = t0;
  for (const e of events) {
    lines.push(
      `  ${ms(e.at - t0).padStart(7)} ${ms(e.at - previous).padStart(6)}  ${e.phase.padEnd(14)} ${e.source.padEnd(sourceWidth)}  ${e.text}`,
    );
    previous = e.at;
  }
  return lines;
}
