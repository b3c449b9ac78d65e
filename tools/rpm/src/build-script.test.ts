// build.sh refuses bad inputs clearly, before any packaging work: missing app bundles (named
// one by one), unknown OS targets (el7 explained), a non-numeric release.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRpms, COMMANDS } from "./layout.js";

const temps: string[] = [];
const emptyRepo = () => {
  const dir = mkdtempSync(join(tmpdir(), "haconn-rpm-repo-"));
  temps.push(dir);
  return dir;
};

afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe("build.sh", () => {
  it("names every missing app bundle and fails without --allow-missing", () => {
    const r = buildRpms(["--root", emptyRepo()], 30_000);
    expect(r.status).toBe(2);
    expect(r.rpms).toEqual([]);
    for (const c of COMMANDS) expect(r.stderr).toContain(`apps/${c.app}/dist/${c.entry}.js (${c.name})`);
    expect(r.stderr).toContain("pnpm exec turbo run build");
  });

  it("lists only the bundles that are really missing", () => {
    const repo = emptyRepo();
    mkdirSync(join(repo, "apps/cli/dist"), { recursive: true });
    writeFileSync(join(repo, "apps/cli/dist/haconnshow.js"), "");
    const r = buildRpms(["--root", repo], 30_000);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain("haconnshow.js");
    expect(r.stderr).toContain("apps/haconnd/dist/haconnd.js (haconnr2)");
  });

  it.each([
    [["--os", "el7"], /glibc 2\.28/],
    [["--os", "sles15"], /--os must be el8, el9 or all/],
    [["--release", "2a"], /--release must be a number/],
    [["--frobnicate"], /unknown option --frobnicate/],
  ])("refuses %j", (args, message) => {
    const r = buildRpms([...args, "--root", emptyRepo()], 30_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
