// Entry of ocf:haconn:monitor (/usr/lib/ocf/resource.d/haconn/monitor in the RPM). `run` is the
// daemon the start action spawns.
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadKeyFile } from "@haconn/client";
import { runMonitorDaemon } from "./monitor-daemon.js";
import { monitorConfig, runOcfAction } from "./ocf-monitor.js";

const LOG = "/var/log/pacemaker/haconn-monitor.log";
const log = (line: string) => {
  try {
    appendFileSync(LOG, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
  } catch {
    process.stderr.write(`${line}\n`);
  }
};

const deps = {
  env: process.env,
  hostname: hostname(),
  readFile: (p: string) => readFileSync(p, "utf8"),
  loadKey: (p: string) => loadKeyFile(p),
  out: (t: string) => process.stdout.write(t),
  err: (t: string) => {
    process.stderr.write(t);
    log(t.trimEnd());
  },
  now: Date.now,
  sleep: (ms: number) => sleep(ms),
  pidAlive: (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  },
  spawnDaemon: () => {
    const child = spawn(process.execPath, [process.argv[1]!, "run"], {
      detached: true,
      stdio: "ignore",
      env: process.env,
    });
    child.unref();
  },
  kill: (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  },
  removeFile: (p: string) => rmSync(p, { force: true }),
};

const action = process.argv[2] ?? "";
if (action === "run") {
  const config = monitorConfig(deps, log);
  mkdirSync(dirname(config.stateFile), { recursive: true, mode: 0o755 });
  const stop = await runMonitorDaemon({ ...config, log });
  const end = () => {
    stop();
    process.exit(0);
  };
  process.on("SIGTERM", end);
  process.on("SIGINT", end);
} else {
  process.exitCode = await runOcfAction(action, deps);
}
