// Every package's README example runs, from the README text itself, against the lab's simulators
// (issue #21 point 2), in a temporary folder outside the workspace whose node_modules/@haconn/*
// link to packages/*: imports resolve to the built packages (dist/) through their exports, as a
// consumer's would. The registry run (verdaccio.test.ts)
// runs the same examples from packages installed with npm.

import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_OUTPUT } from "./example-expectations.js";
import { type ExampleSims, startExampleSims } from "./example-sims.js";
import { extractExample, readmeExample, runExample } from "./readme-examples.js";
import { publishedPackages } from "./workspace.js";

const packages = publishedPackages();
const dir = mkdtempSync(join(tmpdir(), "haconn-readme-examples-"));
let sims: ExampleSims;

beforeAll(async () => {
  mkdirSync(join(dir, "node_modules/@haconn"), { recursive: true });
  for (const p of packages) symlinkSync(p.path, join(dir, "node_modules", p.manifest.name), "dir");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "readme-examples", private: true, type: "module" }),
  );
  sims = await startExampleSims(packages.some((p) => p.dir === "client"));
}, 120_000);
afterAll(async () => {
  await sims?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("README examples", () => {
  it("the extractor takes exactly the marked block", () => {
    const md = "# x\n```ts\nnot this\n```\n<!-- example -->\n```ts\nconsole.log(1);\n```\n";
    expect(extractExample(md)).toBe("console.log(1);\n");
    expect(() => extractExample("# none")).toThrow(/found 0/);
  });

  for (const { dir: pkg, path, manifest } of packages) {
    it(`${manifest.name}: the README example runs and does its job`, async () => {
      expect(existsSync(join(path, "dist/index.js")), `${manifest.name} is built (pnpm build)`).toBe(true);
      const source = readmeExample(path);
      const lines = source.trimEnd().split("\n").length;
      expect(lines, "10-30 lines").toBeGreaterThanOrEqual(10);
      expect(lines, "10-30 lines").toBeLessThanOrEqual(30);
      const run = await runExample(dir, pkg, source, sims.env);
      expect(run.stderr).toBe("");
      expect(run.code, run.stdout).toBe(0);
      for (const pattern of EXAMPLE_OUTPUT[pkg] ?? [/./]) expect(run.stdout).toMatch(pattern);
      expect(await sims.check(pkg, run.stdout)).toBe("");
    });
  }
});
