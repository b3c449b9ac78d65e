// Smoke test of the built takeover bench in --quick mode: one run per failure mode (kill -9,
// freeze, duplex cut) per product must yield the figures (haconn's takeover, and keepalived's as
// the peer when installed), never two haconn VIP holders, and leave no namespace or process of
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
import { MODE_TEXT, MODES } from "./takeover-modes.js";
import { BUILT, REPO } from "./takeover-support.js";

const BENCH = join(REPO, "tools/bench/dist/takeover.bench.js");
const PREFIX = `hcx5s${process.pid % 1000}`;
const runnable = BUILT && existsSync(BENCH) && netnsAvailable();

describe.skipIf(!runnable)("takeover bench --quick", () => {
  const dir = mkdtempSync(join(tmpdir(), "haconn-hcx5-smoke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("measures haconn's takeover and keepalived's failover per failure mode, then cleans up", async () => {
    const out = join(dir, "takeover.json");
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [BENCH, "--quick", "--runs", "1", "--peer-runs", "1", "--prefix", PREFIX, "--json", out],
        { timeout: 280_000, maxBuffer: 4 << 20 },
        (error, so, se) => (error ? reject(new Error(`${error.message}\n${so}\n${se}`)) : resolve(so)),
      ),
    );
    const data = JSON.parse(readFileSync(out, "utf8")) as BenchJson;
    expect(data.bench).toBe("takeover");
    expect(data.skipped, stdout).toBeUndefined();
    const ka = existsSync(KEEPALIVED);
    for (const mode of MODES) {
      const named = (part: string) =>
        data.figures.find((f) => f.name.includes(MODE_TEXT[mode]) && f.name.includes(part));
      const answer = named("answers CHECK");
      expect(answer, `${mode}\n${stdout}`).toBeDefined();
      expect(answer!.n).toBe(1);
      expect(answer!.median).toBeGreaterThan(0);
      expect(answer!.median).toBeLessThan(20_000);
      // haconn never lets two nodes hold the VIP, in any mode; the old active is fenced every time.
      expect(named("two nodes holding the VIP")?.max, stdout).toBe(0);
      expect(named("moments with two VIP holders")?.max, stdout).toBe(0);
      expect(named("old active fenced")?.n, stdout).toBe(1);
      if (ka) {
        expect(answer!.peer?.name).toMatch(/keepalived/);
        expect(answer!.peer!.median).toBeGreaterThan(0);
        expect(named("ratio haconn / keepalived, median")?.median).toBeGreaterThan(0);
      }
      expect(data.timelines?.filter((t) => t.label === `haconn takeover (${mode})`)).toHaveLength(1);
    }
    expect(data.machine?.cores).toBeGreaterThan(0);
    const left = await new Promise<string>((r) => execFile("ip", ["netns", "list"], (_e, so) => r(so)));
    expect(left.split("\n").filter((l) => l.startsWith(`${PREFIX}-`))).toEqual([]);
  }, 300_000);
});
