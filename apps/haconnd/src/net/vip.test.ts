// Against real `ip` and `arping` in two network namespaces this test creates (addresses exist
// only inside them).
import { NetnsLab, netnsAvailable } from "@haconn/lab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VipManager } from "./vip.js";

const canNetns = netnsAvailable();

describe.skipIf(!canNetns)("VipManager in network namespaces", () => {
  const lab = new NetnsLab(`hvip${process.pid % 10000}`);
  let a: VipManager;
  let b: VipManager;
  const vip = "10.77.0.100";

  beforeAll(() => {
    NetnsLab.cleanupLeftovers(lab.prefix);
    const nsA = lab.add("a");
    const nsB = lab.add("b");
    lab.link({ a: nsA, b: nsB, ifA: "rp0", ifB: "rp0", addrA: "10.77.0.1/24", addrB: "10.77.0.2/24" });
    a = new VipManager({ addr: vip, prefixLength: 24, prefix: ["ip", "netns", "exec", nsA] });
    b = new VipManager({ addr: vip, prefixLength: 24, prefix: ["ip", "netns", "exec", nsB] });
  });
  afterAll(() => lab.destroy());

  it("finds the interface of the physical reset-path address", async () => {
    await expect(a.interface()).resolves.toBe("rp0");
  });

  it("acquire adds the VIP once, the other host sees it in use, release removes it", async () => {
    await expect(b.inUseElsewhere()).resolves.toBe(false);
    await a.acquire();
    await a.acquire(); // idempotent
    await expect(a.held()).resolves.toBe(true);
    const shown = lab.exec(lab.name("a"), ["ip", "-4", "-o", "addr", "show", "dev", "rp0"]);
    expect(shown.match(/10\.77\.0\.100/g)).toHaveLength(1);
    await expect(b.inUseElsewhere()).resolves.toBe(true);
    await a.release();
    await a.release(); // idempotent
    await expect(a.held()).resolves.toBe(false);
    await expect(b.inUseElsewhere()).resolves.toBe(false);
  });

  it("refuses with a clear error when no interface is in the VIP's subnet", async () => {
    const c = new VipManager({
      addr: "10.78.0.100",
      prefixLength: 24,
      prefix: ["ip", "netns", "exec", lab.name("a")],
    });
    await expect(c.prepare()).resolves.toBeUndefined(); // a standby's look-ahead never throws
    await expect(c.acquire()).rejects.toMatchObject({ code: "VIP_NO_INTERFACE" });
  });

  it("prepare() finds the interface ahead; acquire() then adds the VIP once, even when held already", async () => {
    const d = new VipManager({
      addr: "10.77.0.101",
      prefixLength: 24,
      prefix: ["ip", "netns", "exec", lab.name("a")],
    });
    await d.prepare();
    await expect(d.interface()).resolves.toBe("rp0");
    await d.acquire();
    await d.acquire();
    const shown = lab.exec(lab.name("a"), ["ip", "-4", "-o", "addr", "show", "dev", "rp0"]);
    expect(shown.match(/10\.77\.0\.101/g)).toHaveLength(1);
    await d.release();
    await expect(d.held()).resolves.toBe(false);
  });
});
