// The command lines the driver sends. ssh exec takes one string for the remote shell, so every
// part is either a fixed word, a validated integer, or a path quoted for a POSIX shell. VM names
// are never sent: they are matched locally against the host's listings.

export interface EsxiCommandPaths {
  /** Default `vim-cmd` (on ESXi: /bin/vim-cmd). */
  vimCmd: string;
  /** Default `vmdumper` (on ESXi: /sbin/vmdumper). */
  vmdumper: string;
  /** Default `esxcli` (on ESXi: /bin/esxcli). */
  esxcli: string;
}

export const DEFAULT_COMMAND_PATHS: Readonly<EsxiCommandPaths> = Object.freeze({
  vimCmd: "vim-cmd",
  vmdumper: "vmdumper",
  esxcli: "esxcli",
});

/** Quotes one word for a POSIX shell (busybox ash on ESXi), leaving plain words as they are. */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_./:=+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function id(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a non-negative integer`);
  return String(value);
}

export type VmPowerOp = "on" | "off" | "reset";

/** The line `guestPowerList` prints between its two listings. */
export const GUEST_POWER_LIST_SEPARATOR = "haconn-running-worlds";

export function buildCommands(paths: EsxiCommandPaths) {
  const vim = shellWord(paths.vimCmd);
  return {
    getAllVms: () => `${vim} vmsvc/getallvms`,
    powerGetState: (vmid: number) => `${vim} vmsvc/power.getstate ${id(vmid, "vmid")}`,
    power: (op: VmPowerOp, vmid: number) => `${vim} vmsvc/power.${op} ${id(vmid, "vmid")}`,
    vmProcessList: () => `${shellWord(paths.esxcli)} vm process list`,
    vmdumperList: () => `${shellWord(paths.vmdumper)} -l`,
    /**
     * Every guest's power in one exec (the poll round's command, one per host): the registered
     * VMs, then the running ones (a VMX world = powered on). `&&`: a failing half fails it all.
     */
    guestPowerList: () =>
      `${vim} vmsvc/getallvms && echo ${GUEST_POWER_LIST_SEPARATOR} && ${shellWord(paths.vmdumper)} -l`,
    nmi: (worldId: number) => `${shellWord(paths.vmdumper)} ${id(worldId, "world id")} nmi`,
  };
}

export type EsxiCommands = ReturnType<typeof buildCommands>;
