import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GenerationFile } from "./generation-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-genfile-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (i: number) => `line ${String(i).padStart(4, "0")} ${"x".repeat(90)}`; // 100 bytes + \n

describe("GenerationFile", () => {
  it("writes to generation 1 first", () => {
    const f = new GenerationFile({ dir, base: "resetlog", generations: 3, maxBytes: 1024 });
    f.writeLine("hello");
    f.close();
    expect(readFileSync(join(dir, "resetlog1"), "utf8")).toBe("hello\n");
  });

  it("moves to the next generation at the size bound and wraps, keeping disk use bounded", () => {
    const f = new GenerationFile({ dir, base: "eventlog", generations: 3, maxBytes: 1024 });
    for (let i = 0; i < 40; i++) f.writeLine(line(i)); // 4040 bytes: 4 files' worth, wraps once
    f.close();
    expect(readdirSync(dir).sort()).toEqual(["eventlog1", "eventlog2", "eventlog3"]);
    for (const name of readdirSync(dir)) {
      expect(readFileSync(join(dir, name)).length).toBeLessThanOrEqual(1024);
    }
    // 10 lines (1010 bytes) fit one generation: gen1 0-9, gen2 10-19, gen3 20-29, gen1 again 30-39.
    expect(readFileSync(join(dir, "eventlog1"), "utf8").split("\n")[0]).toBe(line(30));
    expect(readFileSync(join(dir, "eventlog3"), "utf8").split("\n")[0]).toBe(line(20));
    expect(f.generation).toBe(1);
  });

  it("continues the most recently written generation after a restart", () => {
    const a = new GenerationFile({ dir, base: "resetlog", generations: 3, maxBytes: 1024 });
    for (let i = 0; i < 15; i++) a.writeLine(line(i)); // gen1 full, gen2 has 5 lines
    a.close();
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, "resetlog1"), old, old);
    const b = new GenerationFile({ dir, base: "resetlog", generations: 3, maxBytes: 1024 });
    expect(b.generation).toBe(2);
    b.writeLine("after restart");
    b.close();
    const lines = readFileSync(join(dir, "resetlog2"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines[5]).toBe("after restart");
  });

  it("refuses nonsensical bounds", () => {
    expect(() => new GenerationFile({ dir, base: "x", generations: 1, maxBytes: 4096 })).toThrow(RangeError);
    expect(() => new GenerationFile({ dir, base: "x", generations: 2, maxBytes: 10 })).toThrow(RangeError);
  });

  it("deferred: lines reach the file after the current work, its nextTick and promise callbacks, in order", async () => {
    const f = new GenerationFile({ dir, base: "resetlog", generations: 3, maxBytes: 1024, deferred: true });
    const path = join(dir, "resetlog1");
    const read = () => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return "";
      }
    };
    const seen: string[] = [];
    f.writeLine("one");
    process.nextTick(() => seen.push(read())); // where dgram's send runs
    void Promise.resolve().then(() => seen.push(read()));
    f.writeLine("two");
    expect(read()).toBe("");
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["", ""]);
    expect(read()).toBe("one\ntwo\n");
    f.writeLine("three");
    f.close(); // flushes what is pending
    expect(read()).toBe("one\ntwo\nthree\n");
  });

  it("deferred lines still rotate at the size bound", async () => {
    const f = new GenerationFile({ dir, base: "eventlog", generations: 3, maxBytes: 1024, deferred: true });
    for (let i = 0; i < 15; i++) f.writeLine(line(i));
    await new Promise((r) => setImmediate(r));
    expect(readFileSync(join(dir, "eventlog1"), "utf8").split("\n")[0]).toBe(line(0));
    expect(readFileSync(join(dir, "eventlog2"), "utf8").split("\n")[0]).toBe(line(10));
    f.close();
  });

  it("deferred lines still pending when the process exits are written by the exit hook", async () => {
    const { execFileSync } = await import("node:child_process");
    const module = new URL("./generation-file.ts", import.meta.url).pathname;
    const script = [
      `import { GenerationFile } from ${JSON.stringify(module)};`,
      `const f = new GenerationFile({ dir: ${JSON.stringify(dir)}, base: "resetlog", generations: 2, maxBytes: 1024, deferred: true });`,
      `f.writeLine("last words");`,
      `process.exit(7);`,
    ].join("\n");
    let code = 0;
    try {
      execFileSync(process.execPath, ["--experimental-strip-types", "--input-type=module", "-e", script], {
        stdio: "pipe",
      });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(7);
    expect(readFileSync(join(dir, "resetlog1"), "utf8")).toBe("last words\n");
  });
});
