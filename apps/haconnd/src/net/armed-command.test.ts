// Real processes (sh and coreutils only; no network).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArmedCommand, runProcess, type SpawnFn } from "./armed-command.js";

const dir = mkdtempSync(join(tmpdir(), "armed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function counting(): { spawn: SpawnFn; children: ChildProcess[] } {
  const children: ChildProcess[] = [];
  return {
    children,
    spawn: (command, args, options) => {
      const c = spawn(command, args, options);
      children.push(c);
      return c;
    },
  };
}

const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once("exit", r));

describe("ArmedCommand", () => {
  it("runs its command on fire() without starting a process then, with exit code and output", async () => {
    const s = counting();
    const file = join(dir, "ran");
    const a = new ArmedCommand(["sh", "-c", `echo out; echo err >&2; echo yes > ${file}; exit 3`], {
      spawn: s.spawn,
      timeoutMs: 5000,
    });
    a.arm();
    a.arm(); // one helper only
    expect(s.children).toHaveLength(1);
    expect(a.armed).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(() => readFileSync(file)).toThrow(); // nothing ran before "go"
    const r = await a.fire();
    expect(r).toEqual({ code: 3, stdout: "out\n", stderr: "err\n" });
    expect(readFileSync(file, "utf8")).toBe("yes\n");
    expect(s.children).toHaveLength(1); // fire() started nothing
    expect(a.armed).toBe(false);
    expect(a.fire()).toBeUndefined(); // used: the caller runs the command the plain way
  });

  it("disarm() ends the helper without running the command; not re-armed", async () => {
    const s = counting();
    const file = join(dir, "disarmed");
    const a = new ArmedCommand(["sh", "-c", `echo yes > ${file}`], {
      spawn: s.spawn,
      timeoutMs: 5000,
      rearmMs: 10,
    });
    a.arm();
    a.disarm();
    await exited(s.children[0]!);
    expect(s.children[0]!.exitCode).toBe(97);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.children).toHaveLength(1);
    expect(() => readFileSync(file)).toThrow();
    expect(a.fire()).toBeUndefined();
  });

  it("a helper that dies while armed is not fired and is re-armed after rearmMs", async () => {
    const s = counting();
    const a = new ArmedCommand(["true"], { spawn: s.spawn, timeoutMs: 5000, rearmMs: 20 });
    a.arm();
    s.children[0]!.kill("SIGKILL");
    await exited(s.children[0]!);
    expect(a.fire()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.children).toHaveLength(2);
    expect(a.armed).toBe(true);
    await expect(a.fire()).resolves.toMatchObject({ code: 0 });
  });

  it("a fired command that overruns its deadline is killed", async () => {
    const a = new ArmedCommand(["sleep", "5"], { spawn, timeoutMs: 100 });
    a.arm();
    const r = await a.fire();
    expect(r?.code).toBe(-1);
  });

  it("runProcess runs argv the plain way", async () => {
    await expect(runProcess(spawn, ["sh", "-c", "echo a; exit 2"], 5000)).resolves.toEqual({
      code: 2,
      stdout: "a\n",
      stderr: "",
    });
  });
});
