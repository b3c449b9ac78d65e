// haconnsetup hamonitor: the optional allow-list of source addresses a managed server's HA
// monitors send CHECK/RESET from (docs/security.md). Without one, any address may register.
import { parseIpv4, parseSettings } from "../args.js";
import { usage } from "../errors.js";
import { change, findPserver, type SetupContext } from "./context.js";

/** `hamonitor <name> allow=<ip>[,<ip>...] | allow=any`. */
export async function hamonitorAllow(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["allow"]);
  const value = s.get("allow");
  if (value === undefined) throw usage("hamonitor: give allow=<IP addr>[,<IP addr>...] or allow=any");
  const addrs =
    value.toLowerCase() === "any" ? [] : value.split(",").map((a) => parseIpv4("allow", a.trim()));
  await change(ctx, (config) => {
    const server = findPserver(config, name);
    if (addrs.length === 0) delete server.monitorAddrs;
    else server.monitorAddrs = [...new Set(addrs)];
  });
}
