import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleConfig } from "@haconn/config/test";
import { run, tempDir } from "../testing/run.js";
import { main } from "./program.js";
import { osKind, versionString } from "./version.js";

const RHEL = (v: string) =>
  `NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="${v}"\n`;

describe("haconnshow version", () => {
  it("maps RHEL 7/8/9 to OS kind 3/4/5 and anything else to 0", () => {
    expect(osKind(RHEL("7.9"))).toBe(3);
    expect(osKind(RHEL("8.10"))).toBe(4);
    expect(osKind(RHEL("9.4"))).toBe(5);
    expect(osKind('ID=rocky\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n')).toBe(5);
    expect(osKind(RHEL("10.0"))).toBe(0);
    expect(osKind('ID=debian\nVERSION_ID="12"\n')).toBe(0);
    expect(osKind(undefined)).toBe(0);
    expect(versionString(4)).toMatch(/^4\.\d+\.\d+\.\d+\.\d+$/);
  });

  let etc: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    etc = await tempDir("haconn-show-");
  });
  afterAll(() => etc.remove());

  it("prints the version under the manual's heading (§6.6.7), or JSON", async () => {
    const text = await run(main, ["version"], { etcDir: etc.dir, osRelease: RHEL("8.6") });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`-- HA monitor connector service version --\n\n${versionString(4)}\n`);
    const json = await run(main, ["version", "--json"], { etcDir: etc.dir, osRelease: RHEL("9.2") });
    expect(JSON.parse(json.stdout)).toEqual({ version: versionString(5), osKind: 5 });
  });

  it("prints the version the package stamped in $HACONN_VERSION_FILE, whatever the OS says", async () => {
    const { writeFile } = await import("node:fs/promises");
    const file = `${etc.dir}/version`;
    await writeFile(file, "5.3.0.1.0921\n");
    const env = { HACONN_VERSION_FILE: file };
    const text = await run(main, ["version"], { etcDir: etc.dir, osRelease: RHEL("8.6"), env });
    expect(text).toEqual({
      code: 0,
      stdout: "-- HA monitor connector service version --\n\n5.3.0.1.0921\n",
      stderr: "",
    });
    const json = await run(main, ["version", "--json"], { etcDir: etc.dir, env });
    expect(JSON.parse(json.stdout)).toEqual({ version: "5.3.0.1.0921", osKind: 5 });
    await writeFile(file, "garbage\n");
    const bad = await run(main, ["version"], { etcDir: etc.dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/does not hold a version \("garbage"\)/);
    const absent = await run(main, ["version"], {
      etcDir: etc.dir,
      env: { HACONN_VERSION_FILE: `${file}.none` },
    });
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/cannot read the version file .*ENOENT/);
  });

  it("reports a corrupt configuration with its path and exit 2", async () => {
    const { writeFile } = await import("node:fs/promises");
    await writeFile(`${etc.dir}/haconn.json`, JSON.stringify({ ...sampleConfig(), resetpath: 7 }));
    const result = await run(main, ["setting"], { etcDir: etc.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `haconnshow: ${etc.dir}/haconn.json: resetpath: must be null or object (at /resetpath)\n`,
    );
  });

  it.each(["--help", "setting --help", "mserversetting --help", "ipdusetting --help", "version --help"])(
    "haconnshow %s",
    async (line) => {
      const result = await run(main, line.split(" "), { etcDir: etc.dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: haconnshow/);
    },
  );

  it("refuses an unknown display with exit 1", async () => {
    const result = await run(main, ["statu"], { etcDir: etc.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command 'statu'/);
  });
});
