// Every rejection names the argument and the reason, exits non-zero, and leaves the
// configuration file byte-for-byte unchanged. Loopback addresses only; no BMC is contacted.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ConfigStore, type HaconnConfig } from "@haconn/config";
import { sampleConfig } from "@haconn/config/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileHash, run, tempDir, words } from "../testing/run.js";
import { main } from "./program.js";

type Base = "sample" | "plain" | "full32" | "full132";
// [command, stdin, expected exit code, stderr pattern (names the argument and why), base]
type Case = [string, string | undefined, number, RegExp, Base?];

const PW = "Passw0rd!\n";
const cases: Case[] = [
  // argument syntax
  ["resetpath addr=127.0.0.1", undefined, 1, /addr: give the address with its subnet mask/],
  ["resetpath addr=127.0.0.1/255.0.255.0", undefined, 1, /addr: "255.0.255.0" is not a subnet mask/],
  ["resetpath addr=127.0.0.1/33", undefined, 1, /addr: prefix length \/33 is outside 1-32/],
  ["resetpath addr=127.0.0.256/8", undefined, 1, /addr: "127.0.0.256" is not an IPv4 address/],
  ["resetpath port=5000", undefined, 1, /port: must be 5001-65535/],
  ["resetpath port=65536", undefined, 1, /port: must be 5001-65535/],
  ["resetpath port=abc", undefined, 1, /port: "abc" is not a whole number/],
  ["resetpath", undefined, 1, /give addr=.*and\/or port=/],
  ["resetpath colour=blue", undefined, 1, /colour: unknown argument/],
  ["resetpath port=6000 port=6001", undefined, 1, /port: given twice/],
  ["resetpath 6000", undefined, 1, /"6000": expected key=value/],
  // management servers
  [
    "mserver add HACON3 addr=127.0.1.3 account=admin check=off",
    PW,
    1,
    /management servers: at most 2 management servers/,
  ],
  ["mserver mod HACON1 account=abcdefghijklmnopq check=off", PW, 1, /account: must be 1-16 characters/],
  ["mserver mod HACON1 account=ad#min check=off", PW, 1, /account: must be .*printable ASCII except space/],
  ["mserver mod HACON1 account=admin check=off", "short\n", 1, /password: must be 8-20 characters/],
  ["mserver mod HACON1 account=admin check=off", "abcdefghijklmnopqrstu\n", 1, /password: must be 8-20/],
  [
    "mserver mod HACON1 account=admin check=off",
    "has space1\n",
    1,
    /password: must be 8-20 characters, printable/,
  ],
  ["mserver mod HACON1 account=admin check=off", "", 2, /password: standard input is not a terminal/],
  ["mserver mod HACON1 ipdusd=on", undefined, 1, /timeout: is required when ipdusd=on/, "plain"],
  ["mserver mod HACON1 ipdusd=on timeout=4", undefined, 1, /timeout: must be 5-60 seconds/],
  ["mserver mod HACON1 ipdusd=on timeout=61", undefined, 1, /timeout: must be 5-60 seconds/],
  ["mserver mod HACON1 timeout=10", undefined, 1, /timeout: is only used with ipdusd=on/, "plain"],
  ["mserver mod HACON1 ipdusd=off timeout=10", undefined, 1, /timeout: is only used with ipdusd=on/],
  ["pserver mod PSERVER1 ipdusd=on", undefined, 1, /timeout: is required when ipdusd=on/, "plain"],
  ["mserver mod HACON1 ipdusd=yes", undefined, 1, /ipdusd: must be on or off/],
  ["mserver mod HACON1 cipher=18", undefined, 1, /cipher: must be an IPMI cipher suite 0-17/],
  [
    "mserver mod HACON1 addr=127.0.1.11 check=off",
    undefined,
    1,
    /managed server PSERVER1 addr: 127\.0\.1\.11 is already used by management server HACON1 addr \(an iLO\/BMC address\)/,
  ],
  ["mserver mod HACON9 ipdusd=off", undefined, 1, /HACON9: no such management server/],
  ["mserver del HACON9", undefined, 1, /HACON9: no such management server/],
  ["mserver mod HACON1", undefined, 1, /nothing to change/],
  [
    "mlan HACON1 port=20001",
    undefined,
    1,
    /port: port 20001 is the reset-path port; the duplex-LAN port must differ/,
  ],
  ["mlan HACON1 port=5000", undefined, 1, /port: must be 5001-65535/],
  [
    "mlan HACON1 addr=127.0.2.2",
    undefined,
    1,
    /management server HACON2 mlan addr: 127\.0\.2\.2 is already used by management server HACON1 mlan addr/,
  ],
  // managed servers
  [
    "pserver add PSERVER33 addr=127.0.9.1 account=admin",
    PW,
    1,
    /managed servers: at most 32 managed servers/,
    "full32",
  ],
  ["pserver add PSERVER1 addr=127.0.9.1 account=admin", PW, 1, /PSERVER1: managed server already registered/],
  [
    "pserver add PSERVER_3 addr=127.0.9.1 account=admin",
    PW,
    1,
    /managed server PSERVER_3 name: must be 1-31 alphanumeric/,
  ],
  [
    "pserver add ABCDEFGHIJKLMNOPQRSTUVWXYZ123456 addr=127.0.9.1 account=admin",
    PW,
    1,
    /managed server ABCDEFGHIJKLMNOPQRSTUVWXYZ123456 name: must be 1-31/,
  ],
  ["pserver add PSERVER3 addr=127.0.9.1", PW, 1, /account: required/],
  ["pserver add PSERVER3 account=admin", PW, 1, /addr: required/],
  ["pserver add PSERVER3 addr=127.0.9.1:0 account=admin", PW, 1, /addr: port 0 is outside 1-65535/],
  [
    "pserver add PSERVER3 addr=127.0.9.1 account=admin ipdusd=on timeout=5",
    PW,
    1,
    /recoverytime: is required when ipdusd=on/,
  ],
  [
    "pserver mod PSERVER1 recoverytime=3",
    undefined,
    1,
    /recoverytime: must be 0 \(never restore\) or 5-60 seconds/,
  ],
  ["pserver mod PSERVER1 recoverytime=61", undefined, 1, /recoverytime: must be 0 \(never restore\) or 5-60/],
  [
    "pserver mod PSERVER1 name=PSERVER2",
    undefined,
    1,
    /managed server PSERVER2 name: name PSERVER2 is already used by another managed server/,
  ],
  ["pserver mod PSERVER1 cluster=maybe", undefined, 1, /cluster: must be on or off/],
  ["pserver del PSERVER9", undefined, 1, /PSERVER9: no such managed server/],
  [
    "vserver PSERVER1 account=abcdefghijabcdefghijabcdefghijabcdefghij",
    PW,
    1,
    /account: must be 1-39 characters/,
  ],
  ["vserver PSERVER1 account=root", `${"a".repeat(39)}\n`, 1, /password: must be 1-38 characters/],
  ["vserver PSERVER1 VMware=Enable", undefined, 1, /addr: is required when VMware=Enable/],
  ["vserver PSERVER1 VMware=On", undefined, 1, /VMware: must be Enable or Disable/],
  ["vserver PSERVER1 hostkey=MD5:abc", undefined, 1, /hostkey: must be a host key fingerprint/],
  ["vserver PSERVER9 addr=127.0.5.1", undefined, 1, /PSERVER9: no such managed server/],
  // PDUs and links
  ["ipdu add 127.0.3.9 model=APC", undefined, 1, /model: "APC" is not supported \(supported: IBM_PDU\)/],
  ["ipdu add 127.0.3.9", undefined, 1, /model: required/],
  [
    "ipdu add 127.0.3.1 model=IBM_PDU",
    undefined,
    1,
    /PDU 127\.0\.3\.1 addr: 127\.0\.3\.1 is already used by PDU 127\.0\.3\.1 addr/,
  ],
  ["ipdu add 127.0.10.1 model=IBM_PDU", undefined, 1, /PDUs: at most 132 PDUs/, "full132"],
  ["ipdu add 300.0.0.1 model=IBM_PDU", undefined, 1, /<IP addr>: "300.0.0.1" is not an IPv4 address/],
  ["ipdu del 127.0.3.1", undefined, 1, /PDU still feeds PSERVER1 \(127.0.3.1 concent 1\).*ipdudel/],
  ["ipdu del *", undefined, 1, /PDU still feeds HACON1 .*ipdudel/],
  ["ipdu del 127.0.3.9", undefined, 1, /127.0.3.9: no such PDU/],
  [
    "mserver ipduadd HACON1 addr=127.0.3.1 concent=12",
    undefined,
    1,
    /ipduadd: at most 2 PDU outlet links per management server/,
    "full132",
  ],
  [
    "pserver ipduadd PSERVER1 addr=127.0.3.2 concent=12",
    undefined,
    1,
    /ipduadd: at most 4 PDU outlet links per managed server/,
    "full132",
  ],
  [
    "pserver ipduadd PSERVER1 addr=127.0.3.9 concent=3",
    undefined,
    1,
    /addr: PDU 127.0.3.9 is not registered/,
  ],
  [
    "pserver ipduadd PSERVER1 addr=127.0.3.1 concent=13",
    undefined,
    1,
    /concent: must be an outlet \(concent\) number 1-12/,
  ],
  [
    "pserver ipduadd PSERVER1 addr=127.0.3.1 concent=0",
    undefined,
    1,
    /concent: must be an outlet \(concent\) number 1-12/,
  ],
  [
    "pserver ipduadd PSERVER1 addr=127.0.3.1 concent=2",
    undefined,
    1,
    /outlet 2 of PDU 127.0.3.1 is already used/,
  ],
  ["pserver ipduadd PSERVER1 addr=127.0.3.1", undefined, 1, /concent: required/],
  ["pserver ipdudel PSERVER1 addr=127.0.3.1", undefined, 1, /concent: give addr= and concent= together/],
  ["pserver ipdudel PSERVER1 addr=127.0.3.1 concent=5", undefined, 1, /no link to 127.0.3.1 concent 5/],
  ["snmp name=pub-lic", undefined, 1, /name: must be 1-30 alphanumeric/],
  [`snmp name=${"a".repeat(31)}`, undefined, 1, /name: must be 1-30 alphanumeric/],
  // hispeed
  ["hispeed resettime=900", undefined, 1, /resettime: must be 1000-5000 ms in steps of 100/],
  ["hispeed resettime=5100", undefined, 1, /resettime: must be 1000-5000 ms/],
  ["hispeed resettime=2550", undefined, 1, /resettime: must be a multiple of 100 ms/],
  ["hispeed resettime=fast", undefined, 1, /resettime: "fast" is not a whole number/],
  ["hispeed", undefined, 1, /hispeed: give resettime=<1000-5000 ms> or off/],
  // commands
  ["frobnicate", undefined, 1, /unknown command 'frobnicate'/],
  ["mserver add", undefined, 1, /missing required argument 'name'/],
];

function full(kind: Base): HaconnConfig {
  const config = sampleConfig({ ipdusd: kind !== "plain", pservers: kind === "full32" ? 32 : 2 });
  if (kind === "full132") {
    for (let i = 3; i <= 132; i++) {
      const addr = `127.0.3.${i}`;
      config.pdus.push({ key: addr, addr, port: 161, model: "IBM_PDU", profile: null });
    }
    config.mservers[0]!.outlets.push({ pdu: "127.0.3.3", outlet: 1 });
    config.pservers[0]!.outlets.push(...[2, 3, 4].map((o) => ({ pdu: "127.0.3.3", outlet: o + 5 })));
  }
  return config;
}

describe("haconnsetup rejections", () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const bases = new Map<Base, string>();
  beforeAll(async () => {
    tmp = await tempDir("haconn-reject-");
    for (const kind of ["sample", "plain", "full32", "full132"] as const) {
      const dir = join(tmp.dir, `base-${kind}`);
      await new ConfigStore(dir).update(() => full(kind));
      bases.set(kind, join(dir, "haconn.json"));
    }
  });
  afterAll(() => tmp.remove());

  it.each(cases.map((c, i) => [i, ...c] as const))(
    "#%i %s",
    async (i, command, stdin, code, pattern, base = "sample") => {
      const dir = join(tmp.dir, `case-${i}`);
      await mkdir(dir);
      await copyFile(bases.get(base)!, join(dir, "haconn.json"));
      const before = await fileHash(join(dir, "haconn.json"));
      const result = await run(main, words(command), { etcDir: dir, stdin });
      expect(result.stderr).toMatch(pattern);
      expect(result.code).toBe(code);
      expect(await fileHash(join(dir, "haconn.json"))).toBe(before);
      expect(await fileHash(join(dir, "haconn.json.bak"))).toBe("absent");
    },
  );
});
