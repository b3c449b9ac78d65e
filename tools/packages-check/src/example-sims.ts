// The lab's simulators the README examples run against, all on 127.0.0.1: OpenIPMI's ipmi_sim
// (with the NMI module) behind real ipmitool, the SNMP PDU agent and the ESXi ssh server. Each
// check() asserts what the example must have done to its simulator, so an example that prints
// the right words but does nothing fails.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "@haconn/config";
import { sampleConfig } from "@haconn/config/test";
import { EsxiSim, IpmiSim, PduSim } from "@haconn/lab";
import { type ExampleConnector, startExampleConnector } from "./example-connector.js";

export interface ExampleSims {
  /** Environment variables for every example (the READMEs document them). */
  env: Record<string, string>;
  /** Asserts the simulator-side effect of a package's example; "" when fine, else what is wrong. */
  check(pkg: string, stdout: string): Promise<string>;
  stop(): Promise<void>;
}

const COMMUNITY = "Ex4mpleCommunity";
const ESXI_PASSWORD = "ex4mple-esxi-pass";
const OUTLET = 3;

/** `withConnector`: also a built haconnd for @haconn/client's example (example-connector.ts). */
export async function startExampleSims(withConnector = false): Promise<ExampleSims> {
  const dir = mkdtempSync(join(tmpdir(), "haconn-examples-"));
  const etc = join(dir, "etc");
  await new ConfigStore(etc).update(() => sampleConfig());
  const digest = (await import("@haconn/config")).resolveConfig(await new ConfigStore(etc).read()).digest;
  const [ipmi, pdu, esxi, connector] = await Promise.all([
    IpmiSim.start({ nmi: true }),
    PduSim.start({ community: COMMUNITY }),
    EsxiSim.start({ guests: [{ name: "vm01" }, { name: "vm02" }], password: ESXI_PASSWORD }),
    withConnector ? startExampleConnector() : Promise.resolve<ExampleConnector | undefined>(undefined),
  ]);
  const bmc = ipmi.settings();
  const env = {
    BMC_ADDR: bmc.addr,
    BMC_PORT: String(bmc.port),
    BMC_USER: bmc.account,
    BMC_PASSWORD: bmc.password,
    BMC_CIPHER: String(bmc.cipher),
    PDU_ADDR: pdu.address,
    PDU_PORT: String(pdu.port),
    PDU_COMMUNITY: COMMUNITY,
    PDU_OUTLET: String(OUTLET),
    ESXI_ADDR: esxi.addr,
    ESXI_PORT: String(esxi.port),
    ESXI_USER: "root",
    ESXI_PASSWORD: ESXI_PASSWORD,
    ESXI_HOST_KEY: esxi.fingerprint,
    ESXI_VM: "vm02",
    HACONN_ETC_DIR: etc,
    ...connector?.env,
  };
  const checks: Record<string, () => Promise<string>> = {
    bmc: async () => {
      const actions = (await ipmi.actions()).map((a) => a.action);
      return actions.includes("nmi") ? "" : `ipmi_sim recorded no nmi: ${actions.join(",")}`;
    },
    ipdu: async () => {
      const state = pdu.outletState(OUTLET);
      if (state !== "off") return `outlet ${OUTLET} is ${state}, not off`;
      pdu.setOutletState(OUTLET, "on"); // ready for the next run
      return "";
    },
    esxi: async () => {
      const resets = esxi.host.events.filter((e) => e.action === "reset").map((e) => e.name);
      return resets.includes("vm02") ? "" : `esxi-sim recorded no reset of vm02: ${resets.join(",")}`;
    },
    client: async () => (connector ? connector.check() : "no connector was started"),
    config: async () => {
      const now = (await import("@haconn/config")).resolveConfig(await new ConfigStore(etc).read()).digest;
      return now === digest ? "" : "the configuration changed";
    },
  };
  return {
    env,
    check: (pkg) => checks[pkg]?.() ?? Promise.resolve(""),
    async stop() {
      await Promise.allSettled([ipmi.stop(), pdu.stop(), esxi.stop(), connector?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
