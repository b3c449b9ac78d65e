import { isClientError } from "@haconn/client";
import { describe, expect, it } from "vitest";
import { EXIT, exitForError, exitForResult } from "./exit-codes.js";
import { parseCommandLine } from "./options.js";
import { clientMain } from "./program.js";

const BASE = ["--connector", "127.0.0.1:5001", "--subsystem", "10001", "--no-key"];
const parse = (...args: string[]) => parseCommandLine(args, () => false);

function refused(args: string[], match: RegExp, exists = () => false): string {
  try {
    parseCommandLine(args, exists);
  } catch (e) {
    expect(isClientError(e)).toBe(true);
    expect((e as Error).message).toMatch(match);
    return (e as { code: string }).code;
  }
  throw new Error("accepted");
}

describe("haconnclient command line", () => {
  it("parses each command into its typed form with the documented defaults", () => {
    expect(parse("check", ...BASE, "--system", "PSERVER1", "--pair", "10002")).toMatchObject({
      command: "check",
      connector: { address: "127.0.0.1", port: 5001 },
      subsystem: 10001,
      bind: { address: "0.0.0.0", port: 0 },
      keyFile: undefined,
      timeoutMs: 5000,
      registration: { systemName: "PSERVER1", pairSubsystem: 10002, intervalSec: 10 },
    });
    expect(parse("reset", ...BASE, "--target", "10002", "--target-system", "PSERVER2")).toMatchObject({
      timeoutMs: 120_000,
      target: { subsystem: 10002, systemName: "PSERVER2" },
      fence: false,
    });
    expect(
      parse("reset", ...BASE, "--target", "10002", "--target-system", "PSERVER2", "--fence"),
    ).toMatchObject({ fence: true });
    expect(
      refused(["check", ...BASE, "--system", "PSERVER1", "--fence"], /--fence is an option of reset only/),
    ).toBe("CLIENT_BAD_OPTION");
    expect(parse("dump-notice", ...BASE, "--cluster-port", "6001", "--timeout", "30")).toMatchObject({
      timeoutMs: 30_000,
      clusterPort: 6001,
      registration: undefined,
    });
    expect(
      parse(
        "listen",
        "--connector",
        "127.0.0.1",
        "--port",
        "5002",
        "--subsystem",
        "7",
        "--no-key",
        "--system",
        "G1",
        "--vm",
        "VM1",
        "--bind",
        "127.0.0.9:6001",
        "--count",
        "2",
      ),
    ).toMatchObject({
      connector: { port: 5002 },
      bind: { address: "127.0.0.9", port: 6001 },
      timeoutMs: undefined,
      count: 2,
      registration: { kind: "guest", vmName: "VM1" },
    });
  });

  it("the key file: --key-file, else the default when it exists, else a clear refusal", () => {
    const args = ["check", "--connector", "127.0.0.1:5001", "--subsystem", "1", "--system", "X"];
    expect(parseCommandLine([...args, "--key-file", "/k"], () => false)).toMatchObject({ keyFile: "/k" });
    expect(parseCommandLine(args, () => true)).toMatchObject({
      keyFile: "/etc/opt/hitachi/haconn2/resetpath.key",
    });
    expect(refused(args, /no key file at .*--no-key/)).toBe("KEY_FILE_IO");
    expect(refused([...args, "--key-file", "/k", "--no-key"], /exclude each other/)).toBe(
      "CLIENT_BAD_OPTION",
    );
  });

  it("refuses bad input before anything is sent", () => {
    const bad: [string[], RegExp][] = [
      [["frobnicate"], /unknown command/],
      [["check", "--subsystem", "1", "--no-key", "--system", "X"], /needs --connector/],
      [["check", "--connector", "127.0.0.1:5001", "--no-key", "--system", "X"], /needs --subsystem/],
      [["check", ...BASE], /needs --system/],
      [["check", ...BASE, "--system", "bad name"], /--system must be/],
      [["check", ...BASE, "--system", "X", "--timeout", "0"], /--timeout must be an integer in 1\.\.86400/],
      [["check", "--connector", "10.0.0.256:1", "--subsystem", "1", "--no-key", "--system", "X"], /IPv4/],
      [["check", "--connector", "127.0.0.1:70000", "--subsystem", "1", "--no-key", "--system", "X"], /port/],
      [
        ["check", "--connector", "127.0.0.1:1", "--subsystem", "0", "--no-key", "--system", "X"],
        /--subsystem/,
      ],
      [["reset", ...BASE, "--target", "2"], /needs --target-system/],
      [["check", ...BASE, "--system", "X", "--frob"], /Unknown option/],
      [["check", ...BASE, "--system", "X", "extra"], /unexpected argument/],
    ];
    for (const [args, match] of bad) expect(refused(args, match)).toMatch(/^(CLIENT_BAD_OPTION)$/);
  });

  it("maps results and errors to the documented exit codes", () => {
    expect([
      exitForResult("DUMP"),
      exitForResult("POFF"),
      exitForResult("FAIL"),
      exitForResult("ERROR"),
    ]).toEqual([0, 5, 6, 7]);
    expect(exitForError(new Error("x"))).toBe(EXIT.BUG);
  });

  it("clientMain: usage errors exit 1 and say so on stderr; --help exits 0", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (l: string) => out.push(l),
      err: (l: string) => err.push(l),
      keyFileExists: () => false,
    };
    expect(await clientMain(["check", ...BASE], io)).toBe(1);
    expect(err).toEqual([
      "haconnclient: check needs --system <name>",
      "haconnclient: see haconnclient --help",
    ]);
    expect(await clientMain(["--help"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/exit status:\n {2}0 {2}done/);
    expect(await clientMain([], io)).toBe(1);
    out.length = 0;
    expect(await clientMain(["--version"], { ...io, env: {} })).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^haconnclient \(haconn\) \S+ commit \S+$/)]);
  });
});
