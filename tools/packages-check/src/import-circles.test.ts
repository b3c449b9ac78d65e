import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { repoCircles } from "./import-graph.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("import circles", () => {
  it("the repository's TypeScript sources import each other without a circle", () => {
    expect(repoCircles(root)).toEqual([]);
  });

  const tmp = mkdtempSync(join(tmpdir(), "haconn-circles-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("finds a type-only circle, a re-export circle and a directory-index circle", () => {
    const dir = join(tmp, "packages", "x", "src");
    mkdirSync(join(dir, "sub"), { recursive: true });
    writeFileSync(join(dir, "a.ts"), 'import type { B } from "./b.js";\nexport interface A { b: B }\n');
    writeFileSync(join(dir, "b.ts"), 'import type { A } from "./a.js";\nexport interface B { a?: A }\n');
    writeFileSync(join(dir, "c.ts"), 'export * from "./sub";\nexport const c = 1;\n');
    writeFileSync(join(dir, "sub", "index.ts"), 'export { c as d } from "../c.js";\n');
    writeFileSync(join(dir, "e.ts"), '// import { a } from "./a.js";\nexport const e = "./a.js";\n');
    expect(repoCircles(tmp)).toEqual([
      ["packages/x/src/a.ts", "packages/x/src/b.ts"],
      ["packages/x/src/c.ts", "packages/x/src/sub/index.ts"],
    ]);
  });
});
