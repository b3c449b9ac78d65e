// IpmitoolSession's queue with real ipmitool against a UDP socket that never answers (the
// session never reaches its prompt). Ordering and the reset path against ipmi_sim:
// tools/lab/src/ipmi-sim/bmc-reset-path.test.ts.
import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmitoolSession } from "./ipmitool-session.js";

describe("IpmitoolSession queue", () => {
  let blackHole: Socket;
  beforeAll(async () => {
    blackHole = createSocket("udp4");
    blackHole.on("message", () => undefined);
    await new Promise<void>((resolve) => blackHole.bind(0, "127.0.0.1", () => resolve()));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  const session = (onStart?: () => void) =>
    new IpmitoolSession({
      file: "ipmitool",
      args: [
        "-I",
        "lanplus",
        "-H",
        "127.0.0.1",
        "-p",
        String(blackHole.address().port),
        "-U",
        "admin",
        "-E",
      ].concat(["-C", "3", "-N", "5", "-R", "5"]),
      env: { PATH: "/usr/bin:/bin", IPMI_PASSWORD: "not-a-real-pw1" },
      idleMs: 60_000,
      ...(onStart ? { onStart } : {}),
    });

  it("a call still queued at its deadline is dropped unsent, at its deadline, not behind the call ahead", async () => {
    let starts = 0;
    const s = session(() => starts++);
    try {
      const opening = s.open(3000); // never reaches the prompt: occupies the queue for 3 s
      const t0 = performance.now();
      const r = await s.run("nmi", 300, undefined, { urgent: true });
      const waited = performance.now() - t0;
      expect(r.killed).toBe("deadline");
      expect(waited).toBeGreaterThanOrEqual(290);
      expect(waited).toBeLessThan(2500);
      expect(starts).toBe(1); // the dropped call started nothing of its own
      expect(await opening).toBe(false);
    } finally {
      await s.close();
    }
  });

  it("an abort while queued drops the call at once", async () => {
    const s = session();
    try {
      const opening = s.open(2000);
      const abort = new AbortController();
      const call = s.run("reset", 10_000, abort.signal, { urgent: true });
      setTimeout(() => abort.abort(), 100);
      expect((await call).killed).toBe("aborted");
      expect(await opening).toBe(false);
    } finally {
      await s.close();
    }
  });
});
