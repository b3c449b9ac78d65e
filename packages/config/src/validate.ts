// validateConfig(): schema (ajv) first, then the cross-field rules. Every issue carries the JSON
// Pointer of the offending field and a message that names the rule, never the value (secrets).
import { Ajv, type ErrorObject } from "ajv";
import type { ValidationIssue } from "./errors-catalog.js";
import { placeLabel } from "./labels.js";
import { checkRules } from "./rules.js";
import { configSchema } from "./schema.js";
import type { HaconnConfig } from "./types.js";

const CHARSET = "printable ASCII except space and \" # $ ' ; \\";

/** What each field must be, by its path with array indexes replaced by `*` (also haconn.json(5)). */
export const FIELD_RULES: Readonly<Record<string, string>> = {
  "/schemaVersion": "unsupported schema version",
  "/resetpath/addr": "must be an IPv4 address",
  "/resetpath/mask": "must be a dotted IPv4 mask",
  "/resetpath/prefixLength": "must be 1-32",
  "/resetpath/port": "must be 5001-65535",
  "/mservers": "at most 2 management servers",
  "/pservers": "at most 32 managed servers",
  "/pdus": "at most 132 PDUs",
  "/mservers/*/outlets": "at most 2 PDU outlet links per management server",
  "/pservers/*/outlets": "at most 4 PDU outlet links per managed server",
  "/*/*/name": "must be 1-31 alphanumeric characters (A-Z a-z 0-9)",
  "/*/*/bmc/addr": "must be an IPv4 address",
  "/*/*/bmc/port": "must be 1-65535",
  "/*/*/bmc/account": `must be 1-16 characters, ${CHARSET}`,
  "/*/*/bmc/password": `must be 8-20 characters, ${CHARSET}`,
  "/*/*/bmc/cipher": "must be an IPMI cipher suite 0-17",
  "/*/*/timeoutSec": "must be 5-60 seconds",
  "/pservers/*/recoveryTimeSec": "must be 0 (never restore) or 5-60 seconds",
  "/mservers/*/mlan/addr": "must be an IPv4 address",
  "/mservers/*/mlan/port": "must be 5001-65535",
  "/*/*/outlets/*/outlet": "must be an outlet (concent) number 1-12",
  "/pservers/*/vserver/addr": "must be an IPv4 address",
  "/pservers/*/vserver/port": "must be 1-65535",
  "/pservers/*/vserver/account": `must be 1-39 characters, ${CHARSET}`,
  "/pservers/*/vserver/password": `must be 1-38 characters, ${CHARSET}`,
  "/pservers/*/vserver/hostKey": "must be a host key fingerprint SHA256:<43 base64 characters>",
  "/pdus/*/addr": "must be an IPv4 address",
  "/pdus/*/port": "must be 1-65535",
  "/kdump/port": "must be 1-65535",
  "/pservers/*/monitorAddrs": "at most 16 distinct IPv4 addresses",
  "/pservers/*/monitorAddrs/*": "must be an IPv4 address",
  "/pdus/*/model": "model must be IBM_PDU (the only supported PDU)",
  "/pdus/*/profile": "must be a profile name (letters, digits, . _ -)",
  "/snmp/community": "must be 1-30 alphanumeric characters (A-Z a-z 0-9)",
  "/hispeed/resetTimeMs": "must be 1000-5000 ms in steps of 100",
};

const RULES = FIELD_RULES;
const RULE_PATHS = Object.keys(RULES);

function matches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const have = path.split("/");
  return want.length === have.length && want.every((w, i) => w === "*" || w === have[i]);
}

function describe(error: ErrorObject): ValidationIssue {
  let path = error.instancePath;
  if (error.keyword === "required")
    path = `${path}/${(error.params as { missingProperty: string }).missingProperty}`;
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { path: `${path}/${extra}`, message: "unknown field" };
  }
  if (error.keyword === "required") return { path, message: "is missing" };
  if (error.keyword === "multipleOf") return { path, message: `must be a multiple of 100 ms (1000-5000)` };
  const rule = Object.entries(RULES).find(([pattern]) => matches(pattern, path))?.[1];
  return { path, message: rule ?? `${error.message ?? "is invalid"}` };
}

const ajv = new Ajv({ allErrors: true, strict: true });
const schemaCheck = ajv.compile<HaconnConfig>(configSchema);

export type ValidationResult = { ok: true; config: HaconnConfig } | { ok: false; issues: ValidationIssue[] };

const placed = (value: unknown, issues: ValidationIssue[]) =>
  issues.map((issue) => ({ ...issue, place: placeLabel(value, issue.path) }));

/** Schema issues (one per path, in document order), or when the shape is right, the rule issues. */
export function validateConfig(value: unknown): ValidationResult {
  if (!schemaCheck(value)) {
    const seen = new Set<string>();
    const issues: ValidationIssue[] = [];
    // A `nullable` (anyOf null | object) also reports "must be null" at the parent: keep the
    // errors from inside the value, which say what is actually wrong.
    const all = schemaCheck.errors ?? [];
    const errors = all.filter(
      (e) =>
        !["type", "anyOf", "const"].includes(e.keyword) ||
        !all.some((o) => o.instancePath.startsWith(`${e.instancePath}/`)),
    );
    for (const error of errors) {
      const issue = describe(error);
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      // Say "multiple of 100" rather than "out of range" when that is what is wrong.
      const step = errors.find((e) => e.keyword === "multipleOf" && e.instancePath === issue.path);
      const types = errors
        .filter((e) => e.keyword === "type" && e.instancePath === issue.path)
        .map((e) => (e.params as { type: string }).type);
      if (step) issues.push(describe(step));
      else if (
        types.length > 0 &&
        issue.message.startsWith("must be ") &&
        !RULE_PATHS.some((r) => matches(r, issue.path))
      ) {
        issues.push({ path: issue.path, message: `must be ${types.join(" or ")}` });
      } else issues.push(issue);
    }
    return { ok: false, issues: placed(value, issues) };
  }
  const issues = checkRules(value);
  return issues.length === 0 ? { ok: true, config: value } : { ok: false, issues: placed(value, issues) };
}
