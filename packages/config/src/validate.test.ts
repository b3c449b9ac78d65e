import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConfigError, isConfigError } from "./errors-catalog.js";
import { ConfigStore } from "./store/config-store.js";
import { sampleConfig } from "./test/index.js";
import type { HaconnConfig } from "./types.js";
import { validateConfig } from "./validate.js";

type Case = [name: string, mutate: (c: HaconnConfig) => void, path: string, message?: RegExp];

const pdu = (i: number) => ({
  key: `127.0.4.${i}`,
  addr: `127.0.4.${i}`,
  port: 161,
  model: "IBM_PDU" as const,
  profile: null,
});
const x = (n: number) => "a".repeat(n);
const m0 = (c: HaconnConfig) => c.mservers[0]!;
const p0 = (c: HaconnConfig) => c.pservers[0]!;
const vs = (c: HaconnConfig) => {
  p0(c).vserver = {
    addr: "127.0.5.1",
    port: 22,
    account: "root",
    password: "pw",
    enabled: true,
    hostKey: null,
  };
  return p0(c).vserver!;
};

// One case per rule of the manual (manual-digest §5.3-5.5) and per cross-field rule.
const cases: Case[] = [
  [
    "resetpath addr not IPv4",
    (c) => {
      c.resetpath!.addr = "300.0.0.1";
    },
    "/resetpath/addr",
  ],
  [
    "resetpath port below 5001",
    (c) => {
      c.resetpath!.port = 5000;
    },
    "/resetpath/port",
    /5001-65535/,
  ],
  [
    "resetpath port above 65535",
    (c) => {
      c.resetpath!.port = 65536;
    },
    "/resetpath/port",
  ],
  [
    "mask and prefix disagree",
    (c) => {
      c.resetpath!.mask = "255.255.0.0";
    },
    "/resetpath/mask",
  ],
  [
    "mserver name 32 chars",
    (c) => {
      m0(c).name = x(32);
    },
    "/mservers/0/name",
    /1-31 alphanumeric/,
  ],
  [
    "mserver name not alnum",
    (c) => {
      m0(c).name = "HA_CON1";
    },
    "/mservers/0/name",
  ],
  [
    "mserver name duplicate",
    (c) => {
      c.mservers[1]!.name = "HACON1";
    },
    "/mservers/1/name",
    /already used/,
  ],
  ["three mservers", (c) => void c.mservers.push({ ...m0(c), name: "HACON3" }), "/mservers", /at most 2/],
  [
    "iLO account 17 chars",
    (c) => {
      m0(c).bmc.account = x(17);
    },
    "/mservers/0/bmc/account",
    /1-16/,
  ],
  [
    "iLO account empty",
    (c) => {
      m0(c).bmc.account = "";
    },
    "/mservers/0/bmc/account",
  ],
  [
    "iLO password 7 chars",
    (c) => {
      m0(c).bmc.password = x(7);
    },
    "/mservers/0/bmc/password",
    /8-20/,
  ],
  [
    "iLO password 21 chars",
    (c) => {
      m0(c).bmc.password = x(21);
    },
    "/mservers/0/bmc/password",
  ],
  [
    "cipher 18",
    (c) => {
      m0(c).bmc.cipher = 18;
    },
    "/mservers/0/bmc/cipher",
  ],
  [
    "mserver ipdusd on without timeout",
    (c) => {
      m0(c).timeoutSec = null;
    },
    "/mservers/0/timeoutSec",
    /required when ipdusd=on/,
  ],
  [
    "mserver timeout 4",
    (c) => void Object.assign(m0(c), { ipdusd: true, timeoutSec: 4 }),
    "/mservers/0/timeoutSec",
    /5-60/,
  ],
  [
    "mserver timeout 61",
    (c) => void Object.assign(m0(c), { ipdusd: true, timeoutSec: 61 }),
    "/mservers/0/timeoutSec",
  ],
  [
    "timeout with ipdusd off",
    (c) => {
      m0(c).ipdusd = false;
    },
    "/mservers/0/timeoutSec",
    /only used with ipdusd=on/,
  ],
  [
    "mlan port = resetpath port",
    (c) => {
      m0(c).mlan!.port = c.resetpath!.port;
    },
    "/mservers/0/mlan/port",
    /reset-path port/,
  ],
  [
    "mlan port 5000",
    (c) => {
      m0(c).mlan!.port = 5000;
    },
    "/mservers/0/mlan/port",
    /5001-65535/,
  ],
  [
    "mlan endpoint duplicate",
    (c) => {
      c.mservers[1]!.mlan = { ...m0(c).mlan! };
    },
    "/mservers/1/mlan/addr",
  ],
  [
    "33 pservers",
    (c) => {
      for (let i = 3; i <= 33; i++)
        c.pservers.push({ ...p0(c), name: `P${i}`, bmc: { ...p0(c).bmc, addr: `127.0.6.${i}` } });
    },
    "/pservers",
    /at most 32/,
  ],
  [
    "pserver name duplicate",
    (c) => {
      c.pservers[1]!.name = "PSERVER1";
    },
    "/pservers/1/name",
  ],
  [
    "BMC address shared by two servers",
    (c) => {
      c.pservers[1]!.bmc = { ...m0(c).bmc };
    },
    "/pservers/1/bmc/addr",
    /BMC/,
  ],
  [
    "pserver ipdusd on without recoverytime",
    (c) => void Object.assign(p0(c), { recoveryTimeSec: null }),
    "/pservers/0/recoveryTimeSec",
    /is required when ipdusd=on/,
  ],
  [
    "pserver ipdusd on without timeout",
    (c) => void Object.assign(p0(c), { timeoutSec: null, recoveryTimeSec: 0 }),
    "/pservers/0/timeoutSec",
  ],
  [
    "recoverytime 3",
    (c) => void Object.assign(p0(c), { ipdusd: true, timeoutSec: 5, recoveryTimeSec: 3 }),
    "/pservers/0/recoveryTimeSec",
    /0 \(never restore\) or 5-60/,
  ],
  [
    "recoverytime 61",
    (c) => void Object.assign(p0(c), { ipdusd: true, timeoutSec: 5, recoveryTimeSec: 61 }),
    "/pservers/0/recoveryTimeSec",
  ],
  [
    "ESXi account 40 chars",
    (c) => {
      vs(c).account = x(40);
    },
    "/pservers/0/vserver/account",
    /1-39/,
  ],
  [
    "ESXi password 39 chars",
    (c) => {
      vs(c).password = x(39);
    },
    "/pservers/0/vserver/password",
    /1-38/,
  ],
  [
    "ESXi port 0",
    (c) => {
      vs(c).port = 0;
    },
    "/pservers/0/vserver/port",
  ],
  [
    "VMware=Enable without addr",
    (c) => {
      vs(c).addr = null;
    },
    "/pservers/0/vserver/addr",
    /required when VMware=Enable/,
  ],
  [
    "ESXi password without account",
    (c) => void Object.assign(vs(c), { account: null, enabled: false }),
    "/pservers/0/vserver/password",
  ],
  [
    "host key not SHA256",
    (c) => {
      vs(c).hostKey = "MD5:abc";
    },
    "/pservers/0/vserver/hostKey",
  ],
  [
    "133 PDUs",
    (c) => {
      for (let i = 1; i <= 131; i++) c.pdus.push(pdu(i));
    },
    "/pdus",
    /at most 132/,
  ],
  [
    "PDU model not IBM_PDU",
    (c) => {
      (c.pdus[0] as { model: string }).model = "APC";
    },
    "/pdus/0/model",
    /IBM_PDU/,
  ],
  [
    "PDU duplicate",
    (c) => {
      c.pdus[1] = { ...c.pdus[0]! };
    },
    "/pdus/1/addr",
    /already used/,
  ],
  [
    "PDU key inconsistent",
    (c) => {
      c.pdus[0]!.key = "127.0.9.9";
    },
    "/pdus/0/key",
  ],
  [
    "outlet 13",
    (c) => {
      p0(c).outlets[0]!.outlet = 13;
    },
    "/pservers/0/outlets/0/outlet",
    /1-12/,
  ],
  [
    "outlet 0",
    (c) => {
      p0(c).outlets[0]!.outlet = 0;
    },
    "/pservers/0/outlets/0/outlet",
  ],
  [
    "3 links on a management server",
    (c) => {
      m0(c).outlets = [1, 2, 3].map((o) => ({ pdu: c.pdus[0]!.key, outlet: o + 6 }));
    },
    "/mservers/0/outlets",
    /at most 2/,
  ],
  [
    "5 links on a managed server",
    (c) => {
      p0(c).outlets = [1, 2, 3, 4, 5].map((o) => ({ pdu: c.pdus[1]!.key, outlet: o + 6 }));
    },
    "/pservers/0/outlets",
    /at most 4/,
  ],
  [
    "link to an unregistered PDU",
    (c) => {
      p0(c).outlets[0]!.pdu = "127.0.9.9";
    },
    "/pservers/0/outlets/0/pdu",
    /not registered/,
  ],
  [
    "one outlet linked twice",
    (c) => {
      c.pservers[1]!.outlets = [{ ...p0(c).outlets[0]! }];
    },
    "/pservers/1/outlets/0",
    /already used/,
  ],
  [
    "community 31 chars",
    (c) => {
      c.snmp = { community: x(31) };
    },
    "/snmp/community",
    /1-30 alphanumeric/,
  ],
  [
    "community not alnum",
    (c) => {
      c.snmp = { community: "pub-lic" };
    },
    "/snmp/community",
  ],
  [
    "hispeed 900",
    (c) => {
      c.hispeed = { enabled: true, resetTimeMs: 900 };
    },
    "/hispeed/resetTimeMs",
    /1000-5000/,
  ],
  [
    "hispeed 5100",
    (c) => {
      c.hispeed = { enabled: true, resetTimeMs: 5100 };
    },
    "/hispeed/resetTimeMs",
  ],
  [
    "hispeed 2550",
    (c) => {
      c.hispeed = { enabled: true, resetTimeMs: 2550 };
    },
    "/hispeed/resetTimeMs",
    /multiple of 100/,
  ],
  [
    "hispeed on without time",
    (c) => {
      c.hispeed = { enabled: true, resetTimeMs: null };
    },
    "/hispeed/resetTimeMs",
  ],
  [
    "unknown field",
    (c) => {
      (c as unknown as Record<string, unknown>).extra = 1;
    },
    "/extra",
    /unknown field/,
  ],
  [
    "schema version",
    (c) => {
      (c as { schemaVersion: number }).schemaVersion = 2;
    },
    "/schemaVersion",
  ],
];

// (*1): every excluded character is refused, in accounts and passwords alike.
for (const ch of [" ", '"', "#", "$", "'", ";", "\\", "\t", "é", "\x7f"]) {
  cases.push([
    `account with ${JSON.stringify(ch)}`,
    (c) => {
      m0(c).bmc.account = `ad${ch}min`;
    },
    "/mservers/0/bmc/account",
    /printable ASCII/,
  ]);
  cases.push([
    `password with ${JSON.stringify(ch)}`,
    (c) => {
      p0(c).bmc.password = `Passw0rd${ch}`;
    },
    "/pservers/0/bmc/password",
  ]);
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("validateConfig", () => {
  it("accepts the sample configurations and the (*1) characters the manual allows", () => {
    expect(validateConfig(sampleConfig()).ok).toBe(true);
    const c = sampleConfig({ ipdusd: true, hispeedMs: 1000, pservers: 12 });
    m0(c).bmc.account = "!%&()*+,-./09:<=>?@AZ[]^_`az{|}~".slice(0, 16);
    p0(c).bmc.password = ":<=>?@AZ[]^_`{|}~";
    p0(c).recoveryTimeSec = 0;
    expect(validateConfig(c)).toEqual({ ok: true, config: c });
  });

  it("never puts a secret value into a message", () => {
    const c = sampleConfig();
    p0(c).bmc.password = "short$";
    const result = validateConfig(c);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("short$");
  });

  let dir: string;
  let store: ConfigStore;
  let before: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "haconn-rules-"));
    store = new ConfigStore(dir);
    await store.update(() => sampleConfig({ ipdusd: true }));
    before = sha(await readFile(store.path));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(cases)("rejects %s, file unchanged", async (_name, mutate, path, message) => {
    const c = sampleConfig({ ipdusd: true });
    mutate(c);
    const result = validateConfig(c);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]!.path).toBe(path);
    if (message) expect(result.issues[0]!.message).toMatch(message);

    const error = await store.update((draft) => mutate(draft)).catch((e: unknown) => e);
    expect(isConfigError(error, "CONFIG_INVALID")).toBe(true);
    // The message names the object and field in operator words; the JSON path stays in issues.
    expect((error as ConfigError).issues[0]!.path).toBe(path);
    expect((error as Error).message).not.toMatch(/\/(mservers|pservers|pdus|resetpath)\//);
    expect(sha(await readFile(store.path))).toBe(before);
  });
});
