// A real connector for @haconn/client's README example: the built haconnd, configured with
// haconnsetup as an operator would (reset path with resetpath.key, two managed servers whose BMCs
// are ipmi_sim with the NMI module, hispeed 1 s), running alone (active) on 127.0.211.1. The
// target's HA monitor (PSERVER1, subsystem 10001) is registered by this fixture; the example
// plays PSERVER2's monitor and asks for PSERVER1's reset.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaconnClient, loadKeyFile } from "@haconn/client";
import { IpmiSim } from "@haconn/lab";
import { ROOT } from "./workspace.js";

const NET = "127.0.211";
const PASSWORD = "Ex211-bmc-Pw7";

export interface ExampleConnector {
  env: Record<string, string>;
  /** "" when the target's BMC was sent an NMI and then a hardware reset, else what is missing. */
  check(): Promise<string>;
  stop(): Promise<void>;
}

/** Whether the programs the fixture runs are built (bin/haconnd, bin/haconnsetup). */
export const CONNECTOR_BUILT = ["apps/haconnd/dist/haconnd.js", "apps/cli/dist/haconnsetup.js"].every((f) =>
  existsSync(join(ROOT, f)),
);

async function freeUdpPort(address: string): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function waitReady(child: ChildProcess, output: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haconnd not ready:\n${output.join("")}`)), timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      output.push(d.toString());
      if (d.toString().includes("haconnd ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`haconnd exited ${code}:\n${output.join("")}`));
    });
  });
}

export async function startExampleConnector(): Promise<ExampleConnector> {
  const root = mkdtempSync(join(tmpdir(), "haconn-client-example-"));
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    HACONN_ETC_DIR: join(root, "etc"),
    HACONN_LOG_DIR: join(root, "log"),
    HACONN_RUN_DIR: join(root, "run"),
  };
  const setup = (args: string[], input = "") =>
    execFileSync(join(ROOT, "bin/haconnsetup"), args, { env, input, encoding: "utf8", timeout: 30_000 });
  const bmcs = await Promise.all([1, 2].map(() => IpmiSim.start({ nmi: true, password: PASSWORD })));
  let daemon: ChildProcess | undefined;
  let target: HaconnClient | undefined;
  const stop = async () => {
    target?.close();
    if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
      const gone = new Promise((r) => daemon!.once("exit", r));
      daemon.kill("SIGTERM");
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      daemon.kill("SIGKILL");
    }
    await Promise.allSettled(bmcs.map((b) => b.stop()));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const connector = { address: `${NET}.1`, port: await freeUdpPort(`${NET}.1`) };
    setup(["resetpath", `addr=${connector.address}/8`, `port=${connector.port}`]);
    for (const [i, bmc] of bmcs.entries()) {
      setup(
        ["pserver", "add", `PSERVER${i + 1}`, `addr=127.0.0.1:${bmc.port}`, "account=admin", "cipher=3"],
        `${PASSWORD}\n`,
      );
    }
    setup(["hispeed", "resettime=1000"]);
    const output: string[] = [];
    daemon = spawn(join(ROOT, "bin/haconnd"), [], {
      env: { ...env, HACONN_NODE_NAME: "HACON1", HACONN_KDUMP_PORT: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await waitReady(daemon, output, 30_000);
    const keyFile = join(env.HACONN_ETC_DIR, "resetpath.key");
    const clusterPort = await freeUdpPort(`${NET}.21`);
    target = await HaconnClient.open({
      connector,
      subsystem: 10001,
      bind: { address: `${NET}.21`, port: clusterPort },
      keys: loadKeyFile(keyFile),
    });
    await target.check({ systemName: "PSERVER1" }, { timeoutMs: 5000 });
    const [bmc1] = bmcs;
    return {
      env: {
        HACONN_CONNECTOR: `${connector.address}:${connector.port}`,
        HACONN_BIND: `${NET}.22:${clusterPort}`,
        HACONN_SUBSYSTEM: "10002",
        HACONN_SYSTEM: "PSERVER2",
        HACONN_KEY_FILE: keyFile,
        HACONN_TARGET: "10001:PSERVER1",
      },
      async check() {
        const actions = (await bmc1!.actions()).map((a) => a.action);
        const nmi = actions.indexOf("nmi");
        return nmi >= 0 && actions.indexOf("reset", nmi) > nmi
          ? ""
          : `PSERVER1's BMC saw ${actions.join(",") || "nothing"}, not an NMI then a reset`;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
