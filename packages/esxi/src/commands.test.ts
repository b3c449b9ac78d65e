import { describe, expect, it } from "vitest";
import { buildCommands, DEFAULT_COMMAND_PATHS, shellWord } from "./commands.js";

describe("command lines", () => {
  it("use the configured paths, quoted for the remote shell", () => {
    const c = buildCommands({ ...DEFAULT_COMMAND_PATHS, vimCmd: "/tmp/my tools/vim-cmd" });
    expect(c.powerGetState(12)).toBe("'/tmp/my tools/vim-cmd' vmsvc/power.getstate 12");
    expect(c.nmi(2098916)).toBe("vmdumper 2098916 nmi");
    expect(c.vmProcessList()).toBe("esxcli vm process list");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });

  it("accept only integer ids", () => {
    const c = buildCommands(DEFAULT_COMMAND_PATHS);
    expect(() => c.power("reset", Number.NaN)).toThrow(RangeError);
    expect(() => c.nmi(-1)).toThrow(RangeError);
  });
});
