// dump-sim: the simulated dump notifier. Sends our DUMP-NOTICE (retransmitted until DUMP-ACK)
// or the fence_kdump notice (8 bytes, --count times), printing every exchange.
import { FENCE_KDUMP_PORT } from "@haconn/protocol";
import { parseArgs } from "node:util";
import { dumpSimSendFenceKdump, dumpSimSendNotice } from "../dump-sim/index.js";
import { hamonSimInt, hamonSimParseEndpoint, hamonSimReadKeyFile } from "../hamon-sim/index.js";

const USAGE = `usage: dump-sim --connector <ip>:<port> --subsystem <n> [--name <system>] [--cluster-port <p>]
                [--key-file <file>] [--bind <ip>] [--in-namespace] [--max-sends <n>]
       dump-sim --form fence-kdump --connector <ip>[:<port, default ${FENCE_KDUMP_PORT}>] [--count <n>] [--interval <s>]
Binds and sends only within 127.0.0.0/8 unless --in-namespace (inside a namespace you created).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      form: { type: "string", default: "haconn" },
      connector: { type: "string" },
      subsystem: { type: "string" },
      name: { type: "string", default: "" },
      "cluster-port": { type: "string", default: "0" },
      "key-file": { type: "string" },
      bind: { type: "string", default: "127.0.0.1" },
      "in-namespace": { type: "boolean", default: false },
      "max-sends": { type: "string", default: "10" },
      count: { type: "string", default: "1" },
      interval: { type: "string", default: "1" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help || !values.connector) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const log = (line: string) => console.log(line);
  const bind = { address: values.bind, port: 0 };
  const inNamespace = values["in-namespace"];
  if (values.form === "fence-kdump") {
    const text = values.connector.includes(":")
      ? values.connector
      : `${values.connector}:${FENCE_KDUMP_PORT}`;
    await dumpSimSendFenceKdump({
      target: hamonSimParseEndpoint(text, "--connector"),
      count: hamonSimInt(values.count, "--count", 1, 1000),
      intervalMs: hamonSimInt(values.interval, "--interval", 0, 3600) * 1000,
      bind,
      inNamespace,
      log,
    });
    return 0;
  }
  if (values.form !== "haconn") throw new Error("--form must be haconn or fence-kdump");
  const outcome = await dumpSimSendNotice({
    connector: hamonSimParseEndpoint(values.connector, "--connector"),
    subsystem: hamonSimInt(values.subsystem, "--subsystem", 1, 0xffff_ffff),
    systemName: values.name,
    clusterPort: hamonSimInt(values["cluster-port"], "--cluster-port", 0, 65535),
    key: values["key-file"] ? hamonSimReadKeyFile(values["key-file"]) : undefined,
    bind,
    inNamespace,
    maxSends: hamonSimInt(values["max-sends"], "--max-sends", 1, 100),
    log,
  });
  log(`dump notice outcome ${JSON.stringify(outcome)}`);
  return outcome.ack ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`dump-sim: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
