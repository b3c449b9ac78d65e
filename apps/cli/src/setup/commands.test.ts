// Behaviour of the haconnsetup commands beyond rejections: prompts, checks, cascades, ports.
import { createServer } from "node:net";
import { ConfigStore, type BmcSettings } from "@haconn/config";
import { sampleConfig } from "@haconn/config/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main as show } from "../show/program.js";
import { fileHash, run, tempDir, words } from "../testing/run.js";
import { main } from "./program.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let store: ConfigStore;
beforeEach(async () => {
  tmp = await tempDir("haconn-setup-");
  store = new ConfigStore(tmp.dir);
});
afterEach(() => tmp.remove());

const setup = (line: string, stdin?: string, checkBmc?: Parameters<typeof run>[2]["checkBmc"]) =>
  run(main, words(line), { etcDir: tmp.dir, stdin, checkBmc });

describe("mserver add/mod and the iLO check", () => {
  it("checks the iLO with the new settings before saving", async () => {
    const seen: BmcSettings[] = [];
    const result = await setup(
      "mserver add HACON1 addr=127.0.0.1:9623 account=admin cipher=3",
      "Passw0rd!\n",
      async (s) => {
        seen.push(s);
      },
    );
    expect(result).toMatchObject({ code: 0, stdout: "" });
    expect(result.stderr).toMatch(/^haconnsetup: saved .*restart of both connectors/);
    expect(seen).toEqual([
      { addr: "127.0.0.1", port: 9623, account: "admin", password: "Passw0rd!", cipher: 3 },
    ]);
    expect((await store.read()).mservers[0]!.bmc).toEqual(seen[0]);
  });

  it("refuses with the reason and saves nothing when the iLO does not answer", async () => {
    const failing = async () => {
      throw Object.assign(new Error("the iLO at 127.0.0.1:9623 did not answer"), {
        code: "CLI_BMC_CHECK",
        retryable: false,
      });
    };
    await setup("resetpath addr=127.0.0.1/8 port=20001");
    const before = await fileHash(store.path);
    const result = await setup(
      "mserver add HACON1 addr=127.0.0.1:9623 account=admin",
      "Passw0rd!\n",
      failing,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("did not answer");
    expect(await fileHash(store.path)).toBe(before);
  });

  it("check=off skips the check; mod checks only when a BMC field changes", async () => {
    let calls = 0;
    const count = async () => {
      calls++;
    };
    expect(
      (await setup("mserver add HACON1 addr=127.0.0.1 account=admin check=off", "Passw0rd!\n", count)).code,
    ).toBe(0);
    expect(calls).toBe(0);
    expect((await setup("mserver mod HACON1 ipdusd=on timeout=30", undefined, count)).code).toBe(0);
    expect(calls).toBe(0);
    expect((await setup("mserver mod HACON1 addr=127.0.0.2:1623", undefined, count)).code).toBe(0);
    expect(calls).toBe(1);
    expect((await store.read()).mservers[0]).toMatchObject({
      ipdusd: true,
      timeoutSec: 30,
      bmc: { addr: "127.0.0.2", port: 1623 },
    });
  });

  it("with the real driver, refuses an iLO that does not answer (loopback, nothing listening)", async () => {
    // A UDP port nobody listens on: bind a TCP port to find a free number, then release it.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const result = await setup(
      `mserver add HACON1 addr=127.0.0.1:${port} account=admin cipher=3`,
      "Passw0rd!\n",
      "real",
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/addr: the iLO at 127\.0\.0\.1:\d+ did not answer/);
    expect(await fileHash(store.path)).toBe("absent");
  }, 60_000);
});

describe("passwords and quoting", () => {
  it("prompts only with account= on mod, and strips literal quotes", async () => {
    await store.update(() => sampleConfig());
    expect((await setup("pserver mod PSERVER1 cluster=on", "")).code).toBe(0);
    const result = await setup('pserver mod PSERVER1 account="hitachi"', "N3w:Pass(word)\n");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(""); // no prompt when stdin is not a terminal
    const p = (await store.read()).pservers[0]!;
    expect(p).toMatchObject({ cluster: true, bmc: { account: "hitachi", password: "N3w:Pass(word)" } });
  });

  it("reads the SNMP community from stdin when name= is not given", async () => {
    expect((await setup("snmp", "secret42\r\n")).code).toBe(0);
    expect((await store.read()).snmp).toEqual({ community: "secret42" });
  });
});

describe("cascades and bulk deletes", () => {
  beforeEach(async () => {
    await store.update(() => sampleConfig({ ipdusd: true }));
  });

  it("pserver del removes the server with its vserver settings and links; mserver del with mlan and links", async () => {
    expect(
      (await setup("vserver PSERVER1 addr=127.0.5.1 port=2222 account=root VMware=Enable", "pw\n")).code,
    ).toBe(0);
    expect((await setup("pserver del PSERVER1")).code).toBe(0);
    expect((await setup("mserver del HACON1")).code).toBe(0);
    const c = await store.read();
    expect(c.pservers.map((p) => p.name)).toEqual(["PSERVER2"]);
    expect(c.mservers.map((m) => m.name)).toEqual(["HACON2"]);
    // the freed outlet can be linked again
    expect((await setup("pserver ipduadd PSERVER2 addr=127.0.3.1 concent=1")).code).toBe(0);
  });

  it("ipdudel without addr/concent removes every link; then ipdu del * removes every PDU", async () => {
    for (const line of ["mserver ipdudel HACON1", "mserver ipdudel HACON2", "pserver ipdudel PSERVER1"]) {
      expect((await setup(line)).code).toBe(0);
    }
    expect((await setup("pserver ipdudel PSERVER2 addr=127.0.3.1 concent=2")).code).toBe(0);
    expect((await setup("ipdu del *")).code).toBe(0);
    const c = await store.read();
    expect(c.pdus).toEqual([]);
    expect([...c.mservers, ...c.pservers].flatMap((s) => s.outlets)).toEqual([]);
  });

  it("PDU addresses may carry a port, and links name it the same way", async () => {
    expect((await setup("ipdu add 127.0.0.1:1161 model=IBM_PDU")).code).toBe(0);
    expect((await setup("pserver ipduadd PSERVER1 addr=127.0.0.1:1161 concent=12")).code).toBe(0);
    const c = await store.read();
    expect(c.pdus.at(-1)).toMatchObject({ key: "127.0.0.1:1161", addr: "127.0.0.1", port: 1161 });
    expect(c.pservers[0]!.outlets.at(-1)).toEqual({ pdu: "127.0.0.1:1161", outlet: 12 });
    expect((await run(show, ["ipdusetting"], { etcDir: tmp.dir })).stdout).toContain(
      "1 PSERVER1       127.0.3.1       1      127.0.0.1:1161  12\n",
    );
  });
});

describe("first-time and partial settings", () => {
  it("resetpath needs addr and port the first time, then either; masks in CIDR or dotted form", async () => {
    expect((await setup("resetpath port=20001")).stderr).toMatch(/addr: required the first time/);
    expect((await setup("resetpath addr=127.0.0.1/255.255.0.0 port=20001")).code).toBe(0);
    expect((await setup("resetpath port=20005")).code).toBe(0);
    expect((await store.read()).resetpath).toEqual({
      addr: "127.0.0.1",
      mask: "255.255.0.0",
      prefixLength: 16,
      port: 20005,
    });
    expect((await setup("resetpath addr=127.0.0.2/24")).code).toBe(0);
    expect((await store.read()).resetpath).toEqual({
      addr: "127.0.0.2",
      mask: "255.255.255.0",
      prefixLength: 24,
      port: 20005,
    });
  });

  it("mlan needs addr and port the first time, then either", async () => {
    await store.update(() => {
      const c = sampleConfig();
      c.mservers[0]!.mlan = null;
      return c;
    });
    expect((await setup("mlan HACON1 addr=127.0.2.9")).stderr).toMatch(
      /port: required the first time the duplex LAN of HACON1/,
    );
    expect((await setup("mlan HACON1 addr=127.0.2.9 port=20003")).code).toBe(0);
    expect((await setup("mlan HACON1 port=20004")).code).toBe(0);
    expect((await store.read()).mservers[0]!.mlan).toEqual({ addr: "127.0.2.9", port: 20004 });
  });

  it("ipdusd=off clears timeout and recoverytime; hispeed on and off; vserver host key set and cleared", async () => {
    await store.update(() => sampleConfig({ ipdusd: true }));
    expect((await setup("pserver mod PSERVER1 ipdusd=off")).code).toBe(0);
    expect((await store.read()).pservers[0]).toMatchObject({
      ipdusd: false,
      timeoutSec: null,
      recoveryTimeSec: null,
    });
    expect((await setup("hispeed resettime=1000")).code).toBe(0);
    expect((await store.read()).hispeed).toEqual({ enabled: true, resetTimeMs: 1000 });
    expect((await setup("hispeed off")).code).toBe(0);
    expect((await store.read()).hispeed).toEqual({ enabled: false, resetTimeMs: null });
    const key = `SHA256:${"A".repeat(43)}`;
    expect((await setup(`vserver PSERVER2 hostkey=${key}`)).code).toBe(0);
    expect((await store.read()).pservers[1]!.vserver?.hostKey).toBe(key);
    expect((await setup("vserver PSERVER2 hostkey=none")).code).toBe(0);
    expect((await store.read()).pservers[1]!.vserver?.hostKey).toBeNull();
  });
});

describe("help", () => {
  it.each([
    "--help",
    "resetpath --help",
    "mserver add --help",
    "mserver mod --help",
    "mserver del --help",
    "mserver ipduadd --help",
    "mserver ipdudel --help",
    "mlan --help",
    "pserver add --help",
    "pserver mod --help",
    "pserver del --help",
    "pserver ipduadd --help",
    "pserver ipdudel --help",
    "vserver --help",
    "ipdu add --help",
    "ipdu del --help",
    "snmp --help",
    "hispeed --help",
  ])("haconnsetup %s", async (line) => {
    const result = await setup(line);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: haconnsetup/);
    expect(await fileHash(store.path)).toBe("absent");
  });
});
