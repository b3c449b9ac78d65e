// Configuration between the nodes: haconnact copy / reload (control ops and peer commands).
import { ConfigStore, configDigest, HaconnError } from "@haconn/config";
import type { ControlOp } from "../control/server.js";
import type { ConfigReloader } from "../ops-host.js";
import type { PeerCommandHandlers } from "../pair/peer-commands.js";
import { reloadConfig } from "./apply.js";
import { copyConfigHandler, copyToStandby } from "./copy.js";

function activeOnly(d: ConfigReloader): void {
  if (d.role !== "active") throw new HaconnError("NOT_ACTIVE", "this command runs on the active connector");
}

/** One copy or reload at a time on a node. */
function exclusive<T>(state: { busy: boolean }, run: () => Promise<T>): Promise<T> {
  if (state.busy) {
    return Promise.reject(new HaconnError("RELOAD_BUSY", "a copy or reload is already running: try again"));
  }
  state.busy = true;
  return run().finally(() => {
    state.busy = false;
  });
}

export function reloadOps(d: ConfigReloader): Record<string, ControlOp> {
  const gate = { busy: false };
  return {
    "act.copy": {
      handle: () =>
        exclusive(gate, async () => {
          activeOnly(d);
          if (!d.pair) throw new HaconnError("NO_STANDBY", "no standby connector is configured");
          const file = await new ConfigStore(d.options.etcDir).read();
          const r = await copyToStandby(d, file, false);
          if (!r.ok)
            throw new HaconnError(r.why.includes("not connected") ? "NO_STANDBY" : "COPY_FAILED", r.why);
          const lines = [`Configuration copied to ${r.name}.`];
          if (r.answer && !r.answer.applied && r.answer.restartRequired.length > 0) {
            lines.push(
              `${r.name} runs it at the next start of its haconnd: ${r.answer.restartRequired.join("; ")}`,
            );
          }
          // resolveConfig's digest is over the same canonical form, without the derived fields.
          if (configDigest(file) !== d.config.digest) {
            lines.push("This connector's file differs from the configuration it runs: see haconnact reload.");
          }
          d.logs.event.info({ to: r.name, changed: r.changed }, "haconnact copy: configuration copied");
          return { message: lines.join("\n"), changed: r.changed };
        }),
    },
    "act.reload": {
      handle: () =>
        exclusive(gate, async () => {
          activeOnly(d);
          return reloadConfig(d);
        }),
    },
  };
}

export function reloadPeerCommands(d: ConfigReloader): PeerCommandHandlers {
  return { copyConfig: copyConfigHandler(d) };
}
