import { createSocket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { udpPortInUse } from "./udp-port-probe.js";

describe("udpPortInUse", () => {
  it("is true while another socket holds the port, false once it is released", async () => {
    const holder = createSocket("udp4");
    await new Promise<void>((resolve) => holder.bind({ port: 0, address: "127.0.0.1" }, resolve));
    const { port } = holder.address();
    expect(await udpPortInUse("127.0.0.1", port)).toBe(true);
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(await udpPortInUse("127.0.0.1", port)).toBe(false);
  });
});
