// haconnact copy (and the copy at the end of a reload): the active sends its haconn.json whole
// over the duplex stream (HMAC-authenticated, not encrypted: the BMC passwords and the SNMP
// community travel on it, which is why the duplex LAN is a direct link). The standby validates it
// with the same rules, writes it atomically and, when only what a running connector can take
// differs, runs it at once. Everything in haconn.json is the same on both nodes (the digests are
// compared); what is node-specific lives in other files (duplex.key, resetpath.key, ESXi host
// keys), which a copy never touches. A failed copy changes nothing on the standby.
import { ConfigStore, type HaconnConfig, HaconnError, resolveConfig } from "@haconn/config";
import type { JsonValue } from "@haconn/protocol";
import type { ConfigReloader } from "../ops-host.js";
import type { PeerCommandHandler, PeerCommandOutcome } from "../pair/peer-commands.js";
import { classifyChanges } from "./classify.js";
import type { StandbyOutcome } from "./summary.js";

export const COPY_TIMEOUT_MS = 15_000;
export const RESTART_TIMEOUT_MS = 10_000;

/** The standby's answer to copyConfig. */
export interface CopyAnswer {
  /** The file's content changed. */
  changed: boolean;
  /** The standby runs it now (false: only at its next start, see restartRequired). */
  applied: boolean;
  digest: string;
  restartRequired: string[];
}

const errorData = (code: string, error: unknown): JsonValue => ({
  code: HaconnError.isInstance(error) ? error.code : code,
  message: error instanceof Error ? error.message : String(error),
});

/** The standby's side: copyConfig {config, from}. */
export function copyConfigHandler(d: ConfigReloader): PeerCommandHandler {
  return async (args, ctx): Promise<PeerCommandOutcome> => {
    if (ctx.role !== "standby") {
      return { status: "rejected", data: { code: "NOT_STANDBY", message: "only the standby takes a copy" } };
    }
    const a = (args ?? {}) as { config?: unknown; from?: unknown };
    const from = typeof a.from === "string" ? a.from : "the peer";
    let next: ReturnType<typeof resolveConfig>;
    try {
      next = resolveConfig(a.config);
    } catch (error) {
      d.logs.event.warn({ from, err: String(error) }, "configuration copy refused: invalid");
      return { status: "failed", data: errorData("CONFIG_INVALID", error) };
    }
    const self = next.mservers.find((m) => m.name === d.options.nodeName);
    if (!self?.mlan || !next.mservers.some((m) => m.name !== self.name && m.mlan)) {
      const message = `the configuration does not register ${d.options.nodeName} and its peer with a duplex LAN`;
      d.logs.event.warn({ from }, `configuration copy refused: ${message}`);
      return { status: "failed", data: { code: "CONFIG_NOT_FOR_THIS_NODE", message } };
    }
    let changed: boolean;
    try {
      ({ changed } = await new ConfigStore(d.options.etcDir).update(() => a.config as HaconnConfig));
    } catch (error) {
      d.logs.event.error({ from, err: String(error) }, "configuration copy not written");
      return { status: "failed", data: errorData("CONFIG_IO", error) };
    }
    const restartRequired = classifyChanges(d.config, next)
      .filter((c) => c.category === "restart")
      .map((c) => c.reason ?? c.name);
    // Still the standby after the write: it runs no engine, so anything but the bound parts swaps.
    const applied = restartRequired.length === 0 && d.role === "standby";
    if (applied && next.digest !== d.config.digest) d.applyConfig(next);
    d.logs.event.info(
      { from, digest: next.digest, changed, applied, restartRequired },
      applied || next.digest === d.config.digest
        ? "configuration copied from the active connector and running"
        : "configuration copied from the active connector; it runs at the next start of haconnd",
    );
    const answer: CopyAnswer = {
      changed: changed || next.digest !== d.config.digest,
      applied,
      digest: next.digest,
      restartRequired,
    };
    return { status: "done", data: answer as unknown as JsonValue };
  };
}

function failure(what: string, r: { status: string; data: JsonValue }): string {
  const m = (r.data as { message?: unknown } | null)?.message;
  if (r.status === "disconnected") return "the standby connector is not connected";
  if (r.status === "timeout") return `the standby did not answer the ${what} in time`;
  return `the standby answered ${r.status}${typeof m === "string" ? `: ${m}` : ""}`;
}

/** The active's side: sends `config` to the standby, then (reload) restarts it. */
export async function copyToStandby(
  d: ConfigReloader,
  config: HaconnConfig,
  restart: boolean,
): Promise<StandbyOutcome & { answer?: CopyAnswer }> {
  const pair = d.pair;
  if (!pair) return { ok: false, name: null, why: "no standby connector is configured" };
  const name = pair.state.peerName;
  const r = await pair.request(
    "copyConfig",
    { config: config as unknown as JsonValue, from: d.options.nodeName },
    COPY_TIMEOUT_MS,
  );
  if (r.status !== "done") return { ok: false, name, why: failure("copy", r) };
  const answer = r.data as unknown as CopyAnswer;
  if (restart && !answer.applied) {
    const why = answer.restartRequired.join("; ") || "it is no longer the standby";
    return {
      ok: false,
      name,
      why: `copied, but the standby runs it only after a restart of its haconnd: ${why}`,
    };
  }
  if (restart) {
    const rr = await pair.request("restartStandby", {}, RESTART_TIMEOUT_MS);
    if (rr.status !== "accepted" && rr.status !== "done") {
      return { ok: false, name, why: `copied, but not restarted: ${failure("restart", rr)}` };
    }
  }
  return { ok: true, name, changed: answer.changed, answer };
}
