import { describe, expect, it } from "vitest";
import {
  describeNetns,
  labId,
  labIdOfNamespace,
  loopbackTopology,
  monitorAddress,
  netnsNames,
  netnsPlan,
  netnsTopology,
  nodeAddresses,
} from "./pair-topology.js";
import { setupCommands } from "./setup-commands.js";
import type { SimsInfo } from "./sims-info.js";
import { LAB_CLUSTERS, LAB_SYSTEMS, labBmcs } from "./topology.js";

describe("the pair's topology", () => {
  it("names the namespaces of a lab after its directory: stable, distinct, recognisable", () => {
    expect(labId("/tmp/haconn-lab")).toBe(labId("/tmp/haconn-lab"));
    expect(labId("/tmp/haconn-lab")).not.toBe(labId("/tmp/haconn-demo.x1"));
    const n = netnsNames("/tmp/haconn-lab");
    expect(n.prefix).toMatch(/^hcl-[0-9a-f]{6}$/);
    expect(n.nodes).toEqual({ HACON1: `${n.prefix}-n1`, HACON2: `${n.prefix}-n2` });
    expect(n.lab).toBe(`${n.prefix}-lab`);
    expect(labIdOfNamespace(n.nodes.HACON2)).toBe(labId("/tmp/haconn-lab"));
    expect(labIdOfNamespace("hp123-sw")).toBeUndefined();
    expect(labIdOfNamespace("hcl-probe")).toBeUndefined();
  });

  it("netns: a real VIP on the reset-path LAN, a duplex LAN of its own, the simulators on the management LAN", () => {
    const t = netnsTopology("/tmp/x", LAB_CLUSTERS);
    expect(t.vipMode).toBe("ip");
    expect(t.resetPath).toEqual({ addr: "10.78.1.100", prefixLength: 24, port: 30000 });
    expect(t.duplex.HACON1).toEqual({ addr: "10.78.3.1", port: 5002 });
    expect(t.duplex.HACON2).toEqual({ addr: "10.78.3.2", port: 5002 });
    expect(t.simsAddress).toBe("10.78.2.10");
    expect(Object.keys(t.clusterPorts)).toEqual([...LAB_CLUSTERS]);
    expect(new Set(Object.values(t.clusterPorts)).size).toBe(LAB_CLUSTERS.length);
    expect(nodeAddresses("HACON2")).toEqual({ rp: "10.78.1.2", mg: "10.78.2.2", dx: "10.78.3.2" });
    // Each HA monitor keeps its host number, on the reset-path LAN; never the VIP or a node's address.
    const addrs = LAB_SYSTEMS.map((s) => monitorAddress(t, s));
    expect(addrs[0]).toBe("10.78.1.11");
    expect(new Set(addrs).size).toBe(LAB_SYSTEMS.length);
    for (const a of addrs) expect(["10.78.1.100", "10.78.1.1", "10.78.1.2"]).not.toContain(a);
  });

  it("loopback: no VIP, everything on 127.0.0.0/8, monitors on their own loopback addresses", () => {
    const t = loopbackTopology({ resetPath: 40000, duplex: 40001, clusters: { mutual: 40002 } });
    expect(t.vipMode).toBe("none");
    expect(t.netns).toBeUndefined();
    for (const a of [t.resetPath.addr, t.duplex.HACON1.addr, t.duplex.HACON2.addr, t.simsAddress])
      expect(a).toMatch(/^127\./);
    expect(monitorAddress(t, LAB_SYSTEMS[0]!)).toBe(LAB_SYSTEMS[0]!.address);
    expect(netnsPlan(t, LAB_SYSTEMS)).toEqual([]);
    expect(describeNetns(t)).toEqual([]);
  });

  it("plans three namespaces, two bridges in the lab's, each node on both, and the duplex veth", () => {
    const t = netnsTopology("/tmp/x", LAB_CLUSTERS);
    const n = t.netns!;
    const plan = netnsPlan(t, LAB_SYSTEMS);
    expect(plan.filter((s) => s.op === "namespace").map((s) => s.ns)).toEqual([
      n.lab,
      n.nodes.HACON1,
      n.nodes.HACON2,
    ]);
    const bridges = plan.filter((s) => s.op === "bridge");
    expect(bridges.map((b) => b.op === "bridge" && b.bridge)).toEqual(["br-rp", "br-mg"]);
    const rp = bridges[0]!;
    expect(rp.op === "bridge" && rp.addrs).toContain("10.78.1.11/24");
    expect(rp.op === "bridge" && rp.addrs).toHaveLength(LAB_SYSTEMS.length);
    const attaches = plan.filter((s) => s.op === "attach");
    expect(attaches).toHaveLength(4);
    expect(attaches).toContainEqual({
      op: "attach",
      switchNs: n.lab,
      bridge: "br-rp",
      ns: n.nodes.HACON1,
      ifName: "rp0",
      addr: "10.78.1.1/24",
    });
    // The duplex LAN is a direct veth between the two nodes: the lab namespace is not on it.
    expect(plan.at(-1)).toEqual({
      op: "link",
      a: n.nodes.HACON1,
      b: n.nodes.HACON2,
      ifA: "dx0",
      ifB: "dx0",
      addrA: "10.78.3.1/24",
      addrB: "10.78.3.2/24",
    });
    // The VIP is never configured by the plan: the active adds it.
    expect(JSON.stringify(plan)).not.toContain("10.78.1.100");
  });

  it("configures both management servers with their iLO and duplex address, the reset path on the VIP", () => {
    const t = netnsTopology("/tmp/x", LAB_CLUSTERS);
    const sims: SimsInfo = {
      supervisorPid: 1,
      bmcs: Object.fromEntries(
        labBmcs().map((b, i) => [
          b.name,
          { addr: t.simsAddress, port: 9000 + i, pid: 1, dir: "/d", account: "admin", nmi: b.nmi },
        ]),
      ),
      pdu: { address: t.simsAddress, port: 161, firmware: "x" },
      esxi: { address: t.simsAddress, port: 22, fingerprint: "SHA256:x", user: "root" },
    };
    const lines = setupCommands(sims, t).map((c) => c.args.join(" "));
    expect(lines[0]).toBe("resetpath addr=10.78.1.100/24 port=30000");
    expect(lines).toContain("mserver add HACON1 addr=10.78.2.10:9000 account=admin cipher=3");
    expect(lines).toContain("mlan HACON1 addr=10.78.3.1 port=5002");
    expect(lines).toContain("mlan HACON2 addr=10.78.3.2 port=5002");
    expect(lines.indexOf("mlan HACON2 addr=10.78.3.2 port=5002")).toBeGreaterThan(
      lines.findIndex((l) => l.startsWith("mserver add HACON2")),
    );
    expect(lines.some((l) => /password|community=/.test(l))).toBe(false);
  });
});
