// What the package must contain, from the manual (digest §5.1, §6, §10), and how to build it
// with tools/rpm/build.sh from the tests.
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./exec.js";

export const REPO = fileURLToPath(new URL("../../..", import.meta.url));
export const BUILD_SH = join(REPO, "tools/rpm/build.sh");
export const HOME = "/opt/hitachi/haconn2";
export const CONFIG_DIR = "/etc/opt/hitachi/haconn2";
export const LOG_DIR = "/var/opt/hitachi/haconn2/log";
export const UNIT = `${HOME}/etc/haconnd.service`;
export const UNIT_LINK = "/etc/systemd/system/haconnd.service";
/** Bash completion of the commands (tools/completion/haconn.bash). */
export const COMPLETION = "/etc/bash_completion.d/haconn";
/** net.core.rmem_max for the reset path's 4 MiB receive buffer. */
export const SYSCTL = "/usr/lib/sysctl.d/90-haconnr2.conf";

export interface Command {
  name: string;
  app: string;
  entry: string;
}

/** The daemon and the CLI commands the manual names, with the app bundle that implements each. */
export const COMMANDS: readonly Command[] = [
  { name: "haconnr2", app: "haconnd", entry: "haconnd" },
  ...[
    "haconnsetup",
    "haconnshow",
    "haconnact",
    "haconnsby",
    "haconnserver",
    "haconndump",
    "haconnclient",
  ].map((name) => ({
    name,
    app: "cli",
    entry: name,
  })),
];

export function bundlePath(command: Command, repo = REPO): string {
  return join(repo, "apps", command.app, "dist", `${command.entry}.js`);
}

/** Commands whose app bundle has not been built (yet) in this tree. */
export function missingCommands(repo = REPO): Command[] {
  return COMMANDS.filter((c) => !existsSync(bundlePath(c, repo)));
}

/** OS kind digit of the displayed version (manual §10). */
export const OS_KIND = { el8: "4", el9: "5" } as const;

/** /etc/os-release of the OS each package is for, so a scratch root looks like its target. */
export const OS_RELEASE = {
  el8: 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.10"\n',
  el9: 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.4"\n',
} as const;

export interface BuildResult {
  status: number | null;
  rpms: string[];
  stderr: string;
}

/**
 * Empty, private package-manager caches (issue #15): a fresh HOME and XDG tree, npm's cache,
 * pnpm's store, cache and state directories, all in a new temporary directory. A build that
 * depends on what a used machine's ~/.cache/pnpm, ~/.local/share/pnpm or ~/.npm hold fails
 * under it, here and not on a user's machine.
 */
export interface PrivateCaches {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Files and directories anything created inside the private tree (empty: nothing used it). */
  used(): string[];
}

export function privateCaches(): PrivateCaches {
  const dir = mkdtempSync(join(tmpdir(), "haconn-fresh-caches-"));
  const d = (name: string) => {
    const p = join(dir, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: d("home"),
    XDG_CACHE_HOME: d("xdg-cache"),
    XDG_DATA_HOME: d("xdg-data"),
    XDG_STATE_HOME: d("xdg-state"),
    XDG_CONFIG_HOME: d("xdg-config"),
    npm_config_cache: d("npm-cache"),
    npm_config_store_dir: d("pnpm-store"),
    npm_config_cache_dir: d("pnpm-cache"),
    npm_config_state_dir: d("pnpm-state"),
    PNPM_HOME: d("pnpm-home"),
  };
  const walk = (p: string, rel: string): string[] =>
    readdirSync(p, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? [`${rel}${e.name}/`, ...walk(join(p, e.name), `${rel}${e.name}/`)]
        : [`${rel}${e.name}`],
    );
  const made = new Set(walk(dir, ""));
  return { dir, env, used: () => walk(dir, "").filter((f) => !made.has(f)) };
}

/** Runs build.sh; the RPM paths are the lines it prints on stdout. */
export function buildRpms(
  args: readonly string[],
  timeoutMs = 240_000,
  env: NodeJS.ProcessEnv = process.env,
): BuildResult {
  const r = run("bash", [BUILD_SH, ...args], { timeoutMs, env });
  return {
    status: r.status,
    rpms: r.stdout.split("\n").filter((l) => l.endsWith(".rpm")),
    stderr: r.stderr,
  };
}
