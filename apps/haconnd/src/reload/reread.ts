// A restart re-reads haconn.json (issue #20): `haconnsby restart` (and the standby restart at the
// end of `haconnact reload`, and the hand-over of `haconnact restart`) restart the connector
// logic in place; before it decides its role again, it runs the file as it is now, so that after
// `haconnact copy` the restarted standby runs the copied configuration. What a running process
// cannot take (the reset path, the pair's own settings: classifyChanges' "restart" category)
// waits for a restart of haconnd itself, and the event log says so. A file that cannot be read
// or is invalid leaves the running configuration in place (logged).
import { ConfigStore, resolveConfig } from "@haconn/config";
import type { ConfigReloader } from "../ops-host.js";
import { classifyChanges } from "./classify.js";

export type RereadOutcome = "unchanged" | "applied" | "needs-process-restart" | "unreadable";

export async function rereadConfigFile(d: ConfigReloader): Promise<RereadOutcome> {
  let next: ReturnType<typeof resolveConfig>;
  try {
    next = resolveConfig(await new ConfigStore(d.options.etcDir).read());
  } catch (error) {
    d.logs.event.error(
      { err: String(error) },
      "restart: haconn.json could not be read; the running configuration stays",
    );
    return "unreadable";
  }
  if (next.digest === d.config.digest) return "unchanged";
  const restart = classifyChanges(d.config, next)
    .filter((c) => c.category === "restart")
    .map((c) => c.reason ?? c.name);
  if (restart.length > 0) {
    d.logs.event.warn(
      { restartRequired: restart },
      "restart: haconn.json differs in what only a restart of haconnd applies (systemctl restart haconnd.service)",
    );
    return "needs-process-restart";
  }
  d.applyConfig(next);
  d.logs.event.info({ digest: next.digest }, "restart: haconn.json re-read and running");
  return "applied";
}
