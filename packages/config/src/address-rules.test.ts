import { describe, expect, it } from "vitest";
import {
  ADDRESS_KINDS,
  type AddressKind,
  addressesClash,
  MAY_SHARE_ADDRESS,
  unusableAddress,
  unusableOnSubnet,
} from "./address-rules.js";
import { sampleConfig } from "./test/index.js";
import type { HaconnConfig } from "./types.js";
import { validateConfig } from "./validate.js";

const issuesOf = (c: HaconnConfig) => {
  const r = validateConfig(c);
  return r.ok ? [] : r.issues;
};

describe("the address table", () => {
  it("lets no two kinds share an address (the manual allows none in one configuration)", () => {
    expect(MAY_SHARE_ADDRESS).toEqual([]);
    const kinds = Object.keys(ADDRESS_KINDS) as AddressKind[];
    for (const a of kinds)
      for (const b of kinds) {
        const use = (kind: AddressKind) => ({ kind, path: "", owner: "", addr: "127.0.0.9", port: null });
        expect(addressesClash(use(a), use(b))).toBe(true);
      }
  });

  it("tells lab devices on one IP apart by their explicit ports, never the standard ones", () => {
    const bmc = (port: number) => ({ kind: "bmc" as const, path: "", owner: "", addr: "127.0.0.1", port });
    const pdu = (port: number) => ({ kind: "pdu" as const, path: "", owner: "", addr: "127.0.0.1", port });
    expect(addressesClash(bmc(40001), pdu(40002))).toBe(false);
    expect(addressesClash(bmc(40001), bmc(40001))).toBe(true);
    expect(addressesClash(bmc(623), pdu(161))).toBe(true);
    const vip = { kind: "vip" as const, path: "", owner: "", addr: "127.0.0.1", port: 20001 };
    expect(addressesClash(vip, bmc(40001))).toBe(false);
    expect(addressesClash(vip, bmc(623))).toBe(true);
  });

  it.each([
    ["127.0.0.0", 24, /network address/],
    ["127.0.0.255", 24, /broadcast address of/],
    ["0.0.0.0", 24, /this network/],
    ["255.255.255.255", 32, /broadcast address/],
    ["224.0.0.1", 24, /multicast/],
    ["240.0.0.1", 24, /reserved/],
  ])("refuses %s/%d as a host address", (addr, prefix, why) => {
    expect(unusableOnSubnet(addr, prefix)).toMatch(why);
  });

  it("accepts ordinary host addresses, /31 and /32 ends included", () => {
    expect(unusableOnSubnet("127.0.0.50", 24)).toBeUndefined();
    expect(unusableOnSubnet("10.0.0.0", 31)).toBeUndefined();
    expect(unusableOnSubnet("10.0.0.7", 32)).toBeUndefined();
    expect(unusableAddress("127.0.0.1")).toBeUndefined();
  });
});

type Case = [string, (c: HaconnConfig) => void, string, RegExp];
const cases: Case[] = [
  [
    "VIP = the network address",
    (c) => void Object.assign(c.resetpath!, { addr: "127.0.0.0", mask: "255.255.255.0", prefixLength: 24 }),
    "/resetpath/addr",
    /network address/,
  ],
  [
    "VIP = the broadcast address",
    (c) => void Object.assign(c.resetpath!, { addr: "127.0.0.255", mask: "255.255.255.0", prefixLength: 24 }),
    "/resetpath/addr",
    /broadcast/,
  ],
  [
    "VIP 0.0.0.0",
    (c) => void Object.assign(c.resetpath!, { addr: "0.0.0.0", mask: "255.255.255.0", prefixLength: 24 }),
    "/resetpath/addr",
    /this network/,
  ],
  [
    "VIP 255.255.255.255/32",
    (c) =>
      void Object.assign(c.resetpath!, {
        addr: "255.255.255.255",
        mask: "255.255.255.255",
        prefixLength: 32,
      }),
    "/resetpath/addr",
    /broadcast/,
  ],
  [
    "VIP multicast",
    (c) => void Object.assign(c.resetpath!, { addr: "224.0.0.1", mask: "255.255.255.0", prefixLength: 24 }),
    "/resetpath/addr",
    /multicast/,
  ],
  [
    "VIP = an iLO",
    (c) => {
      c.resetpath!.addr = "127.0.1.1";
    },
    "/mservers/0/bmc/addr",
    /already used by resetpath addr \(the reset-path virtual IP\)/,
  ],
  [
    "names differing in case (management)",
    (c) => {
      c.mservers[1]!.name = "hacon1";
    },
    "/mservers/1/name",
    /already used by management server HACON1 \(names are compared ignoring case\)/,
  ],
  [
    "names differing in case (managed)",
    (c) => {
      c.pservers[1]!.name = "pserver1";
    },
    "/pservers/1/name",
    /managed server PSERVER1/,
  ],
  [
    "managed server named like a management server",
    (c) => {
      c.pservers[0]!.name = "HACON1";
    },
    "/pservers/0/name",
    /name HACON1 is already used by another management server/,
  ],
  [
    "duplex LAN = the other server's",
    (c) => {
      c.mservers[1]!.mlan!.addr = "127.0.2.1";
    },
    "/mservers/1/mlan/addr",
    /management server HACON1 mlan addr/,
  ],
  [
    "duplex LAN = the VIP",
    (c) => {
      c.mservers[1]!.mlan!.addr = "127.0.0.1";
    },
    "/mservers/1/mlan/addr",
    /resetpath addr/,
  ],
  [
    "duplex LAN = its own iLO",
    (c) => {
      c.mservers[0]!.mlan!.addr = "127.0.1.1";
    },
    "/mservers/0/mlan/addr",
    /management server HACON1 addr \(an iLO\/BMC address\)/,
  ],
  [
    "ESXi at a BMC",
    (c) => {
      c.pservers[0]!.vserver = {
        addr: "127.0.1.11",
        port: 22,
        account: null,
        password: null,
        enabled: false,
        hostKey: null,
      };
    },
    "/pservers/0/vserver/addr",
    /managed server PSERVER1 addr/,
  ],
  [
    "PDU at a BMC",
    (c) =>
      void c.pdus.push({ key: "127.0.1.11", addr: "127.0.1.11", port: 161, model: "IBM_PDU", profile: null }),
    "/pdus/2/addr",
    /managed server PSERVER1 addr/,
  ],
  [
    "BMC multicast",
    (c) => {
      c.pservers[0]!.bmc.addr = "239.1.1.1";
    },
    "/pservers/0/bmc/addr",
    /multicast/,
  ],
  [
    "PDU 0.0.0.0",
    (c) => void Object.assign(c.pdus[0]!, { key: "0.0.0.0", addr: "0.0.0.0" }),
    "/pdus/0/addr",
    /this network/,
  ],
  [
    "unknown PDU profile",
    (c) => {
      c.pdus[0]!.profile = "col13";
    },
    "/pdus/0/profile",
    /unknown profile "col13" \(known: ibm-col11, ibm-col13/,
  ],
];

describe("validateConfig enforces the address and name rules", () => {
  it.each(cases)("refuses %s", (_name, mutate, path, message) => {
    const c = sampleConfig();
    mutate(c);
    const issues = issuesOf(c);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)!.message).toMatch(message);
  });

  it("accepts the lab's shape: every device on 127.0.0.1 at its own port, the VIP too", () => {
    const c = sampleConfig();
    c.resetpath!.addr = "127.0.0.1";
    for (const [i, m] of c.mservers.entries()) Object.assign(m.bmc, { addr: "127.0.0.1", port: 40000 + i });
    for (const [i, p] of c.pservers.entries()) Object.assign(p.bmc, { addr: "127.0.0.1", port: 41000 + i });
    for (const [i, p] of c.pdus.entries()) {
      Object.assign(p, { addr: "127.0.0.1", port: 42000 + i, key: `127.0.0.1:${42000 + i}` });
    }
    c.pservers[0]!.vserver = {
      addr: "127.0.0.1",
      port: 43000,
      account: "root",
      password: "pw",
      enabled: true,
      hostKey: null,
    };
    c.pdus[0]!.profile = "ibm-col13";
    expect(issuesOf(c)).toEqual([]);
  });
});
