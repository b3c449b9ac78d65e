// End to end through the repository's launchers (./bin/haconnsetup, ./bin/haconnshow), which
// run the built bundles with the project's own Node: the way an operator runs them.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ConfigStore } from "@haconn/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operatorTests } from "./e2e-operator.js";
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
    env = {
      HACONN_ETC_DIR: join(etc.dir, "etc"),
      HACONN_LOG_DIR: join(etc.dir, "log"),
      HACONN_RUN_DIR: join(etc.dir, "run"),
    };
    await mkdir(env.HACONN_LOG_DIR!);
  }, 150_000);
  afterAll(() => etc?.remove());

  operatorTests(root, launch, () => env);

  it("sets up from the command line with the password on stdin and shows the result", async () => {
    const setup = await launch("haconnsetup", ["resetpath", "addr=127.0.0.1/8", "port=20001"], env);
    expect(setup).toMatchObject({ code: 0 });
    expect(setup.stderr).toMatch(
      /^haconnsetup: (saved .*haconn\.json; a running haconnd uses it after .*|no change: .*)\n$/,
    );
    const add = await launch(
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=127.0.0.11:9623", 'account="admin"'],
      env,
      "Passw0rd!\n",
    );
    expect(add).toMatchObject({ code: 0 });
    expect(add.stderr).toMatch(/haconnact reload/);
    const show = await launch("haconnshow", ["setting"], env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain("1  PSERVER1  127.0.0.11:9623  admin    off     --       --       off");
    expect((await stat(join(env.HACONN_ETC_DIR!, "haconn.json"))).mode & 0o777).toBe(0o600);
  });

  it("exits 1 naming the argument on a bad value", async () => {
    const result = await launch("haconnsetup", ["hispeed", "resettime=2550"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^haconnsetup: hispeed resettime: must be a multiple of 100 ms/);
  });

  it("loses no update when several haconnsetup processes run at once", async () => {
    const count = 8;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        launch("haconnsetup", ["ipdu", "add", `127.0.3.${i + 1}`, "model=IBM_PDU"], env),
      ),
    );
    for (const r of results) expect(r.stderr).toMatch(/^haconnsetup: saved /);
    for (const r of results) expect(r.code).toBe(0);
    const pdus = (await new ConfigStore(env.HACONN_ETC_DIR!).read()).pdus.map((p) => p.key).sort();
    expect(pdus).toEqual(Array.from({ length: count }, (_, i) => `127.0.3.${i + 1}`).sort());
  }, 120_000);

  it("says the service is not processing, prints the stamped version, dumps, and logs every command", async () => {
    const status = await launch("haconnshow", ["status"], env);
    expect(status).toEqual({ code: 3, stdout: "HA connector service is not processing.\n", stderr: "" });
    const file = join(etc.dir, "version");
    await writeFile(file, "4.1.0.0.7\n");
    const version = await launch("haconnshow", ["version"], { ...env, HACONN_VERSION_FILE: file });
    expect(version).toMatchObject({
      code: 0,
      stdout: "-- HA monitor connector service version --\n\n4.1.0.0.7\n",
    });
    const act = await launch("haconnact", ["ipdusd", "mode=serial"], env);
    expect(act.code).toBe(1);
    expect(act.stderr).toMatch(/^haconnact: offtime: /);
    const dump = await launch("haconndump", [], env);
    expect(dump.code).toBe(0);
    expect(dump.stdout).toContain("state.json (haconnd is not running)");
    const archives = (await readdir(env.HACONN_LOG_DIR!)).filter((n) => n.startsWith("HaConnectorDump."));
    expect(archives).toHaveLength(1);
    expect(archives[0]).toMatch(/^HaConnectorDump\.\d{14}\.tar\.gz$/);
    const clilog = await readFile(join(env.HACONN_LOG_DIR!, "clilog1"), "utf8");
    expect(clilog).toMatch(/ exit=3 haconnshow status\n/);
    expect(clilog).toMatch(/ exit=1 haconnact ipdusd mode=serial\n/);
    expect(clilog).toMatch(/ exit=0 haconndump\n$/);
    expect(clilog).not.toContain("Passw0rd!");
  });
});
