// The table-driven bad-input suite (issue #20 step 3): every case of cases.ts runs the command's
// program entry in-process (the same main() the built binary runs) against a real configuration
// directory, and must exit with its status, say its message on stderr (no stack trace, no JSON
// path), print nothing on stdout, and leave every file of the directory byte-for-byte unchanged.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigStore } from "@haconn/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAINS } from "../testing/mains.js";
import { run, tempDir, words } from "../testing/run.js";
import { baseConfig } from "./base-config.js";
import { BAD_INPUTS } from "./cases.js";

/** SHA-256 over every file of the directory (names and contents), sorted. */
async function dirHash(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const name of (await readdir(dir)).sort()) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(dir, name)).catch(() => Buffer.from("<dir>")));
  }
  return hash.digest("hex");
}

describe("bad input: every command refuses, says why, changes nothing", () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let etc: string;
  let before: string;
  beforeAll(async () => {
    tmp = await tempDir("haconn-bad-");
    etc = join(tmp.dir, "etc");
    await new ConfigStore(etc).update(() => baseConfig());
    before = await dirHash(etc);
  });
  afterAll(() => tmp.remove());

  it("has at least 300 cases over all six commands", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(BAD_INPUTS.map((c) => c.cmd))).toEqual(
      new Set(["haconnsetup", "haconnshow", "haconnact", "haconnsby", "haconnserver", "haconndump"]),
    );
  });

  it.each(BAD_INPUTS.map((c, i) => [`#${i + 1} [${c.cls}] ${c.cmd} ${c.line}`, c] as const))(
    "%s",
    async (_, c) => {
      const env = {
        HACONN_RUN_DIR: join(tmp.dir, "run-none"), // no haconnd: nothing may reach it
        HACONN_LOG_DIR: join(tmp.dir, "log-none"),
      };
      const r = await run(MAINS[c.cmd], words(c.line), {
        etcDir: etc,
        env,
        ...(c.stdin === undefined ? {} : { stdin: c.stdin }),
      });
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({
        code: c.exit,
        stderr: expect.stringMatching(c.message),
      });
      expect(r.stderr).not.toMatch(/\/(mservers|pservers|pdus|resetpath)\/|\n\s+at \S+|internal error/);
      expect(r.stdout.replace(/^password :|^community :/, "")).toBe("");
      expect(await dirHash(etc)).toBe(before);
    },
  );
});
