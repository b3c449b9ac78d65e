import { afterEach, describe, expect, it } from "vitest";
import { HamonSimFakeConnector } from "../hamon-sim/fake-connector.js";
import { HamonSimMonitor } from "../hamon-sim/monitor.js";
import { dumpSimSendFenceKdump, dumpSimSendNotice } from "./notice.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe("dump-sim", () => {
  it("sends DUMP-NOTICE until acknowledged; the connector knows registered systems", async () => {
    const c = await HamonSimFakeConnector.start();
    cleanup.push(() => c.stop());
    const m = await HamonSimMonitor.start({
      subsystem: 10001,
      systemName: "PSERVER3",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
    });
    cleanup.push(() => m.stop());
    await m.check();
    const lines: string[] = [];
    const known = await dumpSimSendNotice({
      connector: c.endpoint,
      subsystem: 10001,
      clusterPort: m.replyPort,
      systemName: "PSERVER3",
      log: (l) => lines.push(l),
      dumpMs: 1000,
      intervalMs: 100,
    });
    // Notifier rule 2: `recorded` (no reset in progress) does not stop it; it repeats while the
    // dump runs, so a reset that reaches its software-reset phase later still hears it.
    expect(known.sends).toBeGreaterThanOrEqual(5);
    expect(known.ack).toMatchObject({ subsystem: 10001, status: "recorded" });
    expect(lines.some((l) => / dump\[10001\] -> .* DUMP-NOTICE /.test(l))).toBe(true);
    expect(lines.some((l) => / dump\[10001\] <- .* DUMP-ACK /.test(l))).toBe(true);
    const unknown = await dumpSimSendNotice({
      connector: c.endpoint,
      subsystem: 4242,
      dumpMs: 300,
      intervalMs: 100,
    });
    expect(unknown.ack?.status).toBe("unknownSystem");
  });

  it("gives up after maxSends when nobody answers", async () => {
    const c = await HamonSimFakeConnector.start();
    const silent = c.endpoint;
    await c.stop();
    const o = await dumpSimSendNotice({ connector: silent, subsystem: 1, maxSends: 3, intervalMs: 50 });
    expect(o).toMatchObject({ sends: 3 });
    expect(o.ack).toBeUndefined();
  });

  it("sends the fence_kdump form, recognised by the connector's kdump listener", async () => {
    const c = await HamonSimFakeConnector.start({ kdumpBind: { address: "127.0.0.1", port: 0 } });
    cleanup.push(() => c.stop());
    const sent = await dumpSimSendFenceKdump({
      target: c.kdumpEndpoint!,
      count: 2,
      intervalMs: 10,
      bind: { address: "127.0.0.23", port: 0 },
    });
    expect(sent).toBe(2);
    const start = Date.now();
    while (c.kdumpNotices.length < 2 && Date.now() - start < 5000)
      await new Promise((r) => setTimeout(r, 20));
    expect(c.kdumpNotices.map((n) => n.address)).toEqual(["127.0.0.23", "127.0.0.23"]);
  });
});
