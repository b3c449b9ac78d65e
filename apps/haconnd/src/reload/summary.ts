// haconnact reload's result summary (manual §6.8), the shape the CLI reads
// (apps/cli/src/daemon/results.ts ReloadSummary) plus `notes`: the reason of every change that
// was not applied and what happened with the standby, in the operator's words. Pure.
import type { PlannedChange } from "./plan.js";

type Subject = "Management Server" | "Physical Server" | "iPDU";

export interface ReloadSummary {
  completed: boolean;
  subjects: { subject: Subject; success: number; total: number; result: "Success" | "Failed" }[];
  pservers: { name: string; operation: "Add" | "Delete" | "Change"; result: "Success" | "Error" }[];
  pdus: { addr: string; operation: "Add" | "Delete"; result: "Success" | "Error" }[];
  mservers: { name: string; result: "Change" | "No Change" }[];
  /** Not in the manual's example: why something was not applied, the standby's outcome. */
  notes: string[];
}

/** What happened with the standby: copied (and restarted), or why not. */
export type StandbyOutcome =
  | { ok: true; name: string; changed: boolean }
  | { ok: false; name: string | null; why: string };

export interface SummaryInput {
  changes: readonly PlannedChange[];
  /** The management servers in configuration order, and this node's name. */
  mservers: readonly string[];
  self: string;
  /** This node runs another configuration than before the reload. */
  localChanged: boolean;
  standby: StandbyOutcome;
}

const SUBJECTS: [Subject, PlannedChange["subject"]][] = [
  ["Management Server", "mserver"],
  ["Physical Server", "pserver"],
  ["iPDU", "pdu"],
];

function label(c: PlannedChange): string {
  switch (c.subject) {
    case "global":
      return `${c.name}`;
    case "mserver":
      return `management server ${c.name} (${c.operation})`;
    case "pserver":
      return `physical server ${c.name} (${c.operation})`;
    case "pdu":
      return `iPDU ${c.name} (${c.operation})`;
  }
}

export function buildSummary(input: SummaryInput): ReloadSummary {
  const { changes, standby } = input;
  const allApplied = changes.every((c) => c.applied);
  const notes = changes.filter((c) => !c.applied).map((c) => `${label(c)}: not applied: ${c.refusal}`);
  if (!standby.ok) {
    notes.push(
      `the configuration was not copied to the standby connector${standby.name ? ` ${standby.name}` : ""} ` +
        `(${standby.why}): the primary and standby connectors are not synchronised; remove the cause ` +
        "and run haconnact reload again until it completes",
    );
  }
  const result = (c: PlannedChange) => (c.applied ? "Success" : "Error") as "Success" | "Error";
  return {
    completed: allApplied && standby.ok,
    subjects: SUBJECTS.map(([subject, kind]) => {
      const of = changes.filter((c) => c.subject === kind);
      const success = of.filter((c) => c.applied).length;
      return { subject, success, total: of.length, result: success === of.length ? "Success" : "Failed" };
    }),
    pservers: changes
      .filter((c) => c.subject === "pserver")
      .map((c) => ({ name: c.name, operation: c.operation, result: result(c) })),
    pdus: changes
      .filter((c) => c.subject === "pdu")
      .map((c) => ({
        addr: c.name,
        operation: c.operation === "Delete" ? "Delete" : "Add",
        result: result(c),
      })),
    mservers: input.mservers.map((name) => ({
      name,
      result: (
        name === input.self
          ? input.localChanged
          : standby.ok && standby.name === name && standby.changed
      )
        ? "Change"
        : "No Change",
    })),
    notes,
  };
}
