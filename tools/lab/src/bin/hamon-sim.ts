// hamon-sim: simulated HA monitors. Registers each with CHECK every --interval seconds, sends
// RESET on demand (--reset), acknowledges ATTENTION, and prints every exchange with timestamps.
import { parseArgs } from "node:util";
import {
  HamonSimMonitor,
  type HamonSimMonitorOptions,
  hamonSimInt,
  hamonSimParseEndpoint,
  hamonSimParseSpec,
  hamonSimReadKeyFile,
} from "../hamon-sim/index.js";

const USAGE = `usage: hamon-sim --connector <ip>:<port> --monitor subsystem=<n>,name=<system>[,vm=<vm>][,pair=<n>][,bind=<ip>][,port=<p>] ...
       (without port=, a monitor shares the first monitor's port: one cluster; give each its own bind=)
       [--interval <s>] [--reset target=<n>,name=<system>[,by=<n>]] [--reset-after <s>]
       [--key-file <file>] [--in-namespace] [--duration <s>]
Binds and sends only within 127.0.0.0/8 unless --in-namespace (inside a namespace you created).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      connector: { type: "string" },
      monitor: { type: "string", multiple: true },
      interval: { type: "string", default: "10" },
      reset: { type: "string", multiple: true },
      "reset-after": { type: "string", default: "1" },
      "key-file": { type: "string" },
      "in-namespace": { type: "boolean", default: false },
      duration: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || !values.connector || !values.monitor?.length) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const connector = hamonSimParseEndpoint(values.connector, "--connector");
  const key = values["key-file"] ? hamonSimReadKeyFile(values["key-file"]) : undefined;
  const inNamespace = values["in-namespace"];
  const checkIntervalMs = hamonSimInt(values.interval, "--interval", 1, 3600) * 1000;
  const log = (line: string) => console.log(line);
  const monitors: HamonSimMonitor[] = [];
  try {
    for (const spec of values.monitor) {
      const s = hamonSimParseSpec(spec, ["subsystem", "name", "vm", "pair", "bind", "port"]);
      const options: HamonSimMonitorOptions = {
        subsystem: hamonSimInt(s.subsystem, "subsystem", 1, 0xffff_ffff),
        systemName: s.name ?? "",
        kind: s.vm ? "guest" : "physical",
        vmName: s.vm ?? "",
        pairSubsystem: s.pair ? hamonSimInt(s.pair, "pair", 1, 0xffff_ffff) : 0,
        connector,
        // Without port=, a monitor joins the first monitor's cluster: same reset-path port.
        bind: {
          address: s.bind ?? "127.0.0.1",
          port: s.port ? hamonSimInt(s.port, "port", 0, 65535) : (monitors[0]?.replyPort ?? 0),
        },
        inNamespace,
        key,
        checkIntervalMs,
        log,
      };
      monitors.push(await HamonSimMonitor.start(options));
    }
    let status = 0;
    if (values.reset?.length) {
      await sleep(hamonSimInt(values["reset-after"], "--reset-after", 0, 3600) * 1000);
      for (const spec of values.reset) {
        const s = hamonSimParseSpec(spec, ["target", "name", "by"]);
        const by = s.by ? hamonSimInt(s.by, "by", 1, 0xffff_ffff) : undefined;
        const requester = monitors.find((m) => by === undefined || m.subsystem === by);
        if (!requester) throw new Error(`no monitor with subsystem ${by}`);
        const outcome = await requester.reset(
          { subsystem: hamonSimInt(s.target, "target", 1, 0xffff_ffff), systemName: s.name ?? "" },
          { resultTimeoutMs: 120_000 },
        );
        log(`reset outcome ${JSON.stringify(outcome)}`);
        if (!outcome.accepted && !outcome.result) status = 1;
      }
    }
    const durationMs = values.duration
      ? hamonSimInt(values.duration, "--duration", 1, 86_400) * 1000
      : undefined;
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
      if (durationMs !== undefined) setTimeout(resolve, durationMs).unref();
      else if (values.reset?.length) resolve();
    });
    return status;
  } finally {
    for (const m of monitors) await m.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`hamon-sim: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
