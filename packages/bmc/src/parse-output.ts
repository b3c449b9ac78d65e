// Strict reading of ipmitool's answers, and classification of its failures into DriverError
// codes. Texts are ipmitool 1.8.19's (lib/ipmi_chassis.c, src/plugins/lanplus/lanplus.c), as
// printed with one `-v` against ipmi_sim and as documented for real BMCs.
import { DriverError, type PowerState } from "@haconn/config";

export type BmcAction = "status" | "on" | "off" | "reset" | "nmi";

/** `chassis power <verb>` for each action. nmi is "diag" (pulse diagnostic interrupt). */
export const CHASSIS_VERB: Readonly<Record<BmcAction, string>> = {
  status: "status",
  on: "on",
  off: "off",
  reset: "reset",
  nmi: "diag",
};

/** What ipmitool prints on stdout after a successful chassis control, per action. */
const CONTROL_ANSWER: Readonly<Record<Exclude<BmcAction, "status">, string>> = {
  on: "Chassis Power Control: Up/On",
  off: "Chassis Power Control: Down/Off",
  reset: "Chassis Power Control: Reset",
  nmi: "Chassis Power Control: Diag",
};

export interface IpmitoolOutcome {
  stdout: string;
  stderr: string;
  /** Process exit code; undefined inside a shell session (one command, no exit). */
  exitCode: number | undefined;
}

export interface FailureContext {
  /** Printable target, e.g. `bmc 127.0.0.1:623 user=admin cipher=17`. */
  target: string;
  cipher: number;
}

const meaningfulLines = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

/** Reads `Chassis Power is on|off` and nothing else; undefined when the output is anything else. */
export function parsePowerStatus(stdout: string): PowerState | undefined {
  const lines = meaningfulLines(stdout);
  if (lines.length !== 1) return undefined;
  const match = /^Chassis Power is (on|off)$/.exec(lines[0] ?? "");
  return match ? (match[1] as PowerState) : undefined;
}

/** True when stdout is exactly the acknowledgement expected for this control action. */
export function isControlAcknowledged(action: Exclude<BmcAction, "status">, stdout: string): boolean {
  const lines = meaningfulLines(stdout);
  return lines.length === 1 && lines[0] === CONTROL_ANSWER[action];
}

/** ipmitool's progress chatter under `-v`, which says nothing about success or failure. */
const NOISE = [
  /^Loading IANA PEN Registry\.\.\.$/,
  /^Running Get VSO Capabilities/,
  // Probes ipmitool sends after opening a session (Get VSO / HPM.x capabilities), refused by
  // most BMCs, and below ADMINISTRATOR privilege with "Insufficient privilege level".
  /^Invalid completion code received: /,
  /^Get HPM\.x Capabilities request failed/,
  /^Discovered IPMB address/,
  /^IPMI Request Match NOT FOUND$/, // a late answer to a retransmitted request
];

/** stderr without the `-v` chatter: what goes into error messages. */
export function significantStderr(stderr: string): string {
  return meaningfulLines(stderr)
    .filter((l) => !NOISE.some((re) => re.test(l)))
    .join("\n");
}

const CIPHER_REFUSED =
  /invalid (authentication|integrity|confidentiality) algorithm|no cipher suite match|no matching (authentication|integrity|confidentiality) payload/i;
const AUTH_REFUSED =
  /RAKP \d HMAC is invalid|unauthorized name|invalid name length|unauthorized role|invalid role|unauthorized GUID|invalid integrity check value|RAKP \d message indicates an error|Error in open session response message/i;
const BUSY = /insufficient resources/i;
const UNREACHABLE =
  /Get Auth Capabilities error|Error issuing Get Channel Authentication Capabilities|No response from remote controller|Address lookup for .* failed|Unable to establish (IPMI v2 \/ RMCP\+|LAN) session/i;
/** Session up, then no answer to the command itself within ipmitool's retries. */
const NO_ANSWER = /^Unable to (get|set) Chassis Power/im;
/** Session up, command answered with a completion code other than success. */
const COMPLETION_CODE = /^(?:Get|Set) Chassis Power .*? failed: (.+)$/im;
/** Completion codes that mean "this BMC cannot pulse a diagnostic interrupt at all". */
const NMI_UNSUPPORTED =
  /Invalid data field in request|Invalid command|Parameter out of range|Request data field length limit exceeded/i;

/**
 * Maps a failed ipmitool call (non-zero exit, error text, or an answer that is not the one
 * expected) to a DriverError. The error carries the significant text in `details.output`.
 */
export function classifyFailure(
  action: BmcAction,
  outcome: IpmitoolOutcome,
  ctx: FailureContext,
): DriverError {
  const text = significantStderr(outcome.stderr);
  const output = [text, outcome.stdout.trim()].filter((s) => s !== "").join("\n");
  const details = { target: ctx.target, action, exitCode: outcome.exitCode, output };
  const what = `${ctx.target}: chassis power ${CHASSIS_VERB[action]}`;

  if (CIPHER_REFUSED.test(text))
    return new DriverError(
      "DEVICE_AUTH",
      `${what}: the BMC refused IPMI cipher suite ${ctx.cipher} (${firstMatch(text, CIPHER_REFUSED)}); no weaker suite is tried — configure a suite the BMC accepts`,
      { details: { ...details, reason: "cipher-suite-refused", cipher: ctx.cipher } },
    );
  if (BUSY.test(text))
    return new DriverError(
      "DEVICE_REJECTED",
      `${what}: the BMC has no free session (${firstMatch(text, BUSY)})`,
      {
        retryable: true,
        details: { ...details, reason: "no-free-session" },
      },
    );
  if (AUTH_REFUSED.test(text))
    return new DriverError(
      "DEVICE_AUTH",
      `${what}: authentication refused (${firstMatch(text, AUTH_REFUSED)})`,
      {
        details: { ...details, reason: "authentication" },
      },
    );
  const code = COMPLETION_CODE.exec(text)?.[1]?.trim();
  if (code !== undefined) {
    if (action === "nmi" && NMI_UNSUPPORTED.test(code))
      return new DriverError("DEVICE_UNSUPPORTED", `${what}: NMI not supported by device (${code})`, {
        details: { ...details, reason: "nmi-unsupported", completionCode: code },
      });
    if (/Insufficient privilege level/i.test(code))
      return new DriverError(
        "DEVICE_AUTH",
        `${what}: the account lacks the privilege for this command (${code})`,
        {
          details: { ...details, reason: "privilege", completionCode: code },
        },
      );
    return new DriverError("DEVICE_REJECTED", `${what}: refused by the BMC (${code})`, {
      details: { ...details, completionCode: code },
    });
  }
  if (NO_ANSWER.test(text))
    return new DriverError("DEVICE_TIMEOUT", `${what}: session opened but the command got no answer`, {
      details: { ...details, reason: "no-answer" },
    });
  if (UNREACHABLE.test(text))
    return new DriverError(
      "DEVICE_UNREACHABLE",
      `${what}: no IPMI answer from the BMC (${firstMatch(text, UNREACHABLE)})`,
      {
        details: { ...details, reason: "unreachable" },
      },
    );
  return new DriverError("DEVICE_BAD_OUTPUT", `${what}: unexpected ipmitool output: ${output || "(none)"}`, {
    details,
  });
}

function firstMatch(text: string, re: RegExp): string {
  return meaningfulLines(text).find((l) => re.test(l)) ?? "";
}
