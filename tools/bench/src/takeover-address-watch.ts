// Who holds which address, from the kernel's own notifications: one `ip -ts -o monitor address`
// per management-server namespace. Each line carries ip's timestamp (local time, µs), so the
// times do not depend on how busy the bench's event loop is. Gives the moment a VIP appeared on
// a node and how long two nodes held it at once.

import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { runCommand, sleep } from "./takeover-support.js";

export interface AddressEvent {
  t: number;
  node: string;
  addr: string;
  added: boolean;
}

const LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)\]\s+(Deleted\s+)?\d+:\s+\S+\s+inet\s+([\d.]+)\//;

/** Parses one line of `ip -ts -o monitor address`; undefined for lines that are not IPv4 events. */
export function parseMonitorLine(line: string, node: string): AddressEvent | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  // ip prints local time without an offset, which is how Date reads such a string.
  const [date, frac = "0"] = m[1]!.split(".");
  const t = new Date(`${date}`).getTime() + Number(`0.${frac}`) * 1000;
  return { t, node, addr: m[3]!, added: m[2] === undefined };
}

/** The moments within [from, to] during which two or more nodes held `addr`: how many, how long. */
export function overlaps(
  events: readonly AddressEvent[],
  initial: ReadonlyMap<string, boolean>,
  addr: string,
  from: number,
  to: number,
): { count: number; totalMs: number } {
  const held = new Map(initial);
  const relevant = events.filter((e) => e.addr === addr).sort((a, b) => a.t - b.t);
  const double = () => [...held.values()].filter(Boolean).length >= 2;
  let i = 0;
  for (; i < relevant.length && relevant[i]!.t < from; i++) held.set(relevant[i]!.node, relevant[i]!.added);
  let count = double() ? 1 : 0;
  let total = 0;
  let at = from;
  for (; i < relevant.length && relevant[i]!.t <= to; i++) {
    const e = relevant[i]!;
    const was = double();
    if (was) total += e.t - at;
    at = e.t;
    held.set(e.node, e.added);
    if (!was && double()) count++;
  }
  if (double()) total += to - at;
  return { count, totalMs: total };
}

/** Milliseconds within [from, to] during which two or more nodes held `addr`. */
export function overlapMs(
  events: readonly AddressEvent[],
  initial: ReadonlyMap<string, boolean>,
  addr: string,
  from: number,
  to: number,
): number {
  return overlaps(events, initial, addr, from, to).totalMs;
}

export class AddressWatch {
  readonly events: AddressEvent[] = [];
  readonly #children: ChildProcess[] = [];

  constructor(
    readonly nodes: { node: string; ns: string }[],
    spawn: (argv: string[]) => ChildProcess,
  ) {
    for (const { node, ns } of nodes) {
      const child = spawn(["ip", "-ts", "-o", "-n", ns, "monitor", "address"]);
      this.#children.push(child);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const e = parseMonitorLine(line, node);
        if (e) this.events.push(e);
      });
    }
  }

  /** Gives the monitors a moment to subscribe before anything is measured. */
  async ready(): Promise<void> {
    await sleep(300);
  }

  /** Who holds `addr` now, asked directly (not from events). */
  async holders(addr: string): Promise<Map<string, boolean>> {
    const out = new Map<string, boolean>();
    for (const { node, ns } of this.nodes) {
      const text = await runCommand("ip", ["-n", ns, "-4", "-o", "addr", "show"]).catch(() => "");
      out.set(node, text.includes(` ${addr}/`));
    }
    return out;
  }

  /** The first time `addr` was added on `node` at or after `since`. */
  firstAdded(node: string, addr: string, since: number): number | undefined {
    return this.events.find((e) => e.node === node && e.addr === addr && e.added && e.t >= since)?.t;
  }
}
