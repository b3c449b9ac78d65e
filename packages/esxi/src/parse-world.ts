// Readers for finding a running guest's world id and for vmdumper's answer.
//
//   $ esxcli vm process list          (running VMs only; blank line between blocks)
//   vm01
//      World ID: 2098916
//      Process ID: 0
//      VMX Cartel ID: 2098915
//      UUID: 56 4d 0e 6b 2f 3c 6a 1b-9f 44 16 27 a3 8e 10 01
//      Display Name: vm01
//      Config File: /vmfs/volumes/5f0e…/vm01/vm01.vmx
//
//   $ vmdumper -l                      (running VMs only; tab-separated key=value)
//   wid=2098916	pid=-1	cfgFile="/vmfs/volumes/5f0e…/vm01/vm01.vmx"	uuid="56 4d …"	displayName="vm01"	vmxCartelID=2098915
//
//   $ vmdumper 2098916 nmi
//   Sending NMI to guest...
import { OutputParseError } from "./parse-vim-cmd.js";

export interface RunningVm {
  worldId: number;
  displayName: string;
  configFile: string;
}

/** Blocks of `esxcli vm process list`; every block must carry a World ID and a Display Name. */
export function parseEsxcliProcessList(stdout: string): RunningVm[] {
  const vms: RunningVm[] = [];
  let fields: Map<string, string> | undefined;
  const flush = (): void => {
    if (fields === undefined) return;
    const wid = fields.get("World ID");
    const name = fields.get("Display Name");
    if (wid === undefined || !/^\d+$/.test(wid) || name === undefined) {
      throw new OutputParseError("esxcli vm process list: block without World ID / Display Name", stdout);
    }
    vms.push({ worldId: Number(wid), displayName: name, configFile: fields.get("Config File") ?? "" });
    fields = undefined;
  };
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    if (!/^\s/.test(line)) {
      flush();
      fields = new Map();
      continue;
    }
    const m = /^\s+([A-Za-z][A-Za-z ]*?):\s?(.*?)\s*$/.exec(line);
    if (!m || fields === undefined) {
      throw new OutputParseError("esxcli vm process list: unexpected line", stdout);
    }
    fields.set(m[1] ?? "", m[2] ?? "");
  }
  flush();
  return vms;
}

const PAIR = /(\w+)=("([^"]*)"|\S*)/g;

/** Lines of `vmdumper -l`; a non-empty line without wid= and displayName= is refused. */
export function parseVmdumperList(stdout: string): RunningVm[] {
  const vms: RunningVm[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const pairs = new Map<string, string>();
    for (const m of line.matchAll(PAIR)) pairs.set(m[1] ?? "", m[3] ?? m[2] ?? "");
    const wid = pairs.get("wid");
    const name = pairs.get("displayName");
    if (wid === undefined || !/^\d+$/.test(wid) || name === undefined) {
      throw new OutputParseError("vmdumper -l: unexpected line", stdout);
    }
    vms.push({ worldId: Number(wid), displayName: name, configFile: pairs.get("cfgFile") ?? "" });
  }
  return vms;
}

/** vmdumper's acknowledgement of `<wid> nmi`. */
export function isNmiAcknowledged(stdout: string): boolean {
  return /^Sending NMI to guest\.\.\.\s*$/m.test(stdout);
}
