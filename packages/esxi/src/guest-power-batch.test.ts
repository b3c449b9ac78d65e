import { describe, expect, it } from "vitest";
import { buildCommands, DEFAULT_COMMAND_PATHS } from "./commands.js";
import { parseGuestPowerList } from "./guest-power-batch.js";
import { OutputParseError } from "./parse-vim-cmd.js";

const GETALLVMS = [
  "Vmid   Name      File                               Guest OS        Version   Annotation",
  "1      vm01      [datastore1] vm01/vm01.vmx         rhel8_64Guest   vmx-19",
  "2      vm02      [datastore1] vm02/vm02.vmx         rhel8_64Guest   vmx-19    two-line",
  "annotation",
  "3      twin      [datastore1] twin/twin.vmx         rhel8_64Guest   vmx-19",
  "4      twin      [datastore2] twin/twin.vmx         rhel8_64Guest   vmx-19",
].join("\n");
const VMDUMPER =
  'wid=2098916\tpid=-1\tcfgFile="/vmfs/volumes/ds1/vm01/vm01.vmx"\tuuid="56 4d"\tdisplayName="vm01"\tvmxCartelID=2098915\n';

describe("the poll's guest power list", () => {
  it("is one command line: getallvms && echo separator && vmdumper -l", () => {
    expect(buildCommands(DEFAULT_COMMAND_PATHS).guestPowerList()).toBe(
      "vim-cmd vmsvc/getallvms && echo haconn-running-worlds && vmdumper -l",
    );
  });

  it("reads registered names (with counts) and running names", () => {
    const list = parseGuestPowerList(`${GETALLVMS}\nhaconn-running-worlds\n${VMDUMPER}`);
    expect(Object.fromEntries(list.registered)).toEqual({ vm01: 1, vm02: 1, twin: 2 });
    expect([...list.running.keys()]).toEqual(["vm01"]);
    // No running VM at all: an empty second half.
    expect(parseGuestPowerList(`${GETALLVMS}\nhaconn-running-worlds\n`).running.size).toBe(0);
  });

  it("refuses an answer without its separator or with a malformed half", () => {
    expect(() => parseGuestPowerList(GETALLVMS)).toThrow(OutputParseError);
    expect(() => parseGuestPowerList(`garbage\nhaconn-running-worlds\n${VMDUMPER}`)).toThrow(
      OutputParseError,
    );
    expect(() => parseGuestPowerList(`${GETALLVMS}\nhaconn-running-worlds\nwid=x nonsense\n`)).toThrow(
      OutputParseError,
    );
  });
});
