// Regression guard (issue 19), a structure and not a timing: the daemon's main bundle carries no
// ssh2 and no ESXi host driver, so no ssh packet crypto, command or output parsing can run on the
// thread that answers RESETs; all of it is in dist/esxi-worker.js, which the bundle loads as a
// worker beside itself. Reads the build's metafile (tsup), so it runs once haconnd is built.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = fileURLToPath(new URL("../../dist/", import.meta.url));
const META = `${dist}metafile-esm.json`;
const BUILT = existsSync(META);

const SSH_WORK =
  /node_modules\/ssh2\/|packages\/esxi\/src\/(esxi-host|esxi-guest|ssh-connect|exec-channel|guest-power-batch|parse-)/;

function inputs(output: string): string[] {
  const meta = JSON.parse(readFileSync(META, "utf8")) as { outputs: Record<string, { inputs: object }> };
  const out = meta.outputs[`dist/${output}`];
  if (!out) throw new Error(`no dist/${output} in ${META}`);
  return Object.keys(out.inputs);
}

describe.skipIf(!BUILT)("the daemon's bundles (built)", () => {
  it("the main thread's bundle has no ssh2 and no ESXi host driver", () => {
    expect(inputs("haconnd.js").filter((i) => SSH_WORK.test(i))).toEqual([]);
  });

  it("the ESXi worker's bundle has them, and the main bundle starts it from beside itself", () => {
    const worker = inputs("esxi-worker.js");
    expect(worker.some((i) => /node_modules\/ssh2\/lib\/client\.js$/.test(i))).toBe(true);
    expect(worker.some((i) => /packages\/esxi\/src\/esxi-host\.ts$/.test(i))).toBe(true);
    expect(readFileSync(`${dist}haconnd.js`, "utf8")).toContain(
      'new URL("./esxi-worker.js", import.meta.url)',
    );
  });
});
