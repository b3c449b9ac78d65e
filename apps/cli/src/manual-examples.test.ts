// The manual's configuration examples (§6.6.1-6.6.3), entered with haconnsetup, must make
// haconnshow print the manual's displays. The 192.168.x addresses are data only: every
// command runs with check=off (mserver) and nothing contacts any device.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as setup } from "./setup/program.js";
import { main as show } from "./show/program.js";
import { run, tempDir, words } from "./testing/run.js";

const PASSWORD = "Hitachi!1";

const COMMANDS = [
  "resetpath addr=192.168.0.1/24 port=30000",
  "mserver add HACON1 addr=192.168.1.11 account=hitachi ipdusd=on timeout=5 check=off",
  "mserver add HACON2 addr=192.168.1.12 account=hitachi ipdusd=on timeout=5 check=off",
  "mlan HACON1 addr=192.168.2.1 port=5002",
  "mlan HACON2 addr=192.168.2.2 port=5002",
  "pserver add PSERVER1 addr=192.168.1.51 account=hitachi ipdusd=on timeout=5 recoverytime=10 cluster=on",
  "pserver add PSERVER2 addr=192.168.1.52 account=hitachi ipdusd=on timeout=10 recoverytime=10 cluster=on",
  "pserver add PSERVER3 addr=192.168.1.53 account=hitachi",
  "pserver add PSERVER4 addr=192.168.1.54 account=hitachi ipdusd=on timeout=10 recoverytime=10 cluster=off",
  "vserver PSERVER1 addr=192.168.0.51 port=22 account=hitachi VMware=Disable",
  "vserver PSERVER2 addr=192.168.0.52 port=22 account=hitachi VMware=Enable",
  "vserver PSERVER3 addr=192.168.0.53 port=22 account=hitachi VMware=Enable",
  "hispeed resettime=2500",
  "snmp name=community1",
  ...[101, 102, 103, 104, 105, 106].map((n) => `ipdu add 192.168.1.${n} model=IBM_PDU`),
  "mserver ipduadd HACON1 addr=192.168.1.101 concent=1",
  "mserver ipduadd HACON1 addr=192.168.1.102 concent=1",
  "mserver ipduadd HACON2 addr=192.168.1.101 concent=10",
  "mserver ipduadd HACON2 addr=192.168.1.102 concent=10",
  ...["PSERVER1 103 104", "PSERVER2 105 106"].flatMap((spec) => {
    const [name, a, b] = spec.split(" ");
    return [`${a}/1`, `${a}/10`, `${b}/1`, `${b}/10`].map((x) => {
      const [pdu, outlet] = x.split("/");
      return `pserver ipduadd ${name} addr=192.168.1.${pdu} concent=${outlet}`;
    });
  }),
];

// manual-digest §6.6.1 (the manual's tab-separated columns laid out two spaces apart)
const SETTING = `-- HA monitor connector service setting --

<mode>
2:server duplication

<resetpath>
addr:192.168.0.1 mask:255.255.255.0 port number:30000

<physical server>
#  name      bmc addr      account  ipdusd  timeout  rc time  cluster
1  PSERVER1  192.168.1.51  hitachi  on      5        10       on
2  PSERVER2  192.168.1.52  hitachi  on      10       10       on
3  PSERVER3  192.168.1.53  hitachi  off     --       --       off
4  PSERVER4  192.168.1.54  hitachi  on      10       10       off

<virtual server>
#  name      VMware addr   port  account  VMware
1  PSERVER1  192.168.0.51  22    hitachi  Disable
2  PSERVER2  192.168.0.52  22    hitachi  Enable
3  PSERVER3  192.168.0.53  22    hitachi  Enable
4  PSERVER4  ----          ----  ----     Disable

<hispeed failover>
status :on
resetime: 2500 msec
`;

// haconn's extension after the manual's layout (docs/security.md): the reset-path key that
// `haconnsetup resetpath` created, and the fence_kdump listener (off unless configured).
const SETTING_SECURITY = `
<resetpath authentication>
key file:present (key ids 1, send 1)
authentication:required (signed frames only)

<fence_kdump>
status :off
`;

// manual-digest §6.6.2
const MSERVERSETTING = `-- HA monitor connector management server setting --

<management server>
#  name    bmc addr      account  ipdusd  timeout
1  HACON1  192.168.1.11  hitachi  on      5
2  HACON2  192.168.1.12  hitachi  on      5

<management LAN>
#  name    LAN addr     port
1  HACON1  192.168.2.1  5002
2  HACON2  192.168.2.2  5002
`;

// manual §6.6.3, verbatim (its spacing is original), except that the PDUs .105 and .106 the
// example's PSERVER2 links to are listed under <ipdu>: links to unregistered PDUs are refused.
const IPDUSETTING = `-- HA monitor connector ipdu setting --

<ipdu>

SNMP Community : xxxxxxxx

# ipdu addr      model
1 192.168.1.101  IBM_PDU
2 192.168.1.102  IBM_PDU
3 192.168.1.103  IBM_PDU
4 192.168.1.104  IBM_PDU
5 192.168.1.105  IBM_PDU
6 192.168.1.106  IBM_PDU

<management server>

# name           ipdu addr      con#   ipdu addr      con#
1 HACON1         192.168.1.101  1      192.168.1.102  1
2 HACON2         192.168.1.101  10     192.168.1.102  10

<physical server>

# name           ipdu addr      con#   ipdu addr      con#
1 PSERVER1       192.168.1.103  1      192.168.1.103  10
                  192.168.1.104  1      192.168.1.104  10
2 PSERVER2       192.168.1.105  1      192.168.1.105  10
                  192.168.1.106  1      192.168.1.106  10
`;

describe("the manual's examples", () => {
  let etc: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    etc = await tempDir("haconn-manual-");
    for (const command of COMMANDS) {
      const result = await run(setup, words(command), { etcDir: etc.dir, stdin: `${PASSWORD}\n` });
      expect(result, command).toMatchObject({ code: 0 });
      expect(result.stderr, command).toMatch(
        /^haconnsetup: (saved .*haconn\.json; a running haconnd uses it after .*|no change: .*)\n$/,
      );
    }
  });
  afterAll(() => etc.remove());

  it("haconnshow setting prints §6.6.1", async () => {
    expect(await run(show, ["setting"], { etcDir: etc.dir })).toEqual({
      code: 0,
      stdout: SETTING + SETTING_SECURITY,
      stderr: "",
    });
  });

  it("haconnshow mserversetting prints §6.6.2", async () => {
    expect((await run(show, ["mserversetting"], { etcDir: etc.dir })).stdout).toBe(MSERVERSETTING);
  });

  it("haconnshow ipdusetting prints §6.6.3 with the community masked", async () => {
    const result = await run(show, ["ipdusetting"], { etcDir: etc.dir });
    expect(result.stdout).toBe(IPDUSETTING);
    expect(result.stdout).not.toContain("community1");
  });

  it("--json gives the same facts without secrets", async () => {
    for (const command of ["setting", "mserversetting", "ipdusetting"]) {
      const result = await run(show, [command, "--json"], { etcDir: etc.dir });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(PASSWORD);
      expect(result.stdout).not.toContain("community1");
      expect(() => JSON.parse(result.stdout)).not.toThrow();
    }
    const setting = JSON.parse((await run(show, ["setting", "--json"], { etcDir: etc.dir })).stdout);
    expect(setting.resetpath).toEqual({
      addr: "192.168.0.1",
      mask: "255.255.255.0",
      prefixLength: 24,
      port: 30000,
    });
    expect(setting.pservers[3]).toMatchObject({
      name: "PSERVER4",
      ipdusd: true,
      timeoutSec: 10,
      cluster: false,
    });
    expect(setting.vservers[3]).toMatchObject({ name: "PSERVER4", addr: null, enabled: false });
    const ipdu = JSON.parse((await run(show, ["ipdusetting", "--json"], { etcDir: etc.dir })).stdout);
    expect(ipdu.snmpCommunitySet).toBe(true);
    expect(ipdu.pservers[0].outlets).toHaveLength(4);
  });

  it("prints the placeholders of an empty configuration", async () => {
    const empty = await tempDir("haconn-empty-");
    try {
      const setting = (await run(show, ["setting"], { etcDir: empty.dir })).stdout;
      expect(setting).toContain("addr:---- mask:---- port number:----");
      expect(setting).toContain("status :off\nresetime: ----\n");
      expect((await run(show, ["ipdusetting"], { etcDir: empty.dir })).stdout).toContain(
        "SNMP Community : ----",
      );
    } finally {
      await empty.remove();
    }
  });
});
