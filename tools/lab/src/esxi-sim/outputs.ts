// The ESXi command outputs the simulator prints, laid out like ESXi 7/8 print them.
// Each formatter reads only the fields of PrintedGuest (model.ts's guest state has them all),
// so this file does not import the model that calls it.

/** What the formatters read of a guest. */
export interface PrintedGuest {
  readonly vmid: number;
  readonly name: string;
  readonly power: "on" | "off" | "suspended";
  readonly guestOs: string;
  readonly annotation: string;
  /** World id of the running VMX, undefined when not running. */
  readonly worldId: number | undefined;
}

export function formatGetAllVms(guests: readonly PrintedGuest[]): string {
  const files = guests.map((g) => `[datastore1] ${g.name}/${g.name}.vmx`);
  const nameWidth = Math.max(4, ...guests.map((g) => g.name.length)) + 3;
  const fileWidth = Math.max(4, ...files.map((f) => f.length)) + 3;
  const row = (vmid: string, name: string, file: string, os: string, version: string, note: string): string =>
    `${vmid.padEnd(7)}${name.padEnd(nameWidth)}${file.padEnd(fileWidth)}${os.padEnd(18)}${version.padEnd(10)}${note}`.trimEnd();
  const lines = [row("Vmid", "Name", "File", "Guest OS", "Version", "Annotation")];
  guests.forEach((g, i) => {
    const [first = "", ...rest] = g.annotation.split("\n");
    lines.push(row(String(g.vmid), g.name, files[i] ?? "", g.guestOs, "vmx-19", first), ...rest);
  });
  return `${lines.join("\n")}\n`;
}

const STATE_LINE = { on: "Powered on", off: "Powered off", suspended: "Suspended" } as const;

export function formatPowerState(guest: PrintedGuest): string {
  return `Retrieved runtime info\n${STATE_LINE[guest.power]}\n`;
}

export function formatFault(type: string, msg: string): string {
  return `(vim.fault.${type}) {\n   faultCause = (vmodl.MethodFault) null, \n   faultMessage = <unset>\n   msg = "${msg}"\n}\n`;
}

export function notFoundFault(vmid: string): string {
  return formatFault("NotFound", `Unable to find a VM corresponding to "${vmid}"`);
}

export function invalidPowerStateFault(guest: PrintedGuest): string {
  return formatFault(
    "InvalidPowerState",
    `The attempted operation cannot be performed in the current state (${STATE_LINE[guest.power]}).`,
  );
}

function uuidOf(guest: PrintedGuest): string {
  const hex = guest.vmid.toString(16).padStart(2, "0").slice(-2);
  return `56 4d 0e 6b 2f 3c 6a 1b-9f 44 16 27 a3 8e 10 ${hex}`;
}

function configFile(guest: PrintedGuest): string {
  return `/vmfs/volumes/5f0e2c1a-7d3b9e10-4c2a-0050569a0001/${guest.name}/${guest.name}.vmx`;
}

export function formatEsxcliProcessList(running: readonly PrintedGuest[]): string {
  return running
    .map(
      (g) =>
        `${g.name}\n   World ID: ${g.worldId}\n   Process ID: 0\n   VMX Cartel ID: ${(g.worldId ?? 1) - 1}\n` +
        `   UUID: ${uuidOf(g)}\n   Display Name: ${g.name}\n   Config File: ${configFile(g)}\n`,
    )
    .join("\n");
}

export function formatVmdumperList(running: readonly PrintedGuest[]): string {
  return running
    .map(
      (g) =>
        `wid=${g.worldId}\tpid=-1\tcfgFile="${configFile(g)}"\tuuid="${uuidOf(g)}"\t` +
        `displayName="${g.name}"\tvmxCartelID=${(g.worldId ?? 1) - 1}\n`,
    )
    .join("");
}
