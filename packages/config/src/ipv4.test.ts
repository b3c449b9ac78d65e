import { describe, expect, it } from "vitest";
import { formatAddress, isIpv4, maskToPrefix, parseAddressWithPort, prefixToMask } from "./ipv4.js";

describe("ipv4", () => {
  it("accepts dotted quads and refuses anything else", () => {
    expect(isIpv4("192.168.0.1")).toBe(true);
    expect(isIpv4("0.0.0.0")).toBe(true);
    for (const bad of ["256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "a.b.c.d", "1.2.3.4 ", ""]) {
      expect(isIpv4(bad), bad).toBe(false);
    }
  });

  it("converts masks both ways and refuses non-contiguous masks", () => {
    expect(maskToPrefix("255.255.255.0")).toBe(24);
    expect(maskToPrefix("255.255.255.255")).toBe(32);
    expect(maskToPrefix("255.255.0.255")).toBeUndefined();
    expect(prefixToMask(24)).toBe("255.255.255.0");
    expect(prefixToMask(20)).toBe("255.255.240.0");
    expect(prefixToMask(32)).toBe("255.255.255.255");
    for (let p = 1; p <= 32; p++) expect(maskToPrefix(prefixToMask(p))).toBe(p);
  });

  it("parses <ip>[:<port>] with a default port", () => {
    expect(parseAddressWithPort("127.0.0.1", 623)).toEqual({ addr: "127.0.0.1", port: 623 });
    expect(parseAddressWithPort("127.0.0.1:9623", 623)).toEqual({ addr: "127.0.0.1", port: 9623 });
    expect(parseAddressWithPort("127.0.0.1:0", 623)).toMatch(/outside 1-65535/);
    expect(parseAddressWithPort("127.0.0.1:70000", 623)).toMatch(/outside/);
    expect(parseAddressWithPort("host:1", 623)).toMatch(/not an IPv4/);
    expect(formatAddress("127.0.0.1", 161, 161)).toBe("127.0.0.1");
    expect(formatAddress("127.0.0.1", 1161, 161)).toBe("127.0.0.1:1161");
  });
});
