import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";
import { hamonitorView, ipduView, serverStatusView } from "./views.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("display views", () => {
  it("hamonitor, status and ipdu rows from the state", async () => {
    const config = buildConfig({
      servers: [
        { name: "PSERVER1", cluster: true, ipdusd: true, outlets: [["127.0.3.1", 10]] },
        { name: "PSERVER2" },
        { name: "VHOST1", virtual: true, cluster: true },
      ],
      pdus: ["127.0.3.1"],
    });
    const h = new EngineHarness(config, { start: true });
    harnesses.push(h);
    h.check(10001, "PSERVER1");
    h.check(10011, "VHOST1", { vmName: "vsys1", pair: 10012, port: 6002 });
    h.check(10012, "VHOST1", { vmName: "vsys2", port: 6002 });
    h.reset(10012, 10011, "VHOST1", 1, { port: 6002 });
    await h.clock.advance(1000);
    const view = hamonitorView(config, h.state.shared);
    expect(view.physical).toEqual([
      {
        name: "PSERVER1",
        address: "10001",
        status: "normal",
        ipAddress: "127.0.0.101",
        port: "6001",
        pair: "----",
      },
      { name: "PSERVER2", address: "----", status: "----", ipAddress: "----", port: "----", pair: "----" },
      { name: "VHOST1", address: "----", status: "----", ipAddress: "----", port: "----", pair: "----" },
    ]);
    expect(view.virtual[0]?.guests.map((g) => [g.name, g.status, g.pair])).toEqual([
      ["vsys1", "reset", "10012"],
      ["vsys2", "normal", "----"],
    ]);
    expect(serverStatusView(config, h.state.shared)).toEqual([
      { name: "PSERVER1", power: "pon", bmc: "OK", ipdu: "OK", vmware: "--" },
      { name: "PSERVER2", power: "pon", bmc: "OK", ipdu: "--", vmware: "--" },
      { name: "VHOST1", power: "pon", bmc: "OK", ipdu: "--", vmware: "OK" },
    ]);
    expect(ipduView(config, h.state.shared)).toEqual([
      {
        addr: "127.0.3.1",
        key: "127.0.3.1",
        link: "OK",
        outlets: [{ outlet: 10, status: "Enable", pm: "P", server: "PSERVER1" }],
      },
    ]);
  });
});
