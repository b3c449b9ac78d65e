import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { procNetAddress, udpInodes } from "./vip-holder.js";

describe("who holds the reset path on loopback", () => {
  it("writes addresses as /proc/net/udp does (little-endian address, big-endian port)", () => {
    expect(procNetAddress("127.0.0.1", 22)).toBe("0100007F:0016");
    expect(procNetAddress("127.0.77.1", 30000)).toBe("014D007F:7530");
  });

  it("finds the socket inode of a bound address in /proc/net/udp text", () => {
    const text = [
      "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
      "  100: 014D007F:7530 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 424242 2 0000000000000000 0",
      "  101: 0100007F:7530 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 515151 2 0000000000000000 0",
    ].join("\n");
    expect(udpInodes(text, "127.0.77.1", 30000)).toEqual(["424242"]);
    expect(udpInodes(text, "127.0.77.2", 30000)).toEqual([]);
  });

  it("sees a real socket of this process", async () => {
    const sock = createSocket("udp4");
    await new Promise<void>((r) => sock.bind(0, "127.0.77.99", () => r()));
    try {
      const inodes = udpInodes(readFileSync("/proc/net/udp", "utf8"), "127.0.77.99", sock.address().port);
      expect(inodes).toHaveLength(1);
    } finally {
      sock.close();
    }
  });
});
