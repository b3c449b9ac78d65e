// Strict readers of `vim-cmd` output. Samples (ESXi 6.7-8):
//
//   $ vim-cmd vmsvc/getallvms
//   Vmid   Name        File                       Guest OS          Version   Annotation
//   1      vm01        [datastore1] vm01/vm01.vmx rhel8_64Guest     vmx-19
//   12     my vm       [data 2] my vm/my vm.vmx   otherGuest64      vmx-13    first line
//   of a multi-line annotation
//
//   $ vim-cmd vmsvc/power.getstate 1
//   Retrieved runtime info
//   Powered on                       (or "Powered off", "Suspended")
//
// Failures print a fault object (on stdout or stderr, with exit status 0 or not, by version):
//   (vim.fault.NotFound) {
//      faultCause = (vmodl.MethodFault) null,
//      faultMessage = <unset>
//      msg = "Unable to find a VM corresponding to "99""
//   }

export interface VmEntry {
  vmid: number;
  name: string;
  /** Datastore path, e.g. `[datastore1] vm01/vm01.vmx`. */
  file: string;
  guestOs: string;
  version: string;
  annotation: string;
}

/** Thrown by the parsers; the driver turns it into DEVICE_BAD_OUTPUT with the text attached. */
export class OutputParseError extends Error {
  readonly output: string;
  constructor(message: string, output: string) {
    super(message);
    this.name = "OutputParseError";
    this.output = output;
  }
}

const HEADER = /^Vmid\s+Name\s+File\s+Guest OS\s+Version\s+Annotation\s*$/;
const SKIPPING = /^Skipping invalid VM '\d+'\s*$/;
// vmid, name (may hold spaces), "[datastore] path.vmx", guest os, vmx-NN, annotation.
const ROW = /^(\d+)\s+(\S.*?)\s+(\[[^\]]+\] .*?\.vmx)(?:\s+(\S+))?(?:\s+(vmx-\d+))?(?:\s+(.*?))?\s*$/;

/**
 * Registered VMs in host order. The header is required; lines that are not rows are the
 * continuation of a multi-line annotation and are ignored.
 */
export function parseGetAllVms(stdout: string): VmEntry[] {
  const lines = stdout.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (lines[i]?.trim() === "" || SKIPPING.test(lines[i] ?? ""))) i++;
  if (i >= lines.length || !HEADER.test(lines[i] ?? "")) {
    throw new OutputParseError("vim-cmd vmsvc/getallvms: no header line", stdout);
  }
  const vms: VmEntry[] = [];
  for (const line of lines.slice(i + 1)) {
    const m = ROW.exec(line);
    if (!m) continue;
    vms.push({
      vmid: Number(m[1]),
      name: m[2] ?? "",
      file: m[3] ?? "",
      guestOs: m[4] ?? "",
      version: m[5] ?? "",
      annotation: m[6] ?? "",
    });
  }
  return vms;
}

export type VmPowerState = "on" | "off" | "suspended";

const POWER_STATES: Record<string, VmPowerState> = {
  "Powered on": "on",
  "Powered off": "off",
  Suspended: "suspended",
};

/** Exactly "Retrieved runtime info" then one known state line; anything else is refused. */
export function parsePowerState(stdout: string): VmPowerState {
  const lines = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const state = lines.length === 2 && lines[0] === "Retrieved runtime info" ? lines[1] : undefined;
  const mapped = state === undefined ? undefined : POWER_STATES[state];
  if (mapped === undefined) {
    throw new OutputParseError("vim-cmd vmsvc/power.getstate: unexpected output", stdout);
  }
  return mapped;
}

export interface VimFault {
  /** e.g. `NotFound`, `InvalidPowerState`, `InvalidState`. */
  type: string;
  msg: string | undefined;
}

const FAULT = /^\((?:vim|vmodl)\.fault\.(\w+)\)\s*\{/m;
const FAULT_MSG = /^\s*msg\s*=\s*"(.*)",?\s*$/m;

/** A fault object printed at top level, or undefined. A fault merely mentioned inside is none. */
export function parseVimFault(text: string): VimFault | undefined {
  const m = FAULT.exec(text);
  if (!m) return undefined;
  return { type: m[1] ?? "", msg: FAULT_MSG.exec(text.slice(m.index))?.[1] };
}
