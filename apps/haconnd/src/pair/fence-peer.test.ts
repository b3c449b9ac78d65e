import type { ManagementServer } from "@haconn/config";
import { DriverError } from "@haconn/config";
import { describe, expect, it } from "vitest";
import { type FenceDevices, fencePeer } from "./fence-peer.js";

type Outlets = NonNullable<ReturnType<FenceDevices["mserverOutlets"]>>;

function devices(o: { bmcFails?: boolean; outlets?: boolean[] | null }) {
  const calls: string[] = [];
  const d = {
    bmc: (name: string) => ({
      reset: async (opts: { timeoutMs?: number }) => {
        calls.push(`bmc reset ${name} ${opts.timeoutMs}`);
        if (o.bmcFails) throw new DriverError("DEVICE_TIMEOUT", "no answer");
      },
    }),
    mserverOutlets: (name: string) =>
      o.outlets === null || o.outlets === undefined
        ? null
        : ({
            cut: async () => {
              calls.push(`pdu cut ${name}`);
              return o.outlets!.map((ok, i) => ({ outlet: i + 1, ok }));
            },
          } as unknown as Outlets),
  } as unknown as FenceDevices;
  return { d, calls };
}

const peer = (ipdusd: boolean) => ({ name: "HACON1", timeoutSec: 7, ipdusd }) as unknown as ManagementServer;

describe("fencePeer", () => {
  it("resets the peer through its iLO with the server's timeout", async () => {
    const { d, calls } = devices({});
    expect(await fencePeer(d, peer(true))).toEqual({ ok: true, method: "bmc" });
    expect(calls).toEqual(["bmc reset HACON1 7000"]);
  });

  it("cuts the PDU outlets when the iLO does not acknowledge and iPDU control is on", async () => {
    const { d, calls } = devices({ bmcFails: true, outlets: [true, true] });
    expect(await fencePeer(d, peer(true))).toEqual({ ok: true, method: "ipdu" });
    expect(calls).toEqual(["bmc reset HACON1 7000", "pdu cut HACON1"]);
  });

  it("is not fenced when the iLO fails and iPDU control is off, no outlet is linked, or a cut fails", async () => {
    const off = await fencePeer(devices({ bmcFails: true, outlets: [true] }).d, peer(false));
    expect(off.ok).toBe(false);
    expect(off.error).toMatch(/^iLO: /);
    const none = await fencePeer(devices({ bmcFails: true, outlets: null }).d, peer(true));
    expect(none).toMatchObject({ ok: false });
    expect(none.error).toMatch(/no PDU outlet linked/);
    const partial = await fencePeer(devices({ bmcFails: true, outlets: [true, false] }).d, peer(true));
    expect(partial).toMatchObject({ ok: false });
    expect(partial.error).toMatch(/PDU cut failed on 1 outlet/);
  });
});
