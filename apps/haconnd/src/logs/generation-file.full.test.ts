// A log directory that cannot be written: writeLine never throws, lines are counted as lost, no
// partial line is left behind, and writing resumes by itself when space returns.

import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { logFileReports } from "./event-logs.js";
import { GenerationFile } from "./generation-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-genfull-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const isRoot = process.getuid?.() === 0;

describe("GenerationFile when the disk is full", () => {
  it("does not throw on ENOSPC, reports once per episode, and recovers", () => {
    symlinkSync("/dev/full", join(dir, "resetlog1"));
    const errors: string[] = [];
    const recoveries: number[] = [];
    const f = new GenerationFile({
      dir,
      base: "resetlog",
      generations: 2,
      maxBytes: 1024,
      onError: (e) => errors.push((e as NodeJS.ErrnoException).code ?? e.message),
      onRecover: (lost) => recoveries.push(lost),
    });
    for (let i = 0; i < 3; i++) expect(() => f.writeLine(`line ${i}`)).not.toThrow();
    expect(errors).toEqual(["ENOSPC"]);
    expect(f.health).toEqual({ lostLines: 3, failing: true, lastError: "ENOSPC" });
    // Space returns: the path is a regular file again.
    f.close();
    unlinkSync(join(dir, "resetlog1"));
    writeFileSync(join(dir, "resetlog1"), "");
    f.writeLine("after");
    f.close();
    expect(recoveries).toEqual([3]);
    expect(f.health.failing).toBe(false);
    expect(readFileSync(join(dir, "resetlog1"), "utf8")).toBe("after\n");
  });

  it("a reporter that throws does not make the write throw", () => {
    symlinkSync("/dev/full", join(dir, "x1"));
    const f = new GenerationFile({
      dir,
      base: "x",
      generations: 2,
      maxBytes: 1024,
      onError: () => {
        throw new Error("reporter broken");
      },
    });
    expect(() => f.writeLine("a")).not.toThrow();
  });

  it("logFileReports sends the failure and the recovery to the system sink", async () => {
    const lines: string[] = [];
    const after: number[] = [];
    const r = logFileReports(
      (l) => lines.push(l),
      (lost) => after.push(lost),
    );
    r.onError!(Object.assign(new Error("x"), { code: "ENOSPC" }), "/log/eventlog1");
    r.onRecover!(7, "/log/eventlog1");
    await new Promise((res) => setImmediate(res));
    expect(JSON.parse(lines[0]!)).toMatchObject({ file: "/log/eventlog1", err: "ENOSPC" });
    expect(JSON.parse(lines[1]!)).toMatchObject({ lost: 7, msg: "log file writable again" });
    expect(after).toEqual([7]);
  });

  it.runIf(isRoot)("on a full tmpfs every line in the file stays whole (no partial line)", () => {
    const mnt = join(dir, "mnt");
    mkdirSync(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt]);
    try {
      const f = new GenerationFile({ dir: mnt, base: "resetlog", generations: 2, maxBytes: 1024 * 1024 });
      // A filler leaves a few hundred bytes, not a multiple of the line length.
      let filler = 0;
      try {
        for (;;) {
          writeFileSync(join(mnt, `fill${filler}`), Buffer.alloc(4096));
          filler++;
        }
      } catch {
        // full
      }
      for (let i = 0; i < 200; i++)
        f.writeLine(`RM-RESET line ${String(i).padStart(3, "0")} ${"y".repeat(60)}`);
      expect(f.health.failing).toBe(true);
      const text = readFileSync(join(mnt, "resetlog1"), "utf8");
      expect(text === "" || text.endsWith("\n")).toBe(true);
      for (const l of text.split("\n").filter(Boolean)) expect(l).toMatch(/^RM-RESET line \d{3} y{60}$/);
      const written = text.split("\n").filter(Boolean).length;
      expect(f.health.lostLines).toBe(200 - written);
      for (let i = 0; i < filler; i++) unlinkSync(join(mnt, `fill${i}`));
      f.writeLine("RM-RESET line 999 after");
      f.close();
      expect(readFileSync(join(mnt, "resetlog1"), "utf8").trimEnd().split("\n").at(-1)).toBe(
        "RM-RESET line 999 after",
      );
    } finally {
      execFileSync("umount", ["-l", mnt]);
    }
  });
});
