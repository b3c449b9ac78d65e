// The lab's Pacemaker cluster itself (tools/lab/src/pacemaker): three real nodes come up, elect
// a DC and run a Dummy resource; tearDown leaves no process, namespace or mount behind.

import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { NetnsLab, netnsAvailable } from "../netns/index.js";
import { PacemakerCluster } from "../pacemaker/cluster.js";
import { ocfPrimitive } from "../pacemaker/files.js";
import { REPO } from "./harness.js";

const HAVE =
  netnsAvailable() &&
  (() => {
    try {
      execFileSync("which", ["corosync", "pacemakerd", "crm_mon"]);
      return true;
    } catch {
      return false;
    }
  })();

describe.skipIf(!HAVE)("lab Pacemaker cluster", () => {
  const lab = new NetnsLab("hpcc");
  let cluster: PacemakerCluster | undefined;

  afterAll(async () => {
    await cluster?.tearDown();
    lab.destroy();
  });

  it("three nodes come up with a DC and a Dummy started, within a bound", async () => {
    NetnsLab.cleanupLeftovers(lab.prefix);
    const sw = lab.add("sw");
    cluster = new PacemakerCluster({
      lab,
      switchNs: sw,
      nodes: ["pn1", "pn2", "pn3"],
      cluster: { bridge: "br-cl", ifName: "cl0", net: "10.81.4", hostBase: 1 },
      nets: [],
      repo: REPO,
      cib: {
        properties: { "stonith-enabled": "false", "dc-deadtime": "5s", "startup-fencing": "false" },
        resources: ocfPrimitive("dummy", "pacemaker", "Dummy", {}, [
          { name: "monitor", interval: "10s", timeout: "20s" },
        ]),
      },
    });
    cluster.setUp();
    const t0 = Date.now();
    await cluster.startAll();
    const s = await cluster.waitReady("pn1", ["pn1", "pn2", "pn3"], ["dummy"]);
    console.log(`ready in ${Date.now() - t0} ms`, JSON.stringify(s));
    expect(s.online.sort()).toEqual(["pn1", "pn2", "pn3"]);
  }, 90_000);
});
