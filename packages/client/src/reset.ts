// RESET as a requester (docs/protocol.md §4.3–4.6, §6): the same requestId is retransmitted on
// the schedule 500 ms, 1 s, then 2 s each, at most 10 sends (17.5 s), until RESET-ACCEPTED or
// RESET-RESULT; after RESET-ACCEPTED the requester waits for the RESET-RESULT and, after
// `silenceMs` without news, retransmits the RESET to learn the current state. RESULT-ACK for
// every RESET-RESULT copy is sent by the client itself (client.ts). Every wait is bounded.
import {
  type AttentionBody,
  RESET_MAX_SENDS,
  RESET_RETRANSMIT_MS,
  type ResetAcceptedBody,
  type ResetPathMessage,
  type ResetPhase,
  type ResetResultBody,
} from "@haconn/protocol";
import { checkName, checkSubsystem, formatEndpoint } from "./endpoint.js";
import { ClientError } from "./errors.js";
import type { Exchange } from "./exchange.js";

/** After RESET-ACCEPTED and this long without news, the RESET is sent again (§6). */
export const RESET_SILENCE_MS = 30_000;
/** Default bound of a whole reset: 17.5 s of sends plus a hardware reset, its 60 s acknowledgement timeout and a PDU cut. */
export const DEFAULT_RESET_TIMEOUT_MS = 120_000;

export interface ResetTarget {
  /** The target's subsystem number. */
  subsystem: number;
  /** The target's system name as the connector knows it (1..31 characters). */
  systemName: string;
}

export interface ResetOptions {
  /** Bound of the whole call, sends and result (default 120 s). */
  timeoutMs?: number;
  /** At most this many sends before RESET-ACCEPTED / RESET-RESULT (default 10). */
  maxSends?: number;
  /** false: return at the first RESET-ACCEPTED, without waiting for the result (default true). */
  waitForResult?: boolean;
  /** After the first RESET-ACCEPTED, wait at most this long for the result (default: until timeoutMs). */
  resultTimeoutMs?: number;
  /** Resend after this long without news once accepted (default 30 s). */
  silenceMs?: number;
  signal?: AbortSignal;
  /**
   * The requester's cluster port (RESET clusterPort), default our own port (replyPort). Give it
   * when another socket of this host holds the cluster's port (e.g. a monitor that keeps
   * checking): the connector identifies the requester by (clusterPort, subsystem) and the source
   * IP, not the source port, and answers to where the RESET came from.
   */
  clusterPort?: number;
  /**
   * Set the RESET's FENCE flag (header flags bit 1, docs/protocol.md §4.3): the reset starts even
   * when the connector counts the target as already reset (status dump) or off (poff), instead of
   * the immediate `DUMP` / `POFF` answer a plain RESET gets then. For fencing clients, which
   * cannot tell "already reset" from "rebooted and not checked in yet". Default false. A connector
   * older than the flag drops such a RESET (`bad-flags`): the call ends in `CLIENT_TIMEOUT`, never
   * in a false result.
   */
  fence?: boolean;
  /** Called for each RESET-ACCEPTED (phase 1 queued, 2 NMI, 3 hardware reset, 4 PDU cut). */
  onAccepted?: (accepted: ResetAcceptedBody) => void;
}

export interface ResetOutcome {
  requestId: number;
  /** RESET datagrams sent (retransmissions included). */
  sends: number;
  /** The latest RESET-ACCEPTED, if any came. */
  accepted?: ResetAcceptedBody;
  /** Every phase announced, in order, without repeats. */
  phases: ResetPhase[];
  /** The RESET-RESULT (absent only with waitForResult: false and an accepted reset). */
  result?: ResetResultBody;
  /** An ATTENTION about the target received during the call (only monitors of the target's cluster get one). */
  attention?: AttentionBody;
  /** From the first send to the result (or the return), on the client's clock. */
  elapsedMs: number;
}

/** Delay after the n-th send (n = 1..): 500 ms, 1 s, then 2 s each. */
export function resetRetransmitDelay(sends: number): number {
  return RESET_RETRANSMIT_MS[Math.min(Math.max(sends, 1), RESET_RETRANSMIT_MS.length) - 1]!;
}

type Answer = Extract<ResetPathMessage, { type: "reset-accepted" | "reset-result" | "unsupported-version" }>;

export async function runReset(
  x: Exchange,
  target: ResetTarget,
  options: ResetOptions,
  watchAttention: (subsystem: number, clusterPort: number, seen: (a: AttentionBody) => void) => () => void,
): Promise<ResetOutcome> {
  checkSubsystem(target.subsystem, "target subsystem");
  checkName(target.systemName, "target system name");
  const clock = x.clock;
  const started = clock.now();
  let deadline = started + (options.timeoutMs ?? DEFAULT_RESET_TIMEOUT_MS);
  const maxSends = options.maxSends ?? RESET_MAX_SENDS;
  const silenceMs = options.silenceMs ?? RESET_SILENCE_MS;
  const clusterPort = options.clusterPort ?? x.replyPort;
  if (!Number.isInteger(clusterPort) || clusterPort < 1 || clusterPort > 65535) {
    throw new ClientError("CLIENT_BAD_OPTION", `clusterPort must be 1..65535, got ${clusterPort}`);
  }
  if (options.fence !== undefined && typeof options.fence !== "boolean") {
    throw new ClientError("CLIENT_BAD_OPTION", `fence must be true or false, got ${String(options.fence)}`);
  }
  const fence = options.fence === true;
  const requestId = x.newRequestId();
  const outcome: ResetOutcome = { requestId, sends: 0, phases: [], elapsedMs: 0 };
  const sub = x.subscribe<Answer>((m) =>
    m.header.requestId === requestId &&
    (m.type === "reset-accepted" || m.type === "reset-result" || m.type === "unsupported-version")
      ? m
      : undefined,
  );
  const unwatch = watchAttention(target.subsystem, clusterPort, (a) => {
    outcome.attention ??= a;
  });
  const send = () =>
    x.send({
      type: "reset",
      header: x.header(requestId, outcome.sends++),
      body: {
        targetSubsystem: target.subsystem,
        clusterPort,
        targetSystemName: target.systemName,
        ...(fence ? { fence: true } : {}),
      },
    });
  const left = () => deadline - clock.now();
  const fail = (code: "CLIENT_TIMEOUT" | "CLIENT_NO_RESULT", message: string) =>
    new ClientError(code, message, {
      details: {
        requestId,
        sends: outcome.sends,
        ...(outcome.accepted ? { accepted: outcome.accepted, phase: outcome.accepted.phase } : {}),
        elapsedMs: clock.now() - started,
      },
    });
  try {
    let answer: Answer | undefined;
    while (!answer) {
      if (outcome.sends >= maxSends || left() <= 0) {
        throw fail(
          "CLIENT_TIMEOUT",
          `the connector at ${formatEndpoint(x.connector)} did not answer ${outcome.sends} RESET sends within ${clock.now() - started} ms${fence ? " (a connector older than the FENCE flag drops a FENCE RESET unanswered)" : ""}`,
        );
      }
      await send();
      answer = await sub.box.take(Math.min(resetRetransmitDelay(outcome.sends), left()), options.signal);
    }
    for (;;) {
      if (answer.type === "unsupported-version") throw unsupported(x, answer.body);
      if (answer.type === "reset-result") {
        outcome.result = answer.body;
        break;
      }
      if (!outcome.accepted && options.resultTimeoutMs !== undefined) {
        deadline = Math.min(deadline, clock.now() + options.resultTimeoutMs);
      }
      outcome.accepted = answer.body;
      if (!outcome.phases.includes(answer.body.phase)) outcome.phases.push(answer.body.phase);
      options.onAccepted?.(answer.body);
      if (options.waitForResult === false) break;
      let next: Answer | undefined;
      while (!next) {
        if (left() <= 0) {
          throw fail(
            "CLIENT_NO_RESULT",
            `the reset of ${target.systemName} (subsystem ${target.subsystem}) was accepted (phase ${outcome.accepted.phase}) but no RESET-RESULT came within ${clock.now() - started} ms`,
          );
        }
        next = await sub.box.take(Math.min(silenceMs, left()), options.signal);
        if (!next && left() > 0) await send(); // silence: ask for the current state (same requestId)
      }
      answer = next;
    }
    outcome.elapsedMs = clock.now() - started;
    return outcome;
  } finally {
    sub.dispose();
    unwatch();
  }
}

export function unsupported(x: Exchange, body: { minVersion: number; maxVersion: number }): ClientError {
  return new ClientError(
    "CLIENT_UNSUPPORTED_VERSION",
    `the connector at ${formatEndpoint(x.connector)} reads reset-path versions ${body.minVersion}..${body.maxVersion}, this client speaks version 1`,
    { details: { ...body } },
  );
}

/** True when the result means the target is down: DUMP (reset complete) or POFF (found off). */
export function isTargetDown(result: ResetResultBody): boolean {
  return result.result === "DUMP" || result.result === "POFF";
}

const DETAIL_TEXT: Record<ResetResultBody["detail"], string> = {
  none: "",
  resetFailed: "the reset failed (no hardware-reset acknowledgement and no PDU cut possible)",
  requesterBeingReset: "this requester is itself being reset (the losing side of a mutual reset)",
  notActive: "the node that answered is not the active connector",
  invalidRequester: "invalid requester (not registered from this address, or names itself)",
  requesterResetComplete: "this requester was itself reset and has not returned to normal",
  unknownTarget: "unknown target (no such system in this cluster)",
};

/** One line for people: "DUMP: the reset completed" / "FAIL: the reset failed (...)". */
export function describeResult(result: ResetResultBody): string {
  switch (result.result) {
    case "DUMP":
      return "DUMP: the reset completed (dump started, or hardware reset done)";
    case "POFF":
      return "POFF: the target was found powered off";
    default:
      return `${result.result}: ${DETAIL_TEXT[result.detail]}`;
  }
}
