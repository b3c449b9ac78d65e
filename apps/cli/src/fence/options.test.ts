import { describe, expect, it } from "vitest";
import { DEFAULT_KEY_FILE, parseFenceOptions } from "./options.js";

describe("fence_haconn options", () => {
  it("reads key=value lines from standard input as pacemaker-fenced writes them", () => {
    const { options, warnings } = parseFenceOptions(
      [],
      [
        "# written by pacemaker-fenced",
        "action=reboot",
        "ip=10.81.1.100",
        "ipport=30000",
        'port="PN3"',
        "nodename=pn3",
        "key-file=/etc/haconn/key",
        "power_timeout=30",
        "verbose=1",
        "pcmk_something=else",
        "",
      ].join("\n"),
    );
    expect(options).toMatchObject({
      action: "reboot",
      ip: "10.81.1.100",
      ipport: 30000,
      plug: "PN3",
      nodename: "pn3",
      keyFile: "/etc/haconn/key",
      powerTimeoutSec: 30,
      verbose: 1,
    });
    expect(warnings).toEqual(["Parse error: Ignoring unknown option 'pcmk_something=else'"]);
  });

  it("reads long and short command-line options (and ignores standard input then)", () => {
    const { options } = parseFenceOptions(
      ["-o", "status", "--ip=127.0.0.1", "-u", "5001", "--plug", "S1", "-vv", "--delay=2", "-D", "/tmp/d"],
      "action=off\n",
    );
    expect(options).toMatchObject({
      action: "status",
      ip: "127.0.0.1",
      ipport: 5001,
      plug: "S1",
      verbose: 2,
      delaySec: 2,
      debugFile: "/tmp/d",
      keyFile: DEFAULT_KEY_FILE,
    });
  });

  it("defaults to reboot and maps meta-data, enable and disable as fence-agents do", () => {
    expect(parseFenceOptions([], "").options.action).toBe("reboot");
    expect(parseFenceOptions(["-o", "meta-data"], "").options.action).toBe("metadata");
    expect(parseFenceOptions([], "action=enable").options.action).toBe("on");
    expect(parseFenceOptions([], "action=disable").options.action).toBe("off");
  });

  it("refuses bad input with a clear message", () => {
    expect(() => parseFenceOptions(["-o", "explode"], "")).toThrow(/Unrecognised action 'explode'/);
    expect(() => parseFenceOptions([], "ipport=70000")).toThrow(/ipport must be an integer 1..65535/);
    expect(() => parseFenceOptions([], "plug=bad name")).toThrow(/not a haconn system name/);
    expect(() => parseFenceOptions(["--bogus"], "")).toThrow(/unrecognised option --bogus/);
    expect(() => parseFenceOptions(["--ip"], "")).toThrow(/needs a value/);
    expect(() => parseFenceOptions([], "delay=soon")).toThrow(/number of seconds/);
  });
});
