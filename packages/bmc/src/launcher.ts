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
//   hence one entry. A directory of ours (0700) under the system temp dir, reused across runs.
import { execFile } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/** The directory if it is ours alone: a real directory (no symlink), owned by us, mode 0700. */
function ownPrivateDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * A HOME for ipmitool with the small registry, created on first use (synchronously: once per
 * process, before any session starts) as `<tmpdir>/haconn-ipmitool-<uid>` and reused by later
 * runs, so a daemon killed by SIGKILL leaves nothing new behind. Used only when it is a real
 * directory of ours with mode 0700 (a name in a shared /tmp can be taken by someone else first);
 * otherwise a fresh private directory (mkdtemp) removed at exit. `null` when neither can be
 * made: ipmitool then reads the system registry as before.
 */
export function lightRegistryHome(): string | null {
  if (home !== undefined) return home;
  const write = (dir: string) => {
    mkdirSync(join(dir, ...REGISTRY_PATH.slice(0, -1)), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, ...REGISTRY_PATH), REGISTRY, { mode: 0o600 });
  };
  try {
    const shared = join(tmpdir(), `haconn-ipmitool-${process.getuid?.() ?? "u"}`);
    try {
      mkdirSync(shared, { mode: 0o700 });
    } catch {
      // exists (ours from an earlier run, or not ours: checked below)
    }
    if (ownPrivateDir(shared)) {
      write(shared);
      home = shared;
      return home;
    }
    const dir = mkdtempSync(join(tmpdir(), "haconn-ipmitool-"));
    write(dir);
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    home = dir;
  } catch {
    home = null;
  }
  return home;
}
