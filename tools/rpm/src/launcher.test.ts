// The command launchers (tools/rpm/launcher.sh in the package, bin/_launch in a checkout) start
// the daemon with the V8 flags that keep its resident memory low (issue 19) and every other
// command without them. Both are run for real with a stand-in `node` that prints its argv.
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = new URL("../../../", import.meta.url).pathname;
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "haconn-launcher-"));
  temps.push(dir);
  return dir;
}

const ECHO_NODE = '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done\n';

function fakeNode(path: string): void {
  writeFileSync(path, ECHO_NODE);
  chmodSync(path, 0o755);
}

/** The daemon's flags as bin/_launch states them (the single line that sets them). */
function daemonFlags(file: string): string[] {
  const m = /if \[ "[^"]+" = haconnd \]; then node_args="([^"]*)"; fi/.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file}: no daemon node_args line`);
  return (m[1] ?? "").split(" ").filter(Boolean);
}

describe("command launchers: V8 flags for the daemon only", () => {
  const flags = daemonFlags(join(REPO, "bin/_launch"));

  it("both launchers name the same daemon flags, and they bound V8's young generation", () => {
    expect(daemonFlags(join(REPO, "tools/rpm/launcher.sh"))).toEqual(flags);
    expect(flags.some((f) => f.startsWith("--max-semi-space-size="))).toBe(true);
  });

  it("the packaged launcher (as build.sh fills it in) passes them to haconnr2 only", () => {
    const root = tempDir();
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, "lib"));
    fakeNode(join(root, "lib/node"));
    const template = readFileSync(join(REPO, "tools/rpm/launcher.sh"), "utf8");
    for (const [cmd, app, entry] of [
      ["haconnr2", "haconnd", "haconnd"],
      ["haconnsetup", "cli", "haconnsetup"],
    ] as const) {
      const text = template
        .replaceAll("@COMMAND@", cmd)
        .replaceAll("@APP@", app)
        .replaceAll("@ENTRY@", entry);
      writeFileSync(join(root, "bin", cmd), text);
      chmodSync(join(root, "bin", cmd), 0o755);
    }
    const daemon = execFileSync(join(root, "bin/haconnr2"), ["x"], { encoding: "utf8" }).trim().split("\n");
    expect(daemon).toEqual([...flags, `${root}/lib/app/haconnd/haconnd.js`, "x"]);
    const cli = execFileSync(join(root, "bin/haconnsetup"), ["y"], { encoding: "utf8" }).trim().split("\n");
    expect(cli).toEqual(["--enable-source-maps", `${root}/lib/app/cli/haconnsetup.js`, "y"]);
  });

  it("the checkout's bin/_launch passes them to haconnd only", () => {
    const root = tempDir();
    mkdirSync(join(root, "bin"));
    mkdirSync(join(root, ".tools/node/node_modules/.bin"), { recursive: true });
    fakeNode(join(root, ".tools/node/node_modules/.bin/node"));
    copyFileSync(join(REPO, "bin/_launch"), join(root, "bin/_launch"));
    chmodSync(join(root, "bin/_launch"), 0o755);
    const run = (app: string, entry: string) =>
      execFileSync(join(root, "bin/_launch"), [app, entry, "z"], { encoding: "utf8" }).trim().split("\n");
    expect(run("haconnd", "haconnd")).toEqual([...flags, `${root}/apps/haconnd/dist/haconnd.js`, "z"]);
    expect(run("cli", "haconnshow")).toEqual([
      "--enable-source-maps",
      `${root}/apps/cli/dist/haconnshow.js`,
      "z",
    ]);
  });
});
