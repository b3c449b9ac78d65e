import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { describePair, pairOk, renderNodeResetHook } from "./nodes.js";
import { isLabProcess, LAB_MARK } from "./processes.js";

describe("a management server's reset hook", () => {
  const dir = mkdtempSync(join(tmpdir(), "haconn-hooktest-"));
  const started: number[] = [];
  const startSleeper = (marked: boolean) => {
    const child = spawn("sleep", ["30"], {
      detached: true,
      stdio: "ignore",
      env: marked ? { ...process.env, [LAB_MARK]: dir } : { ...process.env, [LAB_MARK]: "" },
    });
    child.unref();
    started.push(child.pid!);
    return child.pid!;
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
      return false;
    }
  };

  afterAll(() => {
    for (const pid of started) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const hook = (pidFile: string) => {
    const path = join(dir, "on-reset");
    writeFileSync(
      path,
      renderNodeResetHook({ node: "HACON1", dir, pidFile, logFile: join(dir, "on-reset.log") }),
      { mode: 0o755 },
    );
    execFileSync("sh", [path], { timeout: 10_000 });
  };

  it("kills the node's haconnd (its process group) and logs the reset", async () => {
    const pid = startSleeper(true);
    expect(isLabProcess(pid, dir)).toBe(true);
    writeFileSync(join(dir, "pid"), `${pid}\n`);
    hook(join(dir, "pid"));
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(join(dir, "on-reset.log"), "utf8")).toMatch(/^\d{13} reset of HACON1$/m);
  });

  it("leaves alone a process that does not carry the lab's mark (a recycled pid)", () => {
    const pid = startSleeper(false);
    writeFileSync(join(dir, "pid2"), `${pid}\n`);
    hook(join(dir, "pid2"));
    expect(alive(pid)).toBe(true);
  });

  it("in netns mode also removes the VIP from the node's interface", () => {
    const text = renderNodeResetHook({
      node: "HACON2",
      dir,
      pidFile: "/x/pid",
      logFile: "/x/log",
      netns: { ns: "hcl-abcdef-n2", vip: "10.78.1.100", prefixLength: 24, dev: "rp0" },
    });
    expect(text).toContain("ip -n 'hcl-abcdef-n2' addr del 10.78.1.100/24 dev rp0");
    expect(() =>
      renderNodeResetHook({ node: "HACON1", dir: "/tmp/it's", pidFile: "/p", logFile: "/l" }),
    ).toThrow();
  });
});

describe("the pair's health", () => {
  it("is OK with one active, one standby and both links OK, and not otherwise", () => {
    const ok = { roles: { HACON1: "active", HACON2: "standby" }, links: { HACON1: "OK", HACON2: "OK" } };
    expect(pairOk(ok)).toBe(true);
    expect(pairOk({ ...ok, links: { HACON1: "OK", HACON2: "NG" } })).toBe(false);
    expect(pairOk({ ...ok, roles: { HACON1: "active", HACON2: "active" } })).toBe(false);
    expect(pairOk({ ...ok, roles: { HACON1: "active", HACON2: undefined } })).toBe(false);
    expect(describePair({ ...ok, roles: { HACON1: "active", HACON2: undefined } })).toBe(
      "HACON1 active (link OK), HACON2 not answering (link OK)",
    );
  });
});
