// haconnd: the HA Monitor Connector daemon, in the foreground. Reads its directories from
// HACONN_ETC_DIR, HACONN_LOG_DIR, HACONN_RUN_DIR, HACONN_STATE_DIR (defaults: the manual's
// paths; the state directory defaults to "state" beside the log directory), its node name
// from HACONN_NODE_NAME (default: the OS hostname). Node's helper threads run HACONN_HELPER_NICE
// (default 10, or off) nice levels below the main thread (helper-threads.ts says why). Prints
// one line when ready. Exit status 78 (EX_CONFIG) on a configuration it refuses (a bad
// HACONN_HELPER_NICE included), so systemd does not restart it in a loop.

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { HaconnError } from "@haconn/config";
import { Daemon } from "../daemon.js";
import { keepHelperThreadsLow, parseHelperNice } from "../helper-threads.js";
import { parseMetricsListen } from "../metrics/metrics-server.js";

const env = process.env;
const logDir = env.HACONN_LOG_DIR ?? "/var/opt/hitachi/haconn2/log";
const options = {
  etcDir: env.HACONN_ETC_DIR ?? "/etc/opt/hitachi/haconn2",
  logDir,
  runDir: env.HACONN_RUN_DIR ?? "/run/haconn2",
  stateDir: env.HACONN_STATE_DIR || join(dirname(logDir), "state"),
  nodeName: env.HACONN_NODE_NAME ?? hostname().split(".")[0]!,
  broadcast: env.HACONN_ATTENTION_BROADCAST === "on",
  vipMode:
    env.HACONN_VIP === "none"
      ? ("none" as const)
      : env.HACONN_VIP === "ip"
        ? ("ip" as const)
        : ("auto" as const),
  system: (line: string) => process.stderr.write(`${line}\n`),
};

declare const __HACONN_BUILD__: { version: string; commit: string } | undefined;

/** `--version`: the RPM version-release when installed (the launcher names the file), else the tree's. */
function versionLine(): string {
  const built =
    typeof __HACONN_BUILD__ === "undefined"
      ? { version: "development", commit: "unknown" }
      : __HACONN_BUILD__;
  let version = built.version;
  try {
    const line = readFileSync(env.HACONN_PACKAGE_VERSION_FILE ?? "", "utf8")
      .split("\n")[0]!
      .trim();
    if (/^[0-9A-Za-z._~+-]{1,64}$/.test(line)) version = line;
  } catch {
    // not installed from the RPM
  }
  return `haconnd (haconn) ${version} commit ${built.commit}\n`;
}

if (process.argv.includes("--version") || process.argv.includes("-V")) {
  process.stdout.write(versionLine());
} else if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(
    "usage: haconnd\n  Runs the HA Monitor Connector in the foreground.\n" +
      "  Environment: HACONN_ETC_DIR HACONN_LOG_DIR HACONN_RUN_DIR HACONN_STATE_DIR\n" +
      "               HACONN_NODE_NAME HACONN_ATTENTION_BROADCAST (on|off)\n" +
      "               HACONN_VIP (ip | none | auto: none on a loopback reset path)\n" +
      "               HACONN_METRICS (<ip>:<port> for Prometheus, default off)\n" +
      "               HACONN_HELPER_NICE (1-19 nice levels for Node's helper threads\n" +
      "               below the main thread, default 10, or off)\n" +
      "  The fence_kdump listener is configured with haconnsetup kdump (off by default);\n" +
      "  the reset path needs resetpath.key unless haconnsetup resetpath insecure=on.\n" +
      "  --version prints the package version and git commit; --help this text.\n",
  );
} else {
  let daemon: Daemon | undefined;
  let signalled: string | undefined;
  const exit = (code: number) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  };
  // Last line of defence: log, stop within the exit timer's 2 s, exit non-zero (systemd restarts).
  let fatal = false;
  const onFatal = (kind: string) => (error: unknown) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    options.system(`haconnd: ${kind}: ${text}; exiting with status 70 (systemd restarts it)`);
    if (fatal) return;
    fatal = true;
    try {
      daemon?.logs.event.error({ err: text, stack: error instanceof Error ? error.stack : undefined }, kind);
    } catch {
      // the logs themselves may be what failed
    }
    exit(70);
    if (daemon) void daemon.requestExit(kind, 70).catch(() => undefined);
  };
  process.on("uncaughtException", onFatal("uncaught exception"));
  process.on("unhandledRejection", onFatal("unhandled rejection"));
  // Installed before the start: a SIGTERM during start-up stops the daemon once it is up
  // (never a default kill with the VIP or the reset path half taken).
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      signalled = signal;
      if (daemon) void daemon.requestExit(signal, 0);
    });
  }
  try {
    const helperNice = parseHelperNice(env.HACONN_HELPER_NICE);
    const listen = parseMetricsListen(env.HACONN_METRICS);
    daemon = await Daemon.start({
      ...options,
      esxiWorkerNice: helperNice,
      metrics: listen ? { ...listen, allowAnyAddress: env.HACONN_METRICS_ALLOW_ANY === "on" } : null,
      onExit: (_reason, code) => exit(code),
    });
    if (helperNice !== null) keepHelperThreadsLow(helperNice, options.system);
    const rp = daemon.config.resetpath!;
    if (signalled) {
      void daemon.requestExit(signalled, 0);
    } else {
      process.stdout.write(
        `haconnd ready: node ${options.nodeName} role ${daemon.role} reset path ${rp.addr}:${rp.port} control ${options.runDir}/haconnd.sock\n`,
      );
    }
  } catch (error) {
    const config = HaconnError.isInstance(error) && /^CONFIG|^KEY_FILE/.test(error.code);
    process.stderr.write(
      `haconnd: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    exit(config ? 78 : 1);
  }
}
