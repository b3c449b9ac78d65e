// Every package under packages/ is publishable and says what a consumer gets (issue #21 point 1).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { publishedExports, publishedPackages, ROOT } from "./workspace.js";

const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const packages = publishedPackages();

describe("package manifests", () => {
  it("there are packages, and the root LICENSE exists", () => {
    expect(packages.length).toBeGreaterThanOrEqual(7);
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/proprietary/i);
    expect(root.license).toBe("UNLICENSED");
  });

  for (const { dir, path, manifest: m } of packages) {
    describe(m.name, () => {
      it("is publishable: named @haconn/<folder>, not private, the project's license, a description", () => {
        expect(m.name).toBe(`@haconn/${dir}`);
        expect(m.private).toBeUndefined();
        expect(m.license).toBe(root.license);
        expect(m.description?.length ?? 0).toBeGreaterThan(20);
        expect(m.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
      });

      it("publishConfig leaves the registry to the user's npm config; engines, repository, sideEffects", () => {
        expect(m.publishConfig).toBeDefined();
        expect(m.publishConfig).not.toHaveProperty("registry");
        expect(m.publishConfig?.access).toBe("restricted");
        expect(m.engines).toEqual({ node: ">=24" });
        expect(m.repository).toEqual({ ...root.repository, directory: `packages/${dir}` });
        expect(m.type).toBe("module");
        expect(m.sideEffects).toBe(false);
      });

      it("ships only dist, the README and the LICENSE (copied from the root at prepack)", () => {
        expect(m.files?.filter((f) => !f.startsWith("!"))).toEqual(["dist", "README.md", "LICENSE"]);
        expect(m.scripts?.prepack).toContain("../../LICENSE");
        expect(existsSync(join(path, "README.md"))).toBe(true);
      });

      it("exports put types first; ./test is published only as documented test utilities", () => {
        const readme = readFileSync(join(path, "README.md"), "utf8");
        for (const exp of [m.exports ?? {}, publishedExports(m)]) {
          for (const [sub, target] of Object.entries(exp)) {
            if (sub === "./package.json") continue;
            expect(Object.keys(target as object)[0], `${sub} types first`).toBe("types");
          }
        }
        const published = Object.keys(publishedExports(m));
        expect(published).toContain(".");
        if (published.includes("./test")) {
          expect(readme).toContain(`${m.name}/test`);
          expect(readme).toMatch(/## Test utilities/);
        } else if (m.exports?.["./test"]) {
          expect(m.files).toContain("!dist/test");
        }
      });

      it("depends on other @haconn packages only through the workspace (real versions on publish)", () => {
        for (const [dep, range] of Object.entries(m.dependencies ?? {})) {
          if (dep.startsWith("@haconn/")) expect(range).toBe("workspace:*");
          else expect(range).toMatch(/^\d+\.\d+\.\d+$/);
        }
      });
    });
  }
});
