import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { archiveLogDir } from "./log-archive.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-logarch-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("archiveLogDir", () => {
  it("packs the regular log files only, names that look like options included", async () => {
    const logs = join(dir, "log");
    mkdirSync(logs);
    for (const n of ["eventlog1", "resetlog1", "clilog2", "--checkpoint-action=exec=x"]) {
      writeFileSync(join(logs, n), `${n}\n`);
    }
    writeFileSync(join(logs, "HaConnectorDump.20250101000000.tar.gz"), "old dump");
    writeFileSync(join(logs, ".hidden"), "x");
    writeFileSync(join(logs, "eventlog1.tmp"), "x");
    mkdirSync(join(logs, "sub"));
    writeFileSync(join(dir, "secret"), "outside");
    symlinkSync(join(dir, "secret"), join(logs, "eventlog9"));
    const { archive, files } = await archiveLogDir(logs);
    expect(files).toEqual(["--checkpoint-action=exec=x", "clilog2", "eventlog1", "resetlog1"]);
    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(dir, "a.tgz"), archive);
    const listing = execFileSync("tar", ["-tzf", join(dir, "a.tgz")], { encoding: "utf8" })
      .trim()
      .split("\n")
      .sort();
    expect(listing).toEqual(files.slice().sort());
    execFileSync("tar", ["-xzf", join(dir, "a.tgz"), "-C", out]);
    expect(execFileSync("cat", [join(out, "resetlog1")], { encoding: "utf8" })).toBe("resetlog1\n");
  });

  it("an empty log directory gives an empty archive; a missing one an error", async () => {
    const logs = join(dir, "empty");
    mkdirSync(logs);
    const r = await archiveLogDir(logs);
    expect(r.files).toEqual([]);
    await expect(archiveLogDir(join(dir, "none"))).rejects.toMatchObject({ code: "LOGS_UNREADABLE" });
  });
});
