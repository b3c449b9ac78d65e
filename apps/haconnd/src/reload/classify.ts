// What changed between the running configuration and the file, per object, and which of the
// manual's reload categories each change falls in (manual-digest §5.7):
//   1  add-only: a new managed server (with its vserver and PDU links), a new PDU;
//   2  an in-service managed server changes (pserver del, non-PDU pserver mod, vserver): only
//      while the HA monitors on that server are stopped;
//   3  PDU-only: PDU add/del, the PDU parts of mserver/pserver mod (ipdusd, timeout,
//      recoverytime) and ipduadd/ipdudel.
// Everything else (resetpath, mserver add/del, mserver addr/account/mlan, hispeed, snmp) cannot be
// taken by a running connector: "restart", with the reason. Pure: names of fields, never values.
import { canonicalJson, type DeepReadonly, type HaconnConfig } from "@haconn/config";

export type Category = 1 | 2 | 3 | "restart";
export type ChangeSubject = "mserver" | "pserver" | "pdu" | "global";

export interface ConfigChange {
  subject: ChangeSubject;
  /** Server name, PDU key, or the global setting (resetpath, hispeed, snmp, schemaVersion). */
  name: string;
  operation: "Add" | "Delete" | "Change";
  category: Category;
  /** The fields that differ (Change), as the configuration names them. */
  fields: string[];
  /** Why a running connector cannot take it ("restart" only). */
  reason?: string;
}

type Config = DeepReadonly<HaconnConfig>;

const RESTART = "a running connector cannot take it: stop both connectors and start them again";

/** PDU-related fields of a server (category 3); anything else of a managed server is category 2. */
const PDU_FIELDS = new Set(["ipdusd", "timeoutSec", "recoveryTimeSec", "outlets"]);

function differingFields(a: object, b: object): string[] {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  return keys.filter((k) => canonicalJson(ra[k]) !== canonicalJson(rb[k]));
}

function byKey<T>(items: readonly T[], key: (t: T) => string): Map<string, T> {
  return new Map(items.map((t) => [key(t), t]));
}

function diffList<T extends object>(
  subject: ChangeSubject,
  before: readonly T[],
  after: readonly T[],
  key: (t: T) => string,
  categorize: (op: ConfigChange["operation"], fields: string[]) => Pick<ConfigChange, "category" | "reason">,
): ConfigChange[] {
  const old = byKey(before, key);
  const now = byKey(after, key);
  const changes: ConfigChange[] = [];
  for (const [name, item] of old) {
    const next = now.get(name);
    if (!next) changes.push({ subject, name, operation: "Delete", fields: [], ...categorize("Delete", []) });
    else {
      const fields = differingFields(item, next);
      if (fields.length > 0)
        changes.push({ subject, name, operation: "Change", fields, ...categorize("Change", fields) });
    }
  }
  for (const name of now.keys()) {
    if (!old.has(name))
      changes.push({ subject, name, operation: "Add", fields: [], ...categorize("Add", []) });
  }
  return changes;
}

/** Every object that differs between `running` and `next`, with its category. */
export function classifyChanges(running: Config, next: Config): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const setting of ["schemaVersion", "resetpath", "hispeed", "snmp", "kdump"] as const) {
    if (canonicalJson(running[setting] ?? null) !== canonicalJson(next[setting] ?? null)) {
      changes.push({
        subject: "global",
        name: setting,
        operation: "Change",
        category: "restart",
        fields: [setting],
        reason: `${setting === "snmp" ? "the SNMP community" : setting} changed: ${RESTART}`,
      });
    }
  }
  changes.push(
    ...diffList(
      "mserver",
      running.mservers,
      next.mservers,
      (m) => m.name,
      (op, fields) => {
        if (op !== "Change") {
          return {
            category: "restart",
            reason: `a management server was ${op === "Add" ? "added" : "deleted"}: ${RESTART}`,
          };
        }
        const other = fields.filter((f) => !PDU_FIELDS.has(f));
        return other.length === 0
          ? { category: 3 }
          : { category: "restart", reason: `${other.join(", ")} of a management server changed: ${RESTART}` };
      },
    ),
    ...diffList(
      "pserver",
      running.pservers,
      next.pservers,
      (p) => p.name,
      (op, fields) => ({
        category: op === "Add" ? 1 : op === "Delete" ? 2 : fields.every((f) => PDU_FIELDS.has(f)) ? 3 : 2,
      }),
    ),
    // A PDU changed in place (same address, other profile) is re-registered: shown as an Add.
    ...diffList(
      "pdu",
      running.pdus,
      next.pdus,
      (p) => p.key,
      (op) => ({ category: op === "Add" ? 1 : 3 }),
    ).map((c): ConfigChange => (c.operation === "Change" ? { ...c, operation: "Add", category: 3 } : c)),
  );
  return changes;
}
