// Every package's README example runs, from the README text itself, against the lab's simulators
// (issue #21 point 2): imports resolve to the built packages (dist/) through this folder's
// workspace dependencies, exactly as a consumer's would. The registry run (verdaccio.test.ts)
// runs the same examples from packages installed with npm.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_OUTPUT } from "./example-expectations.js";
import { type ExampleSims, startExampleSims } from "./example-sims.js";
import { extractExample, readmeExample, runExample } from "./readme-examples.js";
import { publishedPackages, ROOT } from "./workspace.js";

const packages = publishedPackages();
const dir = join(ROOT, "tools/packages-check/.examples");
let sims: ExampleSims;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  sims = await startExampleSims();
}, 120_000);
afterAll(async () => {
  await sims?.stop();
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
