// Against real `ip` and `arping` in two network namespaces this test creates (addresses exist
// only inside them).
import { type ChildProcess, spawn } from "node:child_process";
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

  // Guard (issue 19): a takeover from a prepared standby starts no process; a dead helper falls
  // back to the plain way, counted.
  /** A manager in namespace a whose process starts are counted (`started`). */
  function counted(addr: string): { m: VipManager; started: ChildProcess[] } {
    const started: ChildProcess[] = [];
    const wrapped = ((command: string, args: readonly string[], options: object) => {
      const c = spawn(command, args, options);
      started.push(c);
      return c;
    }) as typeof spawn;
    const m = new VipManager({
      addr,
      prefixLength: 24,
      prefix: ["ip", "netns", "exec", lab.name("a")],
      spawn: wrapped,
    });
    return { m, started };
  }

  it("after prepare(), acquire() adds and announces the VIP through the armed helpers: no process started", async () => {
    const { m: e, started } = counted("10.77.0.102");
    await e.prepare();
    expect(e.armed).toBe(true);
    const before = started.length;
    await e.acquire();
    await e.announced;
    expect(started.length - before).toBe(0);
    expect(e.stats).toEqual({ armedRuns: 2, processStarts: 0 });
    await expect(e.held()).resolves.toBe(true);
    await expect(b.inUseElsewhere()).resolves.toBe(false); // b's probe is for 10.77.0.100
    await e.release();
    await e.prepare(); // armed again for the next takeover
    expect(e.armed).toBe(true);
    e.disarm();
    expect(e.armed).toBe(false);
  });

  it("with its helpers dead, acquire() runs the commands the plain way (counted) and still adds the VIP", async () => {
    const { m: f, started } = counted("10.77.0.103");
    await f.prepare();
    const helpers = started.slice(-2);
    for (const h of helpers) h.kill("SIGKILL");
    await Promise.all(
      helpers.map(
        (h) => new Promise((r) => ((h.exitCode ?? h.signalCode) !== null ? r(0) : h.once("exit", r))),
      ),
    );
    await f.acquire();
    await f.announced;
    expect(f.stats).toEqual({ armedRuns: 0, processStarts: 2 });
    await expect(f.held()).resolves.toBe(true);
    f.disarm();
    await f.release();
  });
});
