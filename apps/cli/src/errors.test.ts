import { readFileSync } from "node:fs";
import { ConfigError, HaconnError, PDU_PROFILE_NAMES } from "@haconn/config";
import { describe, expect, it } from "vitest";
import { describeError, inWords } from "./errors.js";
import { MAINS } from "./testing/mains.js";
import { run } from "./testing/run.js";
import { EXIT, EXIT_BY_CODE, EXIT_TABLE } from "./exit-codes.js";

describe("one exit status and one message per cause", () => {
  it("gives the same status to a cause whether the CLI or haconnd finds it", () => {
    // "no such server": haconnsetup's own check and haconnd's answer.
    expect(EXIT_BY_CODE.CLI_NOT_FOUND).toBe(EXIT.USAGE);
    expect(describeError(new HaconnError("UNKNOWN_SERVER", "no managed server X")).exitCode).toBe(EXIT.USAGE);
    expect(describeError(new HaconnError("UNKNOWN_PDU", "no PDU")).exitCode).toBe(EXIT.USAGE);
    expect(describeError(new HaconnError("CONTROL_BAD_ARGS", "x")).exitCode).toBe(EXIT.USAGE);
    expect(describeError(new HaconnError("NOT_ACTIVE", "x")).exitCode).toBe(EXIT.WRONG_ROLE);
    expect(describeError(new HaconnError("NOT_STANDBY", "x")).exitCode).toBe(EXIT.WRONG_ROLE);
    expect(describeError(new HaconnError("SOMETHING_ELSE", "x")).exitCode).toBe(EXIT.FAILED);
    expect(describeError(new Error("boom")).exitCode).toBe(EXIT.INTERNAL);
    // Every status an error code maps to is in the documented table.
    const documented = new Set(EXIT_TABLE.map(([code]) => code));
    for (const code of Object.values(EXIT_BY_CODE)) expect(documented.has(code)).toBe(true);
  });

  it("names servers and fields instead of JSON paths, and devices' codes in words", () => {
    const error = new ConfigError("CONFIG_INVALID", "x", {
      issues: [
        {
          path: "/pservers/0/timeoutSec",
          message: "must be 5-60 seconds",
          place: "managed server P1 timeout",
        },
      ],
    });
    expect(describeError(error).message).toBe("managed server P1 timeout: must be 5-60 seconds");
    expect(inWords("software reset failed: DEVICE_UNSUPPORTED")).toBe(
      "software reset failed: the device does not support this (e.g. no NMI on this iLO/BMC)",
    );
    expect(
      describeError(new HaconnError("DEVICE_FAILED", "software reset failed: DEVICE_UNSUPPORTED")).message,
    ).not.toMatch(/DEVICE_/);
  });

  it("docs/operations.md prints the exit-status table as exit-codes.ts has it", () => {
    const doc = readFileSync(new URL("../../../docs/operations.md", import.meta.url), "utf8").replace(
      /[ \t]+/g,
      " ",
    );
    for (const [code, meaning] of EXIT_TABLE) {
      expect(doc).toContain(`| ${code} | ${meaning} |`.replace(/\s+/g, " "));
    }
  });

  it("with --json, every error is one JSON line on stdout and stderr stays empty (commander's too)", async () => {
    for (const line of [
      "status --bogus --json",
      "status extra --json",
      "bogus --json",
      "ipdu addr=x --json",
    ]) {
      const r = await run(MAINS.haconnshow, line.split(" "), { etcDir: "/nonexistent" });
      expect(r.code, line).toBe(1);
      expect(r.stderr, line).toBe("");
      expect(JSON.parse(r.stdout), line).toEqual({
        error: { code: "CLI_USAGE", message: expect.any(String) },
      });
    }
  });

  it("knows the same PDU profiles as the ipdu package's table", () => {
    const source = readFileSync(new URL("../../../packages/ipdu/src/profiles.ts", import.meta.url), "utf8");
    const names = [...source.matchAll(/^\s+name: "([^"]+)",$/gm)].map((m) => m[1]);
    expect(names).toEqual([...PDU_PROFILE_NAMES]);
  });
});
