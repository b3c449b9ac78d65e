import { describe, expect, it } from "vitest";
import { parseCorosyncNodelist, parseHostMap, registrationLive, resolveTarget } from "./local-state.js";

const CONF = `totem {
  version: 2
}
nodelist {
  node {
    name: pn1
    nodeid: 1
    ring0_addr: 10.81.4.1
  }
  # a comment
  node {
    ring0_addr: 10.81.4.2
    nodeid: 7
    name: pn2
  }
}
quorum {
  provider: corosync_votequorum
}
`;

describe("local state of a Pacemaker node", () => {
  it("reads the corosync nodelist (nodeid = haconn subsystem number)", () => {
    expect(parseCorosyncNodelist(CONF)).toEqual([
      { name: "pn1", nodeid: 1 },
      { name: "pn2", nodeid: 7 },
    ]);
  });

  it("parses pcmk_host_map syntax", () => {
    expect([...parseHostMap("pn1:SYS1;pn2:SYS2, pn3:SYS3")]).toEqual([
      ["pn1", "SYS1"],
      ["pn2", "SYS2"],
      ["pn3", "SYS3"],
    ]);
    expect(() => parseHostMap("pn1")).toThrow(/not node:system/);
  });

  it("resolves the target from the node name Pacemaker passes, else from the plug", () => {
    const nodes = parseCorosyncNodelist(CONF);
    expect(resolveTarget("SYS2", "pn2", nodes)).toEqual({ system: "SYS2", subsystem: 7, node: "pn2" });
    expect(resolveTarget("pn1", undefined, nodes)).toEqual({ system: "pn1", subsystem: 1, node: "pn1" });
    expect(() => resolveTarget("SYS9", "pn9", nodes)).toThrow(/not in the corosync nodelist/);
  });

  it("a registration is live for 3 check periods after the last reply", () => {
    const s = { intervalSec: 2, lastReply: { atMs: 10_000 } } as Parameters<typeof registrationLive>[0];
    expect(registrationLive(s, 16_000)).toBe(true);
    expect(registrationLive(s, 17_500)).toBe(false);
    expect(registrationLive({ ...s, lastReply: null }, 10_000)).toBe(false);
  });
});
