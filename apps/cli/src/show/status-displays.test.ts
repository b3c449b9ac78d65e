// haconnshow status / hamonitor / ipdu against an in-test haconnd (its ControlServer with canned
// answers). The canned data are the manual's examples: they are only displayed, never contacted.
import { join } from "node:path";
import { HaconnError } from "@haconn/config";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeDaemon, startFakeDaemon } from "../testing/fake-daemon.js";
import { withNulls } from "../json.js";
import { run, tempDir, words } from "../testing/run.js";
import { main } from "./program.js";

const STATUS = {
  node: "HACON1",
  mode: "2(server duplication)",
  link: "OK",
  mservers: [
    { name: "HACON1", addr: "192.168.1.11", role: "active", status: "normal", bmc: "OK", ipdu: "OK" },
    { name: "HACON2", addr: "192.168.1.12", role: "standby", status: "normal", bmc: "OK", ipdu: "OK" },
  ],
  servers: [
    { name: "PSERVER1", power: "pon", bmc: "OK", ipdu: "OK", vmware: "OK" },
    { name: "PSERVER2", power: "pon", bmc: "OK", ipdu: "OK", vmware: "OK" },
    { name: "PSERVER3", power: "poff", bmc: "OK", ipdu: "OK", vmware: "--" },
    { name: "PSERVER4", power: "poff", bmc: "--", ipdu: "--", vmware: "--" },
  ],
};

const MANUAL_STATUS = `-- HA monitor connector service status --

<management server>
mode : 2(server duplication)
link status : OK
#  name    IP address    act/sby  status  BMC  IPDU
1  HACON1  192.168.1.11  active   normal  OK   OK
2  HACON2  192.168.1.12  standby  normal  OK   OK

<physical server>
#  name      power  BMC  IPDU  VMware
1  PSERVER1  pon    OK   OK    OK
2  PSERVER2  pon    OK   OK    OK
3  PSERVER3  poff   OK   OK    --
4  PSERVER4  poff   --   --    --
`;

const row = (name: string, address: string, status: string, ip: string, port: string, pair: string) => ({
  name,
  address,
  status,
  ipAddress: ip,
  port,
  pair,
});
const HAMONITOR = {
  physical: [
    row("PSERVER1", "----", "----", "----", "----", "----"),
    row("PSERVER2", "----", "----", "----", "----", "----"),
    row("PSERVER3", "10001", "normal", "192.168.0.101", "6001", "----"),
    row("PSERVER4", "10002", "dump", "192.168.0.102", "6001", "----"),
  ],
  virtual: [
    {
      server: "PSERVER1",
      guests: [
        row("v_system01", "10011", "normal", "192.168.0.111", "6002", "10021"),
        row("v_system02", "10012", "normal", "192.168.0.112", "6002", "10022"),
        row("v_system03", "10013", "normal", "192.168.0.113", "6002", "10023"),
        row("v_system04", "10014", "normal", "192.168.0.114", "6002", "----"),
      ],
    },
  ],
};

const MANUAL_HAMONITOR = `-- HA monitor status -

<physical server>
#  name      address  status  IP address     port  pair#
1  PSERVER1  ----     ----    ----           ----  ----
2  PSERVER2  ----     ----    ----           ----  ----
3  PSERVER3  10001    normal  192.168.0.101  6001  ----
4  PSERVER4  10002    dump    192.168.0.102  6001  ----

<virtual server>

No.1 server name : PSERVER1

#  name        address  status  IP address     port  pair#
1  v_system01  10011    normal  192.168.0.111  6002  10021
2  v_system02  10012    normal  192.168.0.112  6002  10022
3  v_system03  10013    normal  192.168.0.113  6002  10023
4  v_system04  10014    normal  192.168.0.114  6002  ----
`;

const pdu = (addr: string) => ({ addr, model: "IBM_PDU", firmware: "v01_03_08", link: "OK" });
const outlets = (pm: string, a: string, b: string) => [
  { outlet: 1, status: "Enable", pm, server: a },
  { outlet: 10, status: "Enable", pm, server: b },
];
const IPDU = {
  pdus: ["192.168.1.101", "192.168.1.102", "192.168.1.103", "192.168.1.104"].map(pdu),
  status: [
    { addr: "192.168.1.101", key: "192.168.1.101", link: "OK", outlets: outlets("M", "HACON1", "HACON2") },
    { addr: "192.168.1.102", key: "192.168.1.102", link: "OK", outlets: outlets("M", "HACON1", "HACON2") },
    {
      addr: "192.168.1.103",
      key: "192.168.1.103",
      link: "OK",
      outlets: outlets("P", "PSERVER1", "PSERVER1"),
    },
  ],
};

// The manual's example stops after No.3; its <ipdu> table keeps the source's spacing.
const MANUAL_IPDU = `-- HA monitor connector ipdu status --

<ipdu>

# ipdu addr      model          FW version    link
1 192.168.1.101  IBM_PDU       v01_03_08    OK
2 192.168.1.102  IBM_PDU       v01_03_08    OK
3 192.168.1.103  IBM_PDU       v01_03_08    OK
4 192.168.1.104  IBM_PDU       v01_03_08    OK

<ipdu status>

No.1 192.168.1.101

Con#  status  P/M  server name
1     Enable  M    HACON1
10    Enable  M    HACON2

No.2 192.168.1.102

Con#  status  P/M  server name
1     Enable  M    HACON1
10    Enable  M    HACON2

No.3 192.168.1.103

Con#  status  P/M  server name
1     Enable  P    PSERVER1
10    Enable  P    PSERVER1
`;

let etc: Awaited<ReturnType<typeof tempDir>>;
let daemon: FakeDaemon;
const show = (line: string, env: Record<string, string> = { HACONN_RUN_DIR: daemon.runDir }) =>
  run(main, words(line), { etcDir: etc.dir, env });

beforeAll(async () => {
  etc = await tempDir("haconn-show-status-");
  daemon = await startFakeDaemon({
    status: () => STATUS,
    hamonitor: (args) =>
      args.name === undefined
        ? HAMONITOR
        : { ...HAMONITOR, virtual: HAMONITOR.virtual.filter((v) => v.server === args.name) },
    ipdu: (args) =>
      args.addr === undefined ? IPDU : { ...IPDU, status: IPDU.status.filter((s) => s.addr === args.addr) },
  });
});
afterAll(async () => {
  await daemon.stop();
  await etc.remove();
});
afterEach(() => {
  daemon.calls.length = 0;
});

describe("haconnshow status displays (manual §6.6.4-6.6.6)", () => {
  it("prints status as the manual's example", async () => {
    const r = await show("status");
    expect(r).toEqual({ code: 0, stdout: MANUAL_STATUS, stderr: "" });
    expect(daemon.calls).toEqual([{ op: "status", args: {} }]);
  });

  it("prints hamonitor as the manual's example, and passes name=", async () => {
    expect(await show("hamonitor")).toEqual({ code: 0, stdout: MANUAL_HAMONITOR, stderr: "" });
    const one = await show("hamonitor name=PSERVER2");
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/<virtual server>\n$/);
    expect(daemon.calls.at(-1)).toEqual({ op: "hamonitor", args: { name: "PSERVER2" } });
  });

  it("prints ipdu as the manual's example, and numbers a PDU chosen by addr= as in <ipdu>", async () => {
    expect(await show("ipdu")).toEqual({ code: 0, stdout: MANUAL_IPDU, stderr: "" });
    const one = await show("ipdu addr=192.168.1.102");
    expect(one.stdout).toContain("<ipdu status>\n\nNo.2 192.168.1.102\n\nCon#  status  P/M  server name\n1 ");
    expect(one.stdout).not.toContain("No.1");
    expect(daemon.calls.at(-1)).toEqual({ op: "ipdu", args: { addr: "192.168.1.102" } });
  });

  it("prints placeholders for fields the daemon left out", async () => {
    const d = await startFakeDaemon({
      status: () => ({ mservers: [{ name: "HACON1", addr: "127.0.1.1" }], servers: [{ name: "PSERVER1" }] }),
      ipdu: () => ({
        pdus: [{ addr: "127.0.3.1" }],
        status: [{ addr: "127.0.3.1", outlets: [{ outlet: 3 }] }],
      }),
    });
    try {
      const s = await show("status", { HACONN_RUN_DIR: d.runDir });
      expect(s.stdout).toContain("link status : --\n");
      expect(s.stdout).toContain("1  HACON1  127.0.1.1   ---      --      --   --\n");
      expect(s.stdout).toContain("1  PSERVER1  --     --   --    --\n");
      const i = await show("ipdu", { HACONN_RUN_DIR: d.runDir });
      expect(i.stdout).toContain("1 127.0.3.1      --            --           --\n");
      expect(i.stdout).toContain("3     --      --   --\n");
    } finally {
      await d.stop();
    }
  });

  it.each(["status", "hamonitor", "hamonitor name=PSERVER1", "ipdu", "ipdu addr=192.168.1.101"])(
    "%s --json prints the op's result",
    async (line) => {
      const r = await show(`${line} --json`);
      expect(r.code).toBe(0);
      const op = line.split(" ")[0] as "status" | "hamonitor" | "ipdu";
      const expected = { status: STATUS, hamonitor: HAMONITOR, ipdu: IPDU }[op];
      const result = JSON.parse(r.stdout);
      if (line === "status" || line === "hamonitor" || line === "ipdu")
        expect(result).toEqual(withNulls(expected));
      else expect(result).toHaveProperty(op === "ipdu" ? "pdus" : "physical");
      expect(r.stdout).not.toMatch(/"-{2,4}"/);
    },
  );

  it("status --json says it as JSON when haconnd is not running (exit 3)", async () => {
    const r = await show("status --json", { HACONN_RUN_DIR: join(etc.dir, "no-run-dir") });
    expect(r).toMatchObject({ code: 3, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: "NOT_RUNNING", message: "HA connector service is not processing." },
    });
  });

  it.each(["status", "hamonitor", "ipdu"])(
    "%s says only that the service is not processing when haconnd is not running (exit 3)",
    async (line) => {
      const r = await show(line, { HACONN_RUN_DIR: join(etc.dir, "no-run-dir") });
      expect(r).toEqual({ code: 3, stdout: "HA connector service is not processing.\n", stderr: "" });
    },
  );

  it.each([
    ["hamonitor name=PSERVER_1", /^haconnshow: name: "PSERVER_1" is not a server name/],
    ["hamonitor PSERVER1", /^haconnshow: "PSERVER1": expected key=value/],
    ["hamonitor server=PSERVER1", /^haconnshow: server: unknown argument/],
    ["ipdu addr=192.168.1", /^haconnshow: addr: /],
    ["status name=x", /^haconnshow: name=x: unknown argument \(status takes none\)/],
  ])("rejects %s naming the argument, exit 1, nothing sent", async (line, message) => {
    const r = await show(line);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(daemon.calls).toEqual([]);
  });

  it("maps haconnd's refusals to messages and exit statuses", async () => {
    const d = await startFakeDaemon({
      status: () => {
        throw new HaconnError("NOT_ACTIVE", "this node is the standby");
      },
      hamonitor: () => {
        throw new HaconnError("STATE_UNAVAILABLE", "the state is not loaded yet");
      },
    });
    try {
      const env = { HACONN_RUN_DIR: d.runDir };
      const s = await show("status", env);
      expect(s.code).toBe(4);
      expect(s.stderr).toBe(
        "haconnshow: This command can be run only on the active connector. (haconnd: this node is the standby)\n",
      );
      const h = await show("hamonitor", env);
      expect(h).toMatchObject({ code: 2, stderr: "haconnshow: the state is not loaded yet\n" });
      const i = await show("ipdu", env);
      expect(i.code).toBe(2);
      expect(i.stderr).toMatch(/haconnd does not support this command/);
    } finally {
      await d.stop();
    }
  });

  it.each(["status --help", "hamonitor --help", "ipdu --help"])("haconnshow %s", async (line) => {
    const r = await show(line);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: haconnshow/);
    expect(r.stdout).toContain("HA connector service is not processing.");
  });
});
