// Runs the completion function in a real bash, as bash-completion would: COMP_WORDS/COMP_CWORD
// (or COMP_LINE/COMP_POINT) set, _haconn_complete called, COMPREPLY printed one per line.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigStore, PDU_PROFILE_NAMES } from "@haconn/config";
import { sampleConfig } from "@haconn/config/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../haconn.bash", import.meta.url));
let etcDir: string;

beforeAll(async () => {
  etcDir = mkdtempSync(join(tmpdir(), "haconn-completion-"));
  // Written by the real store, so the test also pins the file layout the script reads.
  await new ConfigStore(etcDir).update(() => sampleConfig({ pservers: 3, pdus: 2 }));
});

afterAll(() => rmSync(etcDir, { recursive: true, force: true }));

interface Options {
  /** Use COMP_LINE/COMP_POINT (the whole line, cursor at its end) instead of COMP_WORDS. */
  line?: boolean;
  /** Remove "=" from COMP_WORDBREAKS. */
  noEqualsBreak?: boolean;
  etc?: string;
}

/** Completes the last word of `words` and returns COMPREPLY. */
function complete(words: string[], options: Options = {}): string[] {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const setup = options.line
    ? `COMP_LINE=${q(words.join(" "))}; COMP_POINT=\${#COMP_LINE}`
    : `COMP_WORDS=(${words.map(q).join(" ")}); COMP_CWORD=${words.length - 1}`;
  const breaks = options.noEqualsBreak ? `COMP_WORDBREAKS=\${COMP_WORDBREAKS//=/}; ` : "";
  const program =
    `source ${q(script)}; ${breaks}${setup}; _haconn_complete; ` +
    `status=$?; printf '%s\\n' "\${COMPREPLY[@]}"; exit $status`;
  const out = execFileSync("bash", ["--norc", "--noprofile", "-c", program], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HACONN_ETC_DIR: options.etc ?? etcDir },
    timeout: 10_000,
  });
  return out.split("\n").filter((l) => l !== "");
}

describe("bash completion", () => {
  it("registers itself for every command, the manual's haconnndump spelling included", () => {
    const out = execFileSync("bash", ["--norc", "-c", `source '${script}'; complete -p`], {
      encoding: "utf8",
      timeout: 10_000,
    });
    for (const cmd of ["haconnsetup", "haconnshow", "haconnact", "haconnsby", "haconnserver", "haconndump"]) {
      expect(out).toContain(`complete -F _haconn_complete`);
      expect(out).toMatch(new RegExp(`\\b${cmd}\\b`));
    }
    expect(out).toMatch(/\bhaconnndump\b/);
    expect(out).toMatch(/\bhaconnclient\b/);
  });

  it("subcommands of each command", () => {
    expect(complete(["haconnsetup", ""])).toEqual([
      "resetpath",
      "kdump",
      "hamonitor",
      "mserver",
      "mlan",
      "pserver",
      "vserver",
      "ipdu",
      "snmp",
      "hispeed",
    ]);
    expect(complete(["haconnsetup", "pserver", "a"])).toEqual(["add"]);
    expect(complete(["haconnsetup", "mserver", ""])).toEqual(["add", "mod", "del", "ipduadd", "ipdudel"]);
    expect(complete(["haconnsetup", "ipdu", ""])).toEqual(["add", "del"]);
    expect(complete(["haconnshow", ""])).toEqual([
      "setting",
      "mserversetting",
      "ipdusetting",
      "status",
      "hamonitor",
      "ipdu",
      "version",
    ]);
    expect(complete(["haconnshow", "ipdu"])).toEqual(["ipdusetting", "ipdu"]);
    expect(complete(["haconnact", ""])).toEqual(["copy", "reload", "restart", "shutdown", "ipdusd"]);
    expect(complete(["haconnsby", ""])).toEqual(["restart", "shutdown", "ipdusd"]);
    expect(complete(["haconnserver", ""])).toEqual(["acrecovery", "reset", "ipdusd"]);
    expect(complete(["haconndump", ""])).toEqual([]);
    expect(complete(["haconndump", "--"])).toEqual(["--help"]);
    expect(complete(["/opt/hitachi/haconn2/bin/haconnsby", "r"])).toEqual(["restart"]);
  });

  it("the manual's key= arguments per command, without those already given", () => {
    expect(complete(["haconnsetup", "resetpath", ""])).toEqual(["addr=", "port=", "insecure=", "key="]);
    expect(complete(["haconnsetup", "resetpath", "addr=192.168.0.1/24", ""])).toEqual([
      "port=",
      "insecure=",
      "key=",
    ]);
    expect(complete(["haconnsetup", "kdump", ""])).toEqual(["on", "off", "port="]);
    expect(complete(["haconnsetup", "pserver", "add", "PSERVER9", ""])).toEqual([
      "addr=",
      "account=",
      "cluster=",
      "ipdusd=",
      "timeout=",
      "recoverytime=",
      "cipher=",
    ]);
    expect(complete(["haconnsetup", "pserver", "mod", "PSERVER1", "n"])).toEqual(["name="]);
    expect(complete(["haconnsetup", "mserver", "add", "HACON1", ""])).toEqual([
      "addr=",
      "account=",
      "ipdusd=",
      "timeout=",
      "cipher=",
      "check=",
    ]);
    expect(complete(["haconnsetup", "mlan", "HACON1", ""])).toEqual(["addr=", "port="]);
    expect(complete(["haconnsetup", "vserver", "PSERVER1", ""])).toEqual([
      "addr=",
      "port=",
      "account=",
      "VMware=",
      "hostkey=",
    ]);
    expect(complete(["haconnsetup", "pserver", "ipduadd", "PSERVER1", ""])).toEqual(["addr=", "concent="]);
    expect(complete(["haconnsetup", "ipdu", "add", "192.168.1.101", ""])).toEqual(["model=", "profile="]);
    expect(complete(["haconnsetup", "snmp", ""])).toEqual(["name="]);
    expect(complete(["haconnsetup", "hispeed", ""])).toEqual(["off", "resettime="]);
    expect(complete(["haconnsetup", "hispeed", "off", ""])).toEqual([]);
    expect(complete(["haconnshow", "hamonitor", ""])).toEqual(["name="]);
    expect(complete(["haconnshow", "status", "--"])).toEqual(["--json", "--help"]);
    expect(complete(["haconnact", "ipdusd", ""])).toEqual(["mode=", "offtime=", "wtime="]);
    // mode=same takes no wtime= (nor addr=): the commands refuse them, so completion does not offer them.
    expect(complete(["haconnsby", "ipdusd", "mode=same", ""])).toEqual(["offtime="]);
    expect(complete(["haconnact", "ipdusd", "mode=serial", ""])).toEqual(["offtime=", "wtime="]);
    expect(complete(["haconnserver", "ipdusd", "PSERVER1", "mode=same", ""])).toEqual(["offtime="]);
    expect(complete(["haconnserver", "ipdusd", "PSERVER1", "mode=serial", ""])).toEqual([
      "addr=",
      "offtime=",
      "wtime=",
    ]);
    expect(complete(["haconnserver", "reset", "PSERVER1", ""])).toEqual(["address="]);
    expect(complete(["haconnserver", "ipdusd", "PSERVER1", ""])).toEqual([
      "mode=",
      "addr=",
      "offtime=",
      "wtime=",
    ]);
  });

  it("fixed values after key= (only the value part, as bash replaces the text after '=')", () => {
    expect(complete(["haconnsetup", "pserver", "add", "P1", "ipdusd="])).toEqual(["on", "off"]);
    expect(complete(["haconnsetup", "pserver", "add", "P1", "ipdusd=of"])).toEqual(["off"]);
    expect(complete(["haconnsetup", "vserver", "PSERVER1", "VMware="])).toEqual(["Enable", "Disable"]);
    expect(complete(["haconnsetup", "ipdu", "add", "192.168.1.101", "model="])).toEqual(["IBM_PDU"]);
    expect(complete(["haconnsetup", "ipdu", "add", "192.168.1.101", "profile="])).toEqual([
      ...PDU_PROFILE_NAMES,
    ]);
    expect(complete(["haconnact", "ipdusd", "mode=s"])).toEqual(["same", "serial"]);
    expect(complete(["haconnsetup", "mserver", "add", "H1", "check="])).toEqual(["on", "off"]);
    expect(complete(["haconnsetup", "pserver", "ipduadd", "PSERVER1", "concent=1"])).toEqual([
      "1",
      "10",
      "11",
      "12",
    ]);
    // Free values (passwords are never arguments; accounts, times, ports) get nothing.
    expect(complete(["haconnsetup", "pserver", "add", "P1", "account="])).toEqual([]);
  });

  it("whole key=value words when '=' is not a word break", () => {
    expect(complete(["haconnsetup", "pserver", "add", "P1", "cluster=o"], { noEqualsBreak: true })).toEqual([
      "cluster=on",
      "cluster=off",
    ]);
  });

  it("names from the configuration: managed servers, management servers, PDUs", () => {
    expect(complete(["haconnsetup", "pserver", "mod", ""])).toEqual(["PSERVER1", "PSERVER2", "PSERVER3"]);
    expect(complete(["haconnsetup", "pserver", "del", "PSERVER"])).toEqual([
      "PSERVER1",
      "PSERVER2",
      "PSERVER3",
    ]);
    expect(complete(["haconnsetup", "mserver", "mod", ""])).toEqual(["HACON1", "HACON2"]);
    expect(complete(["haconnsetup", "mlan", "HACON"])).toEqual(["HACON1", "HACON2"]);
    expect(complete(["haconnsetup", "vserver", "PSERVER2"])).toEqual(["PSERVER2"]);
    expect(complete(["haconnsetup", "ipdu", "del", ""])).toEqual(["127.0.3.1", "127.0.3.2", "\\*"]);
    expect(complete(["haconnsetup", "pserver", "ipduadd", "PSERVER1", "addr="])).toEqual([
      "127.0.3.1",
      "127.0.3.2",
    ]);
    expect(complete(["haconnshow", "hamonitor", "name=PSERVER3"])).toEqual(["PSERVER3"]);
    expect(complete(["haconnshow", "ipdu", "addr=127.0.3.2"])).toEqual(["127.0.3.2"]);
    expect(complete(["haconnserver", "acrecovery", ""])).toEqual(["PSERVER1", "PSERVER2", "PSERVER3"]);
    expect(complete(["haconnserver", "ipdusd", "PSERVER1", "addr="])).toEqual(["127.0.3.1", "127.0.3.2"]);
    // A new name is the operator's to type.
    expect(complete(["haconnsetup", "pserver", "add", ""])).toEqual([]);
    // pserver mod name= is a new name, not an existing one.
    expect(complete(["haconnsetup", "pserver", "mod", "PSERVER1", "name="])).toEqual([]);
  });

  it("no configuration readable: commands and keys still complete, names do not", () => {
    const etc = join(etcDir, "missing");
    expect(complete(["haconnsetup", "pserver", "mod", ""], { etc })).toEqual([]);
    expect(complete(["haconnsetup", "pserver", "mod", "X", "ip"], { etc })).toEqual(["ipdusd="]);
  });

  it("works from COMP_LINE/COMP_POINT with the cursor after a blank or inside a key=value", () => {
    expect(complete(["haconnsetup", "mserver", "add", "H1", "addr=1.2.3.4", ""], { line: true })).toEqual([
      "account=",
      "ipdusd=",
      "timeout=",
      "cipher=",
      "check=",
    ]);
    expect(complete(["haconnsetup", "pserver", "add", "P1", "ipdusd=o"], { line: true })).toEqual([
      "on",
      "off",
    ]);
    expect(complete(["haconnsetup", "pser"], { line: true })).toEqual(["pserver"]);
  });

  it("other commands are left alone", () => {
    expect(complete(["ls", ""])).toEqual([]);
  });

  describe("haconnclient", () => {
    const common = [
      "--connector",
      "--port",
      "--subsystem",
      "--bind",
      "--key-file",
      "--no-key",
      "--timeout",
      "--json",
      "--help",
    ];

    it("its subcommands, and --help/--version before one", () => {
      expect(complete(["haconnclient", ""])).toEqual(["check", "reset", "dump-notice", "listen"]);
      expect(complete(["haconnclient", "d"])).toEqual(["dump-notice"]);
      expect(complete(["/usr/bin/haconnclient", "l"])).toEqual(["listen"]);
      expect(complete(["haconnclient", "-"])).toEqual(["--help", "--version"]);
    });

    it("the options each subcommand takes", () => {
      expect(complete(["haconnclient", "check", ""])).toEqual([
        ...common,
        "--system",
        "--vm",
        "--pair",
        "--interval",
      ]);
      expect(complete(["haconnclient", "reset", "--"])).toEqual([
        ...common,
        "--target",
        "--target-system",
        "--cluster-port",
        "--fence",
      ]);
      expect(complete(["haconnclient", "dump-notice", "--"])).toEqual([
        ...common,
        "--system",
        "--cluster-port",
      ]);
      expect(complete(["haconnclient", "listen", "--"])).toEqual([
        ...common,
        "--system",
        "--vm",
        "--pair",
        "--interval",
        "--count",
      ]);
      expect(complete(["haconnclient", "reset", "--target"])).toEqual(["--target", "--target-system"]);
      expect(complete(["haconnclient", "nonsense", "--"])).toEqual([]);
    });

    it("not the options already given, nor --no-key with --key-file (and back); values skipped", () => {
      expect(
        complete([
          "haconnclient",
          "reset",
          "--connector",
          "10.0.0.1:30000",
          "--subsystem",
          "7",
          "--json",
          "--",
        ]),
      ).toEqual([
        "--port",
        "--bind",
        "--key-file",
        "--no-key",
        "--timeout",
        "--help",
        "--target",
        "--target-system",
        "--cluster-port",
        "--fence",
      ]);
      // A value that looks like a subcommand is the option's value, not the subcommand.
      expect(complete(["haconnclient", "check", "--system", "reset", "--t"])).toEqual(["--timeout"]);
      expect(complete(["haconnclient", "check", "--no-key", "--k"])).toEqual([]);
      expect(complete(["haconnclient", "check", "--key-file", "/k", "--n"])).toEqual([]);
      expect(complete(["haconnclient", "check", "--timeout=5", "--t"])).toEqual([]);
      // The value of an option is the operator's to type (address, numbers, names) ...
      expect(complete(["haconnclient", "reset", "--connector", ""])).toEqual([]);
      expect(complete(["haconnclient", "reset", "--target", ""], { line: true })).toEqual([]);
    });

    it("file names after --key-file", () => {
      const dir = mkdtempSync(join(tmpdir(), "haconn-completion-key-"));
      try {
        writeFileSync(join(dir, "resetpath.key"), "", { mode: 0o600 });
        writeFileSync(join(dir, "other"), "");
        expect(complete(["haconnclient", "listen", "--key-file", `${dir}/re`])).toEqual([
          `${dir}/resetpath.key`,
        ]);
        expect(complete(["haconnclient", "listen", "--key-file", `${dir}/re`], { line: true })).toEqual([
          `${dir}/resetpath.key`,
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("offers exactly the options of `haconnclient --help`", () => {
      const usage = readFileSync(
        fileURLToPath(new URL("../../../apps/cli/src/client/usage.ts", import.meta.url)),
        "utf8",
      );
      const documented = new Set([...usage.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]));
      const offered = new Set(
        ["check", "reset", "dump-notice", "listen"].flatMap((c) => complete(["haconnclient", c, "--"])),
      );
      for (const o of complete(["haconnclient", "-"])) offered.add(o);
      expect([...offered].sort()).toEqual([...documented].sort());
    });
  });
});
