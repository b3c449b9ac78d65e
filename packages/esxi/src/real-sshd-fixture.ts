// Test fixture: a real OpenSSH sshd on a free 127.0.0.1 port, configured like ESXi's
// (keyboard-interactive only), with a throwaway local user whose `vim-cmd` and `vmdumper` are
// small shell scripts. Needs root (useradd, sshd). Everything is removed by stop().
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";

export const SSHD = "/usr/sbin/sshd";

const VIM_CMD = `#!/bin/sh
H=$(dirname "$0")/..
case "$1" in
vmsvc/getallvms)
  echo 'Vmid   Name      File                               Guest OS        Version   Annotation'
  echo '1      guest1    [datastore1] guest1/guest1.vmx     rhel8_64Guest   vmx-19'
  echo '2      guest2    [datastore1] guest2/guest2.vmx     rhel8_64Guest   vmx-19    test guest'
  ;;
vmsvc/power.getstate|vmsvc/power.reset)
  f="$H/state/$2"
  if [ ! -f "$f" ]; then
    echo '(vim.fault.NotFound) {'
    echo '   faultCause = (vmodl.MethodFault) null, '
    echo '   faultMessage = <unset>'
    echo "   msg = \\"Unable to find a VM corresponding to \\"$2\\"\\""
    echo '}'
    exit 1
  fi
  s=$(cat "$f")
  if [ "$1" = vmsvc/power.reset ]; then echo "reset $2" >> "$H/actions.log"; echo 'Reset VM:'; exit 0; fi
  if [ "$s" = slow ]; then sleep 3; s=on; fi
  echo 'Retrieved runtime info'
  if [ "$s" = on ]; then echo 'Powered on'; else echo 'Powered off'; fi
  ;;
*) echo "Invalid command '$*'" >&2; exit 1 ;;
esac
`;

const VMDUMPER = `#!/bin/sh
H=$(dirname "$0")/..
if [ "$1" = "-l" ]; then
  if grep -qx slow "$H"/state/* 2>/dev/null; then sleep 3; fi
  printf 'wid=2098916\\tpid=-1\\tcfgFile="/vmfs/volumes/ds1/guest1/guest1.vmx"\\tuuid="56 4d 0e"\\tdisplayName="guest1"\\tvmxCartelID=2098915\\n'
  exit 0
fi
if [ "$2" = nmi ] && [ "$1" = 2098916 ]; then echo "nmi $1" >> "$H/actions.log"; echo 'Sending NMI to guest...'; exit 0; fi
echo 'Operation failed with error: Invalid world' >&2
exit 1
`;

export interface RealSshd {
  port: number;
  username: string;
  password: string;
  home: string;
  /** `SHA256:…` of the sshd host key, from ssh-keygen -lf. */
  fingerprint: string;
  actions(): string[];
  setState(vmid: number, state: "on" | "off" | "slow"): void;
  stop(): Promise<void>;
}

export function canRunRealSshd(): boolean {
  try {
    execFileSync(SSHD, ["-V"], { stdio: "ignore" });
  } catch {
    // `sshd -V` prints the version and exits non-zero on older OpenSSH: only existence matters
    try {
      readFileSync(SSHD);
    } catch {
      return false;
    }
  }
  return process.getuid?.() === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function waitListening(port: number, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("sshd did not start listening");
}

export async function startRealSshd(): Promise<RealSshd> {
  const dir = mkdtempSync("/tmp/haconn-sshd-");
  chmodSync(dir, 0o755);
  const username = `hcx${randomBytes(4).toString("hex")}`;
  const password = `Pw-${randomBytes(12).toString("base64url")}`;
  const home = join(dir, "home");
  let child: ChildProcess | undefined;
  let userCreated = false;
  const stderr: string[] = [];

  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((r) => child?.once("exit", r));
      process.kill(child.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    if (userCreated) {
      try {
        execFileSync("userdel", ["-f", username], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    mkdirSync(join(home, "bin"), { recursive: true });
    mkdirSync(join(home, "state"));
    writeFileSync(join(home, "bin", "vim-cmd"), VIM_CMD, { mode: 0o755 });
    writeFileSync(join(home, "bin", "vmdumper"), VMDUMPER, { mode: 0o755 });
    writeFileSync(join(home, "state", "1"), "on\n");
    writeFileSync(join(home, "state", "2"), "off\n");
    writeFileSync(join(home, "actions.log"), "");
    execFileSync("useradd", ["-M", "-d", home, "-s", "/bin/sh", username], { stdio: "ignore" });
    userCreated = true;
    execFileSync("chpasswd", [], { input: `${username}:${password}\n`, stdio: ["pipe", "ignore", "ignore"] });
    const owner = ids(username);
    for (const p of ["", "bin", "state", "state/1", "state/2", "actions.log"])
      chownSync(join(home, p), ...owner);

    const key = join(dir, "host_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const fingerprint =
      execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${key}.pub`], { encoding: "utf8" }).split(
        " ",
      )[1] ?? "";
    const port = await freePort();
    const config = join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${key}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        "UsePAM yes",
        // ESXi's stock sshd: no plain password method, keyboard-interactive through PAM.
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication yes",
        "PubkeyAuthentication no",
        "PermitRootLogin no",
        `AllowUsers ${username}`,
        "StrictModes no",
        "MaxSessions 10",
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
    child = spawn(SSHD, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
    await waitListening(port, child, Date.now() + 10_000);
    return {
      port,
      username,
      password,
      home,
      fingerprint,
      actions: () =>
        readFileSync(join(home, "actions.log"), "utf8")
          .split("\n")
          .filter((l) => l !== ""),
      setState: (vmid, state) => {
        const f = join(home, "state", String(vmid));
        writeFileSync(f, `${state}\n`);
        chownSync(f, ...ids(username));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`cannot start sshd: ${String(error)}\n${stderr.join("")}`);
  }
}

function ids(username: string): [number, number] {
  const uid = Number(execFileSync("id", ["-u", username], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", username], { encoding: "utf8" }).trim());
  return [uid, gid];
}
