// haconnd-wait-ready, the unit's ExecStartPost: success once the control socket exists,
// failure when the daemon died first or never got ready.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO } from "./layout.js";

const SCRIPT = join(REPO, "tools/rpm/haconnd-wait-ready.sh");
let dir: string;
let server: Server | undefined;

interface Outcome {
  code: number | null;
  stderr: string;
}

function waitReady(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      "sh",
      [SCRIPT, ...args],
      { env: { PATH: process.env.PATH, ...env }, timeout: 20_000 },
      (error, _out, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, stderr }),
    );
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-wait-ready-"));
});
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("haconnd-wait-ready", () => {
  it("returns 0 once the control socket appears", async () => {
    const sock = join(dir, "haconnd.sock");
    const waiting = waitReady([sock, "10"], { MAINPID: String(process.pid) });
    setTimeout(() => {
      server = createServer().listen(sock);
    }, 500);
    await expect(waiting).resolves.toEqual({ code: 0, stderr: "" });
  });

  it("fails at once when the daemon ($MAINPID) is gone", async () => {
    const gone = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    const started = Date.now();
    const r = await waitReady([join(dir, "haconnd.sock"), "10"], { MAINPID: gone });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("exited before it was ready");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("fails after the timeout, and a plain file is not a socket", async () => {
    const path = join(dir, "haconnd.sock");
    writeFileSync(path, "");
    const r = await waitReady([path, "1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not ready after 1s");
  });
});
