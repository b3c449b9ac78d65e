import { describe, expect, it } from "vitest";
import { OutputParseError } from "./parse-vim-cmd.js";
import { isNmiAcknowledged, parseEsxcliProcessList, parseVmdumperList } from "./parse-world.js";

const ESXCLI = `DumpTest
   World ID: 3199732
   Process ID: 0
   VMX Cartel ID: 3199731
   UUID: 42 30 f9 ee a2 2a 3c e0-02 33 07 ac af f8 d2 5c
   Display Name: DumpTest
   Config File: /vmfs/volumes/643475f9-d1354340/DumpTest/DumpTest.vmx

DC
   World ID: 35264
   Process ID: 0
   VMX Cartel ID: 35263
   UUID: 56 4d c9 46 97 55 57 80-8b 19 a6 30 88 ba 84 59
   Display Name: Camp DC
   Config File: /vmfs/volumes/4faac78b-87d2b646-3436-001018da65d2/DC/DC.vmx
`;

describe("parseEsxcliProcessList", () => {
  it("reads world ids and display names (which may differ from the heading)", () => {
    expect(parseEsxcliProcessList(ESXCLI).map((v) => [v.worldId, v.displayName])).toEqual([
      [3199732, "DumpTest"],
      [35264, "Camp DC"],
    ]);
    expect(parseEsxcliProcessList("")).toEqual([]);
  });

  it("refuses blocks without a world id", () => {
    expect(() => parseEsxcliProcessList("vm\n   Display Name: vm\n")).toThrow(OutputParseError);
    expect(() => parseEsxcliProcessList("   World ID: 1\n")).toThrow(OutputParseError);
  });
});

describe("parseVmdumperList", () => {
  it("reads tab-separated key=value lines", () => {
    const line =
      'wid=2098916\tpid=-1\tcfgFile="/vmfs/volumes/5f/vm 01/vm 01.vmx"\tuuid="56 4d 0e"\tdisplayName="vm 01"\tvmxCartelID=2098915\n';
    expect(parseVmdumperList(line)).toEqual([
      { worldId: 2098916, displayName: "vm 01", configFile: "/vmfs/volumes/5f/vm 01/vm 01.vmx" },
    ]);
    expect(parseVmdumperList("\n")).toEqual([]);
    expect(() => parseVmdumperList("vmdumper: command not found\n")).toThrow(OutputParseError);
  });

  it("recognizes the NMI acknowledgement only", () => {
    expect(isNmiAcknowledged("Sending NMI to guest...\n")).toBe(true);
    expect(isNmiAcknowledged("Operation failed with error: Invalid world\n")).toBe(false);
  });
});
