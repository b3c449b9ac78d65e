import { isDriverError } from "@haconn/config";
import { describe, expect, it } from "vitest";
import {
  classifyFailure,
  isControlAcknowledged,
  parsePowerStatus,
  significantStderr,
} from "./parse-output.js";

const ctx = { target: "bmc 127.0.0.1:623 user=admin cipher=17", cipher: 17 };
// Texts as ipmitool 1.8.19 prints them with one -v (captured against ipmi_sim 2.0.33).
const CHATTER =
  "Loading IANA PEN Registry...\nRunning Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\nInvalid completion code received: Invalid command\nDiscovered IPMB address 0x0\n";

describe("parsePowerStatus", () => {
  it("reads exactly `Chassis Power is on|off`", () => {
    expect(parsePowerStatus("Chassis Power is on\n")).toBe("on");
    expect(parsePowerStatus("Chassis Power is off\n")).toBe("off");
  });
  it("refuses anything else", () => {
    for (const text of [
      "",
      "Chassis Power is unknown\n",
      "Chassis Power is on\nChassis Power is off\n",
      "chassis power is on",
      "Power is on",
    ])
      expect(parsePowerStatus(text)).toBeUndefined();
  });
});

describe("isControlAcknowledged", () => {
  it("wants the acknowledgement of the action that was asked", () => {
    expect(isControlAcknowledged("on", "Chassis Power Control: Up/On\n")).toBe(true);
    expect(isControlAcknowledged("off", "Chassis Power Control: Down/Off\n")).toBe(true);
    expect(isControlAcknowledged("reset", "Chassis Power Control: Reset\n")).toBe(true);
    expect(isControlAcknowledged("nmi", "Chassis Power Control: Diag\n")).toBe(true);
    expect(isControlAcknowledged("reset", "Chassis Power Control: Cycle\n")).toBe(false);
    expect(isControlAcknowledged("on", "")).toBe(false);
  });
});

describe("classifyFailure", () => {
  const fail = (stderr: string, action: Parameters<typeof classifyFailure>[0] = "status", stdout = "") =>
    classifyFailure(action, { stdout, stderr, exitCode: 1 }, ctx);

  it("wrong password and unknown account are DEVICE_AUTH", () => {
    expect(
      fail(
        "Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n",
      ).code,
    ).toBe("DEVICE_AUTH");
    expect(
      fail(
        "RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session\n",
      ).code,
    ).toBe("DEVICE_AUTH");
  });

  it("a refused cipher suite names the suite and says there is no downgrade", () => {
    const e = fail(
      "Error in open session response message : invalid authentication algorithm\n\nError: Unable to establish IPMI v2 / RMCP+ session\n",
    );
    expect(e.code).toBe("DEVICE_AUTH");
    expect(e.message).toMatch(/cipher suite 17/);
    expect(e.message).toMatch(/no weaker suite/);
  });

  it("silence is DEVICE_UNREACHABLE, retryable", () => {
    const e = fail(
      "Loading IANA PEN Registry...\nGet Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session\n",
    );
    expect(e.code).toBe("DEVICE_UNREACHABLE");
    expect(e.retryable).toBe(true);
  });

  it("diag refused with Invalid data field is DEVICE_UNSUPPORTED: NMI not supported by device", () => {
    const e = fail(
      `${CHATTER}Get HPM.x Capabilities request failed, compcode = d4\nInvalid completion code received: Insufficient privilege level\nSet Chassis Power Control to Diag failed: Invalid data field in request\n`,
      "nmi",
    );
    expect(e.code).toBe("DEVICE_UNSUPPORTED");
    expect(e.message).toMatch(/NMI not supported by device \(Invalid data field in request\)/);
  });

  it("the same completion code on another command is DEVICE_REJECTED", () => {
    const e = fail(
      `${CHATTER}Set Chassis Power Control to Reset failed: Invalid data field in request\n`,
      "reset",
    );
    expect(e.code).toBe("DEVICE_REJECTED");
    expect(e.details?.output).toMatch(/Invalid data field/);
  });

  it("insufficient privilege for the command itself is DEVICE_AUTH", () => {
    expect(
      fail("Set Chassis Power Control to Reset failed: Insufficient privilege level\n", "reset").code,
    ).toBe("DEVICE_AUTH");
  });

  it("a session that stops answering mid-command is DEVICE_TIMEOUT", () => {
    expect(fail(`${CHATTER}Unable to set Chassis Power Control to Reset\n`, "reset").code).toBe(
      "DEVICE_TIMEOUT",
    );
    expect(fail(`${CHATTER}Unable to get Chassis Power Status\n`).code).toBe("DEVICE_TIMEOUT");
  });

  it("no free session is retryable DEVICE_REJECTED", () => {
    const e = fail("RAKP 2 message indicates an error : insufficient resources for session\n");
    expect(e.code).toBe("DEVICE_REJECTED");
    expect(e.retryable).toBe(true);
  });

  it("anything else is DEVICE_BAD_OUTPUT with the text attached", () => {
    const e = fail("", "status", "Chassis Power is sideways\n");
    expect(isDriverError(e, "DEVICE_BAD_OUTPUT")).toBe(true);
    expect(e.message).toContain("Chassis Power is sideways");
    expect(e.details?.output).toContain("Chassis Power is sideways");
  });

  it("the -v chatter is dropped from messages", () => {
    expect(significantStderr(`${CHATTER}IPMI Request Match NOT FOUND\nreal line\n`)).toBe("real line");
  });
});
