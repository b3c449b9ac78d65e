// esxi-sim: a simulated ESXi host (ssh on 127.0.0.1) for manual runs and the lab. Prints one JSON
// line with its address, port and host key fingerprint, then one JSON line per power action.
// The account password comes from the environment (ESXI_SIM_PASSWORD), never from the argv.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  EsxiSim,
  type EsxiSimAuthMethod,
  type EsxiSimGuestSpec,
  type EsxiSimPower,
} from "../esxi-sim/index.js";

const USAGE = `usage: ESXI_SIM_PASSWORD=… esxi-sim --guest <name>[:on|off|suspended] ... [--port <p>] [--user <name>]
                [--auth password,keyboard-interactive] [--host-key-file <openssh private key>] [--delay-ms <n>]
Listens on 127.0.0.1 only. Stops on SIGINT/SIGTERM.`;

function guest(spec: string): EsxiSimGuestSpec {
  const [name = "", power = "on"] = spec.split(":");
  if (!/^[A-Za-z0-9]{1,31}$/.test(name) || !["on", "off", "suspended"].includes(power)) {
    throw new Error(`bad --guest ${spec}`);
  }
  return { name, power: power as EsxiSimPower };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      guest: { type: "string", multiple: true, default: [] },
      port: { type: "string", default: "0" },
      user: { type: "string", default: "root" },
      auth: { type: "string", default: "password,keyboard-interactive" },
      "host-key-file": { type: "string" },
      "delay-ms": { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
  });
  const password = process.env.ESXI_SIM_PASSWORD;
  if (values.help || values.guest.length === 0 || !password) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const sim = await EsxiSim.start({
    guests: values.guest.map(guest),
    username: values.user,
    password,
    port: Number(values.port),
    authMethods: values.auth.split(",") as EsxiSimAuthMethod[],
    ...(values["host-key-file"] ? { hostKey: readFileSync(values["host-key-file"], "utf8") } : {}),
  });
  sim.delayMs = Number(values["delay-ms"]);
  console.log(
    JSON.stringify({ addr: sim.addr, port: sim.port, fingerprint: sim.fingerprint, user: values.user }),
  );
  let shown = 0;
  const timer = setInterval(() => {
    for (const event of sim.host.events.slice(shown)) console.log(JSON.stringify(event));
    shown = sim.host.events.length;
  }, 100);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(timer);
  await sim.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
