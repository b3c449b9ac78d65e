// The driver against a server we did not write: OpenSSH sshd on 127.0.0.1, set up like ESXi's
// (keyboard-interactive only), with vim-cmd/vmdumper as scripts (see real-sshd-fixture.ts).
import { isDriverError } from "@haconn/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esxiReason } from "./errors.js";
import { EsxiGuestController } from "./esxi-guest.js";
import { EsxiHost, type EsxiHostOptions } from "./esxi-host.js";
import { MemoryHostKeyStore } from "./host-key-store.js";
import { canRunRealSshd, type RealSshd, startRealSshd } from "./real-sshd-fixture.js";

const available = canRunRealSshd();
let sshd: RealSshd;
const hosts: EsxiHost[] = [];

beforeAll(async () => {
  if (available) sshd = await startRealSshd();
});
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await sshd?.stop();
});

function host(extra: Partial<EsxiHostOptions> = {}): EsxiHost {
  const h = new EsxiHost({
    addr: "127.0.0.1",
    port: sshd.port,
    username: sshd.username,
    password: sshd.password,
    hostKeyStore: new MemoryHostKeyStore(),
    commands: { vimCmd: `${sshd.home}/bin/vim-cmd`, vmdumper: `${sshd.home}/bin/vmdumper` },
    commandTimeoutMs: 15_000,
    connectTimeoutMs: 15_000,
    ...extra,
  });
  hosts.push(h);
  return h;
}

describe.skipIf(!available)("esxi driver against a real OpenSSH sshd", () => {
  it("authenticates by keyboard-interactive, records the key ssh-keygen shows, reads state", async () => {
    const store = new MemoryHostKeyStore();
    const h = host({ hostKeyStore: store });
    const g1 = new EsxiGuestController({ host: h, vmName: "guest1" });
    expect(await g1.status()).toBe("on");
    expect(await new EsxiGuestController({ host: h, vmName: "guest2" }).status()).toBe("off");
    expect(await store.get(h.hostId)).toBe(sshd.fingerprint);
  });

  it("resets and sends an NMI through the world id", async () => {
    const h = host({ hostKey: sshd.fingerprint, hostKeyStore: undefined });
    const g1 = new EsxiGuestController({ host: h, vmName: "guest1" });
    await g1.reset();
    await g1.nmi();
    expect(sshd.actions()).toEqual(["reset 1", "nmi 2098916"]);
    const e = await new EsxiGuestController({ host: h, vmName: "nosuch" }).status().catch((x: unknown) => x);
    expect(isDriverError(e, "DEVICE_NOT_FOUND")).toBe(true);
  });

  it("runs commands concurrently on one connection", async () => {
    const h = host();
    const guests = ["guest1", "guest2"].map((n) => new EsxiGuestController({ host: h, vmName: n }));
    const states = await Promise.all([...guests, ...guests, ...guests].map((g) => g.powerState()));
    expect(states).toEqual(["on", "off", "on", "off", "on", "off"]);
    expect(h.stats.connects).toBe(1);
    expect(h.stats.maxConcurrentChannels).toBeGreaterThan(1);
  });

  it("answers the guests' status of one turn with one command through the real shell (&&, echo)", async () => {
    const h = host();
    const names = ["guest1", "guest2", "nosuch"];
    const before = h.stats.commands;
    const answers = await Promise.allSettled(
      names.map((n) => new EsxiGuestController({ host: h, vmName: n }).status()),
    );
    expect(h.stats.commands - before).toBe(1);
    expect(answers.slice(0, 2)).toEqual([
      { status: "fulfilled", value: "on" },
      { status: "fulfilled", value: "off" },
    ]);
    expect(isDriverError((answers[2] as PromiseRejectedResult).reason, "DEVICE_NOT_FOUND")).toBe(true);
  });

  it("closes a command at its deadline with DEVICE_TIMEOUT", async () => {
    const h = host();
    const g2 = new EsxiGuestController({ host: h, vmName: "guest2" });
    await g2.vmid();
    sshd.setState(2, "slow");
    try {
      const e = await g2.status({ timeoutMs: 800 }).catch((x: unknown) => x);
      expect(isDriverError(e, "DEVICE_TIMEOUT")).toBe(true);
    } finally {
      sshd.setState(2, "off");
    }
    expect(await g2.status()).toBe("off");
  });

  it("refuses a wrong password with DEVICE_AUTH and a wrong pinned key before authenticating", async () => {
    const wrong = host({ password: "Wrong-password-1" });
    const e = await wrong.connect().catch((x: unknown) => x);
    expect(isDriverError(e, "DEVICE_AUTH")).toBe(true);
    expect(esxiReason(e)).toBe("auth-refused");
    const pinned = host({ hostKey: `SHA256:${"B".repeat(43)}`, hostKeyStore: undefined });
    const m = await pinned.connect().catch((x: unknown) => x);
    expect(esxiReason(m)).toBe("hostkey-mismatch");
    expect((m as Error).message).toContain(sshd.fingerprint);
  });
});
