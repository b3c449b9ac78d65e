// The exported surface of every published entry point matches its checked-in API report
// (issue #21 point 3). After an intended change: `HACONN_API_UPDATE=1 pnpm exec vitest run
// --project packages-check src/api-report.test.ts` rewrites packages/*/api/*.api.md and
// docs/api/, and the diff is what the reviewer reads.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderPackagePage } from "./api-docs.js";
import { entryPoints, runApiExtractor } from "./api-report.js";
import { publishedPackages, ROOT } from "./workspace.js";

const update = process.env.HACONN_API_UPDATE === "1";
const entries = entryPoints(publishedPackages());
const tempDir = mkdtempSync(join(tmpdir(), "haconn-api-"));
const docModelDir = join(tempDir, "model");
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe(`API reports (${update ? "update" : "check"})`, () => {
  for (const entry of entries) {
    it(`${entry.pkg.manifest.name}${entry.subpath === "." ? "" : entry.subpath.slice(1)}: api/${entry.reportName}.api.md is current`, () => {
      expect(existsSync(entry.dts), `${entry.dts} (build first)`).toBe(true);
      // docs/api/ documents the main entries; a ./test entry has the same package name in the model.
      const model = entry.subpath === "." ? { docModelDir } : {};
      const outcome = runApiExtractor(entry, { local: update, tempDir, ...model });
      expect(outcome.errors.filter((e) => !/API report/i.test(e))).toEqual([]);
      expect(existsSync(join(entry.pkg.path, "api", `${entry.reportName}.api.md`))).toBe(true);
      if (!update) {
        expect(
          outcome.changed,
          `the exported surface of ${entry.pkg.manifest.name} changed: review it and update the report (HACONN_API_UPDATE=1)`,
        ).toBe(false);
      }
    }, 60_000);
  }

  it("docs/api/<pkg>.md is the page rendered from the doc model", () => {
    mkdirSync(join(ROOT, "docs/api"), { recursive: true });
    for (const entry of entries.filter((e) => e.subpath === ".")) {
      const page = renderPackagePage(
        join(docModelDir, `${entry.reportName}.api.json`),
        `../../packages/${entry.pkg.dir}/README.md`,
      );
      const file = join(ROOT, "docs/api", `${entry.pkg.dir}.md`);
      if (update) writeFileSync(file, page);
      expect(
        existsSync(file) ? readFileSync(file, "utf8") : "",
        `docs/api/${entry.pkg.dir}.md is stale (HACONN_API_UPDATE=1)`,
      ).toBe(page);
    }
  });
});
