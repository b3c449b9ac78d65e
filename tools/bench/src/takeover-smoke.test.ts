// Smoke test of the built takeover bench in --quick mode: it must yield the figures (haconn's
// takeover, and keepalived's as the peer when installed) and leave no namespace or process of
// its own behind. Uses its own namespace prefix so it never touches a bench run in progress.
// Skipped without root/network namespaces or without the built programs.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../../lab/src/netns/index.js";
import type { BenchJson } from "./report-json.js";
import { KEEPALIVED } from "./takeover-keepalived.js";
import { BUILT, REPO } from "./takeover-support.js";

const BENCH = join(REPO, "tools/bench/dist/takeover.bench.js");
const PREFIX = `hcx5s${process.pid % 1000}`;
const runnable = BUILT && existsSync(BENCH) && netnsAvailable();

describe.skipIf(!runnable)("takeover bench --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "haconn-hcx5-smoke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("measures haconn's takeover and keepalived's failover, then cleans up", async () => {
    const out = join(dir, "takeover.json");
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [BENCH, "--quick", "--runs", "2", "--peer-runs", "1", "--prefix", PREFIX, "--json", out],
        { timeout: 240_000, maxBuffer: 4 << 20 },
        (error, so, se) => (error ? reject(new Error(`${error.message}\n${so}\n${se}`)) : resolve(so)),
      ),
    );
    const data = JSON.parse(readFileSync(out, "utf8")) as BenchJson;
    expect(data.bench).toBe("takeover");
    expect(data.skipped, stdout).toBeUndefined();
    const answer = data.figures.find((f) => f.name.includes("answers CHECK"));
    expect(answer, stdout).toBeDefined();
    expect(answer!.n).toBe(2);
    expect(answer!.median).toBeGreaterThan(0);
    expect(answer!.median).toBeLessThan(20_000);
    const overlap = data.figures.find((f) => f.name.includes("two nodes holding the VIP"));
    expect(overlap?.max).toBe(0); // haconn never lets two nodes hold the VIP
    if (existsSync(KEEPALIVED)) {
      expect(answer!.peer?.name).toMatch(/keepalived/);
      expect(answer!.peer!.median).toBeGreaterThan(0);
    }
    expect(data.timelines?.filter((t) => t.label === "haconn takeover")).toHaveLength(2);
    expect(data.machine?.cores).toBeGreaterThan(0);
    const left = await new Promise<string>((r) => execFile("ip", ["netns", "list"], (_e, so) => r(so)));
    expect(left.split("\n").filter((l) => l.startsWith(`${PREFIX}-`))).toEqual([]);
  }, 300_000);
});
