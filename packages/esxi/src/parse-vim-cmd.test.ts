import { describe, expect, it } from "vitest";
import { OutputParseError, parseGetAllVms, parsePowerState, parseVimFault } from "./parse-vim-cmd.js";

const GETALLVMS = [
  "Skipping invalid VM '16'",
  "Vmid      Name                 File                                  Guest OS          Version   Annotation",
  "1      vm01           [datastore1] vm01/vm01.vmx                  rhel8_64Guest     vmx-19",
  "12     my vm          [data store 2] my vm/my vm.vmx              otherGuest64      vmx-13    Built by CI",
  "second annotation line",
  "40     packer-vmware-iso   [wtgc-vmbd-01:datastore1] packer-vmware-iso/packer-vmware-iso.vmx   ubuntu64Guest   vmx-08              ",
  "",
].join("\n");

describe("parseGetAllVms", () => {
  it("reads ids, names with spaces and files, skipping annotation continuation lines", () => {
    const vms = parseGetAllVms(GETALLVMS);
    expect(vms.map((v) => [v.vmid, v.name])).toEqual([
      [1, "vm01"],
      [12, "my vm"],
      [40, "packer-vmware-iso"],
    ]);
    expect(vms[1]).toMatchObject({
      file: "[data store 2] my vm/my vm.vmx",
      version: "vmx-13",
      annotation: "Built by CI",
    });
    expect(vms[2]?.guestOs).toBe("ubuntu64Guest");
  });

  it("accepts a host without VMs and refuses output without the header", () => {
    expect(parseGetAllVms("Vmid   Name   File   Guest OS   Version   Annotation\n")).toEqual([]);
    expect(() => parseGetAllVms("")).toThrow(OutputParseError);
    expect(() => parseGetAllVms("Connection to hostd failed\n")).toThrow(OutputParseError);
  });
});

describe("parsePowerState", () => {
  it("maps the three states and nothing else", () => {
    expect(parsePowerState("Retrieved runtime info\nPowered on\n")).toBe("on");
    expect(parsePowerState("Retrieved runtime info\r\nPowered off\r\n")).toBe("off");
    expect(parsePowerState("Retrieved runtime info\nSuspended\n")).toBe("suspended");
    for (const bad of [
      "Powered on\n",
      "Retrieved runtime info\n",
      "Retrieved runtime info\nPowered on\nPowered off\n",
      "x",
    ]) {
      expect(() => parsePowerState(bad)).toThrow(OutputParseError);
    }
  });
});

describe("parseVimFault", () => {
  it("reads a top-level fault and its message", () => {
    const text = [
      "(vim.fault.NotFound) {",
      "   faultCause = (vmodl.MethodFault) null, ",
      "   faultMessage = <unset>",
      '   msg = "Unable to find a VM corresponding to "99""',
      "}",
    ].join("\n");
    expect(parseVimFault(text)).toEqual({
      type: "NotFound",
      msg: 'Unable to find a VM corresponding to "99"',
    });
    expect(parseVimFault("Powering on VM:\n(vim.fault.InvalidPowerState) {\n}\n")?.type).toBe(
      "InvalidPowerState",
    );
  });

  it("finds no fault in ordinary output or in a nested mention", () => {
    expect(parseVimFault("Retrieved runtime info\nPowered on\n")).toBeUndefined();
    expect(parseVimFault("   x = (vim.fault.NotFound) null,\n")).toBeUndefined();
  });
});
