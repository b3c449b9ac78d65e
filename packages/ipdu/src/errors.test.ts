import { describe, expect, it } from "vitest";
import { classifySnmpError, varbindError } from "./errors.js";
import { SnmpErrorStatus, SnmpType, snmp } from "./net-snmp.js";

const Failed = snmp.RequestFailedError as unknown as new (message: string, status: number) => Error;
const TimedOut = snmp.RequestTimedOutError as unknown as new (message: string) => Error;
const classify = (e: unknown) => classifySnmpError(e, "127.0.0.1:1161", "outlet 3 off", 2000);

describe("SNMP error classification", () => {
  it("timeouts (dead PDU or wrong community) are retryable DEVICE_TIMEOUT", () => {
    const e = classify(new TimedOut("Request timed out"));
    expect(e.code).toBe("DEVICE_TIMEOUT");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/2000 ms.*community/);
  });

  it("error-status answers: notWritable/wrongValue/badValue rejected, noSuchName not found", () => {
    expect(classify(new Failed("x", SnmpErrorStatus.NotWritable)).code).toBe("DEVICE_REJECTED");
    expect(classify(new Failed("x", SnmpErrorStatus.WrongValue)).code).toBe("DEVICE_REJECTED");
    expect(classify(new Failed("x", SnmpErrorStatus.BadValue)).code).toBe("DEVICE_REJECTED");
    const nf = classify(new Failed("x", SnmpErrorStatus.NoSuchName));
    expect(nf.code).toBe("DEVICE_NOT_FOUND");
    expect(nf.details).toMatchObject({ errorName: "NoSuchName" });
    expect(classify(new Failed("x", SnmpErrorStatus.NotWritable)).retryable).toBe(false);
  });

  it("socket errors are DEVICE_UNREACHABLE; invalid responses DEVICE_BAD_OUTPUT", () => {
    const refused = Object.assign(new Error("send ENETUNREACH"), { code: "ENETUNREACH" });
    expect(classify(refused).code).toBe("DEVICE_UNREACHABLE");
    const Invalid = snmp.ResponseInvalidError as unknown as new (m: string) => Error;
    expect(classify(new Invalid("Requested OIDs do not match")).code).toBe("DEVICE_BAD_OUTPUT");
  });

  it("noSuchObject/noSuchInstance/endOfMibView varbinds are DEVICE_NOT_FOUND", () => {
    for (const type of [SnmpType.NoSuchObject, SnmpType.NoSuchInstance, SnmpType.EndOfMibView]) {
      expect(varbindError({ oid: "1.3.6.1", type, value: null }, "pdu", "read")?.code).toBe(
        "DEVICE_NOT_FOUND",
      );
    }
    expect(varbindError({ oid: "1.3.6.1", type: SnmpType.Integer, value: 1 }, "pdu", "read")).toBeUndefined();
  });
});
