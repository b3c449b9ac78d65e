// The changeset rule (.changeset/README.md) on this branch: every published package changed since
// the base (`main`, or HACONN_CHANGESET_BASE) is named by a changeset added since then.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changesetPackages, mergeBase, missingChangesets, publishedPackageOf } from "./changesets.js";
import { publishedPackages, ROOT } from "./workspace.js";

const base = process.env.HACONN_CHANGESET_BASE ?? "main";
const since = mergeBase(ROOT, base);

describe("changesets", () => {
  it("the configuration versions @haconn/* together and publishes restricted", () => {
    const config = JSON.parse(readFileSync(join(ROOT, ".changeset/config.json"), "utf8"));
    expect(config.fixed).toEqual([["@haconn/*"]]);
    expect(config.access).toBe("restricted");
    expect(config.baseBranch).toBe("main");
  });

  it("what counts as a change of a published package, and how a changeset names packages", () => {
    expect(publishedPackageOf("packages/bmc/src/parse-output.ts")).toBe("bmc");
    expect(publishedPackageOf("packages/bmc/src/parse-output.test.ts")).toBeUndefined();
    expect(publishedPackageOf("packages/core/package.json")).toBe("core");
    expect(publishedPackageOf("packages/core/README.md")).toBe("core");
    expect(publishedPackageOf("packages/core/api/core.api.md")).toBeUndefined();
    expect(publishedPackageOf("apps/haconnd/src/daemon.ts")).toBeUndefined();
    expect(
      changesetPackages("---\n\"@haconn/bmc\": patch\n'@haconn/ha': minor\n---\n\nText: major\n"),
    ).toEqual(["@haconn/bmc", "@haconn/ha"]);
  });

  it.runIf(since !== undefined)(`every published package changed since ${base} has a changeset`, () => {
    const names = new Map(publishedPackages().map((p) => [p.dir, p.manifest.name]));
    expect(missingChangesets(ROOT, since!, names), "add one: pnpm exec changeset").toEqual([]);
  });
});
