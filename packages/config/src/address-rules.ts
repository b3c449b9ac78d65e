// The address rules, as one table (issue #20): which kinds of device may share an IP address,
// and which addresses are valid at all. Enforced here, in validateConfig(), the check every
// haconnsetup command and the daemon's load go through.
//
// The manual (manual-digest §2.1) gives every connector, BMC, PDU and ESXi host its own address
// and allows no sharing inside one configuration (the duplex LAN may reuse the IPs of *another*
// connector pair, which is another configuration). So the sharing table below allows nothing.
//
// The loopback lab extension: a device written `<ip>:<port>` with a port other than its kind's
// standard one is a simulated device told apart by its port (the lab runs every BMC, PDU and
// ESXi simulator on 127.0.0.1). Two uses of one IP conflict unless at least one of them is such a
// port-qualified device and their ports differ. The virtual IP and the duplex-LAN addresses are
// the connectors' own host addresses: never port-qualified.
import { isIpv4 } from "./ipv4.js";
import type { HaconnConfig } from "./types.js";

export type AddressKind = "vip" | "mlan" | "bmc" | "pdu" | "esxi";

interface KindRule {
  /** The operator's name for the address. */
  readonly what: string;
  /** The device's standard port; a use at another port is port-qualified (lab). Undefined: a host address. */
  readonly standardPort?: number;
}

export const ADDRESS_KINDS: Readonly<Record<AddressKind, KindRule>> = {
  vip: { what: "the reset-path virtual IP" },
  mlan: { what: "a duplex-LAN address" },
  bmc: { what: "an iLO/BMC address", standardPort: 623 },
  pdu: { what: "a PDU address", standardPort: 161 },
  esxi: { what: "an ESXi address", standardPort: 22 },
};

/**
 * Pairs of kinds that may use the same IP address (order does not matter). The manual allows
 * none inside one configuration: the table is empty on purpose, and the rule reads it.
 */
export const MAY_SHARE_ADDRESS: readonly (readonly [AddressKind, AddressKind])[] = [];

export function mayShare(a: AddressKind, b: AddressKind): boolean {
  return MAY_SHARE_ADDRESS.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

export interface AddressUse {
  kind: AddressKind;
  /** JSON Pointer of the field (for the issue), e.g. /pservers/0/bmc/addr. */
  path: string;
  /** Operator words for the owner, e.g. "managed server PSERVER1". */
  owner: string;
  addr: string;
  port: number | null;
}

const octets = (addr: string) => addr.split(".").map(Number) as [number, number, number, number];
const toNumber = (addr: string) => octets(addr).reduce((acc, o) => acc * 256 + o, 0);

/** Why `addr` cannot be a unicast address of a host or device, or undefined when it can. */
export function unusableAddress(addr: string): string | undefined {
  if (!isIpv4(addr)) return undefined; // the schema reports the form
  const [a] = octets(addr);
  if (addr === "255.255.255.255") return "255.255.255.255 is the broadcast address, not a host";
  if (a === 0) return `${addr} is in 0.0.0.0/8 ("this network"), not a host address`;
  if (a >= 224 && a <= 239) return `${addr} is a multicast address, not a host address`;
  if (a >= 240) return `${addr} is in the reserved range 240.0.0.0/4, not a host address`;
  return undefined;
}

/** Why `addr/prefix` cannot be a host's address on its subnet (network or broadcast address). */
export function unusableOnSubnet(addr: string, prefixLength: number): string | undefined {
  const general = unusableAddress(addr);
  if (general !== undefined || !isIpv4(addr) || prefixLength >= 31 || prefixLength < 1) return general;
  const size = 2 ** (32 - prefixLength);
  const offset = toNumber(addr) % size;
  if (offset === 0) return `${addr} is the network address of ${addr}/${prefixLength}, not a host address`;
  if (offset === size - 1)
    return `${addr} is the broadcast address of ${addr}/${prefixLength}, not a host address`;
  return undefined;
}

const portQualified = (use: AddressUse) => {
  const standard = ADDRESS_KINDS[use.kind].standardPort;
  return standard !== undefined && use.port !== null && use.port !== standard;
};

/** Do two uses of the same IP address clash? */
export function addressesClash(a: AddressUse, b: AddressUse): boolean {
  if (a.addr !== b.addr || mayShare(a.kind, b.kind)) return false;
  if ((portQualified(a) || portQualified(b)) && a.port !== b.port) return false;
  return true;
}

const nameOf = (name: unknown, index: number) => (typeof name === "string" ? name : `#${index + 1}`);

/** Every address the configuration gives a device or a connector, with its owner. */
export function addressUses(config: HaconnConfig): AddressUse[] {
  const uses: AddressUse[] = [];
  const rp = config.resetpath;
  if (rp)
    uses.push({ kind: "vip", path: "/resetpath/addr", owner: "resetpath", addr: rp.addr, port: rp.port });
  config.mservers.forEach((m, i) => {
    const owner = `management server ${nameOf(m.name, i)}`;
    uses.push({ kind: "bmc", path: `/mservers/${i}/bmc/addr`, owner, addr: m.bmc.addr, port: m.bmc.port });
    if (m.mlan)
      uses.push({
        kind: "mlan",
        path: `/mservers/${i}/mlan/addr`,
        owner,
        addr: m.mlan.addr,
        port: m.mlan.port,
      });
  });
  config.pservers.forEach((p, i) => {
    const owner = `managed server ${nameOf(p.name, i)}`;
    uses.push({ kind: "bmc", path: `/pservers/${i}/bmc/addr`, owner, addr: p.bmc.addr, port: p.bmc.port });
    const v = p.vserver;
    if (v?.addr)
      uses.push({ kind: "esxi", path: `/pservers/${i}/vserver/addr`, owner, addr: v.addr, port: v.port });
  });
  config.pdus.forEach((pdu, i) => {
    uses.push({
      kind: "pdu",
      path: `/pdus/${i}/addr`,
      owner: `PDU ${pdu.key}`,
      addr: pdu.addr,
      port: pdu.port,
    });
  });
  return uses;
}

const shown = (use: AddressUse) => {
  const standard = ADDRESS_KINDS[use.kind].standardPort;
  return use.port !== null && standard !== undefined && use.port !== standard
    ? `${use.addr}:${use.port}`
    : use.addr;
};

/** Reports invalid addresses and every later use of an address an earlier one already holds. */
export function checkAddresses(config: HaconnConfig, report: (path: string, message: string) => void): void {
  const rp = config.resetpath;
  if (rp) {
    const why = unusableOnSubnet(rp.addr, rp.prefixLength);
    if (why !== undefined) report("/resetpath/addr", why);
  }
  const uses = addressUses(config);
  for (const use of uses) {
    if (use.kind === "vip") continue;
    const why = unusableAddress(use.addr);
    if (why !== undefined) report(use.path, why);
  }
  uses.forEach((use, i) => {
    const earlier = uses.slice(0, i).find((other) => addressesClash(other, use));
    if (earlier === undefined) return;
    // Both fields are reported: whichever the operator just changed, its line names the other.
    report(
      use.path,
      `${shown(use)} is already used by ${placeOf(earlier)} (${ADDRESS_KINDS[earlier.kind].what}); ` +
        "every device needs an address of its own",
    );
    report(
      earlier.path,
      `${shown(earlier)} is also used by ${placeOf(use)} (${ADDRESS_KINDS[use.kind].what}); ` +
        "every device needs an address of its own",
    );
  });
}

const FIELD_OF: Record<AddressKind, string> = {
  vip: "resetpath addr",
  mlan: "mlan addr",
  bmc: "addr",
  pdu: "addr",
  esxi: "vserver addr",
};

function placeOf(use: AddressUse): string {
  return use.kind === "vip" ? "resetpath addr" : `${use.owner} ${FIELD_OF[use.kind]}`;
}
