// End to end through the repository's launchers (./bin/haconnsetup, ./bin/haconnshow), which
// run the built bundles with the project's own Node: the way an operator runs them.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ConfigStore } from "@haconn/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./testing/run.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const launcherNode = join(root, ".tools/node/node_modules/.bin/node");
const canRun = existsSync(launcherNode);

function launch(command: string, args: string[], env: Record<string, string>, stdin?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(join(root, "bin", command), args, { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? "");
  });
}

describe.skipIf(!canRun)("launchers (built CLI)", () => {
  let etc: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    await promisify(execFile)("pnpm", ["--filter", "@haconn/cli", "build"], { cwd: root, timeout: 120_000 });
    etc = await tempDir("haconn-e2e-");
    env = { HACONN_ETC_DIR: join(etc.dir, "etc") };
  }, 150_000);
  afterAll(() => etc?.remove());

  it("sets up from the command line with the password on stdin and shows the result", async () => {
    const setup = await launch("haconnsetup", ["resetpath", "addr=127.0.0.1/8", "port=20001"], env);
    expect(setup).toMatchObject({ code: 0, stderr: "" });
    const add = await launch(
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=127.0.0.11:9623", 'account="admin"'],
      env,
      "Passw0rd!\n",
    );
    expect(add).toMatchObject({ code: 0, stderr: "" });
    const show = await launch("haconnshow", ["setting"], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("1  PSERVER1  127.0.0.11:9623  admin    off     --       --       off");
    expect((await stat(join(env.HACONN_ETC_DIR!, "haconn.json"))).mode & 0o777).toBe(0o600);
  });

  it("exits 1 naming the argument on a bad value", async () => {
    const result = await launch("haconnsetup", ["hispeed", "resettime=2550"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^haconnsetup: resettime: must be a multiple of 100 ms/);
  });

  it("loses no update when several haconnsetup processes run at once", async () => {
    const count = 8;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        launch("haconnsetup", ["ipdu", "add", `127.0.3.${i + 1}`, "model=IBM_PDU"], env),
      ),
    );
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "" });
    const pdus = (await new ConfigStore(env.HACONN_ETC_DIR!).read()).pdus.map((p) => p.key).sort();
    expect(pdus).toEqual(Array.from({ length: count }, (_, i) => `127.0.3.${i + 1}`).sort());
  }, 120_000);
});
