// Pure arithmetic: the addresses below are only computed with, never sent to.
import { describe, expect, it } from "vitest";
import { broadcastAddress, ipv4ToInt, sameSubnet } from "./ipv4.js";

describe("ipv4", () => {
  it("converts to an unsigned integer", () => {
    expect(ipv4ToInt("127.0.0.1")).toBe(0x7f000001);
    expect(ipv4ToInt("255.255.255.255")).toBe(0xffffffff);
  });

  it("compares under the mask", () => {
    expect(sameSubnet("127.0.77.1", "127.0.77.200", 24)).toBe(true);
    expect(sameSubnet("127.0.78.1", "127.0.77.200", 24)).toBe(false);
    expect(sameSubnet("127.0.78.1", "127.0.77.200", 16)).toBe(true);
    expect(sameSubnet("127.0.0.1", "10.0.0.1", 0)).toBe(true);
  });

  it("gives the subnet's broadcast address", () => {
    expect(broadcastAddress("127.0.77.1", 24)).toBe("127.0.77.255");
    expect(broadcastAddress("127.0.77.1", 16)).toBe("127.0.255.255");
    expect(broadcastAddress("127.0.77.1", 32)).toBe("127.0.77.1");
    expect(broadcastAddress("127.0.77.130", 25)).toBe("127.0.77.255");
  });
});
