// What every ipmitool process of this daemon starts with, found once per process:
//
// - `setpriv --pdeathsig KILL` (util-linux ≥ 2.33; an exec, no process of its own): a shell
//   session is killed by the kernel when the daemon dies, however it dies (an orphaned
//   `ipmitool shell` whose input pipe ended spins at 100 % CPU). Absent or too old: [].
//
// - a private HOME holding a one-entry IANA enterprise-numbers registry. ipmitool 1.8.19
//   loads `$HOME/.local/usr/share/misc/enterprise-numbers.txt` in preference to the system's
//   4.7 MB `/usr/share/misc/enterprise-numbers.txt`, at every start, into its own heap
//   (measured on Debian 12: a shell's private memory 7.0 → 1.8 MiB, a one-shot call ~32 → ~6 ms).
//   The registry only names vendors in `mc info`-style output, never used by `chassis power`.
//   An empty file is refused by ipmitool ("Failed to initialize the OEM info dictionary"),
//   hence one entry. Created 0700 under the system temp dir, removed when the process exits.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SETPRIV = ["setpriv", "--pdeathsig", "KILL", "--"] as const;
const SEARCH_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";

let launcher: Promise<readonly string[]> | undefined;

/** `["setpriv", "--pdeathsig", "KILL", "--"]` when that works here, else `[]`. Probed once. */
export function deathSignalLauncher(): Promise<readonly string[]> {
  launcher ??= new Promise((resolve) => {
    execFile(
      SETPRIV[0],
      [...SETPRIV.slice(1), "true"],
      { env: { PATH: SEARCH_PATH }, timeout: 5000 },
      (error) => resolve(error ? [] : SETPRIV),
    );
  });
  return launcher;
}

/** Where the one-entry registry lives: `<home>/.local/usr/share/misc/enterprise-numbers.txt`. */
export const REGISTRY_PATH = [".local", "usr", "share", "misc", "enterprise-numbers.txt"] as const;
const REGISTRY = "0\n  Reserved\n    Internet Assigned Numbers Authority\n      iana&iana.org\n";

let home: string | null | undefined;

/**
 * A HOME for ipmitool with the small registry (created on first use, synchronously: once per
 * process, before any session starts). `null` when it cannot be created: ipmitool then reads
 * the system registry as before.
 */
export function lightRegistryHome(): string | null {
  if (home !== undefined) return home;
  try {
    const dir = mkdtempSync(join(tmpdir(), "haconn-ipmitool-"));
    const file = join(dir, ...REGISTRY_PATH);
    mkdirSync(join(dir, ...REGISTRY_PATH.slice(0, -1)), { recursive: true, mode: 0o700 });
    writeFileSync(file, REGISTRY, { mode: 0o600 });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    home = dir;
  } catch {
    home = null;
  }
  return home;
}
