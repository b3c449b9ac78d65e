import { describe, expect, it } from "vitest";
import {
  connectionArgs,
  describeBmc,
  ipmitoolEnv,
  renderCommandLine,
  resolveIpmitoolOptions,
} from "./ipmitool-args.js";

const settings = { addr: "192.168.0.10", port: 623, account: "admin", password: "S3cret-pass!", cipher: 17 };

describe("ipmitool command line", () => {
  it("is lanplus with -E and the configured cipher, never the password", () => {
    const args = connectionArgs(settings, resolveIpmitoolOptions());
    expect(args).toEqual([
      "-I",
      "lanplus",
      "-H",
      "192.168.0.10",
      "-p",
      "623",
      "-U",
      "admin",
      "-E",
      "-C",
      "17",
      "-L",
      "OPERATOR",
      "-N",
      "1",
      "-R",
      "2",
      "-v",
    ]);
    expect(args.join(" ")).not.toContain(settings.password);
    expect(args).not.toContain("-P");
  });

  it("takes retries, lan timeout and privilege from the options", () => {
    const args = connectionArgs(
      { ...settings, cipher: 3, port: 9623 },
      resolveIpmitoolOptions({ retries: 4, lanTimeoutSec: 3, privilege: "ADMINISTRATOR" }),
    );
    expect(args.join(" ")).toContain("-p 9623 -U admin -E -C 3 -L ADMINISTRATOR -N 3 -R 4");
  });

  it("refuses values ipmitool would silently replace", () => {
    expect(() => resolveIpmitoolOptions({ retries: 0 })).toThrow(/retries/);
    expect(() => resolveIpmitoolOptions({ lanTimeoutSec: 0 })).toThrow(/lanTimeoutSec/);
    expect(() => resolveIpmitoolOptions({ timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it("puts the password in IPMI_PASSWORD, which extra env cannot override", () => {
    const env = ipmitoolEnv(
      settings,
      resolveIpmitoolOptions({ env: { IPMI_PASSWORD: "other", FOO: "1" } }),
      "/usr/bin",
    );
    expect(env).toEqual({ PATH: "/usr/bin", LC_ALL: "C", FOO: "1", IPMI_PASSWORD: settings.password });
  });

  it("renders a masked command line and description for logs", () => {
    const line = renderCommandLine("ipmitool", [
      ...connectionArgs(settings, resolveIpmitoolOptions()),
      "chassis",
      "power",
      "status",
    ]);
    expect(line).toMatch(
      /^ipmitool -I lanplus -H 192\.168\.0\.10 -p 623 -U admin -E -C 17 .* chassis power status \(password: IPMI_PASSWORD=\*+\)$/,
    );
    expect(line).not.toContain(settings.password);
    expect(renderCommandLine("ipmitool", ["-U", "it's me"])).toContain(`'it'\\''s me'`);
    expect(describeBmc(settings)).toBe("bmc 192.168.0.10:623 user=admin cipher=17");
  });
});
