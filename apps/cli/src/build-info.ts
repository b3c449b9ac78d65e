// What `--version` prints: the package version and the git commit, embedded at build time
// (apps/cli/tsup.config.ts defines __HACONN_BUILD__). An installed RPM names its own
// version-release in a file its launcher exports as HACONN_PACKAGE_VERSION_FILE; that wins.
import { readFileSync } from "node:fs";

declare const __HACONN_BUILD__: { version: string; commit: string } | undefined;

export interface BuildInfo {
  /** RPM version-release when installed, else the workspace's product version. */
  version: string;
  /** Short git commit of the tree the bundle was built from, or "unknown". */
  commit: string;
}

const EMBEDDED =
  typeof __HACONN_BUILD__ === "undefined" ? { version: "development", commit: "unknown" } : __HACONN_BUILD__;

export function buildInfo(env: Readonly<Record<string, string | undefined>>): BuildInfo {
  const file = env.HACONN_PACKAGE_VERSION_FILE;
  if (file !== undefined && file !== "") {
    try {
      const line = readFileSync(file, "utf8").split("\n")[0]!.trim();
      if (/^[0-9A-Za-z._~+-]{1,64}$/.test(line)) return { version: line, commit: EMBEDDED.commit };
    } catch {
      // fall back to the embedded version
    }
  }
  return { ...EMBEDDED };
}

/** `haconnsetup (haconn) 1.0.0-1.el9v commit 1a2b3c4`. */
export function versionLine(command: string, env: Readonly<Record<string, string | undefined>>): string {
  const info = buildInfo(env);
  return `${command} (haconn) ${info.version} commit ${info.commit}`;
}
